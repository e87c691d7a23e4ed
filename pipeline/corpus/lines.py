"""Reference, hypothesis and source files as lines, and joining them safely.

A reference is plain text (one segment a line), JSONL with ``doc_id``,
``seg_id`` and ``reference``, or TSV ``doc_id<TAB>seg_id<TAB>reference`` (a
header row with those names is skipped). A hypothesis is plain text aligned
line by line with the reference, or JSONL with ``doc_id``, ``seg_id`` and
``translation`` (a run's ``translations.jsonl`` is one). When both sides carry
ids they are joined on (doc_id, seg_id) in the reference's order; otherwise
line counts must match. Anything that would give a silently wrong score (a
missing pair, a count mismatch, an empty file, bytes that are not UTF-8) is
an :class:`~pipeline.InputError` naming the file.

Plain-text lines are split on ``\\n`` only and trailing whitespace is removed,
as sacrebleu's command line reads them, so the figures equal its own.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from pipeline import InputError
from pipeline.io.atomic import atomic_text_writer
from pipeline.io.files import read_text
from pipeline.io.jsonl import parse_jsonl_text, read_records
from pipeline.records import Segment, Translation

__all__ = ["Key", "Lines", "align", "read_lines", "write_translations_text"]

log = logging.getLogger(__name__)

Key = tuple[str, str]


@dataclass(frozen=True)
class Lines:
    """The segments of one reference or hypothesis file.

    Attributes:
        path: where they came from.
        texts: one text per segment, in file order.
        keys: (doc_id, seg_id) per segment, or None for plain text.
    """

    path: Path
    texts: list[str]
    keys: list[Key] | None = None


def _plain_lines(text: str) -> list[str]:
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return [line.rstrip() for line in lines]


def _jsonl_lines(path: Path, text: str, field: str) -> Lines:
    texts: list[str] = []
    keys: list[Key] = []
    for lineno, obj in parse_jsonl_text(path, text):
        if "doc_id" not in obj or "seg_id" not in obj:
            raise InputError(f"{path}:{lineno}: expected an object with doc_id and seg_id")
        value = obj.get(field)
        if value is None and obj.get("status") == "identity":
            value = obj.get("source")  # a run's English segment: its output is its source
        if value is not None and not isinstance(value, str):
            raise InputError(f"{path}:{lineno}: {field!r} must be a string")
        if value is None and obj.get("status") != "untranslated":
            raise InputError(f"{path}:{lineno}: no {field!r}")
        keys.append((str(obj["doc_id"]), str(obj["seg_id"])))
        texts.append((value or "").rstrip())
    return Lines(path, texts, keys)


def _tsv_lines(path: Path, text: str) -> Lines:
    texts: list[str] = []
    keys: list[Key] = []
    for lineno, line in enumerate(_plain_lines(text), 1):
        if lineno == 1 and line == "doc_id\tseg_id\treference":
            continue  # an optional header row
        fields = line.split("\t", 2)
        if len(fields) != 3:
            raise InputError(f"{path}:{lineno}: expected doc_id<TAB>seg_id<TAB>reference")
        keys.append((fields[0], fields[1]))
        texts.append(fields[2].rstrip())
    return Lines(path, texts, keys)


def read_lines(path: Path, field: str) -> Lines:
    """Read a reference (``field="reference"``) or hypothesis (``"translation"``) file.

    The form follows the extension: ``.jsonl``, ``.tsv`` (references only), else plain text.
    An untranslated segment of a run (``translation`` null) scores as an empty line. A UTF-8
    byte order mark is dropped from JSONL and TSV; plain text keeps it, as sacrebleu does.

    Raises:
        InputError: unreadable, not UTF-8 (with the byte offset), empty, or malformed.
    """
    text = read_text(path)
    if not text.strip():
        raise InputError(f"{path}: empty file")
    if path.suffix == ".jsonl":
        lines = _jsonl_lines(path, text.removeprefix("\ufeff"), field)
    elif path.suffix == ".tsv" and field == "reference":
        lines = _tsv_lines(path, text.removeprefix("\ufeff"))
    else:
        lines = Lines(path, _plain_lines(text))
    if not lines.texts:
        raise InputError(f"{path}: no segments")
    if lines.keys is not None:
        _check_unique(lines)
    return lines


def _check_unique(lines: Lines) -> None:
    seen: set[Key] = set()
    for i, key in enumerate(lines.keys or ()):
        if key in seen:
            raise InputError(f"{lines.path}: segment {i + 1}: duplicate doc_id/seg_id {key}")
        seen.add(key)


def align(ref: Lines, hyp: Lines) -> list[str]:
    """The hypothesis texts in the reference's order.

    Raises:
        InputError: a reference segment without a hypothesis (naming the first
            missing ids and how many), or different line counts.
    """
    if ref.keys is not None and hyp.keys is not None:
        table = dict(zip(hyp.keys, hyp.texts, strict=True))
        missing = [key for key in ref.keys if key not in table]
        if missing:
            first = ", ".join(f"{d}/{s}" for d, s in missing[:3])
            raise InputError(
                f"{hyp.path}: {len(missing)} of {len(ref.keys)} reference segments of "
                f"{ref.path} have no hypothesis (first: {first})"
            )
        extra = len(table) - len(ref.keys)
        if extra:
            log.info("%s: %d segments have no reference and are not scored", hyp.path, extra)
        return [table[key] for key in ref.keys]
    if len(ref.texts) != len(hyp.texts):
        raise InputError(
            f"{hyp.path} has {len(hyp.texts)} lines but {ref.path} has {len(ref.texts)}; "
            "plain-text files must align line by line"
        )
    return hyp.texts


def write_translations_text(segments: Path, translations: Path, target: Path) -> int:
    """Write ``translations.txt``: one line per segment, in segment order.

    An untranslated segment is an empty line, and a line break inside a translation
    becomes a space, so line ``n`` always translates input line ``n`` (sacrebleu-ready).

    Returns:
        The number of lines written.
    """
    found = {
        (t.doc_id, t.seg_id): t.translation or "" for t in read_records(translations, Translation)
    }
    count = 0
    with atomic_text_writer(target) as handle:
        for seg in read_records(segments, Segment):
            text = found.get((seg.doc_id, seg.seg_id), "")
            handle.write(" ".join(text.splitlines()) + "\n")
            count += 1
    return count
