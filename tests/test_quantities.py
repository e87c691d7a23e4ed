"""Quantities: scale, unit and approximation in Vietnamese, Chinese and English."""

from __future__ import annotations

import pytest

from pipeline.facts.quantities import Quantity, find_quantities, quantities_agree
from pipeline.text.numerals import parse_digits, parse_zh_numeral


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # seed 001: arms transferred, the aid bill, the call's length, the war's length
        ("trị giá tổng cộng khoảng 3,8 tỷ USD nhằm", "vi", [(3.8e9, "USD", "about")]),
        ("khoản viện trợ hơn 40 tỷ USD cho Kiev", "vi", [(4e10, "USD", "more-than")]),
        ("Cuộc gọi kéo dài khoảng 1 giờ nhưng", "vi", [(1, "hour", "about")]),
        ("chiến sự bùng phát gần 3 tháng trước", "vi", [(3, "month", "nearly")]),
        ("hàng nghìn dân thường, hàng triệu người", "vi",
         [(1e3, "person", "more-than"), (1e6, "person", "more-than")]),
        # seed 004: shells, times, a caliber, money in two currencies
        ("chỉ mới chuyển giao được 300.000 quả.", "vi", [(3e5, "shell", None)]),
        ("lớn hơn Moscow 30 lần.", "vi", [(30, "times", None)]),
        ("một triệu quả đạn pháo 155 mm", "vi", [(1e6, "shell", None), (155, "mm", None)]),
        ("khoản tài trợ 60 tỷ đô la (47,2 triệu bảng Anh)", "vi",
         [(6e10, "USD", None), (4.72e7, "GBP", None)]),
        ("tăng 1.500,5 phần trăm", "vi", [(1500.5, "percent", None)]),
        # not quantities: clock time, dates, years, bare numbers, ids
        ("Ngày 29 tháng 11 năm 2023 • 8 giờ tối", "vi", []),
        ("cuộc điện đàm ngày 13/5, hồi năm 2015, 31 quốc gia, Ukraine-1", "vi", []),
        # seed 003 and its sidebar
        ("俄乌冲突爆发已近三个月时间", "zh", [(3, "month", "nearly")]),
        ("“400亿美元法案若19日未通过", "zh", [(4e10, "USD", None)]),
        ("美国新增感染96912例、死亡416例", "zh", [(96912, "case", None), (416, "case", None)]),
        ("75亿人不喜欢你", "zh", [(7.5e9, "person", None)]),
        # Chinese numerals, 多/余 after the number, 约 before it
        ("通话持续了一小时", "zh", [(1, "hour", None)]),
        ("超过40多亿美元", "zh", [(4e9, "USD", "more-than")]),
        ("三个多月，100余人，约1小时", "zh",
         [(3, "month", "more-than"), (100, "person", "more-than"), (1, "hour", "about")]),
        ("1.5万人左右", "zh", [(1.5e4, "person", "about")]),
        # not quantities: 两国 (two countries), 一份声明, dates, 5月 (May), 万斯 (Vance)
        ("两国一份声明，2022年5月13日，5月，万斯说", "zh", []),
        # halves and percent written out
        ("通话持续了半小时，百分之五十", "zh", [(0.5, "hour", None), (50, "percent", None)]),
        ("kéo dài nửa giờ, nửa đêm", "vi", [(0.5, "hour", None)]),
        ("half an hour", "en", [(0.5, "hour", None)]),
        # minutes are stated in hours and weeks in days, so they compare
        ("a one-hour call, a 60-minute call, 2 weeks", "en",
         [(1, "hour", None), (1, "hour", None), (14, "day", None)]),
        ("30 phút, 2 tuần", "vi", [(0.5, "hour", None), (14, "day", None)]),
        # WMT23 zh-en: 近半 "nearly half" is nearly 50 %, 半岛 (peninsula) is nothing
        ("近半，半岛", "zh", [(50, "percent", "nearly")]),
        # WMT23 zh-en source lines: an element, an ordinal, one-off, an anniversary, no unit
        ("一个元素，第一次，一次性，二次，10周年，超过三", "zh", []),
        # WMT23 zh-en: 13千米 is 13 km; a year list is two years, not 2000.2005
        ("13千米", "zh", [(13, "km", None)]),
        ("2000,2005 年", "zh", []),
        ("1993.03万人", "zh", [(1.993030e7, "person", None)]),
        # IWSLT15 tst2013 vi: English-style thousands; "một" is "a"; "năm tháng" is "years"
        ("gần 50,000 người", "vi", [(5e4, "person", "nearly")]),
        ("một người, một lần, năm tháng, hơn một tháng, một triệu quả", "vi",
         [(1, "month", "more-than"), (1e6, "shell", None)]),
        ("1,300 employees and 16 kilometers", "en", [(1300, "person", None), (16, "km", None)]),
        # seed 003: 最近一次 is "the most recent time"
        ("两人最近一次通话", "zh", [(2, "person", None)]),
        # English translations
        ("arms worth about $3.8 billion", "en", [(3.8e9, "USD", "about")]),
        ("about USD 3.8 billion, RMB 10,000", "en", [(3.8e9, "USD", "about"), (1e4, "CNY", None)]),
        # a qualifier at the start of a sentence
        ("More than $40 billion. About an hour.", "en",
         [(4e10, "USD", "more-than"), (1, "hour", "about")]),
        ("Hơn 40 tỷ USD. Khoảng 1 giờ", "vi", [(4e10, "USD", "more-than"), (1, "hour", "about")]),
        ("more than $40 billion in aid", "en", [(4e10, "USD", "more-than")]),
        ("the call lasted about an hour", "en", [(1, "hour", "about")]),
        ("delivered 300,000 shells", "en", [(3e5, "shell", None)]),
        ("nearly 3 months ago", "en", [(3, "month", "nearly")]),
        ("nearly three months ago", "en", [(3, "month", "nearly")]),
        ("30 times larger; £47.2m; 60bn dollars", "en",
         [(30, "times", None), (4.72e7, "GBP", None), (6e10, "USD", None)]),
        ("thousands of civilians", "en", [(1e3, "person", "more-than")]),
        # MT copies the Vietnamese decimal comma
        ("worth 3,8 billion USD", "en", [(3.8e9, "USD", None)]),
        # not quantities: years, dates, 5G, "a month" without a qualifier
        ("in 2017, on May 13, 5G networks, once a month", "en", []),
    ],
)  # fmt: skip
def test_find_quantities(
    text: str, lang: str, expected: list[tuple[float, str | None, str | None]]
) -> None:
    found = find_quantities(text, lang)
    assert [(q.value, q.unit, q.qualifier) for q in found] == [
        (pytest.approx(v), u, q) for v, u, q in expected
    ]
    for qty in found:
        assert text[qty.start : qty.end] == qty.surface
        assert qty.approx == (qty.qualifier is not None)


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [("3,8", "vi", 3.8), ("300.000", "vi", 3e5), ("1.500,5", "vi", 1500.5), ("3.8", "vi", 3.8),
     ("300,000", "en", 3e5), ("3.8", "en", 3.8), ("3,8", "en", 3.8),
     ("1,234,567.5", "en", 1234567.5), ("96912", "zh", 96912)],
)  # fmt: skip
def test_parse_digits(text: str, lang: str, value: float) -> None:
    assert parse_digits(text, lang) == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("三", 3),
        ("十五", 15),
        ("二十", 20),
        ("两千", 2000),
        ("一亿两千万", 1.2e8),
        ("三万亿", 3e12),
    ],
)
def test_parse_zh_numeral(text: str, value: float) -> None:
    assert parse_zh_numeral(text) == value


