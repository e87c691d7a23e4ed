"""Numbers stated in a text, as values, for the translation quality check.

Each number found yields a set of candidate values, because separators are
ambiguous across languages (``3,8`` is 3.8 in Vietnamese, ``300.000`` is
300,000; ``1,000`` is a thousand in English). Scales after a number multiply
it (``tỷ``/``billion`` 1e9, ``亿`` 1e8, ``万`` 1e4...). Chinese numerals
(``四十``, ``两千万``, ``二〇二二``) and English number words (``forty``,
``second``) and month names (``May`` = 5) are read too.
"""

from __future__ import annotations

import re

from pipeline.text.numerals import parse_zh_numeral

__all__ = ["number_values"]

SCALES = {
    "trillion": 1e12,
    "billion": 1e9,
    "bn": 1e9,
    "million": 1e6,
    "mln": 1e6,
    "thousand": 1e3,
    "tỷ": 1e9,
    "tỉ": 1e9,
    "triệu": 1e6,
    "nghìn": 1e3,
    "ngàn": 1e3,
    "万亿": 1e12,
    "亿": 1e8,
    "万": 1e4,
    "千": 1e3,
}
WORDS = {
    w: float(i)
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70})
WORDS.update({"eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12})
ORDINALS = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
]
WORDS.update({w: float(i) for i, w in enumerate(ORDINALS, 1)})
MONTHS = "january february march april may june july august september october november december"
WORDS.update({m: float(i) for i, m in enumerate(MONTHS.split(), 1)})
WORDS.update({m[:3]: float(i) for i, m in enumerate(MONTHS.split(), 1) if m != "may"})

_SCALE = "|".join(sorted((re.escape(s) for s in SCALES), key=len, reverse=True))
ARABIC = re.compile(rf"(\d+(?:[.,]\d+)*)(?:\s*({_SCALE})(?![a-zà-ỹ]))?", re.IGNORECASE)
WORD_NUMBER = re.compile(rf"\b([a-z]+)\b(?:\s+({_SCALE})\b)?", re.IGNORECASE)
CN_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
# Runs that are words, not numbers ("very", "some", "together", "must", "in case").
CN_STOP = {"十分", "一些", "一起", "一直", "一定", "千万", "万一", "一一", "一切", "一样", "一般"}
CN_COUNTERS = set("月日年号名人次架艘枚个位项天岁周")


def _separated(token: str) -> set[float]:
    """Candidate values of digits with ``.``/``,`` separators in either convention."""
    values: set[float] = set()
    for dec, group in ((".", ","), (",", ".")):
        parts = token.split(group)
        if len(parts) > 1 and not all(len(p.split(dec)[0]) == 3 for p in parts[1:]):
            continue
        whole = "".join(parts)
        if whole.count(dec) > 1:
            continue
        values.add(float(whole.replace(dec, ".")))
    return values


def _chinese_values(text: str) -> list[set[float]]:
    found = []
    for match in CN_RUN.finditer(text):
        run, after = match.group(), text[match.end() : match.end() + 1]
        if run in CN_STOP or run.strip("万亿千百") == "":
            continue
        if len(run) == 1 and (run == "一" or after not in CN_COUNTERS):
            continue
        found.append({parse_zh_numeral(run)})
    return found


def number_values(text: str) -> list[set[float]]:
    """Every number stated in ``text``, each as its set of candidate values.

    Args:
        text: Vietnamese, Chinese or English text.

    Returns:
        One set per number, in order of appearance (Chinese numerals last).
    """
    found: list[set[float]] = []
    for match in ARABIC.finditer(text):
        values = _separated(match.group(1))
        scale = SCALES.get((match.group(2) or "").lower(), 1.0)
        if values:
            found.append({v * scale for v in values})
    for match in WORD_NUMBER.finditer(text):
        word = match.group(1).lower()
        if word in WORDS:
            scale = SCALES.get((match.group(2) or "").lower(), 1.0)
            found.append({WORDS[word] * scale})
    return found + _chinese_values(text)
