"""The translate stage end to end with the tiny random-weight Marian model.

The outputs of random weights are nonsense, so these tests check behaviour:
order, completeness, roles, identity, cache hits, resume, splitting, and a
missing model not stopping the other languages.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main
from pipeline.io.jsonl import read_records, write_records
from pipeline.mt.marian_translator import MarianTranslator
from pipeline.mt.registry import ResolvedModel
from pipeline.mt.translator import GenerationSettings, Translator
from pipeline.records import Segment, Translation
from pipeline.translate import Config, run

# Sentences from the seed articles (seeds/000..004), plus English and undetermined ones.
ROWS = [
    ("vi1", "title", "vi", "Đường dây liên lạc Mỹ-Nga từng được sử dụng một lần"),
    (
        "vi1",
        "body",
        "vi",
        "Bộ trưởng Quốc phòng Mỹ Lloyd Austin điện đàm với ông Shoigu ngày 13/5.",
    ),
    ("vi1", "byline", "vi", "PLO"),
    ("vi1", "body", "vi", "Đường dây liên lạc Mỹ-Nga từng được sử dụng một lần"),  # repeated source
    ("zh1", "title", "zh", "美国防长奥斯汀与俄罗斯防长绍伊古通话"),
    ("zh1", "caption", "zh-cn", "这是自2月24日以来两人首次通话。"),
    ("en1", "body", "en", "The call lasted about an hour."),
    ("en1", "body", "und", "12:30"),
    ("fr1", "body", "fr", "Les ministres se sont parlé."),
]
FAST = {"max_new_tokens": 4, "beam_size": 1, "device": "cpu"}


def _segments(out: Path, rows: list[tuple[str, str, str, str]] = ROWS) -> list[Segment]:
    segs = [
        Segment(doc, f"{doc}:{i}", i, i, role, lang, 0.9, text)
        for i, (doc, role, lang, text) in enumerate(rows)
    ]
    write_records(out / "segments.jsonl", segs)
    return segs


class Counting:
    """Wraps a translator and records every text sent to the model."""

    def __init__(self, inner: Translator, calls: list[str]) -> None:
        self.inner = inner
        self.calls = calls
        self.name, self.model_id, self.revision = inner.name, inner.model_id, inner.revision
        self.backend = inner.backend

    @property
    def max_tokens(self) -> int:
        return self.inner.max_tokens

    def settings(self) -> dict[str, Any]:
        return self.inner.settings()

    def count_tokens(self, texts: list[str]) -> list[int]:
        return self.inner.count_tokens(texts)

    def translate_batch(self, texts: list[str]) -> list[str]:
        self.calls.extend(texts)
        return self.inner.translate_batch(texts)


def _counting(calls: list[str]) -> Any:
    def factory(model: ResolvedModel, settings: GenerationSettings) -> Translator:
        return Counting(MarianTranslator(model, settings), calls)

    return factory


def _config(out: Path, folder: Path, **extra: Any) -> Config:
    options = {"out": out, "model": (f"vi={folder}", f"zh={folder}"), **FAST}
    options.update(extra)
    return Config.from_options(options)


def _read(out: Path) -> list[Translation]:
    return list(read_records(out / "translations.jsonl", Translation))


def test_stage_translates_selected_segments_in_order(tmp_path: Path, tiny_marian: Path) -> None:
    segs = _segments(tmp_path)
    calls: list[str] = []
    result = run(_config(tmp_path, tiny_marian), _counting(calls))
    got = _read(tmp_path)
    selected = [s for s in segs if s.role != "byline"]
    assert [t.seg_id for t in got] == [s.seg_id for s in selected]
    by_id = {t.seg_id: t for t in got}
    assert by_id["vi1:0"].status == "translated" and by_id["vi1:0"].translation
    assert by_id["vi1:0"].model == by_id["zh1:4"].model != "identity"
    assert by_id["zh1:5"].src_lang == "zh-cn" and by_id["zh1:5"].status == "translated"
    assert (by_id["en1:6"].status, by_id["en1:6"].translation) == ("identity", ROWS[6][3])
    assert by_id["en1:7"].status == "untranslated" and "undetermined" in (
        by_id["en1:7"].reason or ""
    )
    assert by_id["fr1:8"].status == "untranslated" and "--model fr=" in (
        by_id["fr1:8"].reason or ""
    )
    assert all(t.tgt_lang == "en" for t in got)
    assert all("length_ratio" in t.quality for t in got if t.status == "translated")
    # the repeated Vietnamese title went to the model once
    assert calls.count(ROWS[0][3]) == 1 and len(calls) == 4
    assert result.ok and result.counts["translated"] == 5


def test_rerun_hits_the_cache(tmp_path: Path, tiny_marian: Path) -> None:
    _segments(tmp_path)
    first: list[str] = []
    run(_config(tmp_path, tiny_marian), _counting(first))
    before = (tmp_path / "translations.jsonl").read_text(encoding="utf-8")
    again: list[str] = []
    result = run(_config(tmp_path, tiny_marian, overwrite=True), _counting(again))
    assert first and again == []
    assert result.counts["cached"] == len(first)
    assert (tmp_path / "translations.jsonl").read_text(encoding="utf-8") == before


def test_changed_settings_miss_the_cache(tmp_path: Path, tiny_marian: Path) -> None:
    _segments(tmp_path)
    run(_config(tmp_path, tiny_marian), _counting([]))
    calls: list[str] = []
    run(_config(tmp_path, tiny_marian, max_new_tokens=3), _counting(calls))
    assert len(calls) == 4


class Killed(Exception):
    """Stands for the process being killed mid-run."""


def _killing(calls: list[str], after: int) -> Any:
    """A factory whose translator dies at its batch number ``after``."""

    def factory(model: ResolvedModel, settings: GenerationSettings) -> Translator:
        inner = Counting(MarianTranslator(model, settings), calls)
        real = inner.translate_batch

        def translate_batch(texts: list[str]) -> list[str]:
            if len(calls) >= after:
                raise Killed
            return real(texts)

        inner.translate_batch = translate_batch  # type: ignore[method-assign]
        return inner

    return factory


def test_resume_after_a_kill(tmp_path: Path, tiny_marian: Path) -> None:
    _segments(tmp_path)
    run(
        _config(tmp_path / "clean", tiny_marian, input=(tmp_path / "segments.jsonl",)),
        _counting([]),
    )
    expected = (tmp_path / "clean" / "translations.jsonl").read_text(encoding="utf-8")
    config = _config(tmp_path, tiny_marian, chunk_size=2, batch_size=1)
    first: list[str] = []
    with pytest.raises(Killed):
        run(config, _killing(first, after=2))
    partial = tmp_path / "translations.jsonl.partial"
    written = partial.read_text(encoding="utf-8").splitlines(True)
    assert (
        0 < len(written) < expected.count("\n") and not (tmp_path / "translations.jsonl").exists()
    )
    # a torn last line, as a kill in the middle of a write leaves
    partial.write_text("".join(written) + written[0][:15], encoding="utf-8")
    again: list[str] = []
    result = run(config, _counting(again))
    assert result.counts["resumed"] == len(written)
    assert not set(first) & set(again)  # nothing translated twice
    assert (tmp_path / "translations.jsonl").read_text(encoding="utf-8") == expected
    assert not partial.exists() and not (tmp_path / "translations.jsonl.partial.json").exists()


def test_partial_of_other_settings_is_dropped(tmp_path: Path, tiny_marian: Path) -> None:
    _segments(tmp_path)
    config = _config(tmp_path, tiny_marian, chunk_size=2, batch_size=1)
    with pytest.raises(Killed):
        run(config, _killing([], after=2))
    result = run(_config(tmp_path, tiny_marian, max_new_tokens=3), _counting([]))
    assert result.counts["resumed"] == 0


def test_long_segments_are_split_and_rejoined(tmp_path: Path, tiny_marian: Path) -> None:
    clause = "quân đội Mỹ và Nga đã thiết lập đường dây liên lạc số"
    # eight different clauses: far beyond the tiny model's 64 positions
    text = ", ".join(f"{clause} {i}" for i in range(8)) + "."
    _segments(tmp_path, [("vi1", "body", "vi", text), ("vi1", "body", "vi", "Mỹ và Nga.")])
    calls: list[str] = []
    run(_config(tmp_path, tiny_marian), _counting(calls))
    long, short = _read(tmp_path)
    assert long.pieces > 1 and "split" in long.flags and long.translation
    assert short.pieces == 1 and "split" not in short.flags
    assert len(calls) == long.pieces + 1
    pieces = [p for p in calls if p != "Mỹ và Nga."]
    assert all(p in text for p in pieces)  # nothing dropped or truncated:
    assert sum(len(p.replace(" ", "")) for p in pieces) == len(text.replace(" ", ""))


def test_missing_model_leaves_other_languages_translated(tmp_path: Path, tiny_marian: Path) -> None:
    _segments(tmp_path)
    config = _config(
        tmp_path, tiny_marian, model=("vi=parallax-test/no-such-model", f"zh={tiny_marian}")
    )
    result = run(config, _counting([]))
    got = {t.seg_id: t for t in _read(tmp_path)}
    assert got["vi1:0"].status == "untranslated"
    assert "parallax models fetch vi" in (got["vi1:0"].reason or "")
    assert got["zh1:4"].status == "translated"
    assert not result.ok and result.failures[0].startswith("vi: model parallax-test/no-such-model")
    # a failed run is not "up to date": fixing the model and rerunning translates vi
    calls: list[str] = []
    run(_config(tmp_path, tiny_marian), _counting(calls))
    assert _read(tmp_path)[0].status == "translated" and calls


def test_cli_exit_status_and_config_file(tmp_path: Path, tiny_marian: Path) -> None:
    _segments(tmp_path)
    (tmp_path / "parallax.toml").write_text(
        f'[translate]\nmodel = ["vi={tiny_marian}", "zh=parallax-test/none"]\n'
        'max_new_tokens = 4\nbeam_size = 1\nroles = ["title"]\n',
        encoding="utf-8",
    )
    argv = ["translate", "--out", str(tmp_path), "--config", str(tmp_path / "parallax.toml")]
    assert main(argv) == 1  # zh's model is missing
    got = _read(tmp_path)
    assert {t.role for t in got} == {"title"}
    assert [t.status for t in got] == ["translated", "untranslated"]
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["stages"]["translate"]["settings"]["no_repeat_ngram_size"] == 6
    # flags replace the config file's value (the whole list, like any other setting)
    fixed = [*argv, "--model", f"vi={tiny_marian}", "--model", f"zh={tiny_marian}"]
    assert main(fixed) == 0


@pytest.mark.parametrize(
    ("options", "message"),
    [({"batch_size": 0}, "batch_size must be at least 1"), ({"roles": ["body", "x"]}, "roles")],
)
def test_bad_settings(tmp_path: Path, options: dict[str, Any], message: str) -> None:
    from pipeline import ConfigError

    with pytest.raises(ConfigError, match=message):
        Config.from_options({"out": tmp_path, **options})


def test_small_chunks_give_the_same_output_and_dedupe_across_chunks(
    tmp_path: Path, tiny_marian: Path
) -> None:
    _segments(tmp_path)
    run(_config(tmp_path / "a", tiny_marian, input=(tmp_path / "segments.jsonl",)), _counting([]))
    calls: list[str] = []
    config = _config(
        tmp_path / "b", tiny_marian, input=(tmp_path / "segments.jsonl",), chunk_size=2
    )
    run(config, _counting(calls))
    # the repeated title falls in another chunk and comes from the cache
    assert len(calls) == 4
    assert (tmp_path / "b" / "translations.jsonl").read_bytes() == (
        tmp_path / "a" / "translations.jsonl"
    ).read_bytes()


def test_up_to_date_output_is_reused(tmp_path: Path, tiny_marian: Path) -> None:
    from pipeline.run.runner import run_stage

    _segments(tmp_path)
    options = {"out": tmp_path, "model": [f"vi={tiny_marian}", f"zh={tiny_marian}"], **FAST}
    assert not run_stage("translate", options).reused
    assert run_stage("translate", options).reused  # the manifest says nothing changed
    assert not run_stage("translate", {**options, "beam_size": 2}).reused


def test_segments_stream_chunk_by_chunk(tmp_path: Path) -> None:
    from pipeline.mt.cache import TranslationCache
    from pipeline.translate import Translating, translate_segments

    consumed = 0

    def source() -> Any:
        nonlocal consumed
        for i in range(1000):
            consumed += 1
            yield Segment("d", f"d:{i}", i, 0, "body", "en", 1.0, f"Sentence {i}.")

    config = Config.from_options({"out": tmp_path, "chunk_size": 10})
    with TranslationCache(tmp_path / "c.sqlite") as cache:
        stream = translate_segments(source(), Translating(config.engine(), cache))
        first = next(stream)
    assert first.seg_id == "d:0" and first.status == "identity"
    assert consumed <= 11  # one chunk read, not the whole input


def test_pick_device() -> None:
    import torch

    from pipeline import ConfigError
    from pipeline.mt.translator import pick_device

    assert pick_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    assert pick_device("cpu") == "cpu"
    with pytest.raises(ConfigError, match="expected auto, cpu or cuda"):
        pick_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="no CUDA GPU"):
            pick_device("cuda")


def test_copied_model_folder_reuses_the_cache(tmp_path: Path, tiny_marian: Path) -> None:
    import shutil

    _segments(tmp_path / "a")
    _segments(tmp_path / "b")
    cache = tmp_path / "cache.sqlite"
    first: list[str] = []
    run(_config(tmp_path / "a", tiny_marian, cache=cache), _counting(first))
    copy = tmp_path / "elsewhere" / "tiny-vi-en"
    shutil.copytree(tiny_marian, copy, copy_function=shutil.copy)  # new path, new mtimes
    again: list[str] = []
    result = run(_config(tmp_path / "b", copy, cache=cache), _counting(again))
    assert first and again == []  # the same model: every piece comes from the cache
    assert result.counts["cached"] == len(first)
    assert [t.translation for t in _read(tmp_path / "b")] == [
        t.translation for t in _read(tmp_path / "a")
    ]


@pytest.mark.slow
def test_safetensors_snapshot_translates_like_the_bin(tmp_path: Path, tiny_marian: Path) -> None:
    from tests.support.tiny_marian import build_tiny_marian

    folder = build_tiny_marian(tmp_path / "st", seed=0, weights="safetensors")
    assert not (folder / "pytorch_model.bin").exists()
    texts = [text for _, _, lang, text in ROWS if lang == "vi"]
    settings = GenerationSettings(1, 6, 0, 1.0, "cpu")
    outputs = []
    for snapshot in (tiny_marian, folder):
        model = ResolvedModel(None, snapshot, str(snapshot), "r")  # type: ignore[arg-type]
        outputs.append(MarianTranslator(model, settings).translate_batch(texts))
    assert outputs[0] == outputs[1]  # same seed, same weights, other file format


@pytest.mark.parametrize("generation_file", [True, False])
def test_generation_defaults_come_from_the_model_files(
    tmp_path: Path, tiny_marian: Path, generation_file: bool
) -> None:
    import shutil

    folder = tmp_path / "snapshot"
    shutil.copytree(tiny_marian, folder)
    if not generation_file:  # older hub revisions: config.json carries the fields
        (folder / "generation_config.json").unlink()
    model = ResolvedModel(None, folder, str(folder), "r")  # type: ignore[arg-type]
    used = MarianTranslator(model, GenerationSettings(device="cpu")).settings()
    assert used["num_beams"] == 6 and used["bad_words_ids"] == [[53738]]
    assert used["max_new_tokens"] == 64  # max_length 512, capped by the 64 positions
    assert used["forced_eos_token_id"] == 0
    assert used["renormalize_logits"] is generation_file  # only generation_config.json has it
    assert used["defaults_from"] == ("generation_config.json" if generation_file else "config.json")
