"""The patterns that find dates in Vietnamese, Chinese and English text.

Each pattern has a kind that says how :mod:`pipeline.facts.dates` resolves it:
``ymd``/``dmy`` (full dates), ``dm`` (day and month), ``d`` (a bare day),
``my`` (month), ``y`` (year), ``wd`` (weekday) and ``rel`` (``yesterday``,
``năm ngoái``, ``上个月``). Groups: ``y``, ``m``, ``mon`` (English month name),
``mw`` (Vietnamese month word), ``d``, ``part`` (``底``, ``cuối``, ``end of``:
approximate), ``fwd`` (``tới``: the coming one), ``wd``, ``rel``.

Bare ``D/M`` is only read after a word that announces a date (``ngày``,
``hôm``, ``chiều``..., English ``on``/``since``), which keeps ``24/7``,
scores and ``3,8`` out.
"""

from __future__ import annotations

import re

__all__ = [
    "EN_MONTHS",
    "EN_WEEKDAYS",
    "PATTERNS",
    "RELATIVE",
    "VI_MONTHS",
    "VI_WEEKDAYS",
    "ZH_WEEKDAYS",
]

EN_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
EN_MONTH = (
    r"(?P<mon>Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?"
    r"|Aug(?:ust|\.)?|Sept?(?:ember|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)"
)
EN_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Month names: "tháng Bảy" (July), "tháng mười" (October), "tháng Giêng" (January).
VI_MONTHS = {"giêng": 1, "một": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5, "sáu": 6,
              "bảy": 7, "tám": 8, "chín": 9, "mười": 10, "mười một": 11, "mười hai": 12,
              "chạp": 12}  # fmt: skip
VI_MONTH_WORDS = "|".join(sorted(VI_MONTHS, key=len, reverse=True))
VI_WEEKDAYS = {"hai": 0, "ba": 1, "tư": 2, "năm": 3, "sáu": 4, "bảy": 5}
ZH_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
# Words for a day, month or year relative to publication: (unit, offset).
RELATIVE = {
    "yesterday": ("day", -1), "hôm qua": ("day", -1), "昨天": ("day", -1),
    "today": ("day", 0), "hôm nay": ("day", 0), "今天": ("day", 0),
    "last month": ("month", -1), "上个月": ("month", -1),
    "this month": ("month", 0), "本月": ("month", 0),
    "last year": ("year", -1), "năm ngoái": ("year", -1), "去年": ("year", -1),
    "this year": ("year", 0), "năm nay": ("year", 0), "今年": ("year", 0),
}  # fmt: skip

