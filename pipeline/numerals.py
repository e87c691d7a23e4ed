"""Numbers as written in Vietnamese, Chinese and English news text.

Vietnamese writes ``3,8`` for 3.8 and ``300.000`` for 300000; English and
Chinese write ``3.8`` and ``300,000``. A comma that is not followed by groups
of exactly three digits is read as a decimal comma in every language, since
machine translation often copies ``3,8`` from a Vietnamese source.
"""

from __future__ import annotations

import re

__all__ = ["SCALES", "WORD_NUMBERS", "parse_digits", "parse_zh_numeral"]

_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_ZH_SMALL = {"十": 10, "百": 100, "千": 1000}

# Scale words after a number, by language (lowercase).
SCALES: dict[str, dict[str, float]] = {
    "vi": {"nghìn": 1e3, "ngàn": 1e3, "triệu": 1e6, "tỷ": 1e9, "tỉ": 1e9},
    "en": {"thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6,
           "billion": 1e9, "bn": 1e9, "trillion": 1e12},
    "zh": {"千": 1e3, "万": 1e4, "十万": 1e5, "百万": 1e6, "千万": 1e7, "亿": 1e8, "万亿": 1e12},
}  # fmt: skip

# Number words that count only when a unit follows them.
WORD_NUMBERS: dict[str, dict[str, float]] = {
    "vi": {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8,
           "chín": 9, "mười": 10},
    "en": {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
           "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
           "a dozen": 12, "a": 1, "an": 1},
}  # fmt: skip

_THOUSANDS = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$")


def parse_digits(text: str, lang: str) -> float:
    """Read a digit string with the separators of ``lang``.

    Args:
        text: digits with optional ``.`` and ``,`` separators, e.g. ``1.500,5``.
        lang: ``vi`` (dot thousands, comma decimal) or anything else (comma
            thousands, dot decimal).

    Returns:
        The value.

    Raises:
        ValueError: the string is not a number.
    """
    if lang == "vi":
        thousands, decimal = ".", ","
        if "," not in text and not _THOUSANDS.match(text):
            thousands, decimal = ",", "."  # 3.8 written the English way
    else:
        thousands, decimal = ",", "."
        if "." not in text and "," in text and not _THOUSANDS.match(text):
            thousands, decimal = ".", ","  # 3,8 copied from a Vietnamese source
    return float(text.replace(thousands, "").replace(decimal, "."))


def parse_zh_numeral(text: str) -> float:
    """Read a Chinese numeral such as ``三``, ``两千``, ``一亿两千万``.

    Raises:
        ValueError: a character is not a numeral.
    """
    total = section = num = 0
    for ch in text:
        if ch in _ZH_DIGITS:
            num = _ZH_DIGITS[ch]
        elif ch in _ZH_SMALL:
            section += (num or 1) * _ZH_SMALL[ch]
            num = 0
        elif ch == "万":
            total += (section + num) * 10_000
            section = num = 0
        elif ch == "亿":
            total = (total + section + num) * 100_000_000
            section = num = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return float(total + section + num)