def _q(value: float, unit: str | None, qualifier: str | None = None) -> Quantity:
    return Quantity("", 0, 0, value, unit, qualifier is not None, qualifier)


@pytest.mark.parametrize(
    ("a", "b", "agree"),
    [
        # seed 001 "hơn 40 tỷ USD" vs seed 003 sidebar "400亿美元"
        (_q(4e10, "USD", "more-than"), _q(4e10, "USD"), True),
        (_q(3.8e9, "USD", "about"), _q(3.8e9, "USD"), True),
        (_q(3.8e9, "USD", "about"), _q(4e9, "USD"), True),  # within 10 %
        (_q(3.8e9, "USD"), _q(4.1e9, "USD"), False),  # exact figures differ
        (_q(1, "hour", "about"), _q(2, "hour"), False),
        (_q(3, "month", "nearly"), _q(3, "month"), True),
        (_q(3, "month", "nearly"), _q(4, "month"), False),
        (_q(100, "person", "more-than"), _q(90, "person"), False),
        (_q(100, "person", "less-than"), _q(90, "person"), True),
        (_q(3.8e9, "USD"), _q(3.8e9, "GBP"), False),  # units differ
        # a quantity without a unit compares on its value (WMT23 zh-en: 550万人 / 5,500 thousand)
        (_q(5.5e6, "person"), _q(5.5e6, None), True),
        (_q(5.5e6, "person"), _q(5.6e6, None), False),
        # rounding of the coarser figure (WMT23 zh-en: 1993.03万人 / 19.93 million people)
        (_q(1.993030e7, "person"), _q(1.993e7, "person"), True),
        (_q(3.75e9, "USD"), _q(3.8e9, "USD"), True),
        (_q(4e10, "USD"), _q(4.2e10, "USD"), False),  # one significant digit: exact
        (_q(3.8e9, "USD"), _q(3.9e9, "USD"), False),
        # approx with no qualifier (rebuilt from a bare record) counts as "about"
        (Quantity("", 0, 0, 3.8e9, "USD", True, None), _q(4e9, "USD"), True),
    ],
)
def test_quantities_agree(a: Quantity, b: Quantity, agree: bool) -> None:
    assert quantities_agree(a, b) is agree
    assert quantities_agree(b, a) is agree
