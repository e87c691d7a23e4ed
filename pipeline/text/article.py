"""The text of one decoded file as a document: cleaned article, or line mode as it is.

The ingest stage reads, hashes and decodes the file; these functions turn its text
into the paragraphs of a :class:`~pipeline.records.Document`.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from pipeline.records import Document, Paragraph
from pipeline.text.clean import clean_text
from pipeline.text.decode import decode_entities, normalize_text, strip_bidi, strip_stray_tags
from pipeline.text.html_text import html_to_text, looks_like_html

__all__ = ["article_document", "line_document"]

log = logging.getLogger(__name__)


def line_document(text: str, base: Document) -> Document:
    """Line mode: one ``body`` paragraph per line, numbered from 1, text as it is.

    Nothing is cleaned, merged, split or dropped: an empty line is an empty
    paragraph, so line ``n`` of the file is paragraph ``n`` and, after the segment
    stage, segment ``n``. Lines end at ``\\n`` (a ``\\r`` before it is dropped).
    """
    rows = text.split("\n")
    if text.endswith("\n"):
        rows.pop()
    paragraphs = tuple(
        Paragraph(index=n, role="body", text=row.removesuffix("\r"))
        for n, row in enumerate(rows, 1)
    )
    return replace(base, status="ok", error=None, paragraphs=paragraphs)


def article_document(text: str, base: Document) -> Document:
    """A page or plain text cleaned into paragraphs with roles, title, date, outlet, byline.

    HTML is stripped (its header hints win over the cleaner's), entities in plain
    text decoded once, bidirectional controls removed and counted; a file where no
    line reads as prose is ``skipped`` with the length of its longest line.
    """
    hints: dict[str, str] = {}
    page = looks_like_html(text)
    if page:
        text, hints = html_to_text(text)
        text = normalize_text(text)
    else:
        text = decode_entities(strip_stray_tags(text))
    (text, *values), bidi = strip_bidi(text, *hints.values())
    hints = dict(zip(hints, values, strict=True))
    if bidi:
        log.warning("%s: removed %d bidirectional control characters", base.path, bidi)
    cleaned = clean_text(text, plain=not page)
    status, error = "ok", None
    if not any(p.role == "body" for p in cleaned.paragraphs):
        longest = max((len(p.text) for p in cleaned.paragraphs), default=0)
        status = "skipped"
        error = f"no article text found (no line reads as prose; longest line {longest} chars)"
    return replace(
        base,
        status=status,
        error=error,
        bidi_removed=bidi,
        title=hints.get("title") or cleaned.title,
        published=hints.get("published") or cleaned.published,
        outlet=hints.get("outlet") or cleaned.outlet,
        byline=hints.get("byline") or cleaned.byline,
        paragraphs=cleaned.paragraphs,
    )
