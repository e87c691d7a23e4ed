"""Reading files and folders: JSON, text, bytes with a size limit, hashes, package data.

Readers raise :class:`~pipeline.InputError` naming the file and what is wrong.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from pipeline import ConfigError, InputError, MachineError

# What to do about an OS error of the machine, by errno.
_FULL = "the disk is full: free some space and rerun the same command (finished work is kept)"
_NO_WRITE = "choose a writable --out (or fix its permissions) and rerun"
_HINTS = {
    errno.ENOSPC: _FULL,
    errno.EDQUOT: _FULL.replace("disk is full", "disk quota is used up"),
    errno.EFBIG: "the file is larger than this file system allows: use another --out",
    errno.EROFS: f"the file system is read-only: {_NO_WRITE}",
    errno.EACCES: f"permission denied: {_NO_WRITE}",
    errno.EPERM: f"not permitted: {_NO_WRITE}",
    errno.ENOTDIR: "a folder on the way is a file: choose another --out",
    errno.EIO: "input/output error: check the disk, then rerun the same command",
}
# The errnos that are always the machine's fault, wherever they come from.
MACHINE_ERRNOS = frozenset(_HINTS)


def machine_error(exc: OSError, path: Path | str, doing: str = "write") -> MachineError:
    """One clear line for an OS error: what failed, where, and what to do.

    Args:
        exc: the error.
        path: the file being written (used when the error names none).
        doing: what was being done, as a verb phrase (``write``, ``lock the run directory``).
    """
    if isinstance(exc, MachineError):
        return exc
    where = exc.filename or path
    hint = _HINTS.get(exc.errno or 0, "fix the cause and rerun the same command")
    error = MachineError(f"cannot {doing} {where}: {exc.strerror or exc}; {hint}")
    error.errno = exc.errno
    return error


def read_json(path: Path) -> Any:
    """Read one JSON document.

    Raises:
        InputError: missing, unreadable or invalid file.
    """
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON ({exc})") from exc


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """Read a file's bytes, at most ``limit`` of them when given.

    Raises:
        OSError: the caller decides how an unreadable input is reported.
    """
    with path.open("rb") as handle:
        return handle.read() if limit is None else handle.read(limit)


def read_block(path: Path, offset: int, size: int) -> bytes:
    """Read at most ``size`` bytes of a file from ``offset`` on (samples of large files).

    Raises:
        OSError: the caller decides how an unreadable input is reported.
    """
    with path.open("rb") as handle:
        handle.seek(offset)
        return handle.read(size)


def read_text(path: Path) -> str:
    """Read a UTF-8 text file (configs, references); errors name the file."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 at byte {exc.start} ({exc.reason})") from exc


def read_text_lines(path: Path) -> list[str]:
    """Read a UTF-8 file as lines without their line ends (for plain-text corpora)."""
    return read_text(path).splitlines()


class Found(NamedTuple):
    """One entry found by :func:`walk_files`.

    Attributes:
        path: the file (or folder) as reached from the walked root.
        error: why it cannot be read (not a regular file, broken link...), or None.
        skipped: why it is left out although readable (a folder reached twice), or None.
    """

    path: Path
    error: str | None = None
    skipped: str | None = None


def file_kind(path: Path) -> str | None:
    """None for a regular file (links followed); else what it is, without opening it.

    A FIFO, socket or device must never be opened by a walk: opening a FIFO
    blocks until a writer comes, which may be never.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "broken symbolic link" if path.is_symlink() else "not found"
    except OSError as exc:
        return f"cannot read ({exc.strerror or exc})"
    if stat.S_ISREG(mode):
        return None
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return f"not a regular file but {name}"
    return "not a regular file"


def walk_files(root: Path, skip: Path | None = None) -> Iterator[Found]:
    """Yield the files under ``root`` in sorted order, recursively, links followed.

    Hidden files and folders (name starting with ".") and everything under
    ``skip`` are left out. Symbolic links to folders are followed; a folder
    reached a second time (a link loop, or two links to one folder) is yielded
    once with ``skipped`` saying where it was read, and not entered again. A
    folder that cannot be listed and anything that is not a regular file (a
    FIFO, a socket, a device, a broken link) come with ``error``; nothing found
    is opened here.
    """
    errors: list[OSError] = []
    skip_resolved = skip.resolve() if skip is not None else None
    read: dict[tuple[int, int], Path] = {}
    for folder, dirs, files in os.walk(root, onerror=errors.append, followlinks=True):
        here = Path(folder)
        while errors:
            failed = errors.pop(0)
            reason = f"cannot read folder ({failed.strerror or failed})"
            yield Found(Path(failed.filename or folder), reason)
        try:
            info = os.stat(here)
        except OSError as exc:
            dirs[:] = []
            yield Found(here, f"cannot read folder ({exc.strerror or exc})")
            continue
        first = read.setdefault((info.st_dev, info.st_ino), here)
        if first != here:
            dirs[:] = []
            yield Found(here, skipped=f"folder already read as {first} (linked twice or a loop)")
            continue
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and (here / d).resolve() != skip_resolved
        )
        for name in sorted(files):
            if not name.startswith("."):
                yield Found(here / name, file_kind(here / name))
    for failed in errors:
        reason = f"cannot read folder ({failed.strerror or failed})"
        yield Found(Path(failed.filename or root), reason)


def walk_inputs(inputs: Iterable[Path], skip: Path | None = None) -> Iterator[Found]:
    """The files named on a command line: folders walked (:func:`walk_files`), files as given."""
    for path in inputs:
        if path.is_dir():
            yield from walk_files(path, skip)
        else:
            yield Found(path, file_kind(path))


def read_package_text(name: str) -> str:
    """Read a text file shipped inside the package, ``pipeline/data/<name>``."""
    from importlib import resources

    return resources.files("pipeline").joinpath("data", name).read_text(encoding="utf-8")


def read_package_toml(name: str) -> dict[str, Any]:
    """Read a TOML data file shipped in the package (``pipeline/data/<name>``).

    Raises:
        ConfigError: the file is missing or is not valid TOML; the message names it.
    """
    import tomllib
    from importlib import resources

    resource = resources.files("pipeline").joinpath("data", name)
    try:
        return tomllib.loads(resource.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"pipeline/data/{name}: cannot read ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"pipeline/data/{name}: not valid TOML ({exc})") from exc


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """Hash a file's bytes without reading it into memory at once."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def count_lines(path: Path) -> int:
    """The number of non-empty lines of a file, read in binary blocks (a progress total)."""
    count = 0
    with path.open("rb") as handle:
        for line in handle:
            count += bool(line.strip())
    return count
