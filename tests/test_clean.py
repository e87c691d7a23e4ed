"""General cleaning rules on made-up pages, and the header readers behind them."""

from __future__ import annotations

import pytest

from pipeline.text.clean import clean_text, split_units
from pipeline.text.header import find_date, parse_credit
from pipeline.text.lines import fold, sentence_end, signature_kind

PROSE = (
    "Bộ trưởng Quốc phòng hai nước đã có cuộc điện đàm kéo dài khoảng một giờ, "
    "theo xác nhận của cả hai bên vào tối thứ Sáu."
)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("PLO 01/12/2022 10:17:11", "2022-12-01"),  # seed 000
        ("14/05/2022 06:55", "2022-05-14"),  # seed 001
        ("最后更新: 2022-05-14 08:38:11", "2022-05-14"),  # seed 003
        ("Ngày 29 tháng 11 năm 2023 • 8 giờ tối", "2023-11-29"),  # seed 004
        ("2022年5月14日 08:38", "2022-05-14"),
        ("31/02/2022", None),  # not a date
        ("ngày 7/4", None),  # no year: not a publication date
    ],
)
def test_find_date(text: str, iso: str | None) -> None:
    found = find_date(text)
    assert (found[0] if found else None) == iso


@pytest.mark.parametrize(
    ("text", "header", "byline", "outlet"),
    [
        ("Theo Tuấn Anh (VietNamNet)", False, "Tuấn Anh", "VietNamNet"),  # seed 001
        ("PV (theo Chicago Tribune, Mirror)", False, "PV", None),  # seed 002
        ("最后更新: 2022-05-14 08:38:11【文/观察者网 熊超然】", True, "熊超然", "观察者网"),
        ("Joe Barnes, PHÓNG VIÊN BRUSSELS Ngày 29 tháng 11 năm 2023", True, "Joe Barnes", None),
        ("PLO 01/12/2022 10:17:11", True, None, "PLO"),  # seed 000
        ("Ngày 17/2/2017, người phát ngôn cho biết các thành viên cấp cao đã rời đi.", True,
         None, None),  # a body sentence with a date is not a credit
        ("PLO 01/12/2022 10:17:11", False, None, None),  # dated credits only in the header
        ("Thứ Bảy, 14/05/2022 06:55", True, None, None),  # a weekday is not a byline
    ],
)  # fmt: skip
def test_parse_credit(text: str, header: bool, byline: str | None, outlet: str | None) -> None:
    credit = parse_credit(text, header=header)
    got = (credit.byline, credit.outlet) if credit else (None, None)
    assert got == (byline, outlet)


@pytest.mark.parametrize(
    ("text", "kind"),
    [("KHOA ĐIỀM", "byline"), ("Telegraph", "outlet"), ("Joe Barnes", "byline"),
     ("Thế giới hôm nay có gì mới", None), ("Tags: , , ,", None), ("Xin chào.", None)],
)  # fmt: skip
def test_signature_kind(text: str, kind: str | None) -> None:
    assert signature_kind(text) == kind


def test_fold_makes_slugs_comparable() -> None:
    assert fold("Lầu Năm Góc kêu gọi Nga duy trì đường dây nóng") == (
        "lau nam goc keu goi nga duy tri duong day nong"
    )


@pytest.mark.parametrize(
    ("text", "ends"),
    [("Câu.", True), ("“Câu trích.”", True), ("Hỏi?", True), ("Cắt ngang ...", False),
     ("截图", False), ("完了。", True), ("(19/07)", False)],
)  # fmt: skip
def test_sentence_end(text: str, ends: bool) -> None:
    assert sentence_end(text) is ends


def test_split_units_splits_glued_stamp_only_before_a_headline() -> None:
    units = split_units("14/05/2022 06:55Lãnh đạo hai nước đối thoại lần đầu\n2022-05-14 07:28 A -")
    assert units == [
        ("14/05/2022 06:55", True),
        ("Lãnh đạo hai nước đối thoại lần đầu", False),
        ("2022-05-14 07:28 A -", False),
    ]


def test_made_up_page_roles() -> None:
    page = "\n".join(
        [
            "Trang chủ",  # navigation before the title
            "Hai bộ trưởng quốc phòng điện đàm lần đầu",
            "Thứ Bảy, 14/05/2022 06:55",
            PROSE,
            "hai bo truong quoc phong dien dam lan dau",  # slug of the title
            "Hai bộ trưởng trong một cuộc gặp trước đây. (Ảnh: Reuters)",
            PROSE.replace("một giờ", "hai giờ"),
            "Đọc thêm",
            "- Giá vàng hôm nay tăng mạnh (19/07)",
            "- Thời tiết Hà Nội chuyển lạnh (19/07)",
            "© Bản quyền thuộc về báo Mẫu",
        ]
    )
    cleaned = clean_text(page)
    assert [p.role for p in cleaned.paragraphs] == [
        "boilerplate", "title", "byline", "body", "boilerplate", "caption", "body",
        "boilerplate", "boilerplate", "boilerplate", "boilerplate",
    ]  # fmt: skip
    assert cleaned.published == "2022-05-14"
    assert (cleaned.byline, cleaned.outlet) == (None, None)


def test_no_prose_means_no_body_and_is_linear_on_a_huge_line() -> None:
    cleaned = clean_text("abcdefghij " * 20000)
    assert [p.role for p in cleaned.paragraphs] == ["boilerplate"]
    assert cleaned.title is None


# Issue 14: plain-text files of news prose without page chrome lost lines as "no article text"
# (WMT23 zh lines of 78-193 characters without a final 。, IWSLT'15 vi lines without punctuation).
PLAIN_CASES = [
    # a first line ending like a sentence is not a title; every line is body
    ("Hai đôi tất để đi học , mỗi đôi để che lỗ thủng trên đôi kia .\n"
     "Về nhà ở đâu ?\nCó chút gì cứng lại trong tôi .\n", ["body", "body", "body"]),
    # a headline-like first line is the title; lines without final punctuation stay body
    ("美俄防长首次通话讨论乌克兰问题\n双方讨论了当前国际安全问题，包括乌克兰局势\n会谈持续约一小时\n",
     ["title", "body", "body"]),
    # speech transcript lines without any punctuation (the first reads as a title: exported too)
    ("Chúng ta thích cải tiến\nCòn có rất nhiều cá\nVà nhiều hơn nữa\n", ["title", "body", "body"]),
    # a line without letters or digits is not text
    ("Một câu văn xuôi khá dài ở đây .\n***\nMột câu khác .\n", ["body", "boilerplate", "body"]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "roles"), PLAIN_CASES)
def test_plain_text_keeps_every_line_of_prose(text: str, roles: list[str]) -> None:
    cleaned = clean_text(text)
    assert [p.role for p in cleaned.paragraphs] == roles


def test_chrome_marker_turns_the_plain_rule_off() -> None:
    text = "Tin liên quan\nMột câu .\n"
    assert all(not p.scores.get("plain") for p in clean_text(text).paragraphs)
    assert clean_text(text, plain=False).paragraphs[0].role == "boilerplate"
