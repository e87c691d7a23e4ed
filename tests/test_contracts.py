"""The shared contracts: records, JSONL I/O, resumable writes, config validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import ConfigError, InputError
from pipeline.io.jsonl import ResumableJsonlWriter, read_jsonl, read_records, write_records
from pipeline.records import Document, Paragraph, Segment, Translation
from pipeline.run.config import load_config
from pipeline.run.stage import StageConfig


def _doc() -> Document:
    para = Paragraph(index=0, role="body", text="Xin chào.", scores={"length": 9.0})
    return Document(doc_id="a", path="a.txt", sha256="00", status="ok", paragraphs=(para,))


def test_record_round_trip() -> None:
    doc = _doc()
    again = Document.from_dict(json.loads(json.dumps(doc.to_dict())))
    assert again == doc
    assert isinstance(again.paragraphs[0], Paragraph)


def test_records_are_frozen() -> None:
    with pytest.raises(AttributeError):
        _doc().doc_id = "b"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"doc_id": "a", "path": "p", "sha256": None}, "missing field 'status'"),
        ({"doc_id": "a", "path": "p", "sha256": None, "status": "weird"}, "not one of"),
        ({"doc_id": "a", "path": 3, "sha256": None, "status": "ok"}, "Document.path"),
    ],
)
def test_record_validation_names_field(data: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Document.from_dict(data)


def test_unknown_keys_are_ignored_for_imported_files() -> None:
    seg = Segment.from_dict(
        {
            "doc_id": "d",
            "seg_id": "x",
            "index": 0,
            "paragraph": 0,
            "role": "body",
            "lang": "en",
            "lang_confidence": 1,
            "text": "Hi.",
            "extra": 1,
        }
    )
    assert seg.lang_confidence == 1.0


def test_read_jsonl_reports_true_line_number(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"a": 1}\n\n{"a": 2}\n{broken\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"x\.jsonl:4: not valid JSON"):
        list(read_jsonl(path))


def test_read_records_names_file_and_field(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text('{"doc_id": "d"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="missing field 'seg_id'"):
        list(read_records(path, Translation))


def test_write_is_atomic_when_generator_fails(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    write_records(path, [_doc()])

    def broken():
        yield _doc()
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        write_records(path, broken())
    assert len(list(read_jsonl(path))) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["docs.jsonl"]


def test_resumable_writer_cuts_torn_line_and_resumes(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    with ResumableJsonlWriter(target, key=lambda o: o["k"]) as w:
        w.write({"k": "1"})
        w.write({"k": "2"})
    # Simulate a kill in the middle of writing the third line.
    with w.partial.open("a", encoding="utf-8") as handle:
        handle.write('{"k": "3", "tr')
    with ResumableJsonlWriter(target, key=lambda o: o["k"]) as w2:
        assert w2.done == {"1", "2"}
        for k in ["1", "2", "3", "4"]:
            if k not in w2.done:
                w2.write({"k": k})
        w2.commit()
    assert [o["k"] for o in read_jsonl(target)] == ["1", "2", "3", "4"]
    assert not w2.partial.exists()


def test_config_rejects_unknown_table_and_key(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[translat]\nbeam_size = 4\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown table \[translat\]"):
        load_config(cfg, ("translate",))
    cfg.write_text("[run]\nuntill = 'x'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown key 'untill'"):
        load_config(cfg, ("translate",))


def test_stage_config_rejects_unknown_setting() -> None:
    with pytest.raises(ConfigError, match="unknown setting 'bem_size'"):
        StageConfig.from_options({"out": "o", "bem_size": 3})
    config = StageConfig.from_options({"out": "o", "input": ["a.jsonl"]})
    assert config.input == (Path("a.jsonl"),)


def test_atomic_writes_give_ordinary_file_modes(tmp_path: Path) -> None:
    # Regression: mkstemp creates 0600 files, so every output was private to its writer.
    import os
    import stat

    path = tmp_path / "docs.jsonl"
    write_records(path, [_doc()])
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


@pytest.mark.parametrize(
    ("cls", "data", "message"),
    [
        # The generated decoders keep the messages of the generic one they replaced.
        (Paragraph, {"index": True, "role": "body", "text": ""}, "Paragraph.index: expected int"),
        (Paragraph, {"index": 0, "role": "body", "text": "", "lang_confidence": True}, "a number"),
        (Paragraph, {"index": 0, "role": "body", "text": "", "scores": []}, "expected an object"),
        (Document, {"doc_id": "a", "path": "p", "sha256": 3, "status": "ok"}, "unexpected value 3"),
        (Document, {"doc_id": "a", "path": "p", "sha256": None, "status": "ok", "paragraphs": 1},
         "Document.paragraphs: expected a list"),
        (Document, {"doc_id": "a", "path": "p", "sha256": None, "status": "ok", "paragraphs": [1]},
         "Paragraph: expected an object, got int"),
        (Translation, {"doc_id": "d", "seg_id": "s", "index": 0, "role": "body", "src_lang": "vi",
                       "tgt_lang": "en", "source": "x", "translation": None, "model": "m",
                       "flags": "split"}, "Translation.flags: expected a list"),
    ],
)  # fmt: skip
def test_decoders_name_field_and_value(cls: type, data: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cls.from_dict(data)


def test_decoders_convert_like_the_types_say() -> None:
    para = Paragraph.from_dict({"index": 0, "role": "body", "text": "x", "lang_confidence": 1})
    assert para.lang_confidence == 1.0 and isinstance(para.lang_confidence, float)
    doc = Document.from_dict({**_doc().to_dict(), "paragraphs": [para.to_dict()]})
    assert doc.paragraphs == (para,) and doc.title is None and doc.size_bytes == 0


def test_a_record_with_an_unsupported_union_fails_on_first_use() -> None:
    from dataclasses import dataclass

    from pipeline.records import Record

    @dataclass(frozen=True)
    class Odd(Record):
        value: int | str

    with pytest.raises(TypeError, match=r"X \| None unions only"):
        Odd.from_dict({"value": 1})
