"""Atomic writes: a temporary file beside the target, renamed into place.

A killed run never leaves half a file. With :mod:`pipeline.io.jsonl` and
:mod:`pipeline.io.files` this is the only place in the package that opens a file.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from pipeline.io.files import MACHINE_ERRNOS, machine_error


@functools.cache
def _file_mode() -> int:
    """The mode an ordinary new file gets under this process's umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


# Temporary files are ".<target name>.<8 random characters>.tmp" (tempfile.mkstemp).
_TEMP = re.compile(r"\..+\.[a-z0-9_]{8}\.tmp")


@contextlib.contextmanager
def atomic_open(path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; rename it into place when the block ends well.

    Raises:
        MachineError: the disk is full, read-only or not writable (an OS error
            naming no other file, or this one); ``path`` is left as it was.
    """
    tmp = ""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.fchmod(fd, _file_mode())  # mkstemp makes 0600 files; outputs are ordinary files
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        _discard(tmp)
        if exc.errno in MACHINE_ERRNOS or exc.filename in (None, tmp, str(path)):
            raise machine_error(exc, path) from exc
        raise
    except BaseException:
        _discard(tmp)
        raise


def _discard(tmp: str) -> None:
    if tmp:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def remove_stale_temps(folder: Path) -> list[Path]:
    """Delete the temporary files :func:`atomic_open` left in ``folder`` (a killed run's).

    Call it only while holding the folder's run-directory lock, so no live
    writer owns them. Returns the files removed.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return removed
    for entry in entries:
        if _TEMP.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def atomic_write_text(path: Path, text: str) -> None:
    """Write text (UTF-8) to ``path`` through a temporary file and a rename."""
    with atomic_open(path) as handle:
        handle.write(text)


def atomic_write_chunks(path: Path, chunks: Iterable[str]) -> int:
    """Write text (UTF-8) chunk by chunk through a temporary file and a rename.

    For big generated files (the HTML report): nothing is held whole in memory
    and a failure while generating leaves the old file untouched.

    Returns:
        The number of characters written.
    """
    written = 0
    with atomic_open(path) as handle:
        for chunk in chunks:
            handle.write(chunk)
            written += len(chunk)
    return written


@contextlib.contextmanager
def atomic_text_writer(path: Path) -> Iterator[IO[str]]:
    """Stream UTF-8 text into ``path``: a temporary file renamed into place on success.

    Use it for large outputs written piece by piece (TMX, Moses, TSV); if the
    block raises, the temporary file is removed and ``path`` is left as it was.
    """
    with atomic_open(path) as handle:
        yield handle


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write bytes to ``path`` through a temporary file and a rename."""
    with atomic_open(path, "wb") as handle:
        handle.write(data)


def atomic_write_json(path: Path, obj: Any) -> None:
    """Write one JSON document, pretty-printed, atomically."""
    atomic_write_text(path, json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=False) + "\n")


@contextlib.contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``target``; on success it replaces ``target``.

    For outputs that are folders written by other libraries (converted models).
    On an exception the temporary folder is removed and ``target`` is untouched.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield work
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
            os.replace(work, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def remove_file(path: Path) -> bool:
    """Delete a stale output file if it exists; return whether it did."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True
