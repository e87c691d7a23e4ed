"""Give every paragraph of a scraped page a role, and read the page header.

Unit: a paragraph is one non-empty line. Scraped pages are inconsistent about
blank lines (some put every body sentence on its own line with none between),
so lines are the only unit they share. A timestamp or "last updated ...【credit】"
prefix glued to the start of one of the first lines is split off as its own
paragraph (role ``byline``), so the title and the first body paragraph stay clean.

Decision, in short:

1. the title is the first headline-like line (not a short section name);
2. every later line gets a weight: positive for prose (ends like a sentence,
   more for longer lines), negative for chrome markers, list items (dated,
   bulleted, repeated), copies or ASCII slugs of the title, and teasers of
   other articles; the body block is the run of lines with the largest total
   weight (so captions and subheadings inside it are kept, lists around it are not);
3. each line's role follows from its signals and where it sits: before, inside
   or after the body block. All signals and the weight stay in ``scores``.

Plain text (no line carries a sign of page chrome: no chrome marker, dateline,
dated list item, photo credit or glued timestamp) skips the body search: it is
prose from top to bottom, so every line is body except a headline-like first
line, which is the title, and lines without a letter or digit (rules, ``***``).
Lines of up to 193 characters of Chinese news prose were dropped as "no
article text" before this rule (issue 14).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.records import Paragraph
from pipeline.text.header import find_date, parse_credit, split_leading_stamp, split_meta_prefix
from pipeline.text.lines import fold, follow_outlet, line_signals, sentence_end, signature_kind
from pipeline.text.unicode_scripts import han_count

__all__ = ["Cleaned", "clean_text", "split_units"]

_SPLIT_WITHIN = 15  # glued prefixes are looked for in the first lines only
_SIGNATURE_WINDOW = 6  # signature lines are looked for this many lines after the body
# A line this many words long, with this many different ones, reads as prose even
# without a sentence end (an unpunctuated article); menus and lists are far
# shorter, and a run of one repeated token is not a sentence.
_LONG_PROSE_WORDS = 80
_LONG_PROSE_DISTINCT = 20


@dataclass(frozen=True)
class Cleaned:
    """The cleaner's output for one page."""

    paragraphs: tuple[Paragraph, ...]
    title: str | None = None
    published: str | None = None
    outlet: str | None = None
    byline: str | None = None


def split_units(text: str) -> list[tuple[str, bool]]:
    """Split text into paragraphs: (text, is_glued_metadata_prefix)."""
    units: list[tuple[str, bool]] = []
    for raw in text.split("\n"):
        line = " ".join(raw.split())
        if not line:
            continue
        if len(units) < _SPLIT_WITHIN:
            prefix, rest = split_meta_prefix(line)
            if not prefix:
                prefix, rest = split_leading_stamp(line)
            if prefix and _headline_like(rest):
                units += [(prefix, True), (rest, False)]
                continue
        units.append((line, False))
    return units


def _headline_like(text: str) -> bool:
    han = han_count(text)
    return han >= 8 or (len(text.split()) >= 4 and len(text) >= 20)


def _find_title(units: list[tuple[str, bool]], sig: list[dict[str, float]]) -> int | None:
    for i, (text, meta) in enumerate(units[:10]):
        s = sig[i]
        if meta or s["chrome_marker"] or s["bullet"] or s["list_stamp"] or len(text) > 300:
            continue
        if _headline_like(text) and not text.rstrip("\"'”’ ").endswith((".", "。")):
            return i
    return None


def _title_copy(text: str, title_key: str) -> float:
    """1 for a copy of the title (image alt "...-1", ASCII slug), or a line starting with a slug."""
    if not title_key:
        return 0.0
    key = fold(text)
    if key == title_key or re.fullmatch(re.escape(title_key) + r" \d{1,2}", key):
        return 1.0
    return float(text.lower().startswith(title_key) and text[: len(title_key)].isascii())


