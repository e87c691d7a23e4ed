"""Numbers, units and qualifiers as written in Vietnamese, Chinese and English news.

Vietnamese writes ``3,8`` for 3.8 and ``300.000`` for 300000; English and
Chinese write ``3.8`` and ``300,000``. Each side also meets the other's habit
(tokenized corpora write ``50,000`` in Vietnamese; machine translation copies
``3,8`` into English), so a separator followed by groups of exactly three
digits reads as thousands and any other as a decimal point, in every language.
"""

from __future__ import annotations

import re

__all__ = [
    "ANY_SCALE",
    "CURRENCY_SIGNS",
    "EN_CARDINALS",
    "EN_MONTHS",
    "EN_ORDINALS",
    "QUALIFIER_PREFIXES",
    "SAME_AS",
    "SCALES",
    "UNITS",
    "VAGUE",
    "VAGUE_VALUES",
    "WORD_NUMBERS",
    "ZH_QUALIFIER_SUFFIXES",
    "digit_values",
    "number_values",
    "parse_digits",
    "parse_zh_numeral",
]

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

# Every scale word, whatever the language (machine translation mixes them: "5 triệu" -> "$5m").
ANY_SCALE: dict[str, float] = {w: v for table in SCALES.values() for w, v in table.items()}

# English number words: cardinals, ordinals ("the second call") and months ("May" = 5).
_CARDINALS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen"
              " fourteen fifteen sixteen seventeen eighteen nineteen twenty")  # fmt: skip
EN_CARDINALS: dict[str, float] = {w: float(i) for i, w in enumerate(_CARDINALS.split())}
EN_CARDINALS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
                     "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12})  # fmt: skip
_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth"
EN_ORDINALS = {w: float(i) for i, w in enumerate(_ORDINALS.split(), 1)}
MONTHS = "january february march april may june july august september october november december"
EN_MONTHS = {m: float(i) for i, m in enumerate(MONTHS.split(), 1)}
EN_MONTHS.update({m[:3]: float(i) for i, m in enumerate(MONTHS.split(), 1) if m != "may"})

# Number words that count only when a unit follows them.
WORD_NUMBERS: dict[str, dict[str, float]] = {
    "vi": {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8,
           "chín": 9, "mười": 10, "nửa": 0.5},
    "en": {**{w: v for w, v in EN_CARDINALS.items() if w not in ("zero", "dozen")},
           "a dozen": 12, "half an": 0.5, "half a": 0.5, "a": 1, "an": 1},
}  # fmt: skip

UNITS: dict[str, dict[str, str]] = {
    "vi": {
        "USD": "USD", "US$": "USD", "đô la Mỹ": "USD", "đô la": "USD", "đôla": "USD",
        "đô": "USD", "bảng Anh": "GBP", "bảng": "GBP", "euro": "EUR", "rúp": "RUB",
        "nhân dân tệ": "CNY", "VND": "VND", "đồng": "VND", "tiếng đồng hồ": "hour",
        "giờ": "hour", "tiếng": "hour", "phút": "minute", "ngày": "day", "tuần": "week",
        "tháng": "month", "năm": "year", "%": "percent", "phần trăm": "percent",
        "người": "person", "dân thường": "person", "lần": "times", "quả đạn pháo": "shell",
        "quả đạn": "shell", "quả": "shell", "viên đạn": "shell", "phát đạn": "shell",
        "mm": "mm", "km": "km", "mét": "m", "dặm": "mile", "tấn": "tonne",
        "binh sĩ": "person", "lính": "person", "nhân viên": "person", "công nhân": "person",
    },
    "zh": {
        "美元": "USD", "美金": "USD", "英镑": "GBP", "欧元": "EUR", "卢布": "RUB",
        "人民币": "CNY", "元": "CNY", "小时": "hour", "钟头": "hour", "分钟": "minute",
        "天": "day", "星期": "week", "周": "week", "月": "month", "年": "year", "%": "percent",
        "％": "percent", "人": "person", "名": "person", "例": "case", "倍": "times",
        "次": "times", "枚": "shell", "发": "shell", "毫米": "mm", "公里": "km", "千米": "km",
        "米": "m", "英里": "mile", "吨": "tonne", "位": "person",
    },
    "en": {
        "US dollars": "USD", "dollars": "USD", "USD": "USD", "pounds": "GBP", "euros": "EUR",
        "roubles": "RUB", "rubles": "RUB", "yuan": "CNY", "dong": "VND", "hours": "hour",
        "hour": "hour", "minutes": "minute", "minute": "minute", "days": "day", "day": "day",
        "weeks": "week", "week": "week", "months": "month", "month": "month",
        "years": "year", "year": "year", "%": "percent", "percent": "percent",
        "per cent": "percent", "people": "person", "persons": "person", "civilians": "person",
        "times": "times", "artillery shells": "shell", "shells": "shell", "rounds": "shell",
        "mm": "mm", "km": "km", "kilometers": "km", "kilometres": "km", "kilometer": "km",
        "kilometre": "km", "meters": "m", "metres": "m", "miles": "mile", "mile": "mile",
        "tonnes": "tonne", "tons": "tonne", "cases": "case", "employees": "person",
        "workers": "person", "soldiers": "person", "troops": "person", "individuals": "person",
        "residents": "person", "victims": "person", "patients": "person", "children": "person",
    },
}  # fmt: skip
# Units stated in a larger one so that "60 phút" and "1 hour" compare.
SAME_AS = {"minute": ("hour", 1 / 60), "week": ("day", 7.0), "m": ("km", 0.001)}
CURRENCY_SIGNS = {"$": "USD", "US$": "USD", "£": "GBP", "€": "EUR", "USD": "USD", "EUR": "EUR",
                  "GBP": "GBP", "VND": "VND", "CNY": "CNY", "RMB": "CNY"}  # fmt: skip

