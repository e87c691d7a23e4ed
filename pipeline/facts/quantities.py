"""Quantities with scale, unit and approximation, in Vietnamese, Chinese and English.

``3,8 tỷ USD``, ``400亿美元`` and ``$3.8 billion`` become a value and a
normalized unit (``USD``, ``hour``, ``month``, ``percent``, ``person``,
``times``, ``shell``...); ``hơn``, ``近``, ``多``, ``about`` and the like are
kept as a qualifier. Years and dates are not quantities (see
:func:`pipeline.facts.dates.date_spans`), and a bare number with neither unit, scale
nor qualifier is left out: without them it cannot be compared across texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.facts.dates import date_spans
from pipeline.text.numerals import (
    CURRENCY_SIGNS,
    QUALIFIER_PREFIXES,
    SAME_AS,
    SCALES,
    UNITS,
    VAGUE,
    VAGUE_VALUES,
    WORD_NUMBERS,
    ZH_QUALIFIER_SUFFIXES,
    parse_digits,
    parse_zh_numeral,
)

__all__ = ["QUALIFIERS", "Quantity", "find_quantities", "quantities_agree"]

QUALIFIERS = ("more-than", "about", "nearly", "less-than")

# Interval a qualifier stands for, as factors of the stated value.
_BOUNDS = {
    None: (1.0, 1.0),
    "about": (0.9, 1.1),
    "nearly": (0.9, 1.0),
    "more-than": (1.0, 1.5),
    "less-than": (0.5, 1.0),
}
_EXACT_TOLERANCE = 1e-6

# Digit strings: thousands groups first, then plain or decimal numbers.
_NUMBER = {
    "vi": r"\d{1,3}(?:\.\d{3})+(?:,\d+)?(?!\d)|\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:,\d+|\.\d+)?",
    "en": r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+|,\d{1,2}(?!\d))?",
    "zh": r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?",
}
_TIME_UNITS = frozenset(("hour", "minute", "day", "week", "month", "year"))
# 元素 (element), 元旦 (New Year's Day), 元首 (head of state)... are not yuan.
_NOT_YUAN = re.compile("[素旦首帅老气件宵]")
_CLOCK = re.compile(r"\s*(?:sáng|chiều|tối|trưa|đêm|\d)")


def _alt(words: Iterable[str], boundary: bool = True) -> str:
    """Alternation of ``words``, longest first, as a regex fragment."""
    parts = sorted(words, key=len, reverse=True)
    body = "|".join(re.escape(w) for w in parts)
    return f"(?:{body})(?![^\\W\\d_])" if boundary else f"(?:{body})"


def _pattern(lang: str) -> re.Pattern[str]:
    """The one regex that reads a quantity in ``lang``."""
    num = f"(?P<num>{_NUMBER[lang]})"
    if lang == "zh":
        zh_num = r"(?P<zhnum>半|[〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*)"
        return re.compile(
            rf"(?P<q>{_alt(QUALIFIER_PREFIXES['zh'], False)})?(?P<pct>百分之)?"
            rf"(?:{VAGUE['zh']}|(?<![\d.,]){num}"
            rf"(?P<q1>多|余)?\s*(?P<scale>{_alt(SCALES['zh'], False)})?|{zh_num})"
            r"(?P<q2>多|余)?(?P<ge>个)?(?P<q3>多)?\s*"
            rf"(?P<unit>{_alt(UNITS['zh'], False)})?(?P<q4>{_alt(ZH_QUALIFIER_SUFFIXES, False)})?"
        )
    words = _alt(WORD_NUMBERS[lang])
    cur = (
        r"(?:(?P<cur>US\$|[$£€]|(?:USD|EUR|GBP|VND|CNY|RMB)(?=\s?\d))\s?)?" if lang == "en" else ""
    )
    return re.compile(
        rf"(?<![\w.,/-])(?:(?P<q>(?i:{_alt(QUALIFIER_PREFIXES[lang])}))\s+)?"
        rf"(?:{VAGUE[lang]}|{cur}(?:{num}|(?P<word>{words}))"
        rf"(?:\s*(?P<scale>{_alt(SCALES[lang])}))?)"
        rf"(?:(?:\s*|-)(?P<unit>{_alt(UNITS[lang])}))?"
    )


_PATTERNS = {lang: _pattern(lang) for lang in ("vi", "zh", "en")}


@dataclass(frozen=True)
class Quantity:
    """A number with its scale applied, its unit and how exact the text says it is.

    Attributes:
        surface: the text it was read from.
        start: offset of the first character in the text.
        end: offset after the last character.
        value: the number with scale applied (``3,8 tỷ`` is 3.8e9).
        unit: normalized unit (``USD``, ``hour``, ``person``...) or None.
        approx: the text qualifies the number (``hơn``, ``约``, ``about``...).
        qualifier: ``more-than``, ``about``, ``nearly``, ``less-than`` or None.
    """

    surface: str
    start: int
    end: int
    value: float
    unit: str | None
    approx: bool
    qualifier: str | None


def find_quantities(text: str, lang: str) -> list[Quantity]:
    """Find the quantities in ``text``.

    Args:
        text: the text to read.
        lang: ``vi``, ``zh`` or ``en``; other languages are read as English.

    Returns:
        The quantities in text order.
    """
    lang = lang[:2] if lang[:2] in _PATTERNS else "en"
    dates = bytearray(len(text))
    for start, end in date_spans(text, lang):
        dates[start:end] = b"\x01" * (end - start)
    found = []
    for match in _PATTERNS[lang].finditer(text):
        if not match.group(0).strip() or dates.find(1, match.start(), match.end()) != -1:
            continue
        quantity = _quantity(match, lang, text)
        if quantity is not None:
            found.append(quantity)
    return found


def _quantity(match: re.Match[str], lang: str, text: str) -> Quantity | None:
    """Build a Quantity from a match, or None when it is not one."""
    groups = match.groupdict()
    unit = _unit(groups, lang)
    qualifier = _qualifier(groups, lang)
    value = _value(groups, lang)
    if value is None or _not_a_quantity(match, lang, text, unit):
        return None
    word = (groups.get("word") or "").lower()
    scaled = bool(groups.get("scale"))
    if word and (unit is None or (word in ("a", "an", "một") and not (qualifier or scaled))):
        return None  # "two" needs a unit; "a"/"một" a qualifier as well ("about an hour")
    if unit is None and not groups.get("scale") and qualifier is None:
        return None
    if unit in SAME_AS:
        unit, factor = SAME_AS[unit]
        value *= factor
    surface = match.group(0).strip()
    start = match.start() + len(match.group(0)) - len(match.group(0).lstrip())
    return Quantity(
        surface, start, start + len(surface), value, unit, qualifier is not None, qualifier
    )


def _unit(groups: dict[str, str | None], lang: str) -> str | None:
    if groups.get("cur"):
        return CURRENCY_SIGNS[groups["cur"] or ""]
    if groups.get("pct") or (groups.get("zhnum") == "半" and not groups.get("unit")):
        return "percent"  # 百分之五十; 近半 "nearly half"
    word = groups.get("unit")
    return UNITS[lang].get(word) if word else None


def _qualifier(groups: dict[str, str | None], lang: str) -> str | None:
    if groups.get("vague"):
        return QUALIFIER_PREFIXES[lang].get((groups.get("q") or "").lower()) or "more-than"
    if groups.get("q"):
        return QUALIFIER_PREFIXES[lang][(groups["q"] or "").lower()]
    suffixes = [groups.get(name) for name in ("q1", "q2", "q3", "q4")]
    return next((ZH_QUALIFIER_SUFFIXES[s] for s in suffixes if s), None)


def _value(groups: dict[str, str | None], lang: str) -> float | None:
    """The number with its scale applied."""
    if groups.get("vague"):
        return _vague_value(groups["vague"] or "", lang)
    if groups.get("num"):
        value = parse_digits(groups["num"] or "", lang)
    elif groups.get("zhnum") == "半" and not groups.get("unit"):
        value = 50.0
    elif groups.get("zhnum"):
        value = parse_zh_numeral(groups["zhnum"] or "")
    elif groups.get("word"):
        value = float(WORD_NUMBERS[lang][(groups["word"] or "").lower()])
    else:
        return None
    scale = groups.get("scale")
    return value * SCALES[lang][scale.lower()] if scale else value


def _not_a_quantity(match: re.Match[str], lang: str, text: str, unit: str | None) -> bool:
    """Readings that look like quantities and are not."""
    if lang == "zh":
        return _not_a_zh_quantity(match, text, unit)
    if lang == "vi" and match["word"] == "năm" and match["unit"] == "tháng":
        return True  # "năm tháng": the years gone by
    return unit == "hour" and lang == "vi" and bool(_CLOCK.match(text, match.end()))


def _not_a_zh_quantity(match: re.Match[str], text: str, unit: str | None) -> bool:
    before = text[max(0, match.start() - 1) : match.start()]
    after = text[match.end() : match.end() + 1]
    zhnum, unit_word = match["zhnum"], match["unit"]
    checks = (
        unit_word == "月" and not match["ge"],  # 5月 is May, 5个月 is five months
        before == "第",  # 第一次: an ordinal
        match["q"] == "近" and before == "最",  # 最近一次: "the most recent time"
        unit_word == "元" and bool(_NOT_YUAN.match(after)),  # 一个元素: an element
        unit_word == "周" and after == "年",  # 10周年: an anniversary
        zhnum in ("一", "二") and unit_word == "次" and not match["q"],  # 一次性, 二次
        zhnum == "半" and not (unit in _TIME_UNITS if unit_word else match["q"]),  # 半岛
        bool(zhnum) and zhnum != "半" and not unit and not re.search("[百千万亿]", zhnum),
    )
    return any(checks)


def _vague_value(word: str, lang: str) -> float:
    """Value of ``hàng nghìn`` / ``thousands of`` / ``数万``: the scale word itself."""
    word = word.lower()
    if word in VAGUE_VALUES:
        return VAGUE_VALUES[word]
    table = SCALES[lang]
    return table.get(word) or table.get(word.rstrip("s"), 1.0)


def quantities_agree(a: Quantity, b: Quantity) -> bool:
    """Whether two quantities can be the same amount, given their qualifiers.

    Each quantity stands for an interval: exact values for themselves,
    ``about`` for ±10 %, ``nearly`` for the 10 % below, ``more-than`` for up to
    50 % above and ``less-than`` for down to half (bounds included, so ``hơn 40
    tỷ USD`` agrees with ``400亿美元``), widened by the rounding of the coarser
    figure when it has two or more significant digits (``1993.03万`` agrees with
    ``19.93 million``; ``40`` is not ``42``). A quantity marked ``approx`` without a
    qualifier counts as ``about``. Units must be equal where both are known; a
    quantity without a unit (``5,500 thousand``) compares on its value alone.
    """
    if a.unit and b.unit and a.unit != b.unit:
        return False
    lo_a, hi_a = (a.value * f for f in _bounds(a))
    lo_b, hi_b = (b.value * f for f in _bounds(b))
    slack = max(_EXACT_TOLERANCE * max(abs(a.value), abs(b.value), 1.0), _rounding(a, b))
    return lo_a <= hi_b + slack and lo_b <= hi_a + slack


def _bounds(qty: Quantity) -> tuple[float, float]:
    if qty.qualifier is None and qty.approx:
        return _BOUNDS["about"]
    return _BOUNDS.get(qty.qualifier, _BOUNDS[None])


def _rounding(a: Quantity, b: Quantity) -> float:
    """Half a unit in the last significant digit of the coarser of two values."""
    coarse = max((_significant(q.value) for q in (a, b)), key=lambda sig: sig[1])
    digits, half = coarse
    return half if digits >= 2 else 0.0


def _significant(value: float) -> tuple[int, float]:
    """(significant digits, half a unit in the last of them) of ``value``."""
    mantissa, exponent = f"{abs(value):.9e}".split("e")
    digits = max(1, len(mantissa.replace(".", "").rstrip("0")))
    return digits, 0.5 * 10.0 ** (int(exponent) - digits + 1)