def _long_prose(text: str, s: dict[str, float]) -> bool:
    """A long line of varied words (or Han characters) without a sentence end."""
    if s["sentence_end"] or s["words"] < _LONG_PROSE_WORDS:
        return False
    distinct = set(text.split()) | {ch for ch in text if ch >= "\u2e80"}
    return len(distinct) >= _LONG_PROSE_DISTINCT


def _weight(s: dict[str, float]) -> float:
    if s["title_copy"]:
        return -1.0
    if s["chrome_marker"] or s["copyright"]:
        return -4.0
    if s["teaser"] or s["list_stamp"]:
        return -3.0 if s["teaser"] else -2.0
    if s["caption_marker"]:
        return 0.0
    if s["bullet"]:
        return -0.5
    if s["sentence_end"] or s["long_prose"]:
        size = s["chars"] * (1 + 2 * s["han"])
        return 1.0 + min(size, 300.0) / 100
    return -2.0 if s["repeat"] > 1 else -1.0


def _body_span(weights: list[float], first: int) -> tuple[int, int] | None:
    """The run of lines from ``first`` on with the largest total weight (Kadane)."""
    best: tuple[float, int, int] | None = None
    total, start = 0.0, first
    for i in range(first, len(weights)):
        if total <= 0:
            total, start = 0.0, i
        total += weights[i]
        if total > 0 and (best is None or total > best[0]):
            best = (total, start, i)
    return None if best is None else (best[1], best[2])


def _mark_teasers(sig: list[dict[str, float]], first: int) -> None:
    """A dated lead ("(PLO)- ...") after the body started belongs to another article."""
    seen_prose = False
    for s in sig:
        s["teaser"] = 0.0
    for i in range(first, len(sig)):
        s = sig[i]
        if s["dateline"] and seen_prose:
            s["teaser"] = 1.0
            before = sig[i - 1]
            if i - 1 >= first and not before["sentence_end"] and not before["chrome_marker"]:
                before["teaser"] = 1.0
        seen_prose = seen_prose or bool(s["sentence_end"] and s["chars"] >= 40)


def _role(i: int, text: str, s: dict[str, float], span: tuple[int, int], nxt: float) -> str:
    start, end = span
    if s["title_copy"] or s["chrome_marker"] or s["copyright"] or s["teaser"]:
        return "boilerplate"
    if (s["caption_marker"] and not s["credit_start"]) or s["credit_start"]:
        return "caption"
    if not s["sentence_end"] and nxt and len(text) <= 300:
        return "caption"  # the line above a photo credit
    if parse_credit(text, header=i < start) is not None:
        return "byline"
    if start <= i <= end:
        return "boilerplate" if s["list_stamp"] or s["bullet"] else "body"
    if i < start <= end:  # between the title and the body: a standfirst, or chrome
        return "body" if s["words"] >= 8 and not s["list_stamp"] else "boilerplate"
    if i - end <= _SIGNATURE_WINDOW and signature_kind(text):
        return "byline"
    return "boilerplate"


_CHROME_SIGNS = ("chrome_marker", "dateline", "list_stamp", "credit_start")
_CONTINUES = ("，", ",", "、", "；", ";", ":", "：")  # a first line ending so is not a title


def _plain(units: list[tuple[str, bool]], sig: list[dict[str, float]]) -> bool:
    """True when no line shows a sign of page chrome (then every line is the article's)."""
    if any(meta for _, meta in units):
        return False  # a "last updated ...【credit】" stamp is a page header
    if not any(s["punct_density"] or (s["words"] >= 2 and s["chars"] <= 1000) for s in sig):
        return False  # no line is shaped like prose (one huge run of letters is not)
    return not any(any(s[k] for k in _CHROME_SIGNS) for s in sig)