QUALIFIER_PREFIXES: dict[str, dict[str, str]] = {
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
ZH_QUALIFIER_SUFFIXES = {"多": "more-than", "余": "more-than", "以上": "more-than", "左右": "about",
              "上下": "about", "以下": "less-than", "以内": "less-than"}  # fmt: skip

# "hàng nghìn", "thousands of", "数万": at least that many.
VAGUE = {
    "vi": r"hàng\s+(?P<vague>chục|trăm|nghìn|ngàn|triệu|tỷ)",
    "en": r"(?i:(?P<vague>dozens|hundreds|thousands|millions|billions))\s+of",
    "zh": r"(?:数|上)(?P<vague>十|百|千|万|十万|百万|千万|亿)",
}
VAGUE_VALUES = {"chục": 10.0, "trăm": 100.0, "dozens": 12.0, "hundreds": 100.0, "十": 10.0,
                 "百": 100.0, "上": 1.0}  # fmt: skip

_THOUSANDS = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$")


def digit_values(token: str) -> set[float]:
    """Every value a digit string can have, reading ``.``/``,`` in either convention.

    ``3,8`` is 3.8 (Vietnamese) or nothing else; ``300.000`` is 300,000 or 300.0;
    :func:`parse_digits` picks one value by language, this keeps every candidate
    (the quality check asks whether any reading of the source is in the English).
    """
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
        elif "." not in text and _THOUSANDS.match(text) and not text.startswith("0,"):
            thousands, decimal = ",", "."  # 50,000 written the English way
    else:
        thousands, decimal = ",", "."
        if "." not in text and "," in text and not _THOUSANDS.match(text):
            thousands, decimal = ".", ","  # 3,8 copied from a Vietnamese source
    return float(text.replace(thousands, "").replace(decimal, "."))


def parse_zh_numeral(text: str) -> float:
    """Read a Chinese numeral such as ``三``, ``两千``, ``一亿两千万``, ``二〇二二``.

    Raises:
        ValueError: a character is not a numeral.
    """
    if text == "半":
        return 0.5
    if len(text) > 1 and all(ch in _ZH_DIGITS for ch in text):  # digit by digit: 二〇二二
        return float("".join(str(_ZH_DIGITS[ch]) for ch in text))
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


_ANY_SCALE = "|".join(sorted((re.escape(s) for s in ANY_SCALE), key=len, reverse=True))
_ARABIC = re.compile(rf"(\d+(?:[.,]\d+)*)(?:\s*({_ANY_SCALE})(?![a-zà-ỹ]))?", re.IGNORECASE)
_WORD = re.compile(rf"\b([a-z]+)\b(?:\s+({_ANY_SCALE})\b)?", re.IGNORECASE)
_EN_WORDS = {**EN_CARDINALS, **EN_ORDINALS, **EN_MONTHS}
_ZH_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万亿]+")
# Runs that are words, not numbers ("very", "some", "together", "must", "in case").
_ZH_STOP = {"十分", "一些", "一起", "一直", "一定", "千万", "万一", "一一", "一切", "一样", "一般"}
_ZH_COUNTERS = set("月日年号名人次架艘枚个位项天岁周")


def _zh_values(text: str) -> list[set[float]]:
    found = []
    for match in _ZH_RUN.finditer(text):
        run, after = match.group(), text[match.end() : match.end() + 1]
        if run in _ZH_STOP or run.strip("万亿千百") == "":
            continue
        if len(run) == 1 and (run == "一" or after not in _ZH_COUNTERS):
            continue
        found.append({parse_zh_numeral(run)})
    return found


def number_values(text: str) -> list[set[float]]:
    """Every number stated in ``text``, each as its set of candidate values.

    Digits in either separator convention (:func:`digit_values`) times a scale
    word of any language, English number words, ordinals and month names, and
    Chinese numerals; for the translation quality check, which asks whether the
    numbers of a source reappear in its English.

    Args:
        text: Vietnamese, Chinese or English text.

    Returns:
        One set per number, in order of appearance (Chinese numerals last).
    """
    found: list[set[float]] = []
    for match in _ARABIC.finditer(text):
        values = digit_values(match.group(1))
        scale = ANY_SCALE.get((match.group(2) or "").lower(), 1.0)
        if values:
            found.append({v * scale for v in values})
    for match in _WORD.finditer(text):
        word = match.group(1).lower()
        if word in _EN_WORDS:
            scale = ANY_SCALE.get((match.group(2) or "").lower(), 1.0)
            found.append({_EN_WORDS[word] * scale})
    return found + _zh_values(text)
