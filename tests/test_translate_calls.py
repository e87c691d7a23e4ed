"""What the engine hands translators: calls bounded by tokens, languages at once.

Fake translators stand in for the models (their "translation" is the text
upper-cased), so these tests see every call: its texts, its thread, its tokens.
"""

from __future__ import annotations

import dataclasses
import shutil
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from pipeline import ModelError, threads
from pipeline.mt.cache import TranslationCache
from pipeline.mt.engine import EngineSettings, Translating
from pipeline.mt.registry import ResolvedModel
from pipeline.mt.texts import Batching, translate_texts
from pipeline.mt.translator import GenerationSettings, Translator
from pipeline.records import Segment


class Fake:
    """A translator that upper-cases; one token per word plus ``</s>``; records its calls."""

    def __init__(
        self, name: str, tokens_per_call: int = 0, fail: bool = False, backend: str = "fake"
    ) -> None:
        self.name, self.model_id, self.revision, self.backend = name, name, "r1", backend
        self.max_tokens = 64
        if tokens_per_call:
            self.tokens_per_call = tokens_per_call
        self.fail = fail
        self.calls: list[tuple[list[str], str]] = []  # texts, thread name
        self.barrier: threading.Barrier | None = None
        self.budget = 0  # threads.budget() when the engine loaded it

    def settings(self) -> dict[str, Any]:
        return {}

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(t.split()) + 1 for t in texts]

    def translate_batch(self, texts: list[str]) -> list[str]:
        self.calls.append((texts, threading.current_thread().name))
        if self.barrier is not None:  # every language's first call waits for the others'
            barrier, self.barrier = self.barrier, None
            barrier.wait()
        if self.fail:
            raise ModelError(f"{self.name}: out of memory")
        return [t.upper() for t in texts]


def _calls_of(fake: Fake, texts: list[str]) -> list[list[str]]:
    done = translate_texts(
        fake,
        texts,
        Batching(batch_size=2, batch_tokens=8),
        lambda p: {},
        lambda p, o: None,
        lambda name, n: None,
    )
    assert [t for t, _ in done] == [t.upper() for t in texts]
    return [call for call, _ in fake.calls]


def test_calls_stay_within_the_token_bound_not_the_batch_settings() -> None:
    # 40 texts of 1 to 9 words and one of 29 words (30 tokens, over the bound of 20)
    texts = [" ".join(f"w{i}" for _ in range(i % 9 + 1)) + f" n{i}" for i in range(40)]
    long = " ".join(["long"] * 29)
    calls = _calls_of(Fake("m", tokens_per_call=20), [*texts, long])
    tokens = Fake("m").count_tokens
    assert [long] in calls  # alone: a segment longer than the bound gets its own call
    for call in calls:
        if call != [long]:
            assert max(tokens(call)) * len(call) <= 20, call  # padded, so the sum is below
    # the bound, not batch_size 2 / batch_tokens 8, decides: fewer, larger calls
    assert max(len(c) for c in calls) > 2
    assert sorted(t for c in calls for t in c) == sorted([*texts, long])


def test_without_a_token_bound_the_batch_settings_apply() -> None:
    calls = _calls_of(Fake("m"), ["a b", "c d e", "f", "g h i j"])
    assert all(len(c) <= 2 for c in calls)


ROWS = [("vi", "một hai ba"), ("zh", "一 二"), ("vi", "bốn"), ("en", "five"), ("zh", "三 四 五")]


def _engine(tmp_path: Path, fakes: dict[str, Fake], cache: TranslationCache) -> Translating:
    """An engine with one model folder per language (copies of the tiny model)."""
    models = [f"{lang}={tmp_path / f'model-{lang}'}" for lang in fakes]

    def factory(model: ResolvedModel, settings: GenerationSettings) -> Translator:
        fake = fakes[model.spec.lang]
        fake.budget = threads.budget()  # the threads a CTranslate2 model would size itself to
        return fake

    config = EngineSettings(model=tuple(models), models_dir=tmp_path / "models")
    return Translating(config, cache, factory)


@pytest.fixture(autouse=True)
def _folders(tiny_marian: Path, tmp_path: Path) -> None:
    for lang in ("vi", "zh"):
        shutil.copytree(tiny_marian, tmp_path / f"model-{lang}")


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threads, "_configured", threads.ThreadPolicy(2, 2, "PASSIVE", "test"))


def _segments() -> list[Segment]:
    return [Segment("d", f"d:{i}", i, i, "body", lg, 0.9, t) for i, (lg, t) in enumerate(ROWS)]


def _run(
    tmp_path: Path, at_once: int | None, fakes: dict[str, Fake], name: str
) -> list[dict[str, Any]]:
    with TranslationCache(tmp_path / f"{name}.sqlite") as cache:
        engine = _engine(tmp_path, fakes, cache)
        engine.languages_at_once = at_once
        records = [r.to_dict() for r in engine.translate(_segments())]
        assert engine.counts["translated"] == 4 and engine.counts["identity"] == 1
    return records


@pytest.mark.usefixtures("two_cores")
def test_languages_at_once_give_the_records_of_languages_in_turn(tmp_path: Path) -> None:
    in_turn = _run(tmp_path, 1, {"vi": Fake("vi"), "zh": Fake("zh")}, "turn")
    fakes = {"vi": Fake("vi"), "zh": Fake("zh")}
    barrier = threading.Barrier(2, timeout=10)  # broken unless both languages run at once
    for fake in fakes.values():
        fake.barrier = barrier
    at_once = _run(tmp_path, 2, fakes, "once")
    assert at_once == in_turn
    assert [r["seg_id"] for r in at_once] == [f"d:{i}" for i in range(len(ROWS))]
    assert all(thread.startswith("translate") for f in fakes.values() for _, thread in f.calls)


