"""Line mode: a test set translated line for line, scored against its reference."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.io.jsonl import read_records
from pipeline.records import Document, Segment, Translation
from pipeline.segment import line_segments
from pipeline.text.article import line_document

WMT = Path(__file__).parent / "data" / "wmt23"
SRC = WMT / "generaltest2023.zh-en.src.zh.head50"
REF = WMT / "generaltest2023.zh-en.ref.en.head50"


def test_every_line_is_a_paragraph_and_a_segment() -> None:
    base = Document(doc_id="t", path="t.zh", sha256=None, status="error")
    doc = line_document("第一行。第二句。\r\n\n   \nEnglish line\nlast", base)
    assert [p.text for p in doc.paragraphs] == [
        "第一行。第二句。",
        "",
        "   ",
        "English line",
        "last",
    ]
    assert {p.role for p in doc.paragraphs} == {"body"} and doc.status == "ok"
    doc = Document(
        **{**doc.to_dict(), "paragraphs": doc.paragraphs, "lang": "zh", "lang_confidence": 0.9}
    )
    segs = list(line_segments(doc))
    # one sentence-splittable line stays one segment; empty lines stay; ids are line numbers
    assert [s.seg_id for s in segs] == ["1", "2", "3", "4", "5"]
    assert segs[0].text == "第一行。第二句。" and segs[1].text == ""
    assert segs[1].lang == "zh"  # undetermined (empty) takes the document's language


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The 50 WMT source lines with two empty lines put in, and a reference to match."""
    folder = tmp_path_factory.mktemp("lines")
    src = SRC.read_text("utf-8").splitlines()
    ref = REF.read_text("utf-8").splitlines()
    src[10:10], ref[10:10] = [""], [""]
    src[30:30], ref[30:30] = [""], [""]
    (folder / "test.zh").write_text("\n".join(src) + "\n", "utf-8")
    (folder / "test.en").write_text("\n".join(ref) + "\n", "utf-8")
    return folder / "test.zh", folder / "test.en"


def _run(src: Path, out: Path, model: Path) -> int:
    argv = ["-q", "run", str(src), "--lines", "--out", str(out), "--model", f"zh={model}"]
    argv += ["--max-new-tokens", "8", "--similarity", "lexical", "--backend", "torch"]
    return main(argv)


@pytest.mark.slow
def test_run_lines_writes_one_translation_per_line_and_evaluates(
    source: tuple[Path, Path], tiny_marian: Path, tmp_path: Path, capsys
) -> None:
    src, ref = source
    out = tmp_path / "run"
    assert _run(src, out, tiny_marian) == 0
    segs = list(read_records(out / "segments.jsonl", Segment))
    assert [s.seg_id for s in segs] == [str(n) for n in range(1, 53)]
    assert [s.text for s in segs] == src.read_text("utf-8").splitlines()
    trs = {t.seg_id: t for t in read_records(out / "translations.jsonl", Translation)}
    assert len(trs) == 52 and trs["11"].translation == "" and trs["11"].status == "identity"
    lines = (out / "translations.txt").read_text("utf-8").split("\n")
    assert len(lines) == 53 and lines[-1] == ""  # 52 lines, each ended by \n
    assert lines[10] == lines[30] == "" and all(lines[i] for i in (0, 9, 11, 51))
    capsys.readouterr()
    assert main(["evaluate", "--ref", str(ref), "--out", str(out), "--bootstrap", "0"]) == 0
    assert "ours" in capsys.readouterr().out
    data = json.loads((out / "evaluation.json").read_text("utf-8"))
    assert data["systems"] == ["ours"] and len(data["segments"]) == 52
    assert data["segments"][0]["hypotheses"]["ours"] == lines[0]


@pytest.mark.slow
def test_line_mode_resumes_from_the_cache(
    source: tuple[Path, Path], tiny_marian: Path, tmp_path: Path
) -> None:
    src, _ = source
    out = tmp_path / "run"
    assert _run(src, out, tiny_marian) == 0
    first = (out / "translations.txt").read_text("utf-8")
    (out / "translations.txt").unlink()  # as if killed before the text file was written
    assert _run(src, out, tiny_marian) == 0
    assert (out / "translations.txt").read_text("utf-8") == first
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    counts = manifest["stages"]["translate"]["counts"]
    assert counts.get("model_texts", 0) == 0 and counts["cached"] > 0


def test_a_line_mode_run_does_not_resume_a_sentence_run(tmp_path: Path) -> None:
    src = tmp_path / "two.zh"
    src.write_text("第一句。第二句。\n第三句。\n", "utf-8")
    out = tmp_path / "run"
    assert main(["-q", "run", str(src), "--out", str(out), "--until", "segment"]) == 0
    sentences = (out / "segments.jsonl").read_text("utf-8")
    # as if that run had been killed while segmenting, then rerun in line mode
    (out / "segments.jsonl").unlink()
    (out / "segments.jsonl.partial").write_text(sentences, "utf-8")
    (out / "segments.jsonl.partial.json").write_text('{"settings": {"seed": 0}}', "utf-8")
    assert main(["-q", "run", str(src), "--lines", "--out", str(out), "--until", "segment"]) == 0
    segs = list(read_records(out / "segments.jsonl", Segment))
    assert [(s.seg_id, s.text) for s in segs] == [("1", "第一句。第二句。"), ("2", "第三句。")]
