"""Page-header metadata: publication dates, timestamps glued to lines, credits.

These functions read single lines; :mod:`pipeline.text.clean` decides which lines
are the header (only those are searched, so dates in related-news lists never
become the article's date).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

__all__ = ["Credit", "find_date", "parse_credit", "split_leading_stamp", "split_meta_prefix"]

_TIME = r"(?:\s*,?\s*\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:AM|PM|GMT[+-]?\d*))?)?"
# (regex, order of the groups as year/month/day letters)
_DATE_FORMS = (
    (re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)" + _TIME), "ymd"),
    (re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)" + _TIME), "dmy"),
    (re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"), "ymd"),
    (
        re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s*(?:năm|,)\s*(\d{4})", re.IGNORECASE),
        "dmy",
    ),
)
# A timestamp at the very start of a line, e.g. "14/05/2022 06:55Lãnh đạo ...".
_LEADING_STAMP = re.compile(
    r"^\s*(?:\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{1,2}-\d{1,2})\s*\d{1,2}:\d{2}(?::\d{2})?\s*"
)
# Metadata glued before the text of a line: "最后更新: 2022-05-14 08:38:11【文/观察者网 熊超然】".
_META_PREFIX = re.compile(
    r"^\s*(?:[^\s\d【]{1,12}[:：]\s*)?\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?"
    r"\s*(?:【[^】]{1,40}】)?\s*"
)
# "【文/观察者网 熊超然】": outlet then author.
_ZH_CREDIT = re.compile(r"【\s*(?:文|作者)\s*[/／:：]\s*(\S{2,20}?)\s+(\S{2,10}?)\s*】")
# "Theo Tuấn Anh (VietNamNet)", "PV (theo Chicago Tribune, Mirror)", "By Jane Doe (Reuters)".
_NAME_OUTLET = re.compile(
    r"^(?:theo|by)\s+([^()\d]{2,40}?)\s*\(([^()]{2,40})\)\s*\.?$", re.IGNORECASE
)
_NAME_SOURCE = re.compile(r"^([^()\d]{1,30}?)\s*\((?:theo|nguồn|source|via)\s+[^()]{2,60}\)$", re.I)
_WEEKDAY = re.compile(
    r"^(?:thứ\s+(?:hai|ba|tư|năm|sáu|bảy|\d)|chủ nhật|星期.|周.|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day)\W*$",
    re.IGNORECASE,
)
_EDITOR = re.compile(r"^[-–\s]*(?:责任编辑|编辑|biên tập|editor)\s*[:：]\s*(\S.{0,30})$", re.I)


@dataclass(frozen=True)
class Credit:
    """What a credit line says; any part may be missing."""

    byline: str | None = None
    outlet: str | None = None
    editor: bool = False


def find_date(text: str) -> tuple[str, int, int] | None:
    """Find the first valid date in ``text``.

    Args:
        text: one line.

    Returns:
        (ISO ``YYYY-MM-DD``, start, end of the match) or None.
    """
    found: list[tuple[int, int, str]] = []
    for pattern, order in _DATE_FORMS:
        for match in pattern.finditer(text):
            parts = dict(zip(order, match.groups()[:3], strict=True))
            try:
                day = dt.date(int(parts["y"]), int(parts["m"]), int(parts["d"]))
            except ValueError:
                continue
            found.append((match.start(), match.end(), day.isoformat()))
            break
    if not found:
        return None
    start, end, iso = min(found)
    return iso, start, end


def split_leading_stamp(text: str) -> tuple[str, str]:
    """Split a timestamp glued to the start of a line off it.

    Returns:
        (the stamp, the rest of the line); the stamp is empty when there is none.
    """
    match = _LEADING_STAMP.match(text)
    if not match or match.end() >= len(text) or find_date(match.group(0)) is None:
        return "", text
    return match.group(0).strip(), text[match.end() :].strip()


def split_meta_prefix(text: str) -> tuple[str, str]:
    """Split a "last updated: date time【credit】" prefix off a line of text.

    Returns:
        (the prefix, the rest); the prefix is empty when there is none.
    """
    match = _META_PREFIX.match(text)
    if not match or match.end() >= len(text):
        return "", text
    return match.group(0).strip(), text[match.end() :].strip()


def parse_credit(text: str, header: bool = False) -> Credit | None:
    """Read a byline or credit line; None when the line is not one.

    Recognized: ``Theo NAME (OUTLET)``, ``NAME (theo SOURCE)``, ``【文/OUTLET NAME】``,
    ``责任编辑: NAME``, and, when ``header`` is true, dated header lines
    ``NAME, ROLE <date>`` / ``OUTLET <date>``.
    """
    text = text.strip()
    if m := _ZH_CREDIT.search(text):
        return Credit(byline=m.group(2), outlet=m.group(1))
    if m := _NAME_OUTLET.match(text):
        return Credit(byline=m.group(1).strip(), outlet=m.group(2).strip())
    if m := _NAME_SOURCE.match(text):
        return Credit(byline=m.group(1).strip())
    if m := _EDITOR.match(text):
        return Credit(byline=m.group(1).strip(), editor=True)
    found = find_date(text) if header and len(text) <= 120 else None
    if found is None or found[1] == 0 or len(text) - found[2] > 25:
        return None
    before = text[: found[1]].strip(" •|-–,")
    if not before or len(before) > 60 or any(c.isdigit() for c in before):
        return None
    if _WEEKDAY.match(before):
        return Credit()  # a plain dateline such as "Thứ Bảy, 14/05/2022"
    if "," in before:
        return Credit(byline=before.split(",", 1)[0].strip())
    if len(before.split()) == 1:
        return Credit(outlet=before)
    return Credit(byline=before)
