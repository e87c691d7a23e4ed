"""The cleaner on the five demo pages in seeds/: metadata, body kept whole, chrome gone."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.text.clean import Cleaned, clean_text
from pipeline.text.decode import decode_bytes, strip_stray_tags

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _clean(prefix: str) -> Cleaned:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return clean_text(strip_stray_tags(decode_bytes(path.read_bytes()).text))


def _role(cleaned: Cleaned, start: str) -> str:
    found = [p.role for p in cleaned.paragraphs if p.text.startswith(start)]
    assert found, f"no paragraph starts with {start!r}"
    return found[0]


def _body(cleaned: Cleaned) -> list[str]:
    return [p.text for p in cleaned.paragraphs if p.role == "body"]


# (seed, title, published, outlet, byline)
HEADERS = [
    # PLO: "PLO 01/12/2022 10:17:11" under the title; author in capitals after the body.
    ("000", "Đường dây liên lạc Mỹ-Nga từng được sử dụng một lần kể từ đầu chiến sự Ukraine",
     "2022-12-01", "PLO", "KHOA ĐIỀM"),
    # VietNamNet: timestamp glued to the title; "Theo Tuấn Anh (VietNamNet)".
    ("001", "Lãnh đạo quốc phòng Mỹ, Nga đối thoại lần đầu về cuộc chiến ở Ukraine",
     "2022-05-14", "VietNamNet", "Tuấn Anh"),
    # Baoquocte.vn: no date in the header (24/12/2024 is in the related list); "PV (theo ...)".
    ("002", "Lầu Năm Góc kêu gọi Nga duy trì đường dây nóng", None, "Baoquocte.vn", "PV"),
    # Guancha: "最后更新: 2022-05-14 08:38:11【文/观察者网 熊超然】" glued to the first paragraph.
    ("003", "美俄防长自俄乌冲突以来首次通话,讨论乌克兰问题等当前国际安全问题",
     "2022-05-14", "观察者网", "熊超然"),
    # Telegraph translation: "Joe Barnes, PHÓNG VIÊN BRUSSELS Ngày 29 tháng 11 năm 2023".
    ("004", "Chúng ta có thể tồn tại lâu hơn Nga ở Ukraine, NT Anh Lord Cameron nói với NATO",
     "2023-11-29", "Telegraph", "Joe Barnes"),
]  # fmt: skip


@pytest.mark.parametrize(("seed", "title", "published", "outlet", "byline"), HEADERS)
def test_seed_header(
    seed: str, title: str, published: str | None, outlet: str, byline: str
) -> None:
    cleaned = _clean(seed)
    assert (cleaned.title, cleaned.published, cleaned.outlet, cleaned.byline) == (
        title,
        published,
        outlet,
        byline,
    )
    assert [p.text for p in cleaned.paragraphs if p.role == "title"] == [title]


# (seed, first body paragraph starts, last body paragraph starts, number of body paragraphs)
BODIES = [
    ("000", "Theo hãng tin Reuters , khi xung đột", "Trong thời kỳ Chiến tranh Lạnh", 10),
    ("001", "Ông Austin đã nhiều lần cố gắng", "Các lực lượng Kiev đã tiến hành phản kích", 8),
    ("002", "Ngay sau khi Nga thông báo ngừng", "Trả lời câu hỏi liệu cuộc không kích", 9),
    ("003", "俄乌冲突爆发已近三个月时间", "此前,在俄乌冲突的背景之下", 7),
    ("004", "Ngoại trưởng kêu gọi các đồng minh", "Tuần trước nổi lên thông tin rằng Moscow", 31),
]


@pytest.mark.parametrize(("seed", "first", "last", "count"), BODIES)
def test_seed_body_block(seed: str, first: str, last: str, count: int) -> None:
    body = _body(_clean(seed))
    assert body[0].startswith(first)
    assert body[-1].startswith(last)
    assert len(body) == count


# (seed, line start, role): chrome, captions and credits found by the general rules.
ROLES = [
    ("000", "PLO 01/12/2022", "byline"),
    ("000", "Đường dây liên lạc Mỹ-Nga từng được sử dụng một lần kể từ đầu chiến sự Ukraine-1",
     "boilerplate"),  # image alt copy of the title
    ("000", "Lực lượng Ukraine khai pháo gần Bakhmut", "caption"),  # "... Ảnh: AP."
    ("000", "Ngoại trưởng Ukraine: Một số quốc gia", "boilerplate"),  # teaser headline
    ("000", "(PLO)- Ngoại trưởng Ukraine", "boilerplate"),  # another article's lead
    ("000", "Tin liên quan", "boilerplate"),
    ("000", "Nóng Nga-Ukraine 29-11", "boilerplate"),
    ("000", "Xem tiếp đi", "boilerplate"),
    ("001", "Thế giới", "boilerplate"),  # section name above the title
    ("001", "14/05/2022 06:55", "byline"),  # the stamp split off the title
    ("001", "Theo Tuấn Anh (VietNamNet)", "byline"),
    ("001", "Tin cùng chuyên mục", "boilerplate"),
    ("001", "Nữ sinh Đắk Lắk bất ngờ đỗ tốt nghiệp", "boilerplate"),  # "(19/07)" list item
    ("001", "Bài đọc nhiều", "boilerplate"),
    ("002", "Theo dõi Baoquocte.vn trên", "boilerplate"),
    ("002", "TIN LIÊN QUAN", "boilerplate"),
    ("002", "lau nam goc keu goi nga duy tri duong day nong Lầu Năm góc xác nhận", "boilerplate"),
    ("002", "Phát biểu tại phiên họp khẩn về tình hình Syria", "caption"),  # "(Nguồn: AP)"
    ("002", "Bộ trưởng Quốc phòng James Mattis đã khẳng định", "boilerplate"),  # teaser "..."
    ("002", "PV (theo Chicago Tribune, Mirror)", "byline"),
    ("002", "Đọc thêm", "boilerplate"),
    ("002", "Thông tin lịch cúp điện tại Long An", "boilerplate"),
    ("002", "Phiên bản di động", "boilerplate"),
    ("003", "最后更新: 2022-05-14 08:38:11", "byline"),
    ("003", "今日俄罗斯报道截图", "caption"),
    ("003", "美防长奥斯汀与俄防长绍伊古 资料图", "caption"),
    ("003", "本文系观察者网独家稿件", "boilerplate"),  # copyright notice
    ("003", "- 责任编辑: 熊超然", "byline"),
    ("003", "2022-05-13 22:11 乌克兰之殇 -", "boilerplate"),
    ("003", "“我想问问我的法国同事", "boilerplate"),
    ("003", "相关推荐", "boilerplate"),
    ("004", "Joe Barnes, PHÓNG VIÊN BRUSSELS", "byline"),
    ("004", "Tổng thư ký NATO Jens Stoltenberg và Anthony Blinken", "caption"),
    ("004", "TÍN DỤNG: Polaris / eyevine", "caption"),
    ("004", "‘Tôi sẽ xây dựng sự đồng thuận’", "body"),  # subheading inside the body
    ("004", "Blinken giải quyết câu hỏi viện trợ", "body"),
    ("004", "Telegraph", "byline"),
    ("004", "Tags: , , ,", "boilerplate"),
    ("004", "Comments are closed.", "boilerplate"),
]  # fmt: skip


@pytest.mark.parametrize(("seed", "start", "role"), ROLES)
def test_seed_roles(seed: str, start: str, role: str) -> None:
    assert _role(_clean(seed), start) == role


def test_seed_001_and_003_keep_every_sentence_about_the_13_may_call() -> None:
    vi = " ".join(_body(_clean("001")))
    for key in (
        "cuộc điện đàm ngày 13/5 giữa hai lãnh đạo quốc phòng Mỹ - Nga",
        "Cuộc gọi kéo dài khoảng 1 giờ",
        'cuộc gọi diễn ra theo "sáng kiến của phía Mỹ".',
        "3,8 tỷ USD",
        "Quân đội Ukraine ngày 13/5 đã cho công bố một đoạn video",
    ):
        assert key in vi
    zh = "".join(_body(_clean("003")))
    for key in (
        "美国国防部长奥斯汀与俄罗斯国防部长绍伊古在当天进行了自俄乌冲突以来的首次通话",
        "在美方的提议之下,俄防长绍伊古同美防长奥斯汀进行了电话会谈",
        "5月13日,美防长奥斯汀自2月18日以来首次与俄防长绍伊古进行了会谈",
        "两人最近一次通话是在2月11日",
        "美国国防部官员3月3日曾表示",
    ):
        assert key in zh
    assert "最后更新" not in zh and "熊超然" not in zh


def test_seed_004_html_debris_and_no_break_spaces_are_gone() -> None:
    texts = [p.text for p in _clean("004").paragraphs]
    assert not any("span>" in t or "\xa0" in t for t in texts)
    assert any(t.endswith("lớn hơn Moscow 30 lần.") for t in texts)


def test_scores_are_kept_on_every_paragraph() -> None:
    for p in _clean("002").paragraphs:
        assert {"weight", "sentence_end", "chrome_marker", "body_distance"} <= set(p.scores)
