"""The one exception type the command line turns into a clear message and an exit code."""

from __future__ import annotations

from pathlib import Path


class DiplokgError(Exception):
    """A user-facing error: bad input, a bad parameter, a missing file. Exit code 2 by default."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def line_of(path: Path, needle: str) -> int | None:
    """The 1-based number of the first line of `path` that contains `needle`, if any."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    return next((number for number, line in enumerate(lines, 1) if needle in line), None)