@pytest.mark.usefixtures("two_cores")
def test_a_failing_language_keeps_the_other_ones_records(tmp_path: Path) -> None:
    fakes = {"vi": Fake("vi"), "zh": Fake("zh", fail=True)}
    with TranslationCache(tmp_path / "cache.sqlite") as cache:
        engine = _engine(tmp_path, fakes, cache)
        engine.languages_at_once = 2
        records = engine.translate(_segments())
    status = {r.source: (r.status, r.translation) for r in records}
    assert status["một hai ba"] == ("translated", "MỘT HAI BA")
    assert status["一 二"][0] == "untranslated" and status["三 四 五"][0] == "untranslated"
    assert "out of memory" in engine.failures["zh"]
    assert engine.untranslated == {"zh": 2}


@pytest.mark.usefixtures("two_cores")
def test_the_cache_is_shared_by_the_languages_threads(tmp_path: Path) -> None:
    fakes = {"vi": Fake("vi"), "zh": Fake("zh")}
    first = _run(tmp_path, 2, fakes, "shared")
    again = {"vi": Fake("vi"), "zh": Fake("zh")}
    with TranslationCache(tmp_path / "shared.sqlite") as cache:
        engine = _engine(tmp_path, again, cache)
        engine.languages_at_once = 2
        assert [r.to_dict() for r in engine.translate(_segments())] == first
        assert engine.counts["cached"] == 4 and len(cache) == 4
    assert not again["vi"].calls and not again["zh"].calls


@pytest.mark.parametrize("cores, at_once", [(1, None), (1, 2), (2, 1)])
def test_one_core_or_one_at_a_time_runs_in_this_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cores: int, at_once: Any
) -> None:
    policy = threads.ThreadPolicy(cores, cores, "PASSIVE", "test")
    monkeypatch.setattr(threads, "_configured", policy)
    fakes = {"vi": Fake("vi"), "zh": Fake("zh")}
    _run(tmp_path, at_once, fakes, "main")
    here = threading.current_thread().name
    assert {thread for f in fakes.values() for _, thread in f.calls} == {here}


@pytest.mark.usefixtures("two_cores")
@pytest.mark.parametrize("backend, at_once", [("ct2-int8", True), ("torch", False)])
def test_by_default_ct2_languages_run_at_once_with_a_share_of_the_cores(
    tmp_path: Path, backend: str, at_once: bool
) -> None:
    fakes = {"vi": Fake("vi", backend=backend), "zh": Fake("zh", backend=backend)}
    _run(tmp_path, None, fakes, "default")
    here = threading.current_thread().name
    assert all((thread != here) == at_once for f in fakes.values() for _, thread in f.calls)
    # models loaded for languages at once are offered half the 2 cores (CTranslate2 sizes
    # its pool by it; torch keeps the policy's threads, threads.apply_torch)
    assert fakes["vi"].budget == fakes["zh"].budget == 1


@pytest.mark.usefixtures("two_cores")
def test_one_model_for_two_languages_runs_them_in_turn(tmp_path: Path) -> None:
    shared = Fake("mul", backend="ct2-int8")
    with TranslationCache(tmp_path / "cache.sqlite") as cache:
        engine = _engine(tmp_path, {"vi": shared}, cache)
        folder = tmp_path / "model-vi"
        engine.specs["zh"] = dataclasses.replace(engine.specs["vi"], lang="zh", folder=folder)
        engine.translate(_segments())
    assert {thread for _, thread in shared.calls} == {threading.current_thread().name}
    assert shared.budget == 2


def test_a_submitting_translator_has_the_next_call_queued_before_a_call_is_taken() -> None:
    from pipeline.mt.batching import translate_all

    events: list[str] = []

    def submit(texts: list[str]) -> Any:
        events.append(f"submit {texts[0]}")

        def wait() -> list[str]:
            events.append(f"wait {texts[0]}")
            return [t.upper() for t in texts]

        return wait

    def translate(texts: list[str]) -> list[str]:
        raise AssertionError("a submitting translator is not called synchronously")

    batches: list[list[int]] = []
    texts = ["aaa", "bb", "c"]
    out = translate_all(texts, [3, 2, 1], translate, 1, 100, lambda b, _: batches.append(b), submit)
    assert out == ["AAA", "BB", "C"]
    assert batches == [[0], [1], [2]]  # results taken in the batches' order
    assert events == ["submit aaa", "submit bb", "wait aaa", "submit c", "wait bb", "wait c"]


def test_calls_hold_whole_engine_batches_within_the_token_bound() -> None:
    from pipeline.mt.batching import plan_calls

    lengths = [10] * 100
    calls = plan_calls(lengths, 32, 700)
    assert sorted(i for call in calls for i in call) == list(range(100))
    assert all(_padded(call, lengths, 32) <= 700 for call in calls)
    # batches of 32 cost 320 padded tokens: two to a call, and the last 4 join the third
    assert [len(c) for c in calls] == [64, 36]
    # a batch too long for the bound is cut as plan_batches cuts it
    assert [len(c) for c in plan_calls([100] * 32, 32, 1000)] == [10, 10, 10, 2]
    # no engine batch: calls alone, bounded by padded tokens
    assert [len(c) for c in plan_calls(lengths, sys.maxsize, 700)] == [70, 30]


def _padded(call: list[int], lengths: list[int], batch: int) -> int:
    ordered = sorted(call, key=lambda i: -lengths[i])
    groups = [ordered[k : k + batch] for k in range(0, len(ordered), batch)]
    return sum(lengths[g[0]] * len(g) for g in groups)
