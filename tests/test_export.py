"""Export stage: every format is valid, filters and dedupe work, writing streams."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from pipeline import ConfigError
from pipeline.corpus.formats import escape_tsv, moses_line, unescape_tsv
from pipeline.corpus.writer import CorpusWriter
from pipeline.export import Config, run, select_pairs
from pipeline.io.jsonl import write_records
from pipeline.records import Document, Translation
from pipeline.run.runner import run_stage

DTD_PATH = Path(__file__).parent / "data" / "tmx14.dtd"


def _t(seg: str, source: str, translation: str | None, **kw: object) -> Translation:
    fields: dict[str, object] = {
        "doc_id": "d1",
        "seg_id": seg,
        "index": 0,
        "role": "body",
        "src_lang": "vi",
        "tgt_lang": "en",
        "source": source,
        "translation": translation,
        "model": "Helsinki-NLP/opus-mt-vi-en",
    }
    fields.update(kw)
    return Translation(**fields)  # type: ignore[arg-type]


# Awkward text each format must survive: XML specials, a control character
# (XML 1.0 forbids it), CR/LF/tab, U+2028 and U+0085 line separators.
NASTY = [
    _t("s1", "Ông Austin & ông Shoigu <điện đàm>", 'Austin & Shoigu "talk" <phone>'),
    _t("s2", "Dòng một\nDòng hai\tcột", "Line one\r\nline two\tcolumn\x07 bell"),
    _t("s3", "Câu\u2028có\x85dấu", "Sentence\u2028with\x85breaks \\ backslash"),
    _t(
        "z1",
        "美国防长奥斯汀与俄防长绍伊古通话",
        "US and Russian defence ministers talk",
        src_lang="zh",
    ),
]


def _run(tmp_path: Path, translations: list[Translation], **options: object) -> Path:
    out = tmp_path / "run"
    write_records(out / "translations.jsonl", translations)
    run(Config.from_options({"out": out, **options}))
    return out / "export"


def test_tmx_is_valid_against_the_tmx14_dtd(tmp_path: Path) -> None:
    export = _run(tmp_path, NASTY, formats=["tmx"])
    dtd = etree.DTD(str(DTD_PATH))
    tree = etree.parse(str(export / "corpus.vi-en.tmx"))
    assert dtd.validate(tree), dtd.error_log.filter_from_errors()
    header = tree.find("header")
    assert header is not None and header.get("srclang") == "vi"
    units = tree.findall("body/tu")
    assert len(units) == 3
    first = units[0]
    props = {p.get("type"): p.text for p in first.findall("prop")}
    assert props == {"x-doc-id": "d1", "x-seg-id": "s1", "x-model": "Helsinki-NLP/opus-mt-vi-en"}
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    segs = {tuv.get(lang): tuv.findtext("seg") for tuv in first.findall("tuv")}
    assert segs == {"vi": NASTY[0].source, "en": NASTY[0].translation}
    # The bell (U+0007) is removed; CR, LF and tab survive as text.
    second = {tuv.get(lang): tuv.findtext("seg") for tuv in units[1].findall("tuv")}
    assert second["en"] == "Line one\r\nline two\tcolumn bell"
    assert etree.parse(str(export / "corpus.zh-en.tmx")).find("header").get("srclang") == "zh"


def test_tmx_multilingual_is_one_valid_file(tmp_path: Path) -> None:
    export = _run(tmp_path, NASTY, formats=["tmx"], tmx_multilingual=True)
    assert sorted(p.name for p in export.iterdir()) == ["corpus.tmx", "summary.json"]
    tree = etree.parse(str(export / "corpus.tmx"))
    assert etree.DTD(str(DTD_PATH)).validate(tree)
    assert tree.find("header").get("srclang") == "*all*"
    assert [tu.get("srclang") for tu in tree.findall("body/tu")] == ["vi", "vi", "vi", "zh"]


def test_moses_files_have_equal_line_counts_and_no_inner_breaks(tmp_path: Path) -> None:
    export = _run(tmp_path, NASTY, formats=["moses"])
    for pair, count in (("vi-en", 3), ("zh-en", 1)):
        src, tgt = pair.split("-")
        sides = [(export / f"corpus.{pair}.{lang}").read_bytes().decode() for lang in (src, tgt)]
        for text in sides:
            lines = text.split("\n")
            assert lines[-1] == "" and len(lines) - 1 == count
            # str.splitlines breaks on every Unicode line separator: one piece per line.
            assert all(len(line.splitlines()) == 1 and "\t" not in line for line in lines[:-1])
    vi = (export / "corpus.vi-en.vi").read_text().split("\n")
    assert vi[1] == "Dòng một Dòng hai cột"


def test_tsv_escapes_and_round_trips(tmp_path: Path) -> None:
    export = _run(tmp_path, NASTY, formats=["tsv"])
    lines = (export / "corpus.tsv").read_text(encoding="utf-8").split("\n")
    assert lines[0] == "src_lang\ttgt_lang\tdoc_id\tseg_id\tsource\ttranslation"
    rows = [line.split("\t") for line in lines[1:-1]]
    assert len(rows) == 4 and all(len(r) == 6 for r in rows)
    assert [unescape_tsv(r[5]) for r in rows[:3]] == [t.translation for t in NASTY[:3]]
    assert rows[1][4] == "Dòng một\\nDòng hai\\tcột"


@pytest.mark.parametrize(
    "text",
    [
        "plain",
        "tab\there",
        "back\\slash\\n not a newline",  # a literal backslash-n must not become a newline
        "\\\\t\n\r\t\\",
    ],
)
def test_tsv_escape_round_trip(text: str) -> None:
    escaped = escape_tsv(text)
    assert "\t" not in escaped and "\n" not in escaped and "\r" not in escaped
    assert unescape_tsv(escaped) == text


def test_jsonl_round_trip(tmp_path: Path) -> None:
    export = _run(tmp_path, NASTY, formats=["jsonl"])
    # splitlines() also breaks on U+2028 and U+0085: the writer must escape them.
    rows = [json.loads(line) for line in (export / "corpus.jsonl").read_text().splitlines()]
    assert [(r["doc_id"], r["seg_id"], r["source"], r["translation"]) for r in rows] == [
        (t.doc_id, t.seg_id, t.source, t.translation) for t in NASTY
    ]
    assert rows[3]["src_lang"] == "zh" and rows[0]["model"] == NASTY[0].model


# Each filter case: (translations, options, expected seg ids, expected skip count key).
FILTER_CASES = [
    # identity English and untranslated pairs are not parallel data
    (
        [_t("a", "Hello", "Hello", status="identity", src_lang="en"), _t("b", "Xin", None)],
        {},
        [],
        None,
    ),
    (
        [_t("a", "Xin", None, status="untranslated", reason="too long"), _t("b", "Chào", "Hi")],
        {},
        ["b"],
        "skipped_untranslated",
    ),
    # captions stay out unless asked for; titles are in by default (issue 14: a plain-text
    # file's headline-like first line is its title, and it is as parallel as the body)
    ([_t("a", "Ảnh", "Photo", role="caption"), _t("b", "Thân", "Body")], {}, ["b"], "skipped_role"),
    (
        [_t("a", "Tựa", "Title", role="title"), _t("b", "Thân", "Body")],
        {"roles": ["body"]},
        ["b"],
        "skipped_role",
    ),
    (
        [_t("a", "Tựa", "Title", role="title"), _t("b", "Thân", "Body")],
        {"roles": ["title", "body"]},
        ["a", "b"],
        None,
    ),
    # flags: any flag, or only the named ones
    (
        [_t("a", "Một", "One", flags=("repeat",)), _t("b", "Hai", "Two", flags=("length",))],
        {"drop_flagged": ["any"]},
        [],
        "skipped_flagged",
    ),
    (
        [_t("a", "Một", "One", flags=("repeat",)), _t("b", "Hai", "Two", flags=("length",))],
        {"drop_flagged": ["length"]},
        ["a"],
        "skipped_flagged",
    ),
    # dedupe keeps the first of identical pairs; a different translation is kept
    (
        [_t("a", "Một", "One"), _t("b", "Một", "One"), _t("c", "Một", "One!")],
        {"dedupe": True},
        ["a", "c"],
        "skipped_duplicate",
    ),
    ([_t("a", "Một", "One"), _t("b", "Một", "One")], {}, ["a", "b"], None),
]


@pytest.mark.parametrize(("items", "options", "kept", "skip_key"), FILTER_CASES)
def test_filters(items: list[Translation], options: dict, kept: list[str], skip_key: str | None):
    counts: Counter[str] = Counter()
    config = Config.from_options({"out": Path("unused"), **options})
    selected = [t.seg_id for t in select_pairs(items, config, None, counts)]
    assert selected == kept
    assert counts["read"] == len(items)
    if skip_key:
        assert counts[skip_key] >= 1


def test_min_lang_confidence_reads_documents(tmp_path: Path) -> None:
    out = tmp_path / "run"
    docs = [
        Document("sure", "a.txt", None, "ok", lang="vi", lang_confidence=0.99),
        Document("unsure", "b.txt", None, "ok", lang="vi", lang_confidence=0.55),
    ]
    write_records(out / "documents.jsonl", docs)
    items = [_t("a", "Một", "One", doc_id="sure"), _t("b", "Hai", "Two", doc_id="unsure")]
    write_records(out / "translations.jsonl", items)
    result = run(Config.from_options({"out": out, "formats": "jsonl", "min_lang_confidence": 0.9}))
    rows = (out / "export" / "corpus.jsonl").read_text().splitlines()
    assert [json.loads(r)["doc_id"] for r in rows] == ["sure"]
    assert result.counts["skipped_lang_confidence"] == 1
    assert str(out / "documents.jsonl") in result.inputs


def test_writer_consumes_a_generator_one_pair_at_a_time(tmp_path: Path) -> None:
    """Each pair is on disk before the next is produced: nothing is collected first."""
    written: list[int] = []

    def pairs(writer: CorpusWriter) -> Iterator[Translation]:
        for i in range(50):
            # Every earlier pair has already been handed to the writer.
            written.append(sum(writer.counts.values()))
            yield _t(f"s{i}", f"Câu {i}", f"Sentence {i}")

    with CorpusWriter(tmp_path, ("jsonl", "moses", "tmx", "tsv")) as writer:
        for t in pairs(writer):
            writer.write(t)
    assert written == [4 * i for i in range(50)]
    assert writer.units["corpus.vi-en.tmx"] == 50


def test_failure_leaves_no_partial_files(tmp_path: Path) -> None:
    def broken() -> Iterator[Translation]:
        yield _t("a", "Một", "One")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError), CorpusWriter(tmp_path, ("tmx", "moses")) as writer:
        for t in broken():
            writer.write(t)
    assert list(tmp_path.iterdir()) == []


def test_counts_summary_and_up_to_date_skip(tmp_path: Path) -> None:
    out = tmp_path / "run"
    write_records(out / "translations.jsonl", NASTY)
    first = run_stage("export", {"out": out})
    assert not first.reused
    assert first.counts["vi-en.tmx"] == 3 and first.counts["zh-en.moses"] == 1
    summary = json.loads((out / "export" / "summary.json").read_text())
    assert summary["files"]["corpus.vi-en.vi"] == 3 and summary["files"]["corpus.jsonl"] == 4
    second = run_stage("export", {"out": out})
    assert second.reused and second.counts == first.counts
    third = run_stage("export", {"out": out, "overwrite": True})
    assert not third.reused
    changed = run_stage("export", {"out": out, "formats": ["tsv"]})
    assert not changed.reused and (out / "export" / "corpus.tsv").exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"formats": ["xml"]}, "export formats: xml"),
        ({"roles": ["footer"]}, "export roles: footer"),
        ({"min_lang_confidence": 1.5}, r"1.5 not in \[0, 1\]"),
    ],
)
def test_bad_settings_are_config_errors(options: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Config.from_options({"out": Path("x"), **options})


def test_moses_line_removes_every_line_separator() -> None:
    # Every character str.splitlines() splits on (Python docs, "str.splitlines").
    separators = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029\t"
    assert moses_line("a" + "b".join(separators) + "z") == "a" + " b" * 10 + " z"


def test_cli_flags_build_the_config(tmp_path: Path) -> None:
    from pipeline.cli import build_parser, main

    args = build_parser().parse_args(
        ["export", "--format", "tmx,moses", "--format", "tsv", "--drop-flagged", "--dedupe"]
    )
    assert args.formats == ["tmx", "moses", "tsv"] and args.drop_flagged == ["any"]
    args = build_parser().parse_args(["export", "--drop-flagged", "repeat,length"])
    assert args.drop_flagged == ["repeat", "length"]
    out = tmp_path / "run"
    write_records(out / "translations.jsonl", NASTY[:1])
    assert main(["export", "--out", str(out), "--format", "moses", "--roles", "body"]) == 0
    assert (out / "export" / "corpus.vi-en.en").read_text() == 'Austin & Shoigu "talk" <phone>\n'


def test_files_of_an_earlier_export_are_removed_when_no_longer_produced(tmp_path: Path) -> None:
    out = tmp_path / "run"
    write_records(out / "translations.jsonl", NASTY)
    run_stage("export", {"out": out, "formats": ["moses"]})
    assert (out / "export" / "corpus.zh-en.zh").exists()
    # The zh-en pair is gone from the input, so its old corpus must not linger.
    write_records(out / "translations.jsonl", NASTY[:3])
    result = run_stage("export", {"out": out, "formats": ["moses"]})
    assert sorted(p.name for p in (out / "export").iterdir()) == [
        "corpus.vi-en.en",
        "corpus.vi-en.vi",
        "summary.json",
    ]
    assert "zh-en.moses" not in result.counts


def test_lone_surrogates_from_json_do_not_break_any_format(tmp_path: Path) -> None:
    # json.loads accepts "\ud800" (a lone surrogate); UTF-8 cannot encode it.
    out = tmp_path / "run"
    out.mkdir()
    row = _t("s\ud800", "Câu \ud800 lẻ", "Lone \udfff surrogate").to_dict()
    (out / "translations.jsonl").write_text(json.dumps(row) + "\n", "ascii")
    run(Config.from_options({"out": out, "formats": ["jsonl", "tsv", "moses", "tmx"]}))
    export = out / "export"
    assert (export / "corpus.vi-en.en").read_text("utf-8") == "Lone \ufffd surrogate\n"
    assert json.loads((export / "corpus.jsonl").read_text("utf-8"))["seg_id"] == "s\ufffd"
    assert etree.DTD(str(DTD_PATH)).validate(etree.parse(str(export / "corpus.vi-en.tmx")))
