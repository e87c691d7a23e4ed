"""Parquet and Hugging Face datasets exports, the OpusFilter-style filters, relative paths."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from pipeline.corpus.filters import FilterChain, FilterSettings, length_ratio, normalized_key
from pipeline.corpus.formats import public_model
from pipeline.export import Config, run, select_pairs
from pipeline.io.jsonl import write_records
from pipeline.records import Translation

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def _t(seg: str, source: str, translation: str, **kw: object) -> Translation:
    fields: dict[str, object] = {
        "doc_id": "d1",
        "seg_id": seg,
        "index": 0,
        "role": "body",
        "src_lang": "vi",
        "tgt_lang": "en",
        "source": source,
        "translation": translation,
        "model": "/home/someone/models/opus-mt-vi-en@3f2a9c",
    }
    fields.update(kw)
    return Translation(**fields)  # type: ignore[arg-type]


PAIRS = [
    _t("s1", "Ông Austin điện đàm với ông Shoigu.", "Austin spoke with Shoigu."),
    _t("s2", "Cuộc gọi kéo dài khoảng 1 giờ.", "The call lasted about an hour."),
    _t("z1", "美国防长与俄防长通话。", "US and Russian defence chiefs talk.", src_lang="zh"),
]


def _export(tmp_path: Path, pairs: list[Translation], **options: object) -> Path:
    out = tmp_path / "run"
    write_records(out / "translations.jsonl", pairs)
    run(Config.from_options({"out": out, **options}))
    return out / "export"


def test_parquet_holds_every_pair_with_relative_model_names(tmp_path: Path) -> None:
    export = _export(tmp_path, PAIRS, formats=["parquet"])
    table = pq.read_table(export / "corpus.parquet")
    assert table.num_rows == 3
    rows = table.to_pylist()
    assert rows[0]["source"] == PAIRS[0].source and rows[2]["src_lang"] == "zh"
    assert {r["model"] for r in rows} == {"opus-mt-vi-en@3f2a9c"}


def test_hf_layout_has_translation_rows_and_a_card(tmp_path: Path) -> None:
    export = _export(tmp_path, PAIRS, formats=["hf"])
    table = pq.read_table(export / "hf" / "vi-en" / "train-00000-of-00001.parquet")
    assert table.to_pylist()[0] == {
        "translation": {"vi": PAIRS[0].source, "en": PAIRS[0].translation},
        "doc_id": "d1",
        "seg_id": "s1",
    }
    card = (export / "hf" / "README.md").read_text(encoding="utf-8")
    assert "- vi\n" in card and "- zh\n" in card and "num_examples: 2" in card
    assert "opus-mt-vi-en@3f2a9c" in card and "/home/someone" not in card


def test_datasets_loads_the_hf_folder(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets")
    export = _export(tmp_path, PAIRS, formats=["hf"])
    cache = str(tmp_path / "hf-cache")
    loaded = datasets.load_dataset(
        "parquet", data_dir=str(export / "hf" / "vi-en"), cache_dir=cache
    )
    assert loaded["train"].num_rows == 2
    assert loaded["train"][1]["translation"] == {"vi": PAIRS[1].source, "en": PAIRS[1].translation}
    by_config = datasets.load_dataset(str(export / "hf"), "zh-en", cache_dir=cache)
    assert by_config["train"][0]["translation"]["zh"] == PAIRS[2].source


def test_no_export_file_holds_an_absolute_path(tmp_path: Path) -> None:
    # Issue 14: the TMX x-model prop carried /home/... of the machine that translated.
    export = _export(tmp_path, PAIRS, formats=["jsonl", "tmx", "tsv", "moses", "parquet", "hf"])
    for path in export.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"/home/someone" not in data and str(tmp_path).encode() not in data, path
    summary = json.loads((export / "summary.json").read_text(encoding="utf-8"))
    assert summary["input"] == "../translations.jsonl"


@pytest.mark.parametrize(
    ("label", "public"),
    [
        ("/home/me/models/opus-mt-vi-en@3f2a", "opus-mt-vi-en@3f2a"),
        ("/tmp/tiny/", "tiny"),
        ("Helsinki-NLP/opus-mt-vi-en@main", "Helsinki-NLP/opus-mt-vi-en@main"),
        ("models/tiny@ab12", "models/tiny@ab12"),
        ("C:\\models\\tiny@ab", "tiny@ab"),
        ("identity", "identity"),
    ],
)
def test_public_model(label: str, public: str) -> None:
    assert public_model(label) == public


def test_length_ratio_counts_han_characters_as_words() -> None:
    assert length_ratio("美国防长", "US defence chief") == pytest.approx(4 / 3)
    assert length_ratio("Một", "one two three four five six") == 6.0


def test_near_duplicates_ignore_case_punctuation_and_spacing() -> None:
    assert normalized_key("Xin chào!", "Hello, World.") == normalized_key(
        "xin  chào", "hello world"
    )
    assert normalized_key("Có 3 người", "3 people") != normalized_key("Có 4 người", "4 people")


FILTER_CASES = [
    # length ratio: a four-word source with a 20-word "translation" (a loop, a hallucination)
    ([_t("a", "Ông ấy nói vậy.", " ".join(["word"] * 20)), PAIRS[0]], ["length_ratio"], ["s1"],
     "skipped_length_ratio"),
    # language ID: a Chinese line in the vi column, an untranslated copy on the English side
    ([_t("a", "美国防长与俄防长通话。", "US and Russian defence chiefs talk."),
      _t("b", "Cuộc gọi kéo dài khoảng một giờ.", "Cuộc gọi kéo dài khoảng một giờ."), PAIRS[1]],
     ["lang_id"], ["s2"], "skipped_lang_id"),
    # near duplicates: case and punctuation differ only
    ([PAIRS[0], _t("a", "ông austin điện đàm với ông shoigu", "Austin spoke with Shoigu")],
     ["near_duplicate"], ["s1"], "skipped_near_duplicate"),
    # quality flags through the chain
    ([_t("a", "Một", "One", flags=("repetition",)), PAIRS[1]], ["flags"], ["s2"],
     "skipped_flagged"),
]  # fmt: skip


@pytest.mark.parametrize(("pairs", "filters", "kept", "key"), FILTER_CASES)
def test_filters_drop_and_count(
    pairs: list[Translation], filters: list[str], kept: list[str], key: str | None
) -> None:
    config = Config.from_options({"out": Path("unused"), "filters": filters, "drop_flagged": []})
    counts: Counter[str] = Counter()
    chain = FilterChain(config.filter_settings())
    assert [t.seg_id for t in select_pairs(pairs, config, None, counts, chain)] == kept
    dropped = len(pairs) - len(kept)
    assert chain.summary()[filters[0]] == {"enabled": True, "failed": dropped, "dropped": dropped}
    if key:
        assert counts[key] == dropped


def test_flags_filter_drops_any_flag_or_the_named_ones() -> None:
    chain = FilterChain(FilterSettings(enabled=("flags",)))
    assert chain.check("vi", "en", "Một", "One", ("repetition",)) == "flags"
    chain = FilterChain(FilterSettings(enabled=("flags",), drop_flagged=("too_long",)))
    assert chain.check("vi", "en", "Một", "One", ("repetition",)) is None


def test_filter_counts_reach_the_summary(tmp_path: Path) -> None:
    pairs = [*PAIRS, _t("d", "Ông Austin điện đàm với ông Shoigu", "austin spoke with shoigu")]
    export = _export(tmp_path, pairs, formats=["jsonl"], filters=["near_duplicate", "lang_id"])
    summary = json.loads((export / "summary.json").read_text(encoding="utf-8"))
    assert summary["filters"]["near_duplicate"] == {"enabled": True, "failed": 1, "dropped": 1}
    assert summary["filters"]["length_ratio"]["enabled"] is False
    assert summary["counts"]["selected"] == 3
