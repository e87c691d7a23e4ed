"""Hostile input folders: every file gets exactly one record with a clear status, nothing hangs.

Each case below comes from issue 15 (a hostile user's 44 kinds of bad input):
a FIFO inside an input folder hung ``run`` forever, a symlink to a folder was
dropped without a record, a newline in a file name went raw into ``doc_id``,
bidi controls reached the outputs, UTF-16LE without a BOM was "binary", an
unpunctuated 20,000-character sentence was "no article text", and a partial
output was resumed after its input had been edited.
"""

from __future__ import annotations

import codecs
import json
import os
import random
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline import InputError
from pipeline.ingest import Config, run, safe_id
from pipeline.io.jsonl import read_records
from pipeline.records import Document
from pipeline.run.runner import run_stage

VI = (
    "Bộ trưởng Quốc phòng Mỹ điện đàm với người đồng cấp Nga\n"
    "Bộ trưởng Quốc phòng Mỹ Lloyd Austin hôm 13/5 đã có cuộc điện đàm với Bộ trưởng "
    "Quốc phòng Nga Sergei Shoigu, lần đầu tiên kể từ khi xung đột bắt đầu.\n"
    "Hai bên đã thảo luận về tình hình an ninh khu vực và các vấn đề cùng quan tâm.\n"
)
ZH = (
    "美俄防长通话讨论乌克兰局势\n"
    "美国国防部长奥斯汀13日与俄罗斯国防部长绍伊古通电话，这是冲突开始以来的首次。\n"
)


@pytest.fixture(autouse=True)
def _no_hang() -> Iterator[None]:
    """Fail (instead of hanging the suite) when ingest blocks on an open."""

    def _alarm(signum: int, frame: object) -> None:
        raise TimeoutError("ingest blocked (an open() on a FIFO?)")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _long_sentence() -> str:
    words = "chính phủ họp bàn về kinh tế xã hội hôm nay tại Hà Nội với các bộ ngành địa phương"
    rng = random.Random(15)
    vocab = words.split()
    line = " ".join(rng.choice(vocab) for _ in range(6000))
    return line[:20000].rsplit(" ", 1)[0]


def _hostile_folder(root: Path) -> dict[str, str]:
    """Build a folder of bad and odd inputs; return name -> the status ingest must give."""
    root.mkdir()
    expected: dict[str, str] = {}

    def put(name: str, data: bytes, status: str) -> None:
        (root / name).write_bytes(data)
        expected[name] = status

    put("ok-vi.txt", VI.encode(), "ok")
    put("ok-zh.txt", ZH.encode(), "ok")
    put("empty.txt", b"", "skipped")
    put("blank.txt", b" \n\t\n", "skipped")
    put("nul.txt", b"abc\x00\x01\x02" * 50, "error")
    put("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(64), "error")
    put("utf16le-nobom.txt", VI.encode("utf-16-le"), "ok")
    put("utf16-bom.txt", VI.encode("utf-16"), "ok")
    put("gb18030.txt", ZH.encode("gb18030"), "ok")
    put("bidi.txt", ("\u202e" + VI.replace("Nga", "Nga\u2066\u200f")).encode(), "ok")
    put("zz-copy-of-ok-vi.txt", VI.encode(), "skipped")
    put("noprose.txt", b"Home\nNews\nSport\n", "skipped")
    put("long.txt", ("Tin tức kinh tế hôm nay\n" + _long_sentence() + "\n").encode(), "ok")
    put("huge.txt", b"x" * 200_000, "error")  # over max_bytes below
    put("name\nwith newline.txt", VI.replace("Mỹ", "Hoa Kỳ").encode(), "ok")
    put("bidi\u202ename.txt", VI.replace("Nga", "Liên bang Nga").encode(), "ok")
    os.mkfifo(root / "pipe.txt")
    expected["pipe.txt"] = "error"
    (root / "dangling.txt").symlink_to(root / "nowhere.txt")
    expected["dangling.txt"] = "error"
    elsewhere = root.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "linked.txt").write_text(ZH.replace("13日", "14日"), encoding="utf-8")
    (root / "dirlink").symlink_to(elsewhere, target_is_directory=True)
    expected["dirlink/linked.txt"] = "ok"
    sub = root / "sub"
    sub.mkdir()
    (sub / "inner.txt").write_text(VI.replace("13/5", "14/5"), encoding="utf-8")
    expected["sub/inner.txt"] = "ok"
    (sub / "loop").symlink_to(root, target_is_directory=True)
    expected["sub/loop"] = "skipped"
    return expected


def test_every_hostile_file_gets_exactly_one_record(tmp_path: Path) -> None:
    expected = _hostile_folder(tmp_path / "in")
    result = run(Config(out=tmp_path / "out", input=(tmp_path / "in",), max_bytes=100_000))
    docs = list(read_records(tmp_path / "out" / "documents.jsonl", Document))
    got = {str(Path(d.path).relative_to(tmp_path / "in")): d for d in docs}
    assert len(got) == len(docs)  # no path twice
    assert {k: d.status for k, d in got.items()} == expected
    for d in docs:
        assert d.status == "ok" or d.error, d.path  # every non-ok record says why
    assert "FIFO" in got["pipe.txt"].error
    assert "broken symbolic link" in got["dangling.txt"].error
    assert "already read as" in got["sub/loop"].error
    assert got["zz-copy-of-ok-vi.txt"].duplicate_of == "ok-vi"
    assert got["utf16le-nobom.txt"].encoding == "utf-16-le"
    assert result.counts["documents"] == len(expected)
    assert len(result.failures) == sum(1 for s in expected.values() if s == "error")


