"""Quality flags and the numbers behind them, on known strings."""

from __future__ import annotations

import pytest

from pipeline.mt.quality import assess, copy_ratio, length_ratio, repetition
from pipeline.text.numerals import number_values


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("3,8 tỷ USD", [{3.8e9}]),  # Vietnamese decimal comma and scale (issue text)
        ("300.000 người", [{300000.0, 300.0}]),  # Vietnamese thousands dot
        ("400亿元", [{4e10}]),  # Chinese scale 亿 (issue text)
        ("40 billion yuan", [{4e10}]),
        ("两千三百万", [{2.3e7}]),
        ("二〇二二年", [{2022.0}]),
        # Regression: 万 after 亿 multiplied the whole number (3.00005e12); one parser now
        ("三亿五千万人", [{3.5e8}]),
        ("一万二千", [{12000.0}]),
        ("5月13日", [{5.0}, {13.0}]),  # the date of the Austin-Shoigu call, Chinese seed
        ("ngày 13/5", [{13.0}, {5.0}]),  # the same date, Vietnamese seed
        ("May 13, 2022", [{13.0}, {2022.0}, {5.0}]),
        ("十分重要", []),  # 十分 means "very"
        ("一个", []),  # 一 alone is usually "a"
        ("三名", [{3.0}]),
        ("the second call", [{2.0}]),
    ],
)
def test_number_values(text: str, values: list[set[float]]) -> None:
    assert number_values(text) == values


@pytest.mark.parametrize(
    ("source", "translation", "flags"),
    [
        # numbers kept across conventions and scales: no flag
        (
            "Mỹ chi 3,8 tỷ USD cho 300.000 người.",
            "The US spent 3.8 billion dollars on 300,000 people.",
            (),
        ),
        ("中国投入400亿元。", "China invested 40 billion yuan.", ()),
        # Regression: the flag read "5m" as 5 while find_quantities read 5e6 (one reader now)
        ("Mỹ viện trợ 5 triệu USD.", "The US gave $5m in aid.", ()),
        ("中国投入400亿元。", "China invested 400 million yuan.", ("numbers_missing",)),
        ("Cuộc gọi ngày 13/5 kéo dài một giờ.", "The call on May 13 lasted an hour.", ()),
        # degenerate output of a model: repeated n-grams, and too short for the source
        (
            "Bộ trưởng Quốc phòng Mỹ đã điện đàm với người đồng cấp Nga.",
            "the the the the the",
            ("repetition", "too_short"),
        ),
        # the source copied through untranslated
        (
            "美国防长奥斯汀与俄罗斯防长绍伊古通话",
            "美国防长奥斯汀与俄罗斯防长绍伊古通话",
            ("too_short", "copied_source"),
        ),
        ("Nga và Mỹ điện đàm.", "Nga và Mỹ điện đàm.", ("copied_source",)),
        # far longer than the source
        ("Mỹ và Nga điện đàm hôm nay.", "x " * 60, ("repetition", "too_long")),
        # OPUS-MT answers emoji-only input with nothing (transformers #15323); too short
        # to be "too_short", so it needs its own flag
        ("😀🇻🇳", "", ("empty",)),
        ("Mỹ và Nga điện đàm hôm nay, ông Austin nói.", " ", ("too_short", "empty")),
    ],
)
def test_assess_flags(source: str, translation: str, flags: tuple[str, ...]) -> None:
    assert assess(source, translation)[0] == flags


def test_quality_numbers_are_raw() -> None:
    _, quality = assess("Mỹ chi 3,8 tỷ USD.", "The US spent money.")
    assert quality["numbers_source"] == 1.0
    assert quality["numbers_missing"] == 1.0


def test_length_ratio_weighs_chinese_characters() -> None:
    ratio, expected = length_ratio("美国俄罗斯", "America Russia")
    assert expected == 5 * 3.5
    assert ratio == pytest.approx(14 / 17.5)


def test_repetition_and_copy_ratio() -> None:
    assert repetition("a b c a b c a b c") == (3, 1)
    assert repetition("no no no no") == (2, 4)
    assert copy_ratio("Mỹ và Nga", "US and Russia") == (0.0, 2)
