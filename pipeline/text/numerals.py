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
    "CURRENCY_SIGNS",
    "QUALIFIER_PREFIXES",
    "SAME_AS",
    "SCALES",
    "UNITS",
    "VAGUE",
    "VAGUE_VALUES",
    "WORD_NUMBERS",
    "ZH_QUALIFIER_SUFFIXES",
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

# Number words that count only when a unit follows them.
WORD_NUMBERS: dict[str, dict[str, float]] = {
    "vi": {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7, "tám": 8,
           "chín": 9, "mười": 10, "nửa": 0.5},
    "en": {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
           "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
           "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100,
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