def test_text_reaching_outputs_is_safe(tmp_path: Path) -> None:
    _hostile_folder(tmp_path / "in")
    run(Config(out=tmp_path / "out", input=(tmp_path / "in",), max_bytes=100_000))
    docs = {
        Path(d.path).name: d for d in read_records(tmp_path / "out" / "documents.jsonl", Document)
    }
    bidi = docs["bidi.txt"]
    assert bidi.bidi_removed == 1 + 2 * VI.count("Nga")
    controls = set("\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
    for doc in docs.values():
        assert not controls & set(json.dumps(doc.to_dict(), ensure_ascii=False)) - set(doc.path)
        assert safe_id(doc.doc_id) == doc.doc_id
    newline = docs["name\nwith newline.txt"]
    assert newline.doc_id == "name_with newline" and "\n" in newline.path  # original kept
    assert docs["bidi\u202ename.txt"].doc_id == "bidi_name"
    long = docs["long.txt"]
    assert [p.role for p in long.paragraphs] == ["title", "body"]
    assert len(long.paragraphs[1].text) > 19000


def test_long_unpunctuated_sentence_reaches_segments(tmp_path: Path) -> None:
    source = tmp_path / "long.txt"
    source.write_text("Tin tức kinh tế hôm nay\n" + _long_sentence() + "\n", encoding="utf-8")
    run_stage("ingest", {"out": tmp_path / "out", "input": [source]})
    run_stage("detect", {"out": tmp_path / "out"})
    result = run_stage("segment", {"out": tmp_path / "out"})
    assert result.counts["segments"] >= 2  # the title and the long sentence, kept whole or split


def test_a_partial_is_resumed_only_for_unchanged_inputs(tmp_path: Path) -> None:
    # Regression: one input edited between a kill and the rerun kept its stale
    # record, and the manifest recorded the new hash as up to date.
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(4):
        (folder / f"a{n}.txt").write_text(VI.replace("13/5", f"1{n}/5"), encoding="utf-8")
    out = tmp_path / "out"
    run(Config(out=out, input=(folder,)))
    clean = (out / "documents.jsonl").read_bytes()
    lines = clean.splitlines(keepends=True)
    (out / "documents.jsonl").unlink()
    (out / "documents.jsonl.partial").write_bytes(b"".join(lines[:3]) + lines[3][:40])  # killed
    edited = folder / "a1.txt"
    edited.write_text(VI.replace("13/5", "29/5"), encoding="utf-8")
    result = run(Config(out=out, input=(folder,)))
    docs = list(read_records(out / "documents.jsonl", Document))
    assert [Path(d.path).name for d in docs] == [f"a{n}.txt" for n in range(4)]
    again = {Path(d.path).name: d for d in docs}["a1.txt"]
    assert any("29/5" in p.text for p in again.paragraphs)
    assert result.inputs[str(edited)] == again.sha256
    # and a clean run of the edited folder gives the same bytes
    run(Config(out=tmp_path / "fresh", input=(folder,)))
    assert (out / "documents.jsonl").read_bytes() == (
        tmp_path / "fresh" / "documents.jsonl"
    ).read_bytes()


def test_no_input_files_is_an_error_unless_allowed(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / ".hidden.txt").write_text(VI, encoding="utf-8")
    with pytest.raises(InputError, match=r"in: no input files found; pass --allow-empty"):
        run(Config(out=tmp_path / "out", input=(tmp_path / "in",)))
    result = run(Config(out=tmp_path / "out", input=(tmp_path / "in",), allow_empty=True))
    assert result.counts["documents"] == 0


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        (VI, "utf-16-le"),  # issue 15: was "binary data (contains NUL bytes)"
        (VI, "utf-16-be"),
        ("Plain English text, written by a Windows tool.\r\n" * 3, "utf-16-le"),
    ],
)
def test_utf16_without_bom_is_detected(text: str, codec: str) -> None:
    from pipeline.text.decode import decode_bytes, sniff_binary

    data = text.encode(codec)
    assert not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    assert sniff_binary(data) is None
    decoded = decode_bytes(data)
    assert decoded.encoding == codec and decoded.text.startswith(text[:20])


@pytest.mark.parametrize(
    "data",
    [
        b"abc\x00\x01\x02" * 50,  # NULs, but not on one side
        bytes(range(256)) * 4,
        "odd length".encode("utf-16-le") + b"x",  # truncated: not valid UTF-16
        b"A\x00\x01\x00\x02\x00\x03\x00" * 20,  # "UTF-16" of control characters
    ],
)
def test_binary_is_not_mistaken_for_utf16(data: bytes) -> None:
    from pipeline.text.decode import sniff_binary

    assert sniff_binary(data) is not None


def test_a_segment_partial_of_other_documents_is_not_resumed(tmp_path: Path) -> None:
    # The same fault one stage later: segments.jsonl.partial left by a killed
    # segment, then documents.jsonl changed (a re-ingest of edited files).
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(VI, encoding="utf-8")
    out = tmp_path / "out"
    run_stage("ingest", {"out": out, "input": [folder]})
    run_stage("detect", {"out": out})
    run_stage("segment", {"out": out})
    segments = out / "segments.jsonl"
    old = segments.read_bytes()
    segments.rename(segments.with_name("segments.jsonl.partial"))  # as if killed at the end
    stamp = {"inputs": {"elsewhere": "0" * 64}, "settings": {"seed": 0}}
    (out / "segments.jsonl.partial.json").write_text(json.dumps(stamp))
    (folder / "a.txt").write_text(VI.replace("13/5", "29/5"), encoding="utf-8")
    run_stage("ingest", {"out": out, "input": [folder]})
    run_stage("detect", {"out": out})
    run_stage("segment", {"out": out})
    new = segments.read_bytes()
    assert new != old and b"29/5" in new and b"13/5" not in new
    assert not (out / "segments.jsonl.partial.json").exists()
