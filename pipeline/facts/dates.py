"""Dates in Vietnamese, Chinese and English text, resolved to ISO.

A date without a year takes the publication year, and moves back a year when
that would put it well after publication (``FUTURE_GRACE_DAYS``), so an
article of 5 January 2023 reading ``ngày 28/12`` means 2022-12-28 while one of
14 May 2022 reading ``ngày 19/5`` keeps the upcoming 2022-05-19. A Chinese
``13日`` is day 13 of the month of the last full date before it, or of the
publication month. Dates that need the publication date (no year, weekdays,
``last month``) are left out when it is unknown. The patterns themselves are
in :mod:`pipeline.facts.date_patterns`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass

from pipeline.facts.date_keys import date_span
from pipeline.facts.date_patterns import (
    EN_MONTHS,
    EN_WEEKDAYS,
    PATTERNS,
    REFERENCE_AFTER,
    REFERENCE_BEFORE,
    RELATIVE,
    VI_MONTHS,
    VI_WEEKDAYS,
    ZH_WEEKDAYS,
)

__all__ = [
    "FUTURE_GRACE_DAYS",
    "DateMention",
    "date_spans",
    "event_dates",
    "find_dates",
    "parse_published",
]

# A yearless date later than publication by more than this is taken as last year's.
FUTURE_GRACE_DAYS = 31


@dataclass(frozen=True)
class DateMention:
    """A date found in text.

    Attributes:
        surface: the text it was read from.
        start: offset of the first character in the text.
        end: offset after the last character.
        iso: ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` according to ``precision``.
        precision: ``day``, ``month`` or ``year``.
        approx: the text names a part of the period (``3月底``) or the date was
            inferred from the publication date (a weekday, ``yesterday``).
    """

    surface: str
    start: int
    end: int
    iso: str
    precision: str
    approx: bool


def parse_published(published: str | None) -> dt.date | None:
    """Read the date part of an ISO publication timestamp, or None."""
    if not published:
        return None
    try:
        return dt.date.fromisoformat(published.strip()[:10])
    except ValueError:
        return None


@functools.lru_cache(maxsize=64)
def _matches(text: str, lang: str) -> tuple[tuple[str, re.Match[str]], ...]:
    """(kind, match) for every date pattern of ``lang``, without overlaps.

    Cached for the last few texts: quantity extraction asks for the same
    text's date spans right before or after fact extraction reads its dates.
    """
    taken = bytearray(len(text))  # 1 where an earlier pattern already read a date
    found = []
    for kind, pattern in PATTERNS["all"] + PATTERNS.get(lang[:2], []):
        for match in pattern.finditer(text):
            start, end = match.span()
            if taken.find(1, start, end) != -1:
                continue
            taken[start:end] = b"\x01" * (end - start)
            found.append((kind, match))
    return tuple(found)


def date_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """Return the character spans that read as dates, resolved or not.

    Quantity extraction uses this so that ``2017`` or ``13/5`` is not a number.
    """
    return sorted(match.span() for _, match in _matches(text, lang))


def find_dates(text: str, lang: str, published: str | None) -> list[DateMention]:
    """Find the dates in ``text`` and resolve them to ISO.

    Args:
        text: the text to read.
        lang: its language (``vi``, ``zh``, ``en``; others get only the
            language-neutral numeric forms).
        published: the document's publication date (ISO), used for dates
            without a year and for relative dates; None leaves those out.

    Returns:
        The dates in text order.
    """
    pub = parse_published(published)
    found: list[DateMention] = []
    yearless: list[int] = []  # indices in found of dates whose text gives no year
    context: tuple[int, int] | None = None  # year and month of the last full date read
    for kind, match in sorted(_matches(text, lang), key=lambda km: km[1].start()):
        resolved = _resolve(kind, match, pub, context)
        if resolved is None:
            continue
        iso, precision, approx = resolved
        if precision == "day" and kind not in ("d", "wd", "rel"):
            context = (int(iso[:4]), int(iso[5:7]))
        start, end = match.span()
        if kind not in ("y", "wd", "rel") and not _group(match, "y"):
            yearless.append(len(found))
        found.append(DateMention(match.group(0), start, end, iso, precision, approx))
    return _years_from_neighbours(text, found, yearless)


def _years_from_neighbours(
    text: str, found: list[DateMention], yearless: list[int]
) -> list[DateMention]:
    """A yearless date right beside a relative year takes that year.

    ``tháng 3 năm ngoái`` and ``去年11月`` are March and November of last year,
    not of the publication year the yearless date would otherwise get.
    """
    years = [d for d in found if d.precision == "year" and d.approx]
    for n in yearless:
        date = found[n]
        for year in years:
            between = (
                text[year.end : date.start]
                if year.end <= date.start
                else text[date.end : year.start]
            )
            if len(between.strip()) <= 1:
                iso = year.iso + date.iso[4:]
                if date_span(iso) is not None:
                    found[n] = DateMention(
                        date.surface, date.start, date.end, iso, date.precision, True
                    )
                break
    return found


def event_dates(text: str, lang: str, published: str | None) -> list[DateMention]:
    """The dates that may date what ``text`` reports: :func:`find_dates` less two kinds.

    Left out are dates in a "since"/"after" clause (``kể từ tháng 11/2022``,
    ``自2022年11月以来``, ``继去年11月巴厘岛会晤后``): they date the earlier event
    the sentence measures from. And years read from relative words (``今年``,
    "this year"): they fit every event of the year and say nothing of which.
    """
    key = lang[:2] if lang[:2] in ("vi", "zh") else "en"
    found = find_dates(text, lang, published)
    kept = []
    for n, date in enumerate(found):
        if date.precision == "year" and date.approx:
            continue
        start = max(0, date.start - 80)
        before = REFERENCE_BEFORE[key].search(text[start : date.start])
        if before is not None:  # the marker's date is the first after it
            marker = start + before.start()
            before = None if any(marker <= d.start for d in found[:n]) else before
        if before is None and not REFERENCE_AFTER[key].search(text[date.end :]):
            kept.append(date)
    return kept


def _group(match: re.Match[str], name: str) -> str | None:
    return match.groupdict().get(name)


def _resolve(
    kind: str, match: re.Match[str], pub: dt.date | None, context: tuple[int, int] | None
) -> tuple[str, str, bool] | None:
    """Turn one match into (iso, precision, approx), or None when it cannot be.

    A bare day (``10日``) takes the year and month of ``context``, the last full
    date before it in the text (``2月11日……10日`` is 10 February), else those
    of the publication date.
    """
    if kind in ("wd", "rel"):
        return _relative(match, pub)
    year = int(match["y"]) if _group(match, "y") else None
    mon = _group(match, "mon")
    month = EN_MONTHS[mon.lower()[:3]] if mon else None
    if month is None and _group(match, "m"):
        month = int(match["m"])
    if month is None and _group(match, "mw"):
        month = VI_MONTHS[match["mw"].lower()]
    day = int(match["d"]) if _group(match, "d") else None
    if kind == "y":
        return (f"{year:04d}", "year", False) if year else None
    if kind == "d":
        if context:
            year, month = context
        elif pub:
            year, month = pub.year, pub.month
        else:
            return None
    if kind == "dm" and month and day and month > 12 >= day:
        month, day = day, month  # 5/13 can only be month/day
    if month is None or not 1 <= month <= 12:
        return None
    if year is None:
        if pub is None:
            return None
        year = _year_for(pub, month, day, forward=bool(_group(match, "fwd")))
    if day is None:
        return f"{year:04d}-{month:02d}", "month", bool(_group(match, "part"))
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}", "day", False


def _year_for(pub: dt.date, month: int, day: int | None, forward: bool) -> int:
    """Pick the year of a yearless date from the publication date."""
    first = dt.date(pub.year, month, min(day or 1, calendar.monthrange(pub.year, month)[1]))
    if forward:
        return pub.year + 1 if (first.year, first.month) <= (pub.year, pub.month) else pub.year
    if (first - pub).days > FUTURE_GRACE_DAYS:
        return pub.year - 1
    return pub.year


def _relative(match: re.Match[str], pub: dt.date | None) -> tuple[str, str, bool] | None:
    """Resolve a weekday or ``yesterday``-like word against the publication date."""
    if pub is None:
        return None
    word = (_group(match, "wd") or _group(match, "rel") or "").lower()
    if _group(match, "wd"):
        if word in EN_WEEKDAYS:
            target = EN_WEEKDAYS.index(word)
        elif word in ZH_WEEKDAYS:
            target = ZH_WEEKDAYS[word]
        elif word.startswith("chủ"):
            target = 6
        else:
            target = VI_WEEKDAYS[word.split()[-1]]
        day = pub - dt.timedelta(days=(pub.weekday() - target) % 7)
        return day.isoformat(), "day", True
    unit, offset = RELATIVE[word]
    if unit == "day":
        return (pub + dt.timedelta(days=offset)).isoformat(), "day", True
    if unit == "month":
        first = pub.replace(day=1)
        if offset:
            first = (first - dt.timedelta(days=1)).replace(day=1)
        return f"{first.year:04d}-{first.month:02d}", "month", True
    return f"{pub.year + offset:04d}", "year", True
