"""The ingest stage: per-file status for bad input, ids, duplicates, resume, reuse, CLI."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from pipeline import ingest
from pipeline.cli import main
from pipeline.io.jsonl import read_jsonl, read_records
from pipeline.records import Document
from pipeline.run.runner import run_stage

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ARTICLE = (
    "Lầu Năm Góc kêu gọi Nga duy trì đường dây nóng\n\n"
    "Ngay sau khi Nga thông báo ngừng đường dây nóng với Bộ Quốc phòng Mỹ, Lầu Năm Góc ra "
    "thông báo kêu gọi Moskva tiếp tục mở kênh thông tin liên lạc quân sự này.\n"
)


def _run(tmp_path: Path, *inputs: Path, **options: object) -> tuple[object, dict[str, Document]]:
    config = ingest.Config.from_options({"out": tmp_path / "out", "input": inputs, **options})
    result = ingest.run(config)
    docs = {d.path: d for d in read_records(tmp_path / "out" / "documents.jsonl", Document)}
    return result, docs


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# (file name, bytes, status, reason fragment): the bad inputs of the issue.
BAD = [
    ("empty.txt", b"", "skipped", "empty file"),
    ("blank.txt", b" \n\t\n\xc2\xa0\n", "skipped", "whitespace only"),
    ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "error", "PNG image"),
    ("archive.zip", b"PK\x03\x04\x14\x00\x00\x00", "error", "zip archive"),
    ("nul.txt", b"abc\x00\x00def", "error", "NUL bytes"),
    ("garbage.txt", b"abc \x81\x8d\x80\xff def", "error", "cannot decode"),
    ("oneline.txt", b"abcdefghij " * 20000, "skipped", "no article text"),  # 220,000 chars
    ("russian.txt", "Министр обороны России Сергей Шойгу провёл телефонный разговор с "
     "главой Пентагона Ллойдом Остином по инициативе американской стороны.\n".encode(),
     "ok", None),  # not translated, but detect decides that
]  # fmt: skip


@pytest.mark.parametrize(("name", "data", "status", "reason"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_gets_status_and_good_file_survives(
    tmp_path: Path, name: str, data: bytes, status: str, reason: str | None
) -> None:
    bad = _write(tmp_path / "in" / name, data)
    good = _write(tmp_path / "in" / "zz_good.txt", ARTICLE.encode())
    result, docs = _run(tmp_path, tmp_path / "in")
    assert docs[str(bad)].status == status
    if reason is None:
        assert docs[str(bad)].error is None
    else:
        assert reason in docs[str(bad)].error
    assert docs[str(good)].status == "ok"
    assert result.files[str(bad)]["status"] == status
    assert result.ok == (status != "error")


def test_too_large_is_refused_without_reading(tmp_path: Path, monkeypatch) -> None:
    big = _write(tmp_path / "big.txt", b"x" * 5000)
    monkeypatch.setattr(ingest, "read_bytes", pytest.fail)
    monkeypatch.setattr(ingest, "file_sha256", pytest.fail)
    result, docs = _run(tmp_path, big, max_bytes=1000)
    assert docs[str(big)].status == "error"
    assert "too large (5000 bytes; the limit is 1000" in docs[str(big)].error
    assert result.failures == (f"{big}: {docs[str(big)].error}",)


def test_missing_path_is_an_error_record(tmp_path: Path) -> None:
    good = _write(tmp_path / "a.txt", ARTICLE.encode())
    result, docs = _run(tmp_path, tmp_path / "nope.txt", good)
    assert docs[str(tmp_path / "nope.txt")].error == "not found"
    assert docs[str(good)].status == "ok"
    assert len(result.failures) == 1


@pytest.mark.parametrize("function", ["read_bytes", "file_sha256"])
def test_unreadable_file_via_monkeypatch(tmp_path: Path, monkeypatch, function: str) -> None:
    # chmod 000 does not stop root (the tests' user), so the read itself is made to fail.
    locked = _write(tmp_path / "in" / "locked.txt", ARTICLE.encode())
    good = _write(tmp_path / "in" / "open.txt", (ARTICLE + "\nThêm.\n").encode())
    real = getattr(ingest, function)

    def read(path: Path, *args: object) -> object:
        if path == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args)

    monkeypatch.setattr(ingest, function, read)
    _, docs = _run(tmp_path, tmp_path / "in")
    assert docs[str(locked)].error == "cannot read (Permission denied)"
    assert docs[str(good)].status == "ok"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads chmod 000 files")
def test_unreadable_file_via_chmod(tmp_path: Path) -> None:
    locked = _write(tmp_path / "in" / "locked.txt", ARTICLE.encode())
    locked.chmod(0)
    try:
        _, docs = _run(tmp_path, tmp_path / "in")
    finally:
        locked.chmod(0o644)
    assert docs[str(locked)].status == "error"


def test_duplicates_ids_and_walk_order(tmp_path: Path) -> None:
    first = _write(tmp_path / "in" / "a" / "story.txt", ARTICLE.encode())
    copy = _write(tmp_path / "in" / "b" / "story.txt", ARTICLE.encode())
    _write(tmp_path / "in" / ".hidden.txt", ARTICLE.encode())
    _write(tmp_path / "in" / ".git" / "x.txt", ARTICLE.encode())
    result, docs = _run(tmp_path, tmp_path / "in")
    assert list(docs) == [str(first), str(copy)]  # sorted walk, hidden left out
    assert docs[str(first)].doc_id == "story"
    assert docs[str(copy)].doc_id.startswith("story-") and len(docs[str(copy)].doc_id) == 14
    assert docs[str(copy)].status == "skipped"
    assert docs[str(copy)].duplicate_of == "story"
    assert result.ok


def test_legacy_encoding_is_recorded(tmp_path: Path) -> None:
    zh = (
        "美俄防长首次通话\n\n俄罗斯国防部证实了美俄防长通电话的消息，双方讨论了当前国际安全问题。\n"
    )
    path = _write(tmp_path / "gb.txt", zh.encode("gb18030"))
    _, docs = _run(tmp_path, path)
    doc = docs[str(path)]
    assert (doc.status, doc.encoding, doc.title) == ("ok", "gb18030", "美俄防长首次通话")
    assert (doc.lang, doc.lang_confidence) == ("und", 0.0)


def test_html_page_is_stripped_and_meta_read(tmp_path: Path) -> None:
    page = (
        "<!DOCTYPE html><html><head><meta property='og:site_name' content='Báo Mẫu'>"
        "<meta property='article:published_time' content='2022-05-14T08:38:11+07:00'>"
        "<script>var x = 'không phải bài';</script></head><body><nav>Thế giới</nav>"
        "<h1>Lãnh đạo quốc phòng Mỹ, Nga đối thoại lần đầu</h1>"
        "<p>Cuộc điện đàm ngày 13/5 giữa hai lãnh đạo quốc phòng được thực hiện theo yêu cầu "
        "của ông Austin.</p><p>Cuộc gọi kéo dài khoảng 1 giờ nhưng không giải quyết được vấn "
        "đề cụ thể nào.</p></body></html>"
    )
    path = _write(tmp_path / "page.html", page.encode())
    _, docs = _run(tmp_path, path)
    doc = docs[str(path)]
    assert (doc.title, doc.published, doc.outlet) == (
        "Lãnh đạo quốc phòng Mỹ, Nga đối thoại lần đầu",
        "2022-05-14",
        "Báo Mẫu",
    )
    assert [p.role for p in doc.paragraphs] == ["boilerplate", "title", "body", "body"]
    assert not any("<" in p.text or "var x" in p.text for p in doc.paragraphs)


def test_resume_after_kill_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    _, complete = _run(tmp_path, seeds)
    target = tmp_path / "out" / "documents.jsonl"
    lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
    # A run killed while writing the third record: two full lines and a torn one.
    target.unlink()
    partial = target.with_name("documents.jsonl.partial")
    partial.write_text("".join(lines[:2]) + lines[2][:50], encoding="utf-8")
    _, resumed = _run(tmp_path, seeds)
    assert [json.loads(x)["path"] for x in lines] == list(resumed)
    assert resumed == complete
    assert not partial.exists()


def _never(*args: object) -> None:
    raise AssertionError("ingest_file called for an up-to-date output")


def test_up_to_date_output_is_reused_unless_overwrite(tmp_path: Path, monkeypatch) -> None:
    path = _write(tmp_path / "a.txt", ARTICLE.encode())
    options = {"out": tmp_path / "out", "input": [path]}
    assert not run_stage("ingest", options).reused
    monkeypatch.setattr(ingest, "ingest_file", _never)  # nothing may be redone
    assert run_stage("ingest", options).reused
    monkeypatch.undo()
    assert not run_stage("ingest", {**options, "overwrite": True}).reused
    path.write_bytes(ARTICLE.encode() + "Thêm một câu.\n".encode())
    assert not run_stage("ingest", options).reused  # the input changed


def test_cli_ingests_seeds(tmp_path: Path) -> None:
    assert main(["-q", "ingest", str(SEEDS), "--out", str(tmp_path / "run")]) == 0
    docs = list(read_jsonl(tmp_path / "run" / "documents.jsonl"))
    assert [d["status"] for d in docs] == ["ok"] * 5
    for key in ("doc_id", "path", "sha256", "status", "error", "encoding", "lang",
                "lang_confidence", "title", "published", "outlet", "paragraphs"):  # fmt: skip
        assert key in docs[0]
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["files"]) == 5


def test_cli_bad_file_exits_1_and_keeps_good_ones(tmp_path: Path, capsys) -> None:
    _write(tmp_path / "in" / "good.txt", ARTICLE.encode())
    _write(tmp_path / "in" / "image.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF")
    status = main(["-q", "ingest", str(tmp_path / "in"), "--out", str(tmp_path / "run")])
    assert status == 1
    assert "image.jpg: not text: JPEG image" in capsys.readouterr().err
    docs = {Path(d["path"]).name: d for d in read_jsonl(tmp_path / "run" / "documents.jsonl")}
    assert docs["good.txt"]["status"] == "ok"
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    image = manifest["files"][str(tmp_path / "in" / "image.jpg")]
    assert (image["doc_id"], image["status"]) == ("image", "error")
