"""Reading text and writing output, safely.

Every file a command writes at the user's request goes through `write_output`: '-' is standard
output; anything else must be a regular file (or not exist yet), outside the project's inputs
(ontology, data, queries, the marker, and any file the command reads), not a symbolic link; it is
written to a temporary file beside the target and renamed over it only once complete, keeping the
replaced file's permissions. `read_text` reads UTF-8 and names the file, line and column of a bad byte.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from diplokg.errors import DiplokgError

if TYPE_CHECKING:
    from diplokg.paths import Layout


def current_umask() -> int:
    """The process umask (read by setting it and putting it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def folder_files(folder: Path, suffix: str) -> list[str]:
    """The names of the input files of a folder: every entry whose name ends with `suffix`, hidden ones (editors'
    lock and backup files) left out, sorted; none if the folder is missing. An entry that is not a regular file (a
    folder, a named pipe, a symbolic link to nothing or to itself) is an error, not silently skipped."""
    try:
        entries = [e for e in os.scandir(folder) if e.name.endswith(suffix) and not e.name.startswith(".")]
    except FileNotFoundError:
        return []
    for entry in entries:
        try:
            regular = entry.is_file()
        except OSError:  # a link loop
            regular = False
        if not regular:
            raise DiplokgError(f"{entry.path}: not a regular file (a folder, a named pipe, or a symbolic link to "
                               "nothing or to itself); remove it, or put there the file it should be.")
    return sorted(e.name for e in entries)


def read_text(path: Path, what: str = "file") -> str:
    """The UTF-8 text of `path`; a missing file, a folder or a non-UTF-8 byte is a DiplokgError."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DiplokgError(f"{path}: no such {what}.") from None
    except IsADirectoryError:
        raise DiplokgError(f"{path}: is a folder, not a {what}.") from None
    except OSError as error:
        raise DiplokgError(f"{path}: cannot read the {what}: {error.strerror or error}.") from None
    return decode_utf8(path, raw, what)


def decode_utf8(path: Path, raw: bytes, what: str = "file") -> str:
    """`raw` decoded as UTF-8; a bad byte is a DiplokgError naming the file, line and column, and so is a
    byte-order mark at the start of an RDF file (Turtle parsers refuse it with an invisible character)."""
    if what == "RDF file" and raw.startswith(b"\xef\xbb\xbf"):
        raise DiplokgError(f"{path}:1:1: the {what} starts with a byte-order mark (U+FEFF); save it as UTF-8 without one.")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise DiplokgError(
            f"{path}:{line}:{column}: the {what} is not UTF-8 (byte 0x{raw[error.start]:02x}); "
            "save it as UTF-8 (e.g. `iconv -f cp1252 -t utf-8`)."
        ) from None


def write_atomically(target: str | Path, produce: Callable[[BinaryIO], None]) -> None:
    """Call `produce` with a binary stream; '-' streams to stdout, a path is replaced atomically.

    The data goes to a temporary file beside the target, which replaces the target only once
    `produce` has returned; on any error the temporary file is removed and the target is untouched.
    A replaced file keeps its permission bits (a new one gets 0666 less the umask).
    """
    if str(target) == "-":
        produce(sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    import tempfile

    path = Path(target)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise DiplokgError(f"{path}: cannot write here: {error.strerror or error}.") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            produce(stream)
        try:
            before = path.stat()
        except FileNotFoundError:
            os.chmod(temporary, 0o666 & ~current_umask())
        else:
            os.chmod(temporary, stat.S_IMODE(before.st_mode))
            if os.geteuid() == 0:
                os.chown(temporary, before.st_uid, before.st_gid)
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise DiplokgError(f"{path}: cannot write the file: {error.strerror or error}.") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def protected(layout: Layout, inputs: Iterable[str | Path] = ()) -> list[Path]:
    """The resolved paths no command may write to: the project's inputs and the files it reads."""
    return [Path(p).resolve() for p in [*layout.inputs, *inputs]]


def check_output(target: str | Path, layout: Layout, inputs: Iterable[str | Path] = (), folder: bool = False,
                 writes_into: Iterable[Path] = ()) -> None:
    """Refuse an output path that is not a regular file (or, with `folder`, a folder) or that is an input;
    `writes_into` names the input folders whose files this command writes (draft: data/facts, data/anchors)."""
    if str(target) == "-":
        if folder:
            raise DiplokgError("-o -: this command writes a folder of files, not standard output.")
        return
    path = Path(target)
    kind = "folder" if folder else "regular file"
    if path.is_symlink():
        raise DiplokgError(f"{path}: is a symbolic link; diplokg does not write through links. Give the real path "
                           f"({path.resolve()}) or another name.")
    if path.exists():
        mode = path.stat().st_mode
        if folder and not stat.S_ISDIR(mode):
            raise DiplokgError(f"{path}: exists and is not a folder; give a folder (new or existing) for the output.")
        if not folder and not stat.S_ISREG(mode):
            what = ("a folder" if stat.S_ISDIR(mode) else "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
                    else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode)
                    else "not a regular file")
            raise DiplokgError(f"{path}: is {what}; diplokg writes only {kind}s (or '-' for standard output).")
    resolved = path.resolve()
    if any(resolved.parent == folder_.resolve() for folder_ in writes_into):
        check_writable(path, path.parent)
        return
    for guarded in protected(layout, inputs):
        if resolved == guarded or resolved.is_relative_to(guarded) or (folder and guarded.is_relative_to(resolved)):
            raise DiplokgError(f"{path}: is an input of the project ({guarded}); diplokg never writes over its "
                               "inputs. Write the output somewhere else.")
    check_writable(path, path if folder and path.exists() else path.parent)


def check_writable(path: Path, folder: Path) -> None:
    """Refuse `path` if the nearest existing folder of `folder` (where it goes) cannot be written."""
    existing = next((p for p in (folder, *folder.parents) if p.exists()), Path("/"))
    if not existing.is_dir():
        raise DiplokgError(f"{path}: cannot write here: {existing} is not a folder.")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise DiplokgError(f"{path}: cannot write here: permission denied on {existing}.")


def write_output(target: str | Path, produce: Callable[[BinaryIO], None], layout: Layout | None = None,
                 inputs: Iterable[str | Path] = ()) -> None:
    """Write what the user asked for to `target` ('-' for stdout), after `check_output`, atomically."""
    from diplokg.paths import default_layout

    check_output(target, layout or default_layout(), inputs)
    write_atomically(target, produce)
