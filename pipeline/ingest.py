"""The ingest stage: files and folders of articles in, ``documents.jsonl`` out.

For each input file: check its size (``max_bytes``, with stat, before reading),
hash it, read it, reject binary data, decode it (:mod:`pipeline.text.decode`), strip
HTML markup when it is a page (:mod:`pipeline.text.html_text`), and clean it
(:mod:`pipeline.text.clean`). Every file gets one :class:`~pipeline.records.Document`
with a status: ``ok``; ``skipped`` (empty, whitespace only, no article text,
a duplicate, or a folder linked twice); or ``error`` (not found, not a regular
file, unreadable, too large, binary, not decodable), with the reason.

Inputs are processed in the order given; folders are walked recursively in
sorted order (links followed), hidden files left out. ``doc_id`` is the safe stem;
when an earlier input already has that stem, it is ``<stem>-<8 hex digits of
the sha256 of the path>``, so ids are unique and stable from run to run.
Output goes through :class:`~pipeline.io.jsonl.ResumableJsonlWriter` keyed by path
and sha256: a killed run resumes where it stopped, rereading edited files.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline import InputError
from pipeline.io.atomic import remove_file
from pipeline.io.files import file_kind, file_sha256, read_bytes, walk_inputs
from pipeline.io.jsonl import ResumableJsonlWriter, read_records, write_records
from pipeline.records import Document
from pipeline.run.files import DOCUMENTS
from pipeline.run.manifest import reuse
from pipeline.run.progress import Progress
from pipeline.run.stage import StageConfig, StageResult
from pipeline.text.article import article_document, line_document
from pipeline.text.decode import DecodeError, decode_bytes, safe_id, sniff_binary

__all__ = ["Config", "Source", "ingest", "ingest_file", "plan", "run", "safe_id"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Config(StageConfig):
    """Ingest settings.

    Attributes:
        max_bytes: files larger than this are refused ("too large") unread.
        lines: line mode: every line of a file is one body paragraph, kept as it is
            (no cleaning, no header, no roles; empty lines stay), numbered from 1.
    """

    max_bytes: int = 20_000_000
    lines: bool = False


@dataclass(frozen=True)
class Source:
    """One input file as planned before reading it."""

    path: Path
    doc_id: str
    sha256: str | None = None
    size: int = 0
    error: str | None = None
    duplicate_of: str | None = None
    skipped: str | None = None


def plan(inputs: Iterable[Path], max_bytes: int, skip: Path | None = None) -> list[Source]:
    """List the input files with their ids, sizes, hashes and any early error.

    Args:
        inputs: files and folders.
        max_bytes: the size limit.
        skip: a folder to leave out of walks (the run directory).

    Returns:
        One source per distinct path, in processing order.
    """
    sources: list[Source] = []
    stems: set[str] = set()
    first_of_hash: dict[str, str] = {}
    seen: set[str] = set()
    for path, error, skipped in walk_inputs(inputs, skip):
        if str(path) in seen:
            continue
        seen.add(str(path))
        stem = safe_id(path.stem) or "input"
        doc_id = stem if stem not in stems else f"{stem}-{_short_hash(str(path))}"
        stems.update((stem, doc_id))
        size, digest = 0, None
        if error is None and skipped is None:
            size, digest, error = _measure(path, max_bytes)
        duplicate = first_of_hash.get(digest) if digest else None
        if digest and duplicate is None:
            first_of_hash[digest] = doc_id
        sources.append(Source(path, doc_id, digest, size, error, duplicate, skipped))
    return sources


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def _measure(path: Path, max_bytes: int) -> tuple[int, str | None, str | None]:
    """(size, sha256, error) of a file, without reading a file over the limit."""
    kind = file_kind(path)  # checked again: never open a FIFO that replaced a file
    if kind is not None:
        return 0, None, kind
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return (
                size,
                None,
                f"too large ({size} bytes; the limit is {max_bytes}, see --max-bytes)",
            )
        return size, file_sha256(path), None
    except OSError as exc:
        return 0, None, f"cannot read ({exc.strerror or exc})"


def ingest_file(source: Source, max_bytes: int, lines: bool = False) -> Document:
    """Read, decode and clean one planned file into a Document (never raises for bad input).

    With ``lines`` the file is not cleaned: see :func:`line_document`.
    """
    base = Document(
        doc_id=source.doc_id,
        path=str(source.path),
        sha256=source.sha256,
        status="error",
        error=source.error,
        size_bytes=source.size,
    )
    if source.error is not None:
        return base
    if source.skipped is not None:
        return replace(base, status="skipped", error=source.skipped)
    if source.duplicate_of is not None:
        reason = f"duplicate of {source.duplicate_of} (same sha256)"
        return replace(base, status="skipped", error=reason, duplicate_of=source.duplicate_of)
    try:
        data = read_bytes(source.path, max_bytes + 1)
    except OSError as exc:
        return replace(base, error=f"cannot read ({exc.strerror or exc})")
    if not data:
        return replace(base, status="skipped", error="empty file")
    kind = sniff_binary(data)
    if kind is not None:
        return replace(base, error=f"not text: {kind}")
    try:
        decoded = decode_bytes(data)
    except DecodeError as exc:
        return replace(base, error=f"cannot decode: {exc}")
    base = replace(base, encoding=decoded.encoding)
    if not decoded.text.strip():
        return replace(base, status="skipped", error="no text (whitespace only)")
    return line_document(decoded.text, base) if lines else article_document(decoded.text, base)


def ingest(sources: Iterable[Source], max_bytes: int) -> Iterator[Document]:
    """Stream the documents of planned sources (library use, no files written)."""
    for source in sources:
        yield ingest_file(source, max_bytes)


def _planned_key(obj: dict[str, object]) -> str:
    """A record's identity for resuming: its path and what the plan read from its bytes.

    A partial record is resumed only while the file keeps its sha256 (so its id
    and duplicate link); an edited file is read again. ``obj``: a record or a Source.
    """
    return "\t".join(str(obj.get(k) or "") for k in ("path", "sha256", "doc_id", "duplicate_of"))


def run(config: Config) -> StageResult:
    """Ingest ``config.input`` into ``<out>/documents.jsonl``, resuming a killed run.

    No input file at all is an :class:`~pipeline.InputError` unless ``allow_empty``.
    """
    sources = plan(config.input, config.max_bytes, skip=config.out)
    if not sources and not config.allow_empty:
        named = ", ".join(str(p) for p in config.input) or "(none given)"
        raise InputError(f"{named}: no input files found; pass --allow-empty to accept that")
    inputs = {str(s.path): s.sha256 or "" for s in sources}
    target = config.out / DOCUMENTS
    if (reused := reuse(config, "ingest", [target], inputs)) is not None:
        return reused
    # resume only records of unchanged inputs (the key holds each file's sha256), and only a
    # partial of the same settings (a line-mode run must not resume a cleaned one)
    writer = ResumableJsonlWriter(target, _planned_key, {"settings": config.settings()})
    if config.overwrite:
        remove_file(writer.partial)
    with writer:
        todo = [s for s in sources if _planned_key(vars(s)) not in writer.done]
        for source in Progress("ingest", len(todo), "file").iterate(todo):
            writer.write(ingest_file(source, config.max_bytes, config.lines))
        writer.commit()
    order = {_planned_key(vars(s)): n for n, s in enumerate(sources)}
    documents = list(read_records(target, Document))
    ranked = [(order.get(_planned_key(vars(d))), d) for d in documents]
    kept = [d for _, d in sorted((n, d) for n, d in ranked if n is not None)]
    if kept != documents:  # a resumed partial held records of other or edited inputs
        write_records(target, kept)
    return _result(config, kept, inputs)


# The start of a skip reason -> its key in the counts (``skipped_duplicate``...).
_SKIP_KEYS = (
    ("duplicate of", "duplicate"),
    ("empty file", "empty"),
    ("no text (whitespace only)", "whitespace"),
    ("no article text", "no_article_text"),
    ("folder already read", "folder_twice"),
)


def _skip_key(error: str | None) -> str:
    return next((key for start, key in _SKIP_KEYS if (error or "").startswith(start)), "other")


def _result(config: Config, documents: list[Document], inputs: dict[str, str]) -> StageResult:
    statuses = Counter(d.status for d in documents)
    paragraphs = [p for d in documents for p in d.paragraphs]
    reasons = Counter(_skip_key(d.error) for d in documents if d.status == "skipped")
    counts = {
        "documents": len(documents),
        **{status: statuses.get(status, 0) for status in ("ok", "skipped", "error")},
        **{f"skipped_{key}": n for key, n in sorted(reasons.items())},
        "paragraphs": len(paragraphs),
        "body": sum(1 for p in paragraphs if p.role == "body"),
    }
    files = {
        d.path: {
            "doc_id": d.doc_id,
            "status": d.status,
            "error": d.error,
            "duplicate_of": d.duplicate_of,
        }
        for d in documents
    }
    failures = tuple(f"{d.path}: {d.error}" for d in documents if d.status == "error")
    for d in documents:  # errors are the result's failures, which the CLI prints once
        if d.status != "ok":
            level = logging.WARNING if d.status == "skipped" else logging.DEBUG
            log.log(level, "%s: %s: %s", d.path, d.status, d.error)
    return StageResult(
        stage="ingest",
        outputs=(config.out / DOCUMENTS,),
        counts=counts,
        failures=failures,
        inputs=inputs,
        files=files,
        settings=config.settings(),
    )
