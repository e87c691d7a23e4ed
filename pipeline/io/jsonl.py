"""JSONL streams: readers that report the true line of bad input, atomic and resumable writers.

A resumable output is appended to ``<target>.partial`` and renamed into place at
the end; a run killed at any point resumes after the last complete line.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, TypeVar

from pipeline import InputError
from pipeline.io.atomic import atomic_open, atomic_write_json, remove_file
from pipeline.io.files import machine_error, read_json
from pipeline.records import Record

log = logging.getLogger(__name__)

R = TypeVar("R", bound=Record)


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the JSON objects of a JSONL file, one per non-blank line.

    Raises:
        InputError: the file is missing or unreadable, or a line is not a JSON
            object; the message names the file and the line number.
    """
    for _, obj in read_jsonl_lines(path):
        yield obj


def read_jsonl_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line number, object)`` for each non-blank line of a JSONL file.

    Raises:
        InputError: as :func:`read_jsonl`.
    """
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    with stream:
        for lineno, raw in enumerate(stream, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{path}:{lineno}: not UTF-8 at byte {exc.start} of the line ({exc.reason})"
                ) from exc
            if line.strip():
                yield lineno, _object(path, lineno, line)


def parse_jsonl_text(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line number, object)`` of JSONL text already read from ``path``.

    For files read whole first (to sniff their form); errors as :func:`read_jsonl`.
    """
    for lineno, line in enumerate(text.split("\n"), 1):
        if line.strip():
            yield lineno, _object(path, lineno, line)


def _object(path: Path, lineno: int, line: str) -> dict[str, Any]:
    """One line's JSON object, or an InputError naming the file, the line and what is wrong."""
    try:
        obj = json.loads(line.rstrip("\r\n"))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}:{lineno}: not valid JSON ({exc.msg} at column {exc.colno})"
        ) from exc
    if not isinstance(obj, dict):
        raise InputError(f"{path}:{lineno}: expected a JSON object, got {type(obj).__name__}")
    return obj


def read_records(path: Path, cls: type[R], required: tuple[str, ...] = ()) -> Iterator[R]:
    """Yield records of type ``cls`` from a JSONL file; errors name the file and line.

    Args:
        path: the JSONL file.
        cls: the record class.
        required: fields that must be present even though the class has a default
            for them (a document without ``paragraphs`` cannot be segmented).

    Raises:
        InputError: a line is not JSON or not a valid record: ``path:line: what``.
    """
    for lineno, obj in read_jsonl_lines(path):
        missing = [name for name in required if name not in obj]
        if missing:
            raise InputError(f"{path}:{lineno}: {cls.__name__}: missing field {missing[0]!r}")
        try:
            yield cls.from_dict(obj)
        except ValueError as exc:
            raise InputError(f"{path}:{lineno}: {exc}") from exc


def has_records(path: Path) -> bool:
    """True when a JSONL file holds at least one non-blank line (read no further)."""
    return next(read_jsonl_lines(path), None) is not None


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def write_jsonl(path: Path, objects: Iterable[dict[str, Any]]) -> int:
    """Write JSON objects to ``path`` atomically, streaming; return the count."""
    count = 0
    with atomic_open(path) as handle:
        for obj in objects:
            handle.write(_dump(obj) + "\n")
            count += 1
    return count


def write_records(path: Path, records: Iterable[Record]) -> int:
    """Write records to a JSONL file atomically; return the count."""
    return write_jsonl(path, (r.to_dict() for r in records))


class ResumableJsonlWriter:
    """Append records to ``<target>.partial`` and rename to ``target`` at the end.

    A run killed at any point leaves the partial file: on the next run the
    complete lines in it are kept (a torn last line is cut off), their keys are
    reported by :attr:`done`, and writing goes on after them. Nothing is lost
    and nothing is written twice.

    Args:
        target: the final JSONL path.
        key: function giving the identity of a record (as a decoded dict).
        stamp: what the output is made from (input hashes, settings): a partial
            file left by a run with another stamp is dropped, not resumed. The
            stamp lives in ``<partial>.json`` until the output is committed.
    """

    def __init__(
        self,
        target: Path,
        key: Callable[[dict[str, Any]], str],
        stamp: Mapping[str, Any] | None = None,
    ) -> None:
        self.target = target
        self.partial = target.with_name(target.name + ".partial")
        self._key = key
        self._stamp = None if stamp is None else dict(stamp)
        self._stamp_path = self.partial.with_name(self.partial.name + ".json")
        self.done: set[str] = set()
        self._handle: IO[str] | None = None

    def __enter__(self) -> ResumableJsonlWriter:
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            if self._stamp is not None:
                self._check_stamp(self._stamp)
            good = self._recover()
            self._handle = self.partial.open("a", encoding="utf-8")
        except OSError as exc:
            raise machine_error(exc, self.partial) from exc
        if good:
            log.info("resuming %s: %d records already written", self.target.name, good)
        return self

    def _check_stamp(self, stamp: dict[str, Any]) -> None:
        """Drop a partial whose stamp differs (one without a stamp predates stamps: kept)."""
        if self.partial.exists() and self._stamp_path.exists():
            try:
                stale = read_json(self._stamp_path) != stamp
            except InputError:
                stale = True
            if stale:
                log.info(
                    "%s: left by a run with other inputs or settings; starting over", self.partial
                )
                self.partial.unlink()
        atomic_write_json(self._stamp_path, stamp)

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
        try:
            self._handle.write(_dump(obj) + "\n")
            self._handle.flush()
        except OSError as exc:  # a torn last line is cut off on resume
            raise machine_error(exc, self.partial) from exc
        self.done.add(self._key(obj))

    def commit(self) -> None:
        """Close the partial file and move it into place as the finished output."""
        try:
            if self._handle is not None:
                self._handle.flush()
                os.fsync(self._handle.fileno())
                self._handle.close()
                self._handle = None
            os.replace(self.partial, self.target)
        except OSError as exc:
            raise machine_error(exc, self.target) from exc
        if self._stamp is not None:
            remove_file(self._stamp_path)

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            handle, self._handle = self._handle, None
            with contextlib.suppress(OSError):  # a full disk fails the final flush too
                handle.close()
