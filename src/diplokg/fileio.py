"""Atomic writes: a file is replaced whole or not at all."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def current_umask() -> int:
    """The process umask (read by setting it and putting it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(target: str | Path, produce: Callable[[BinaryIO], None]) -> None:
    """Call `produce` with a binary stream; '-' streams to stdout, a path is replaced atomically.

    The data goes to a temporary file beside the target, which replaces the target only once
    `produce` has returned; on any error the temporary file is removed and the target is untouched.
    """
    if str(target) == "-":
        produce(sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            produce(stream)
        os.chmod(temporary, 0o666 & ~current_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