def _plain_roles(units: list[tuple[str, bool]], sig: list[dict[str, float]]) -> list[str]:
    roles = ["boilerplate" if s["bullet"] else "body" for s in sig]
    first = units[0][0] if units else ""
    headline = len(units) > 1 and roles[0] == "body" and _headline_like(first)
    if headline and not sentence_end(first) and not first.endswith(_CONTINUES):
        roles[0] = "title"
    for i, s in enumerate(sig):
        if s["caption_marker"] and roles[i] == "body" and not s["sentence_end"]:
            roles[i] = "caption"
    return roles


def _clean_plain(units: list[tuple[str, bool]], sig: list[dict[str, float]]) -> Cleaned:
    roles = _plain_roles(units, sig)
    paragraphs = []
    for i, ((line, _), role) in enumerate(zip(units, roles, strict=True)):
        sig[i]["plain"] = 1.0
        paragraphs.append(Paragraph(index=i, role=role, text=line, scores=sig[i]))
    title = units[0][0] if roles and roles[0] == "title" else None
    return Cleaned(tuple(paragraphs), title)


def clean_text(text: str, plain: bool = True) -> Cleaned:
    """Split a page's text into paragraphs with roles, and read its header.

    Args:
        text: decoded, normalized text of one page.
        plain: allow the plain-text rule (off for text taken out of HTML, whose
            navigation lines carry no chrome marker).

    Returns:
        The paragraphs (every non-empty line, none dropped) and the metadata.
    """
    units = split_units(text)
    lines = [u for u, _ in units]
    sig = line_signals(lines)
    if plain and _plain(units, sig):
        return _clean_plain(units, sig)
    title_i = _find_title(units, sig)
    title_key = fold(lines[title_i]) if title_i is not None else ""
    first = 0 if title_i is None else title_i + 1
    for i, s in enumerate(sig):
        s["title_copy"] = 0.0 if i == title_i else _title_copy(lines[i], title_key)
        s["long_prose"] = float(_long_prose(lines[i], s))
    _mark_teasers(sig, first)
    weights = [_weight(s) for s in sig]
    span = _body_span(weights, first) or (len(units), len(units) - 1)
    paragraphs = []
    for i, (line, meta) in enumerate(units):
        s = sig[i]
        s["weight"] = round(weights[i], 3)
        s["body_distance"] = float(max(span[0] - i, i - span[1], 0))
        nxt = sig[i + 1]["credit_start"] if i + 1 < len(sig) else 0.0
        if i == title_i:
            role = "title"
        elif meta:
            role = "byline"
        elif i < first:
            role = "byline" if parse_credit(line, header=True) else "boilerplate"
        else:
            role = _role(i, line, s, span, nxt)
        paragraphs.append(Paragraph(index=i, role=role, text=line, scores=s))
    published, outlet, byline = _metadata(paragraphs, span)
    title = lines[title_i] if title_i is not None else None
    return Cleaned(tuple(paragraphs), title, published, outlet, byline)


def _metadata(
    paragraphs: list[Paragraph], span: tuple[int, int]
) -> tuple[str | None, str | None, str | None]:
    """Date, outlet and byline from the header and the credit lines around the body."""
    start = span[0]
    published = outlet = byline = None
    editor = None
    header = [p for p in paragraphs if p.index < start]
    for p in header:
        found = find_date(p.text) if p.role in ("byline", "title", "boilerplate") else None
        if found and published is None:
            published = found[0]
    credits = [p for p in paragraphs if p.role == "byline"]
    for p in sorted(credits, key=lambda p: p.index >= start):
        credit = parse_credit(p.text, header=p.index < start)
        if credit is None:
            kind = signature_kind(p.text)
            outlet = outlet or (p.text if kind == "outlet" else None)
            byline = byline or (p.text if kind == "byline" else None)
            continue
        outlet = outlet or credit.outlet
        if credit.editor:
            editor = editor or credit.byline
        else:
            byline = byline or credit.byline
    for p in paragraphs:
        outlet = outlet or follow_outlet(p.text)
    return published, outlet, byline or editor
