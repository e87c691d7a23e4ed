"""Quantities with scale, unit and approximation, in Vietnamese, Chinese and English.

``3,8 tỷ USD``, ``400亿美元`` and ``$3.8 billion`` become a value and a
normalized unit (``USD``, ``hour``, ``month``, ``percent``, ``person``,
``times``, ``shell``...); ``hơn``, ``近``, ``多``, ``about`` and the like are
kept as a qualifier. Years and dates are not quantities (see
:func:`pipeline.dates.date_spans`), and a bare number with neither unit, scale
nor qualifier is left out: without them it cannot be compared across texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.dates import date_spans
from pipeline.numerals import SCALES, WORD_NUMBERS, parse_digits, parse_zh_numeral

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

_UNITS: dict[str, dict[str, str]] = {
    "vi": {
        "USD": "USD", "US$": "USD", "đô la Mỹ": "USD", "đô la": "USD", "đôla": "USD",
        "đô": "USD", "bảng Anh": "GBP", "bảng": "GBP", "euro": "EUR", "rúp": "RUB",
        "nhân dân tệ": "CNY", "VND": "VND", "đồng": "VND", "tiếng đồng hồ": "hour",
        "giờ": "hour", "tiếng": "hour", "phút": "minute", "ngày": "day", "tuần": "week",
        "tháng": "month", "năm": "year", "%": "percent", "phần trăm": "percent",
        "người": "person", "dân thường": "person", "lần": "times", "quả đạn pháo": "shell",
        "quả đạn": "shell", "quả": "shell", "viên đạn": "shell", "phát đạn": "shell",
        "mm": "mm", "km": "km", "tấn": "tonne",
    },
    "zh": {
        "美元": "USD", "美金": "USD", "英镑": "GBP", "欧元": "EUR", "卢布": "RUB",
        "人民币": "CNY", "元": "CNY", "小时": "hour", "钟头": "hour", "分钟": "minute",
        "天": "day", "星期": "week", "周": "week", "月": "month", "年": "year", "%": "percent",
        "％": "percent", "人": "person", "名": "person", "例": "case", "倍": "times",
        "次": "times", "枚": "shell", "发": "shell", "毫米": "mm", "公里": "km", "吨": "tonne",
    },
    "en": {
        "US dollars": "USD", "dollars": "USD", "USD": "USD", "pounds": "GBP", "euros": "EUR",
        "roubles": "RUB", "rubles": "RUB", "yuan": "CNY", "dong": "VND", "hours": "hour",
        "hour": "hour", "minutes": "minute", "minute": "minute", "days": "day", "day": "day",
        "weeks": "week", "week": "week", "months": "month", "month": "month",
        "years": "year", "year": "year", "%": "percent", "percent": "percent",
        "per cent": "percent", "people": "person", "persons": "person", "civilians": "person",
        "times": "times", "artillery shells": "shell", "shells": "shell", "rounds": "shell",
        "mm": "mm", "km": "km", "tonnes": "tonne", "tons": "tonne", "cases": "case",
    },
}  # fmt: skip
_CURRENCY_SIGNS = {"$": "USD", "US$": "USD", "£": "GBP", "€": "EUR"}

_PREFIX: dict[str, dict[str, str]] = {
    "vi": {"hơn": "more-than", "trên": "more-than", "ít nhất": "more-than",
           "khoảng": "about", "chừng": "about", "xấp xỉ": "about", "ước tính": "about",
           "gần": "nearly", "dưới": "less-than", "chưa đến": "less-than",
           "chưa tới": "less-than", "không tới": "less-than"},
    "zh": {"超过": "more-than", "逾": "more-than", "至少": "more-than", "大约": "about",
           "约": "about", "将近": "nearly", "接近": "nearly", "近": "nearly",
           "不到": "less-than", "不足": "less-than", "少于": "less-than"},
    "en": {"more than": "more-than", "over": "more-than", "upwards of": "more-than",
           "in excess of": "more-than", "at least": "more-than", "about": "about",
           "around": "about", "approximately": "about", "roughly": "about",
           "an estimated": "about", "some": "about", "nearly": "nearly", "almost": "nearly",
           "close to": "nearly", "just under": "nearly", "less than": "less-than",
           "fewer than": "less-than", "under": "less-than", "below": "less-than",
           "up to": "less-than"},
}  # fmt: skip
_ZH_SUFFIX = {"多": "more-than", "余": "more-than", "以上": "more-than", "左右": "about",
              "上下": "about", "以下": "less-than", "以内": "less-than"}  # fmt: skip

# "hàng nghìn", "thousands of", "数万": at least that many.
_VAGUE = {
    "vi": r"hàng\s+(?P<vague>chục|trăm|nghìn|ngàn|triệu|tỷ)",
    "en": r"(?i:(?P<vague>dozens|hundreds|thousands|millions|billions))\s+of",
    "zh": r"(?:数|上)(?P<vague>十|百|千|万|十万|百万|千万|亿)",
}
_VAGUE_VALUES = {"chục": 10.0, "trăm": 100.0, "dozens": 12.0, "hundreds": 100.0, "十": 10.0,
                 "百": 100.0, "上": 1.0}  # fmt: skip
_CLOCK = re.compile(r"\s*(?:sáng|chiều|tối|trưa|đêm|\d)")


def _alt(words: Iterable[str], boundary: bool = True) -> str:
    """Alternation of ``words``, longest first, as a regex fragment."""
    parts = sorted(words, key=len, reverse=True)
    body = "|".join(re.escape(w) for w in parts)
    return f"(?:{body})(?![^\\W\\d_])" if boundary else f"(?:{body})"


def _pattern(lang: str) -> re.Pattern[str]:
    """The one regex that reads a quantity in ``lang``."""
    num = r"(?P<num>\d+(?:[.,]\d+)*)"
    if lang == "zh":
        zh_num = r"(?P<zhnum>[〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*)"
        return re.compile(
            rf"(?P<q>{_alt(_PREFIX['zh'], False)})?(?:{_VAGUE['zh']}|(?<![\d.,]){num}"
            rf"(?P<q1>多|余)?\s*(?P<scale>{_alt(SCALES['zh'], False)})?|{zh_num})"
            r"(?P<q2>多|余)?(?P<ge>个)?(?P<q3>多)?\s*"
            rf"(?P<unit>{_alt(_UNITS['zh'], False)})?(?P<q4>{_alt(_ZH_SUFFIX, False)})?"
        )
    words = _alt(WORD_NUMBERS[lang])
    cur = r"(?P<cur>US\$|[$£€])?\s*" if lang == "en" else ""
    return re.compile(
        rf"(?<![\w.,/-])(?:(?P<q>{_alt(_PREFIX[lang])})\s+)?"
        rf"(?:{_VAGUE[lang]}|{cur}(?:{num}|(?P<word>{words}))"
        rf"(?:\s*(?P<scale>{_alt(SCALES[lang])}))?)"
        rf"(?:\s*(?P<unit>{_alt(_UNITS[lang])}))?"
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
    dates = date_spans(text, lang)
    found = []
    for match in _PATTERNS[lang].finditer(text):
        if not match.group(0).strip() or any(
            match.start() < e and s < match.end() for s, e in dates
        ):
            continue
        quantity = _quantity(match, lang, text)
        if quantity is not None:
            found.append(quantity)
    return found


def _quantity(match: re.Match[str], lang: str, text: str) -> Quantity | None:
    """Build a Quantity from a match, or None when it is not one."""
    groups = match.groupdict()
    unit_word = groups.get("unit")
    unit = _UNITS[lang].get(unit_word) if unit_word else None
    if groups.get("cur"):
        unit = _CURRENCY_SIGNS[groups["cur"]]
    qualifier = _PREFIX[lang].get((groups.get("q") or "").lower()) or _PREFIX[lang].get(
        groups.get("q") or ""
    )
    for name in ("q1", "q2", "q3", "q4"):
        if groups.get(name):
            qualifier = qualifier or _ZH_SUFFIX[groups[name]]
    if groups.get("vague"):
        value = _vague_value(groups["vague"], lang)
        qualifier = qualifier or "more-than"
    elif groups.get("num"):
        value = parse_digits(groups["num"], lang)
    elif groups.get("zhnum"):
        value = parse_zh_numeral(groups["zhnum"])
    else:
        value = float(WORD_NUMBERS[lang][(groups.get("word") or "").lower()])
        if unit is None or (groups["word"].lower() in ("a", "an") and qualifier is None):
            return None
    scale = groups.get("scale")
    if scale:
        value *= SCALES[lang][scale.lower() if lang == "en" else scale]
    if lang == "zh" and unit_word == "月" and not groups.get("ge"):
        return None  # 5月 is May, 5个月 is five months
    if groups.get("q") == "近" and text[max(0, match.start() - 1) : match.start()] == "最":
        return None  # 最近一次: "the most recent time", not "nearly once"
    if unit == "hour" and lang == "vi" and _CLOCK.match(text, match.end()):
        return None  # 8 giờ tối is a time of day
    if unit is None and not scale and qualifier is None:
        return None
    surface = match.group(0).rstrip()
    start = match.start() + len(match.group(0)) - len(match.group(0).lstrip())
    return Quantity(
        surface.strip(),
        start,
        match.start() + len(surface),
        value,
        unit,
        qualifier is not None,
        qualifier,
    )


def _vague_value(word: str, lang: str) -> float:
    """Value of ``hàng nghìn`` / ``thousands of`` / ``数万``: the scale word itself."""
    word = word.lower()
    if word in _VAGUE_VALUES:
        return _VAGUE_VALUES[word]
    table = SCALES[lang]
    return table.get(word) or table.get(word.rstrip("s"), 1.0)


def quantities_agree(a: Quantity, b: Quantity) -> bool:
    """Whether two quantities can be the same amount, given their qualifiers.

    Each quantity stands for an interval: exact values for themselves,
    ``about`` for ±10 %, ``nearly`` for the 10 % below, ``more-than`` for up to
    50 % above and ``less-than`` for down to half (bounds included, so ``hơn 40
    tỷ USD`` agrees with ``400亿美元``). A quantity marked ``approx`` without a
    qualifier counts as ``about``. Units must be equal.
    """
    if a.unit != b.unit:
        return False
    lo_a, hi_a = (a.value * f for f in _bounds(a))
    lo_b, hi_b = (b.value * f for f in _bounds(b))
    slack = _EXACT_TOLERANCE * max(abs(a.value), abs(b.value), 1.0)
    return lo_a <= hi_b + slack and lo_b <= hi_a + slack


def _bounds(qty: Quantity) -> tuple[float, float]:
    if qty.qualifier is None and qty.approx:
        return _BOUNDS["about"]
    return _BOUNDS.get(qty.qualifier, _BOUNDS[None])
