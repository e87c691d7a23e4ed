"""From translations to claims: which segments state something checkable.

A translation is usable when it is ``translated`` or ``identity`` with
non-empty text, in a title or body (captions on request). It is a claim when
it is not a question, has at least ``min_words`` words, and carries a fact:
a date, an amount, an attribution (``source``), an initiator, or an actor
together with a verb. Facts come from :func:`pipeline.facts.extract.claim_facts`,
read from the source text and the English translation.

Relative dates ("13/5", "hôm 15-11") are read against the document's date:
its publication date, or, when the document has none, the latest full date
its own text states (seed 002 has no dateline but says "8/4/2017").
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pipeline.claims.records import Claim
from pipeline.facts.date_keys import document_date, is_full_day
from pipeline.records import Document, Fact, Translation

__all__ = [
    "CHECKABLE_SLOTS",
    "SegmentFacts",
    "claims_of",
    "event_date",
    "extract_claims",
    "is_checkable",
    "read_segments",
    "usable",
]

log = logging.getLogger(__name__)

CHECKABLE_SLOTS = frozenset({"when", "amount", "source", "initiator"})
_WORD = re.compile(r"[A-Za-z][\w'-]*")
_QUESTION = ("?", "？")
# Common verbs of news reports; with an actor they make a sentence checkable.
_VERB_LINES = (
    "is are was were be been has have had will would can could may might must shall should",
    "say says said tell tells told hold holds held call calls called speak speaks spoke",
    "talk talks talked meet meets met urge urges urged confirm confirms confirmed deny denies",
    "denied announce announces announced sign signs signed agree agrees agreed warn warns",
    "warned ask asks asked make makes made take takes took give gives gave send sends sent",
    "discuss discusses discussed stress stresses stressed",
)
_VERBS = frozenset(word for line in _VERB_LINES for word in line.split(" "))


def usable(t: Translation, captions: bool = False) -> bool:
    """Whether a translation may carry a claim (status, text and role)."""
    roles = ("title", "body", "caption") if captions else ("title", "body")
    return (
        t.status in ("translated", "identity")
        and bool(t.translation and t.translation.strip())
        and t.role in roles
    )


def has_verb(text: str) -> bool:
    """A rough English verb test: a common news verb or a past-tense ``-ed`` word."""
    for word in _WORD.findall(text):
        w = word.lower()
        if w in _VERBS or (len(w) > 4 and w.endswith("ed")):
            return True
    return False


def is_checkable(translation: str, source: str, facts: Iterable[Fact], min_words: int) -> bool:
    """Not a question, long enough, and carrying a checkable fact."""
    if translation.rstrip().endswith(_QUESTION) or source.rstrip().endswith(_QUESTION):
        return False
    if len(translation.split()) < min_words:
        return False
    slots = {f.slot for f in facts}
    return bool(slots & CHECKABLE_SLOTS) or ("who" in slots and has_verb(translation))


def event_date(facts: Iterable[Fact]) -> str | None:
    """The claim's event date: its first full-day date, else its first date."""
    keys = [f.key for f in facts if f.slot == "when"]
    days = [k for k in keys if is_full_day(k)]
    return (days or keys)[0] if keys else None


@dataclass(frozen=True)
class SegmentFacts:
    """One usable segment with its document, facts and the date they were read against."""

    translation: Translation
    document: Document | None
    facts: tuple[Fact, ...]
    anchor: str | None


def read_segments(
    translations: Iterable[Translation], documents: Mapping[str, Document], captions: bool = False
) -> Iterator[SegmentFacts]:
    """Yield every usable segment with its facts, one document at a time, in text order.

    Translations of documents the ingest stage marked as duplicates are left
    out (a copy agreeing with its original is not a second source), and so is
    a repeated (doc_id, seg_id).

    Args:
        translations: the translation records (any order).
        documents: doc_id -> document (for outlet and date); missing ones are allowed.
        captions: also read captions.
    """
    from tqdm import tqdm

    by_doc = _group(translations, documents, captions)
    for doc_id, items in tqdm(by_doc.items(), desc="claims", unit="doc", disable=None):
        doc = documents.get(doc_id)
        anchor = document_date(doc.published if doc else None)
        facts = _facts(items, anchor)
        if anchor is None:
            anchor = _stated_date(facts)
            if anchor is not None:
                facts = _facts(items, anchor)
        for t, found in sorted(zip(items, facts, strict=True), key=lambda tf: tf[0].index):
            yield SegmentFacts(t, doc, found, anchor)


def claims_of(segments: Iterable[SegmentFacts], min_words: int = 6) -> Iterator[Claim]:
    """The claims among segments: those :func:`is_checkable`."""
    for seg in segments:
        t = seg.translation
        if is_checkable(t.translation or "", t.source, seg.facts, min_words):
            yield _claim(t, seg.document, seg.facts, seg.anchor)


def extract_claims(
    translations: Iterable[Translation],
    documents: Mapping[str, Document],
    min_words: int = 6,
    captions: bool = False,
) -> Iterator[Claim]:
    """Yield the checkable claims of the translations, one document at a time.

    Args:
        translations: the translation records (any order).
        documents: doc_id -> document (for outlet and date); missing ones are allowed.
        min_words: fewest words in the translation.
        captions: also read captions.
    """
    return claims_of(read_segments(translations, documents, captions), min_words)


def _group(
    translations: Iterable[Translation], documents: Mapping[str, Document], captions: bool
) -> dict[str, list[Translation]]:
    by_doc: dict[str, list[Translation]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    repeated = copies = 0
    for t in translations:
        doc = documents.get(t.doc_id)
        if doc is not None and doc.duplicate_of:
            copies += 1
        elif (t.doc_id, t.seg_id) in seen:
            repeated += 1
        elif usable(t, captions):
            seen.add((t.doc_id, t.seg_id))
            by_doc[t.doc_id].append(t)
    if repeated or copies:
        log.warning("skipped %d repeated segments, %d of duplicate documents", repeated, copies)
    return by_doc


def _claim(
    t: Translation, doc: Document | None, facts: tuple[Fact, ...], anchor: str | None
) -> Claim:
    return Claim(
        claim_id=f"{t.doc_id}/{t.seg_id}",
        doc_id=t.doc_id,
        seg_id=t.seg_id,
        lang=t.src_lang,
        source=t.source,
        translation=t.translation or "",
        outlet=doc.outlet if doc else None,
        published=doc.published if doc else None,
        event_date=event_date(facts),
        facts=facts,
        anchor=anchor,
        role=t.role,
    )


def _facts(items: list[Translation], anchor: str | None) -> list[tuple[Fact, ...]]:
    from pipeline.facts.extract import claim_facts

    return [claim_facts(t.source, t.translation or "", t.src_lang, anchor) for t in items]


def _stated_date(facts: list[tuple[Fact, ...]]) -> str | None:
    days = [f.key for found in facts for f in found if f.slot == "when" and is_full_day(f.key)]
    return max(days) if days else None


def read_documents(records: Iterable[Any]) -> dict[str, Document]:
    """doc_id -> document, for the documents that were read successfully."""
    return {d.doc_id: d for d in records if d.status == "ok"}
