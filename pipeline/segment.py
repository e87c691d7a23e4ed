"""The segment stage: documents -> sentences, ``<out>/segments.jsonl``.

Only documents with ``status: ok`` are segmented; every paragraph of them is,
boilerplate included (its role travels with each segment, so later stages can
filter). Each segment gets its own language; a segment too short or too mixed
to tell (``und``) takes its paragraph's language and that detection's
confidence. ``seg_id`` is ``p{paragraph}s{n}``: stable across runs and unique
within a document.

Output is written through :class:`~pipeline.io.jsonl.ResumableJsonlWriter` keyed by
``(doc_id, seg_id)``: a killed run resumes after the last complete line and
neither loses nor repeats a segment.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pipeline.io.atomic import remove_file
from pipeline.io.files import count_lines
from pipeline.io.jsonl import ResumableJsonlWriter, read_records
from pipeline.records import Document, Paragraph, Segment
from pipeline.run.files import DOCUMENTS, SEGMENTS
from pipeline.run.manifest import hash_inputs, reuse
from pipeline.run.progress import Progress
from pipeline.run.stage import StageConfig, StageResult, stage_input
from pipeline.text.language import UND, classify
from pipeline.text.sentences import split_sentences

__all__ = [
    "Config",
    "line_segments",
    "run",
    "segment_document",
    "segment_documents",
    "split_sentences",
]

log = logging.getLogger(__name__)


def _segment_language(text: str, para: Paragraph, seed: int) -> tuple[str, float]:
    """A sentence's own language, or its paragraph's when it cannot be told."""
    if text == para.text.strip() and para.lang != UND:
        return para.lang, para.lang_confidence
    found = classify(text, seed)
    if found.lang == UND and para.lang != UND:
        return para.lang, para.lang_confidence
    return found.lang, found.confidence


def segment_document(doc: Document, seed: int = 0) -> Iterator[Segment]:
    """Yield the sentences of one document (none unless its status is ok).

    Args:
        doc: a document, ideally with languages from the detect stage.
        seed: the langdetect seed for the segments' own detection.
    """
    if doc.status != "ok":
        return
    index = 0
    for para in doc.paragraphs:
        split_lang = para.lang if para.lang != UND else doc.lang
        for n, sentence in enumerate(split_sentences(para.text, split_lang)):
            lang, confidence = _segment_language(sentence, para, seed)
            yield Segment(
                doc_id=doc.doc_id,
                seg_id=f"p{para.index}s{n}",
                index=index,
                paragraph=para.index,
                role=para.role,
                lang=lang,
                lang_confidence=confidence,
                text=sentence,
            )
            index += 1


def line_segments(doc: Document) -> Iterator[Segment]:
    """Line mode: one segment per paragraph (line), its line number the ``seg_id``.

    Nothing is split or dropped, empty lines included. A line whose language
    cannot be told (``und``: too short, digits only, empty) takes the document's.
    """
    if doc.status != "ok":
        return
    for para in doc.paragraphs:
        lang, confidence = para.lang, para.lang_confidence
        if lang == UND:
            lang, confidence = doc.lang, doc.lang_confidence
        yield Segment(
            doc_id=doc.doc_id,
            seg_id=str(para.index),
            index=para.index - 1,
            paragraph=para.index,
            role=para.role,
            lang=lang,
            lang_confidence=confidence,
            text=para.text,
        )


def segment_documents(
    docs: Iterable[Document], seed: int = 0, lines: bool = False
) -> Iterator[Segment]:
    """Stream :func:`segment_document` (or, with ``lines``, :func:`line_segments`)."""
    for doc in docs:
        yield from line_segments(doc) if lines else segment_document(doc, seed)


@dataclass(frozen=True)
class Config(StageConfig):
    """Settings of the segment stage.

    Attributes:
        seed: the langdetect seed for each segment's own detection.
        lines: line mode: each paragraph (a line of a ``ingest --lines`` document)
            is one segment, ``seg_id`` its line number (see :func:`line_segments`).
    """

    seed: int = 0
    lines: bool = False


def _key(obj: dict[str, Any]) -> str:
    return f"{obj['doc_id']}\t{obj['seg_id']}"


def run(config: Config) -> StageResult:
    """Segment ``documents.jsonl`` into ``segments.jsonl``, resuming a killed run.

    The counts are kept while writing: every segment of the input is counted
    once, whether this run wrote it or a killed earlier one did.
    """
    source = stage_input(config, DOCUMENTS, "detect")
    target = config.out / SEGMENTS
    inputs = hash_inputs([source])
    if (reused := reuse(config, "segment", [target], inputs)) is not None:
        return reused
    counts: Counter[str] = Counter()
    documents: set[str] = set()
    progress = Progress("segment", count_lines(source), "doc")
    docs = progress.iterate(read_records(source, Document, required=("paragraphs",)))
    # resume only a partial of the same inputs and settings (line segments must not join
    # sentence segments)
    stamp = {"inputs": inputs, "settings": config.settings()}
    if config.overwrite:
        remove_file(target.with_name(target.name + ".partial"))
    with ResumableJsonlWriter(target, _key, stamp) as writer:
        recovered = set(writer.done)  # written by a killed run (none on a fresh one)
        for seg in segment_documents(docs, config.seed, config.lines):
            key = f"{seg.doc_id}\t{seg.seg_id}"
            if key in writer.done:
                counts["resumed"] += 1
                if key not in recovered:  # the same id twice in the input: written once
                    continue
                recovered.discard(key)
            else:
                writer.write(seg)
            documents.add(seg.doc_id)
            counts["segments"] += 1
            counts[f"lang_{seg.lang}"] += 1
        writer.commit()
    return StageResult(
        stage="segment",
        outputs=(target,),
        counts={"documents": len(documents), **dict(sorted(counts.items()))},
        reused=False,
        inputs=inputs,
        settings=config.settings(),
    )
