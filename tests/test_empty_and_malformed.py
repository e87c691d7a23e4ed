"""Empty and malformed stage inputs: a clear error naming the file and line, good output kept.

Issue 15: detect, segment, translate, export and report given an empty JSONL
exited 0 and replaced their existing output with 0 bytes (export deleted the
corpus); segment dropped a document without ``paragraphs`` silently; errors
gave the record number instead of the line; align said "expected one
translations and one documents JSONL file" for an empty file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import InputError
from pipeline.cli import main
from pipeline.io.jsonl import read_jsonl, read_records, write_records
from pipeline.records import Translation
from pipeline.run.runner import run_stage

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
DATA = Path(__file__).resolve().parent / "data" / "align"


def _translations(n: int = 3) -> list[Translation]:
    return [
        Translation(
            doc_id="d1",
            seg_id=f"p{i}s0",
            index=i,
            role="body",
            src_lang="vi",
            tgt_lang="en",
            source=f"Câu số {i} của bài báo.",
            translation=f"Sentence number {i} of the article.",
            model="m",
        )
        for i in range(n)
    ]


@pytest.fixture(scope="module")
def segmented(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    run_stage("ingest", {"out": out, "input": [SEEDS]})
    run_stage("detect", {"out": out})
    run_stage("segment", {"out": out})
    return out


@pytest.mark.parametrize(
    ("stage", "empty"),
    [
        ("detect", "documents.jsonl"),
        ("segment", "documents.jsonl"),
        ("translate", "segments.jsonl"),
        ("report", "documents.jsonl"),
    ],
)
def test_an_empty_input_stops_the_stage_and_keeps_its_output(
    tmp_path: Path, segmented: Path, stage: str, empty: str, capsys: pytest.CaptureFixture[str]
) -> None:
    empty_file = tmp_path / empty
    empty_file.write_text("\n")  # a blank line is no record either
    out = tmp_path / "out"
    out.mkdir()
    kept = out / "keep.jsonl"
    kept.write_text("{}\n")
    status = main(["-q", stage, "--out", str(out), "--input", str(empty_file)])
    err = capsys.readouterr().err
    assert status == 2
    assert f"{empty_file}: empty (no records)" in err and "--allow-empty" in err
    assert sorted(p.name for p in out.iterdir()) == [".lock", "keep.jsonl"]  # nothing written


def test_export_given_an_empty_file_does_not_delete_the_corpus(tmp_path: Path) -> None:
    write_records(tmp_path / "translations.jsonl", _translations())
    run_stage("export", {"out": tmp_path})
    corpus = {p.name: p.read_bytes() for p in (tmp_path / "export").iterdir()}
    assert "corpus.jsonl" in corpus
    (tmp_path / "translations.jsonl").write_text("")
    with pytest.raises(InputError, match=r"translations\.jsonl: empty \(no records\)"):
        run_stage("export", {"out": tmp_path})
    assert {p.name: p.read_bytes() for p in (tmp_path / "export").iterdir()} == corpus


def test_allow_empty_accepts_it_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "documents.jsonl").write_text("")
    result = run_stage("detect", {"out": tmp_path, "allow_empty": True})
    assert result.counts.get("documents", 0) == 0
    assert "empty input (--allow-empty)" in caplog.text


def test_align_given_an_empty_file_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "translations.jsonl"
    empty.write_text("")
    status_err = pytest.raises(InputError, match=r"translations\.jsonl: empty \(no records\)")
    with status_err:
        run_stage("align", {"out": tmp_path, "input": [empty], "similarity": "lexical"})
    with pytest.raises(InputError, match=r"translations\.jsonl: empty \(no records\)"):
        run_stage("align", {"out": tmp_path, "similarity": "lexical"})


def test_segment_refuses_a_document_without_paragraphs(tmp_path: Path, segmented: Path) -> None:
    lines = (segmented / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    broken = json.loads(lines[1])
    del broken["paragraphs"]
    lines[1] = json.dumps(broken, ensure_ascii=False)
    bad = tmp_path / "documents.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(
        InputError, match=r"documents\.jsonl:2: Document: missing field 'paragraphs'"
    ):
        run_stage("segment", {"out": tmp_path, "input": [bad]})
    assert not (tmp_path / "segments.jsonl").exists()


@pytest.mark.parametrize(
    ("line", "what"),
    [
        ('{"doc_id": "d1", "seg_id": ', "not valid JSON (Expecting value at column 28)"),
        ("[1, 2]", "expected a JSON object, got list"),
        ('{"doc_id": "d1"}', "Translation: missing field 'seg_id'"),
    ],
)
def test_malformed_jsonl_errors_give_the_true_line(tmp_path: Path, line: str, what: str) -> None:
    # Regression: a bad record on line 4 after a blank line was "record 3".
    good = [json.dumps(t.to_dict()) for t in _translations(2)]
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join([good[0], "", good[1], line]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        list(read_records(path, Translation))
    assert str(caught.value).startswith(f"{path}:4: ")
    assert what in str(caught.value)


def test_bytes_that_are_not_utf8_name_their_line(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_bytes(b'{"a": 1}\n{"a": "caf\xe9"}\n')
    with pytest.raises(InputError, match=r"d\.jsonl:2: not UTF-8"):
        list(read_jsonl(path))
