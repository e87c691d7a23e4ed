"""The detect stage: the language of every paragraph and document.

:func:`detect_document` fills in a document's languages (every paragraph with
:func:`pipeline.text.language.classify`, then the document from its body). The
stage reads ``<out>/documents.jsonl`` and rewrites it with the languages filled
in; documents in a language the project does not translate are kept with
``status: skipped`` and the reason.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.io.files import count_lines, file_sha256
from pipeline.io.jsonl import read_records, write_records
from pipeline.records import Document, Paragraph
from pipeline.run.files import DOCUMENTS
from pipeline.run.manifest import hash_inputs, reuse
from pipeline.run.progress import Progress
from pipeline.run.stage import StageConfig, StageResult, stage_input
from pipeline.text.language import UND, classify

log = logging.getLogger(__name__)

# The reason of a skip made by this stage starts with this (so a rerun can undo it).
SKIP_PREFIX = "detect: "


def _document_language(paragraphs: tuple[Paragraph, ...]) -> tuple[str, float]:
    """The language of the body, weighted by length (title/captions if no body)."""
    chosen = [p for p in paragraphs if p.role == "body"]
    chosen = chosen or [p for p in paragraphs if p.role != "boilerplate"] or list(paragraphs)
    weight: dict[str, float] = {}
    total = 0
    for para in chosen:
        size = len(para.text.strip())
        total += size
        if para.lang != UND:
            weight[para.lang] = weight.get(para.lang, 0.0) + size * para.lang_confidence
    if not weight or not total:
        return UND, 0.0
    lang, score = max(weight.items(), key=lambda kv: (kv[1], kv[0]))
    return lang, round(score / total, 4)


def detect_document(doc: Document, languages: Iterable[str], seed: int = 0) -> Document:
    """Fill in the languages of a document and its paragraphs.

    A document whose language is not in ``languages`` (``und`` included) gets
    ``status: skipped`` and the reason in ``error``. A skip made by an earlier
    run of this function is undone first, so changed settings take effect.

    Args:
        doc: the document (status ok, or skipped/error from ingest: kept as is).
        languages: the languages the project translates.
        seed: the langdetect seed.
    """
    paragraphs = tuple(
        dataclasses.replace(p, lang=found.lang, lang_confidence=found.confidence)
        for p in doc.paragraphs
        for found in (classify(p.text, seed),)
    )
    lang, confidence = _document_language(paragraphs)
    status, error = doc.status, doc.error
    if status == "skipped" and (error or "").startswith(SKIP_PREFIX):
        status, error = "ok", None
    wanted = tuple(languages)
    if status == "ok" and lang not in wanted:
        status = "skipped"
        what = "could not be determined" if lang == UND else "is not translated"
        error = f"{SKIP_PREFIX}language {lang} {what} (translated: {', '.join(wanted)})"
    return dataclasses.replace(
        doc,
        lang=lang,
        lang_confidence=confidence,
        paragraphs=paragraphs,
        status=status,
        error=error,
    )


def detect_documents(
    docs: Iterable[Document], languages: Iterable[str], seed: int = 0
) -> Iterator[Document]:
    """Stream :func:`detect_document` over documents."""
    wanted = tuple(languages)
    for doc in docs:
        yield detect_document(doc, wanted, seed)


@dataclass(frozen=True)
class Config(StageConfig):
    """Settings of the detect stage.

    Attributes:
        seed: the langdetect seed.
        languages: the languages the project translates; other documents are skipped.
    """

    seed: int = 0
    languages: tuple[str, ...] = ("vi", "zh", "en")


def run(config: Config) -> StageResult:
    """Detect the languages of ``documents.jsonl`` and rewrite it atomically.

    The stage rewrites its own input, so for freshness it records the sha256 of
    the file *as it left it*: when the file still has that hash (and the
    settings are the same) a rerun is ``reused``. With ``--input`` the input's
    own hash is recorded and the result goes to ``<out>/documents.jsonl``.
    """
    source = stage_input(config, DOCUMENTS, "ingest")
    target = config.out / DOCUMENTS
    in_place = source.resolve() == target.resolve()
    if (reused := reuse(config, "detect", [target], hash_inputs([source]))) is not None:
        return reused
    counts: Counter[str] = Counter()
    fingerprint = None if in_place else file_sha256(source)
    progress = Progress("detect", count_lines(source), "doc")
    docs = progress.iterate(read_records(source, Document))
    wanted = config.languages
    write_records(target, (_tally(d, counts) for d in detect_documents(docs, wanted, config.seed)))
    log.debug("detect: %s", dict(counts))  # the CLI prints the stage's counts
    return _result(config, source, target, reused=False, fingerprint=fingerprint)


def _tally(doc: Document, counts: Counter[str]) -> Document:
    counts[doc.status] += 1
    return doc


def _result(
    config: Config, source: Path, target: Path, reused: bool, fingerprint: str | None = None
) -> StageResult:
    """Counts and per-file status (ingest's fields plus the language), read back."""
    counts: Counter[str] = Counter()
    files: dict[str, dict[str, Any]] = {}
    for doc in read_records(target, Document):
        counts["documents"] += 1
        counts[doc.status] += 1
        counts[f"lang_{doc.lang}"] += 1
        files[doc.path] = {
            "doc_id": doc.doc_id,
            "status": doc.status,
            "error": doc.error,
            "duplicate_of": doc.duplicate_of,
            "lang": doc.lang,
            "lang_confidence": doc.lang_confidence,
        }
        if not reused and doc.status == "skipped" and (doc.error or "").startswith(SKIP_PREFIX):
            log.warning("%s: skipped: %s", doc.path, doc.error)
    return StageResult(
        stage="detect",
        outputs=(target,),
        counts=dict(counts),
        reused=reused,
        inputs={str(source): fingerprint or file_sha256(target)},
        files=files,
        settings=config.settings(),
    )
