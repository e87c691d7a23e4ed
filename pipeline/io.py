"""All file I/O of the pipeline: JSONL streams, atomic writes, resumable output.

Nothing else in the package opens a file. Readers are generators and report
the true line number of bad input; writers go to a temporary file beside the
target and rename it into place, so a killed run never leaves half a file.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, TypeVar

from pipeline import ConfigError, InputError
from pipeline.records import Record

__all__ = [
    "ResumableJsonlWriter",
    "atomic_dir",
    "atomic_text_writer",
    "atomic_write_bytes",
    "atomic_write_chunks",
    "atomic_write_json",
    "atomic_write_text",
    "file_sha256",
    "read_bytes",
    "read_json",
    "read_jsonl",
    "read_package_text",
    "read_package_toml",
    "read_records",
    "read_text",
    "read_text_lines",
    "remove_file",
    "walk_files",
    "write_jsonl",
    "write_records",
]

log = logging.getLogger(__name__)


@functools.cache
def _file_mode() -> int:
    """The mode an ordinary new file gets under this process's umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


R = TypeVar("R", bound=Record)


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the JSON objects of a JSONL file, one per non-blank line.

    Raises:
        InputError: the file is missing or unreadable, or a line is not a JSON
            object; the message names the file and the line number.
    """
    try:
        stream = path.open("r", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    with stream:
        try:
            for lineno, line in enumerate(stream, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from exc
                if not isinstance(obj, dict):
                    raise InputError(f"{path}:{lineno}: expected a JSON object")
                yield obj
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: not UTF-8 ({exc.reason})") from exc


def read_records(path: Path, cls: type[R]) -> Iterator[R]:
    """Yield records of type ``cls`` from a JSONL file, with line numbers in errors."""
    for lineno, obj in enumerate(read_jsonl(path), 1):
        try:
            yield cls.from_dict(obj)
        except ValueError as exc:
            raise InputError(f"{path}: record {lineno}: {exc}") from exc


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


@contextlib.contextmanager
def _atomic(path: Path, mode: str = "w") -> Iterator[IO[Any]]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.fchmod(fd, _file_mode())  # mkstemp makes 0600 files; outputs are ordinary files
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_jsonl(path: Path, objects: Iterable[dict[str, Any]]) -> int:
    """Write JSON objects to ``path`` atomically, streaming; return the count."""
    count = 0
    with _atomic(path) as handle:
        for obj in objects:
            handle.write(_dump(obj) + "\n")
            count += 1
    return count


def write_records(path: Path, records: Iterable[Record]) -> int:
    """Write records to a JSONL file atomically; return the count."""
    return write_jsonl(path, (r.to_dict() for r in records))


def atomic_write_text(path: Path, text: str) -> None:
    """Write text (UTF-8) to ``path`` through a temporary file and a rename."""
    with _atomic(path) as handle:
        handle.write(text)


def atomic_write_chunks(path: Path, chunks: Iterable[str]) -> int:
    """Write text (UTF-8) chunk by chunk through a temporary file and a rename.

    For big generated files (the HTML report): nothing is held whole in memory
    and a failure while generating leaves the old file untouched.

    Returns:
        The number of characters written.
    """
    written = 0
    with _atomic(path) as handle:
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
    with _atomic(path) as handle:
        yield handle


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write bytes to ``path`` through a temporary file and a rename."""
    with _atomic(path, "wb") as handle:
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


def walk_files(root: Path, skip: Path | None = None) -> Iterator[tuple[Path, str | None]]:
    """Yield the files under ``root`` in sorted order, recursively.

    Hidden files and folders (name starting with ".") and everything under
    ``skip`` are left out. A folder that cannot be listed is yielded as
    ``(folder, reason)``; files come as ``(file, None)``.
    """
    errors: list[OSError] = []
    skip_resolved = skip.resolve() if skip is not None else None
    for folder, dirs, files in os.walk(root, onerror=errors.append):
        here = Path(folder)
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and (here / d).resolve() != skip_resolved
        )
        while errors:
            exc = errors.pop(0)
            yield Path(exc.filename or folder), f"cannot read folder ({exc.strerror or exc})"
        for name in sorted(files):
            if not name.startswith("."):
                yield here / name, None
    for exc in errors:
        yield Path(exc.filename or root), f"cannot read folder ({exc.strerror or exc})"


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


def remove_file(path: Path) -> bool:
    """Delete a stale output file if it exists; return whether it did."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """Hash a file's bytes without reading it into memory at once."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


class ResumableJsonlWriter:
    """Append records to ``<target>.partial`` and rename to ``target`` at the end.

    A run killed at any point leaves the partial file: on the next run the
    complete lines in it are kept (a torn last line is cut off), their keys are
    reported by :attr:`done`, and writing goes on after them. Nothing is lost
    and nothing is written twice.

    Args:
        target: the final JSONL path.
        key: function giving the identity of a record (as a decoded dict).
    """

    def __init__(self, target: Path, key: Callable[[dict[str, Any]], str]) -> None:
        self.target = target
        self.partial = target.with_name(target.name + ".partial")
        self._key = key
        self.done: set[str] = set()
        self._handle: IO[str] | None = None

    def __enter__(self) -> ResumableJsonlWriter:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        good = self._recover()
        self._handle = self.partial.open("a", encoding="utf-8")
        if good:
            log.info("resuming %s: %d records already written", self.target.name, good)
        return self

    def _recover(self) -> int:
        if not self.partial.exists():
            return 0
        keep = 0
        with self.partial.open("rb") as handle:
            for raw in handle:
                if not raw.endswith(b"\n"):
                    break
                try:
                    obj = json.loads(raw)
                except (json.JSONDecodeError, UnicodeDecodeError):
                    break
                self.done.add(self._key(obj))
                keep += len(raw)
        with self.partial.open("r+b") as handle:
            handle.truncate(keep)
        return len(self.done)

    def write(self, record: Record | dict[str, Any]) -> None:
        """Append one record and flush it to the OS."""
        if self._handle is None:
            raise RuntimeError("ResumableJsonlWriter.write outside its with-block")
        obj = record.to_dict() if isinstance(record, Record) else record
        self._handle.write(_dump(obj) + "\n")
        self._handle.flush()
        self.done.add(self._key(obj))

    def commit(self) -> None:
        """Close the partial file and move it into place as the finished output."""
        if self._handle is not None:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
            self._handle = None
        os.replace(self.partial, self.target)

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