Y = r"(?P<y>(?:19|20)\d\d)"
VI_KW = r"(?:ngày|hôm|chiều|sáng|trưa|tối|đêm|khuya)"
PATTERNS: dict[str, list[tuple[str, re.Pattern[str]]]] = {
    "all": [
        ("ymd", re.compile(rf"(?<!\d){Y}-(?P<m>\d\d)-(?P<d>\d\d)(?!\d)")),
        ("dmy", re.compile(rf"(?<![\d/.,-])(?P<d>\d{{1,2}})[/.-](?P<m>\d{{1,2}})[/.-]{Y}(?!\d)")),
    ],
    "vi": [
        (
            "dmy",
            re.compile(
                rf"(?i:{VI_KW})\s+(?P<d>\d{{1,2}})\s+tháng\s+(?P<m>\d{{1,2}})"
                rf"(?:(?:\s*năm\s*|\s*,\s*|/){Y})?(?!\d)"
            ),
        ),
        ("dm", re.compile(rf"(?i:{VI_KW})\s+(?P<d>\d{{1,2}})[/-](?P<m>\d{{1,2}})(?![\d/.,-]\d)")),
        (
            "my",
            re.compile(
                rf"(?P<part>(?i:cuối|đầu|giữa))\s+tháng\s+(?P<m>\d{{1,2}})(?:/{Y})?(?![\d/-])"
            ),
        ),
        (
            "my",
            re.compile(
                rf"(?<!\d)(?<!\d\s)(?i:tháng)\s+(?P<m>\d{{1,2}})(?:(?:\s*năm\s*|/){Y})?"
                r"(?![\d/-])(?P<fwd>\s+tới)?"
            ),
        ),
        (
            "my",
            re.compile(
                rf"(?<!\d)(?<!\d\s)(?i:tháng)\s+(?P<mw>(?i:{VI_MONTH_WORDS}))(?!\w)"
                rf"(?!\s+(?i:lần|người|ngày|tuần|tháng|giờ))(?:\s+(?:năm\s+)?{Y})?"
            ),
        ),
        ("y", re.compile(rf"(?i:năm)\s+{Y}(?!\d)")),
        (
            "wd",
            re.compile(
                r"(?i:(?:hôm|vào)\s+(?P<wd>thứ\s+(?:hai|ba|tư|năm|sáu|bảy)|chủ nhật))(?!\w)"
            ),
        ),
        ("rel", re.compile(r"(?i:(?P<rel>hôm qua|hôm nay|năm ngoái|năm nay))(?!\w)")),
    ],
    "zh": [
        ("dmy", re.compile(rf"{Y}\s?年\s?(?P<m>\d{{1,2}})\s?月\s?(?P<d>\d{{1,2}})\s?[日号]")),
        ("dm", re.compile(r"(?<!\d)(?P<m>\d{1,2})\s?月\s?(?P<d>\d{1,2})\s?[日号]")),
        ("d", re.compile(r"(?<![\d月.])(?P<d>\d{1,2})[日号](?!\d)")),
        (
            "my",
            re.compile(
                rf"{Y}\s?年\s?(?P<m>\d{{1,2}})\s?月(?P<part>底|末|初|中旬|上旬|下旬)?(?![\d日号])"
            ),
        ),
        (
            "my",
            re.compile(r"(?<![\d.])(?P<m>\d{1,2})月(?P<part>底|末|初|中旬|上旬|下旬)?(?![\d日号])"),
        ),
        ("y", re.compile(rf"(?<!\d){Y}\s?年(?!\d)")),
        ("wd", re.compile(r"(?<![上下本这])(?:星期|礼拜|周)(?P<wd>[一二三四五六日天])")),
        ("rel", re.compile(r"(?P<rel>昨天|今天|上个月|本月|去年|今年)")),
    ],
    "en": [
        ("dmy", re.compile(rf"\b{EN_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+{Y}\b)?")),
        (
            "dmy",
            re.compile(
                rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{EN_MONTH}(?![a-z])(?:,?\s+{Y}\b)?"
            ),
        ),
        (
            "dm",
            re.compile(r"(?i:\b(?:on|since|from|until|by))\s+(?P<d>\d{1,2})/(?P<m>\d{1,2})\b(?!/)"),
        ),
        (
            "my",
            re.compile(
                r"(?P<part>(?i:\b(?:(?:the\s+)?(?:end|beginning|start|middle)\s+of|early|late|mid-?)))"
                rf"\s*{EN_MONTH}(?:,?\s+{Y})?\b(?!\s+\d)"
            ),
        ),
        ("my", re.compile(rf"\b{EN_MONTH},?\s+{Y}\b")),
        (
            "my",
            re.compile(
                r"(?i:\b(?:in|since|from|until|till|by|during|of|early|late|mid-?|last|next|this))"
                rf"\s+(?:(?i:early|late|mid-?)\s*)?{EN_MONTH}\b(?!\s+\d)"
            ),
        ),
        (
            "y",
            re.compile(
                r"(?i:\b(?:in|since|from|until|till|by|during|of|before|after|early|late|mid-?|year))"
                rf"\s+(?:(?i:early|late|mid-?)\s*)?{Y}\b(?![-/]\d)"
            ),
        ),
        (
            "d",
            re.compile(
                r"(?i:\b(?:on|since|from|until|by)\s+the)\s+(?P<d>\d{1,2})(?:st|nd|rd|th)\b"
            ),
        ),
        ("wd", re.compile(r"\b(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")),
        (
            "rel",
            re.compile(
                r"(?i:\b(?P<rel>yesterday|today|last month|this month|last year|this year)\b)"
            ),
        ),
    ],
}

# A date in a "since X" / "after X" clause dates what the sentence measures
# from, not what it reports ("the first talks since November 2022" reports the
# talks): the marker stands before the date (``kể từ``, ``自``, "since") or after
# it (``以来``, ``会晤后``), with no clause break between.
REFERENCE_BEFORE = {
    "vi": re.compile(r"(?i:\b(?:kể từ|từ khi|từ sau|tính từ))[^,.;:!?]{0,60}$"),
    "zh": re.compile(r"[自从继][^，。；：！？,;:]{0,20}$"),
    "en": re.compile(r"(?i:\bsince\b)[^,.;:!?]{0,40}$"),
}
REFERENCE_AFTER = {
    "vi": re.compile(r"^(?!)"),
    "zh": re.compile(r"^[^，。；：！？,;:]{0,16}?(?:以来|(?:会晤|会面|会谈|通话|见面|会议)之?后)"),
    "en": re.compile(r"^(?!)"),
}
