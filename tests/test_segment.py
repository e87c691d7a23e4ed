"""Sentence splitting golden cases, segment records, the segment stage and resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.detect import detect_document
from pipeline.io.jsonl import read_jsonl, read_records, write_records
from pipeline.records import Document, Paragraph, Segment
from pipeline.segment import segment_document
from pipeline.text.sentences import split_sentences

ZH_QUOTE = (  # seed 003: a quoted statement of two sentences, ASCII comma and colon
    "俄国防部的声明称:“在美方的提议之下,俄防长绍伊古同美防长奥斯汀进行了电话会谈。"
    "双方讨论了当前国际安全问题,包括乌克兰问题。”"
)


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        # seed 003: a sentence ending inside “…。” keeps its closing quote.
        (
            "zh",
            ZH_QUOTE,
            [
                "俄国防部的声明称:“在美方的提议之下,俄防长绍伊古同美防长奥斯汀进行了电话会谈。",
                "双方讨论了当前国际安全问题,包括乌克兰问题。”",
            ],
        ),
        # seed 003: ASCII commas and (CNN) inside Chinese do not split; 。 does.
        (
            "zh",
            "据CNN透露,美国国防部官员3月3日曾表示,美国军方已经建立了渠道。如今,美国有线电视"
            "新闻网(CNN)援引美国防官员的话报道称",
            [
                "据CNN透露,美国国防部官员3月3日曾表示,美国军方已经建立了渠道。",
                "如今,美国有线电视新闻网(CNN)援引美国防官员的话报道称",
            ],
        ),
        # seed 003 sidebar: ASCII ! inside a closing quote, then Han text.
        (
            "zh",
            "“气疯了!”美国年轻选民倒戈:为何牺牲我们?",
            ["“气疯了!”", "美国年轻选民倒戈:为何牺牲我们?"],
        ),
        # Chinese ！？；and … end sentences; 2.5亿 is a number.
        (
            "zh",
            "局势再升级！印度发布禁令；损失2.5亿美元？NASA却…后来呢",
            ["局势再升级！", "印度发布禁令；", "损失2.5亿美元？", "NASA却…", "后来呢"],
        ),
        # seed 001: decimal comma and date 13/5 inside the sentence; split after the date.
        (
            "vi",
            "Mỹ đã chuyển giao khoảng 3,8 tỷ USD ngày 13/5. Đầu tuần này, Hạ viện thông qua 40 tỷ.",
            [
                "Mỹ đã chuyển giao khoảng 3,8 tỷ USD ngày 13/5.",
                "Đầu tuần này, Hạ viện thông qua 40 tỷ.",
            ],
        ),
        # seed 002: full date 8/4/2017, and "..." before a capital ends the sentence.
        (
            "vi",
            "Từ ngày 8/4/2017, Nga ngừng các cam kết tại Syria... Hiện Tướng Konashenkov bác bỏ.",
            [
                "Từ ngày 8/4/2017, Nga ngừng các cam kết tại Syria...",
                "Hiện Tướng Konashenkov bác bỏ.",
            ],
        ),
        # Ellipses followed by lower case continue the sentence (ASCII and Unicode).
        (
            "vi",
            "Ông ấy nói... rằng mọi thứ ổn… và sẽ tiếp tục.",
            ["Ông ấy nói... rằng mọi thứ ổn… và sẽ tiếp tục."],
        ),
        # Thousands separator, TP.HCM, ThS., PGS.TS.: no split.
        (
            "vi",
            "ThS. Nguyễn Văn An và PGS.TS. Lê Bình tại TP.HCM cho biết 300.000 người đã đến. "
            "Họ về.",
            [
                "ThS. Nguyễn Văn An và PGS.TS. Lê Bình tại TP.HCM cho biết 300.000 người đã đến.",
                "Họ về.",
            ],
        ),
        # v.v. (etc.) inside a sentence; TP. before a name.
        (
            "vi",
            "Gạo, cà phê v.v. đều tăng giá ở TP. Hồ Chí Minh.",
            ["Gạo, cà phê v.v. đều tăng giá ở TP. Hồ Chí Minh."],
        ),
        # Initials: "J. Biden"; seed 004: "MT Anderson" (no dot at all).
        (
            "vi",
            "Tổng thống J. Biden gặp ông Tập. MT Anderson, một nhà nghiên cứu, cho biết thêm.",
            ["Tổng thống J. Biden gặp ông Tập.", "MT Anderson, một nhà nghiên cứu, cho biết thêm."],
        ),
        # seed 004: closing quote stays with its sentence.
        (
            "vi",
            "“Nhưng câu trả lời ở NATO hôm nay rất rõ ràng. Chúng ta phải hỗ trợ Ukraine.”",
            ["“Nhưng câu trả lời ở NATO hôm nay rất rõ ràng.", "Chúng ta phải hỗ trợ Ukraine.”"],
        ),
        # seed 000: caption sentence then credit.
        (
            "vi",
            "Lực lượng Ukraine khai pháo gần Bakhmut, vùng Donetsk hôm 20-11. Ảnh: AP.",
            ["Lực lượng Ukraine khai pháo gần Bakhmut, vùng Donetsk hôm 20-11.", "Ảnh: AP."],
        ),
        # English: Mr., U.S. and a question.
        (
            "en",
            "Mr. Austin spoke to the U.S. envoy on May 13. Did it help? Officials said no.",
            ["Mr. Austin spoke to the U.S. envoy on May 13.", "Did it help?", "Officials said no."],
        ),
        # A list number is not a sentence of its own; seed 004 chrome ends the text.
        ("en", "1. Comments are closed.", ["1. Comments are closed."]),
        ("en", "", []),
    ],
)
def test_split_sentences(lang: str, text: str, expected: list[str]) -> None:
    assert split_sentences(text, lang) == expected


def _doc(doc_id: str, *paras: tuple[str, str], status: str = "ok") -> Document:
    return Document(
        doc_id=doc_id,
        path=f"{doc_id}.txt",
        sha256="0" * 64,
        status=status,
        paragraphs=tuple(Paragraph(index=i, role=r, text=t) for i, (r, t) in enumerate(paras)),
    )


VI_DOC = _doc(
    "vi",
    ("title", "Lãnh đạo quốc phòng Mỹ, Nga đối thoại lần đầu về cuộc chiến ở Ukraine"),
    ("body", "Mỹ đã chuyển giao khoảng 3,8 tỷ USD. Hạ viện Mỹ đã thông qua khoản viện trợ. OK."),
    ("boilerplate", "Comments are closed."),
)


def test_segments_carry_ids_roles_and_languages() -> None:
    segs = list(segment_document(detect_document(VI_DOC, ("vi", "zh", "en"))))
    assert [s.seg_id for s in segs] == ["p0s0", "p1s0", "p1s1", "p1s2", "p2s0"]
    assert [s.index for s in segs] == [0, 1, 2, 3, 4]
    assert [s.role for s in segs] == ["title", "body", "body", "body", "boilerplate"]
    assert [s.lang for s in segs] == ["vi", "vi", "vi", "vi", "en"]
    # "OK." alone is und; it takes its paragraph's language and confidence.
    assert segs[3].text == "OK." and segs[3].lang_confidence == segs[1].lang_confidence


def test_only_ok_documents_are_segmented() -> None:
    assert list(segment_document(_doc("x", ("body", "Một câu."), status="skipped"))) == []


def _run_dir(tmp_path: Path) -> Path:
    docs = [
        VI_DOC,
        _doc("zh", ("body", ZH_QUOTE)),
        _doc("ru", ("body", "Министр обороны России провёл телефонный разговор с Пентагоном.")),
    ]
    write_records(tmp_path / "documents.jsonl", docs)
    return tmp_path


def test_stage_runs_after_detect_and_is_reused(tmp_path: Path) -> None:
    out = _run_dir(tmp_path)
    assert main(["-q", "detect", "--out", str(out)]) == 0
    assert main(["-q", "segment", "--out", str(out)]) == 0
    segs = list(read_records(out / "segments.jsonl", Segment))
    assert [(s.doc_id, s.seg_id) for s in segs if s.doc_id == "zh"] == [
        ("zh", "p0s0"),
        ("zh", "p0s1"),
    ]
    assert {s.doc_id for s in segs} == {"vi", "zh"}  # the Russian document was skipped
    assert main(["-q", "segment", "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["stages"]["segment"]["reused"] is True
    assert manifest["stages"]["segment"]["counts"]["segments"] == len(segs)


def test_killed_run_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    out = _run_dir(tmp_path)
    assert main(["-q", "detect", "--out", str(out)]) == 0
    assert main(["-q", "segment", "--out", str(out)]) == 0
    full = (out / "segments.jsonl").read_text(encoding="utf-8")
    lines = full.splitlines(keepends=True)
    # Simulate a kill inside the first document: three lines and a torn fourth.
    (out / "segments.jsonl").unlink()
    partial = out / "segments.jsonl.partial"
    partial.write_text("".join(lines[:3]) + lines[3][:10], encoding="utf-8")
    assert main(["-q", "segment", "--out", str(out)]) == 0
    assert (out / "segments.jsonl").read_text(encoding="utf-8") == full
    assert not partial.exists()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["stages"]["segment"]["counts"]["resumed"] == 3
    keys = [(r["doc_id"], r["seg_id"]) for r in read_jsonl(out / "segments.jsonl")]
    assert len(keys) == len(set(keys))


def test_resumed_and_fresh_runs_count_the_same(tmp_path: Path) -> None:
    # The counts are kept while writing: a resumed run counts the segments the killed
    # run wrote as well as its own, and an id given twice once (as the file has it).
    out = _run_dir(tmp_path)
    assert main(["-q", "detect", "--out", str(out)]) == 0
    docs = (out / "documents.jsonl").read_text(encoding="utf-8")
    (out / "documents.jsonl").write_text(docs + docs.splitlines(keepends=True)[0], "utf-8")
    assert main(["-q", "segment", "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    fresh = manifest["stages"]["segment"]["counts"]
    lines = (out / "segments.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    assert fresh["segments"] == len(lines) and fresh["resumed"] > 0  # the repeated document
    (out / "segments.jsonl").unlink()
    (out / "segments.jsonl.partial").write_text("".join(lines[:4]), encoding="utf-8")
    assert main(["-q", "segment", "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    resumed = manifest["stages"]["segment"]["counts"]
    assert resumed["resumed"] == fresh["resumed"] + 4
    assert {**resumed, "resumed": 0} == {**fresh, "resumed": 0}


def test_run_from_text_files_through_segment(tmp_path: Path) -> None:
    articles = tmp_path / "in"
    articles.mkdir()
    (articles / "vi.txt").write_text(
        "Lãnh đạo quốc phòng Mỹ, Nga đối thoại lần đầu\n\n"
        "Mỹ đã chuyển giao khoảng 3,8 tỷ USD ngày 13/5. Hạ viện Mỹ đã thông qua khoản "
        "viện trợ hơn 40 tỷ USD cho Kiev nhưng Thượng viện nước này chưa phê duyệt.\n",
        encoding="utf-8",
    )
    (articles / "ru.txt").write_text(
        "Шойгу и Остин провели телефонный разговор\n\n"
        "Министр обороны России Сергей Шойгу провёл телефонный разговор с главой "
        "Пентагона Ллойдом Остином по инициативе американской стороны.\n",
        encoding="utf-8",
    )
    out = tmp_path / "run"
    assert main(["-q", "run", str(articles), "--out", str(out), "--until", "segment"]) == 0
    docs = {d.doc_id: d for d in read_records(out / "documents.jsonl", Document)}
    assert {k: (d.lang, d.status) for k, d in docs.items()} == {
        "vi": ("vi", "ok"),
        "ru": ("ru", "skipped"),
    }
    segs = list(read_records(out / "segments.jsonl", Segment))
    assert {s.doc_id for s in segs} == {"vi"}
    assert "Mỹ đã chuyển giao khoảng 3,8 tỷ USD ngày 13/5." in [s.text for s in segs]
