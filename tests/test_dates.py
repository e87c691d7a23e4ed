"""Dates in Vietnamese, Chinese and English, resolved against the publication date."""

from __future__ import annotations

import pytest

from pipeline.facts.dates import date_spans, find_dates, parse_published

PUB_001 = "2022-05-14"  # seed 001 (VietNamNet), 14/05/2022 06:55
PUB_003 = "2022-05-14 08:38:11"  # seed 003 (Guancha), 最后更新: 2022-05-14 08:38:11


@pytest.mark.parametrize(
    ("text", "lang", "published", "expected"),
    [
        # seed 001: the Austin-Shoigu call
        ("cuộc điện đàm ngày 13/5 giữa", "vi", PUB_001, [("2022-05-13", "day", False)]),
        # seed 000 (PLO, 01/12/2022): day-month with a dash after "hôm"
        ("tên lửa rơi nhầm vào lãnh thổ Ba Lan hôm 15-11.", "vi", "2022-12-01",
         [("2022-11-15", "day", False)]),
        ("Lực lượng Ukraine khai pháo gần Bakhmut hôm 20-11.", "vi", "2022-12-01",
         [("2022-11-20", "day", False)]),
        # seed 002 (2017): afternoon of 7/4, a full date, a year
        ("Trước đó, chiều 7/4, Bộ Quốc phòng Nga", "vi", "2017-04-08",
         [("2017-04-07", "day", False)]),
        ("từ ngày 8/4/2017, Nga chính thức", "vi", None, [("2017-04-08", "day", False)]),
        ("can dự quân sự tại Syria hồi năm 2015", "vi", None, [("2015", "year", False)]),
        # seed 000: month precision
        ("Khi được công bố vào tháng 3, Lầu Năm Góc", "vi", "2022-12-01",
         [("2022-03", "month", False)]),
        # seed 004 byline: the full Vietnamese form
        ("Ngày 29 tháng 11 năm 2023 • 8 giờ tối", "vi", None, [("2023-11-29", "day", False)]),
        # seed 004: "vào tháng 11 tới" is the coming November, a year after publication
        ("cuộc bầu cử vào tháng 11 tới", "vi", "2023-11-29", [("2024-11", "month", False)]),
        # seed 004: weekday relative to publication (a Wednesday)
        ("nói với các đồng minh hôm thứ Tư", "vi", "2023-11-29", [("2023-11-29", "day", True)]),
        # IWSLT15 tst2013 vi: month names in words; "một tháng" is a duration
        ("một tuần của tháng mười, tới Tháng Bảy", "vi", "2023-06-15",
         [("2022-10", "month", False), ("2023-07", "month", False)]),
        ("vào tháng Giêng năm 2020, tháng năm 2011, một tháng", "vi", None,
         [("2020-01", "month", False), ("2011-05", "month", False)]),
        # year rollback: late December read in early January is last year's
        ("ngày 28/12", "vi", "2023-01-05", [("2022-12-28", "day", False)]),
        ("tháng 12", "vi", "2023-01-05", [("2022-12", "month", False)]),
        # an upcoming date a few days after publication keeps the publication year
        ("ngày 19/5", "vi", "2022-05-14", [("2022-05-19", "day", False)]),
        # guards: hours "24/24", "24/7", decimal commas and headline dates are not dates
        ("hoạt động 24/24, phục vụ 24/7, khoảng 3,8 tỷ USD", "vi", PUB_001, []),
        ("Mưa to ở Hà Nội (19/07)", "vi", PUB_001, []),
        ("gần 3 tháng trước", "vi", PUB_001, []),
        # seed 003
        ("据今日俄罗斯(RT)当地时间5月13日报道", "zh", PUB_003, [("2022-05-13", "day", False)]),
        ("俄罗斯国防部13日晚些时候证实", "zh", PUB_003, [("2022-05-13", "day", False)]),
        ("美防长奥斯汀自2月18日以来首次", "zh", PUB_003, [("2022-02-18", "day", False)]),
        ("柯比在3月底曾表示", "zh", PUB_003, [("2022-03", "month", True)]),
        ("2017年", "zh", None, [("2017", "year", False)]),
        # WMT23 zh-en: a bare day after a full date is in that date's month; spaced forms
        ("2月11日……10日", "zh", "2023-06-15",
         [("2023-02-11", "day", False), ("2023-02-10", "day", False)]),
        ("1989 年 11 月 13 日，1990 年", "zh", None,
         [("1989-11-13", "day", False), ("1990", "year", False)]),
        ("2022年5月13日", "zh", None, [("2022-05-13", "day", False)]),
        ("最后更新: 2022-05-14 08:38:11", "zh", None, [("2022-05-14", "day", False)]),
        # not dates: a count, 5G, a person count
        ("美国新增感染96912例、死亡416例，3个月", "zh", PUB_003, []),
        # English translations
        ("the May 13 phone call", "en", PUB_001, [("2022-05-13", "day", False)]),
        ("on 13 May 2022 the ministers", "en", None, [("2022-05-13", "day", False)]),
        ("since February 18", "en", PUB_001, [("2022-02-18", "day", False)]),
        ("in March 2017", "en", None, [("2017-03", "month", False)]),
        ("annexed in 2014", "en", None, [("2014", "year", False)]),
        ("released in the year 2000", "en", None, [("2000", "year", False)]),
        ("at the end of March", "en", PUB_001, [("2022-03", "month", True)]),
        ("in late March 2017", "en", None, [("2017-03", "month", True)]),
        ("cuối tháng 3", "vi", PUB_001, [("2022-03", "month", True)]),
        # US-style month/day can only be read one way when the day is over 12
        ("on 5/13", "en", PUB_001, [("2022-05-13", "day", False)]),
        ("told allies on Wednesday", "en", "2023-11-29", [("2023-11-29", "day", True)]),
        ("a call last month", "en", PUB_001, [("2022-04", "month", True)]),
        ("the call on 13/5 between", "en", PUB_001, [("2022-05-13", "day", False)]),
        ("on the 13th", "en", PUB_001, [("2022-05-13", "day", False)]),
        ("December 28", "en", "2023-01-05", [("2022-12-28", "day", False)]),
        # relative words, resolved against publication
        ("năm ngoái và năm nay, hôm qua", "vi", PUB_001,
         [("2021", "year", True), ("2022", "year", True), ("2022-05-13", "day", True)]),
        ("去年，上个月，今天", "zh", PUB_003,
         [("2021", "year", True), ("2022-04", "month", True), ("2022-05-14", "day", True)]),
        # "may" the verb is not May
        ("Moscow may 3 times", "en", PUB_001, []),
    ],
)  # fmt: skip
def test_find_dates(
    text: str, lang: str, published: str | None, expected: list[tuple[str, str, bool]]
) -> None:
    found = find_dates(text, lang, published)
    assert [(d.iso, d.precision, d.approx) for d in found] == expected
    for mention in found:
        assert text[mention.start : mention.end] == mention.surface


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("ngày 13/5", "vi"),  # needs the publication year
        ("13日晚些时候", "zh"),  # needs the publication month
        ("on Friday", "en"),  # needs the publication date
    ],
)
def test_yearless_dates_need_publication(text: str, lang: str) -> None:
    assert find_dates(text, lang, None) == []
    assert date_spans(text, lang), "the span still reads as a date"


@pytest.mark.parametrize(
    ("published", "expected"),
    [("2022-05-14", "2022-05-14"), ("2022-05-14T08:38:11+08:00", "2022-05-14"), ("", None),
     ("14/05/2022", None), (None, None)],
)  # fmt: skip
def test_parse_published(published: str | None, expected: str | None) -> None:
    got = parse_published(published)
    assert (got.isoformat() if got else None) == expected


@pytest.mark.parametrize(
    ("text", "lang", "published", "iso"),
    [
        # tests/data/events_blind b03: March of last year, not of the publication year.
        ("Tháng 3 năm ngoái, ông Tập đã thăm Moskva.", "vi", "2024-05-17", "2023-03"),
        # tests/data/events h04: 去年11月 is November 2022 in an article of November 2023.
        ("两国元首继去年11月巴厘岛会晤后再次会谈。", "zh", "2023-11-16", "2022-11"),
        ("今年7月28日，两国元首曾通电话。", "zh", "2022-11-15", "2022-07-28"),
    ],
)
def test_a_yearless_date_beside_a_relative_year_takes_it(
    text: str, lang: str, published: str, iso: str
) -> None:
    dates = [d.iso for d in find_dates(text, lang, published) if d.precision != "year"]
    assert dates == [iso]
