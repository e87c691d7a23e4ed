"""What a translate command imports: the ct2 path without torch, a cached rerun without any engine.

Each run is a fresh ``python`` process calling the CLI (the library's
``pipeline.cli.main``) that reports, at exit, which of ``torch``,
``transformers`` and ``ctranslate2`` it imported. The model is the tiny
hub-shaped snapshot (tests/support/tiny_marian.py) and its float32 conversion.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.io.jsonl import read_records, write_records
from pipeline.mt.ct2_convert import convert_snapshot, converted_path
from pipeline.mt.marian_vocab import load_marian_vocab
from pipeline.mt.registry import model_specs, resolve
from pipeline.records import Segment, Translation

pytest.importorskip("ctranslate2")

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "transformers", "ctranslate2")
DRIVER = f"""
import json, sys
from pipeline.cli import main
rc = main(sys.argv[1:])
print(json.dumps({{"rc": rc, "imported": [m for m in {HEAVY!r} if m in sys.modules]}}))
"""
TEXTS = [
    "Bộ trưởng Quốc phòng Mỹ đã điện đàm với người đồng cấp Nga.",
    "Cuộc gọi kéo dài khoảng một giờ.",
    "Nga và Mỹ đã sử dụng đường dây nóng một lần kể từ khi chiến tranh bắt đầu.",
    "Cuộc gọi kéo dài khoảng một giờ.",  # a repeat: translated once
]


@pytest.fixture(scope="module")
def models(tiny_marian: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder with the tiny snapshot and its float32 ct2 conversion."""
    root = tmp_path_factory.mktemp("cold-models")
    model = resolve(model_specs(root, [f"vi={tiny_marian}"])["vi"], root)
    target = converted_path(root, model.spec.local_name, "float32")
    convert_snapshot(model.folder, model.model_id, model.revision, "float32", target)
    return root


def _translate(models: Path, tiny: Path, out: Path, cache: Path, backend: str) -> list[str]:
    """Run ``translate`` in a fresh process; return the heavy modules it imported."""
    segments = [Segment("d", f"d:{i}", i, i, "body", "vi", 0.9, t) for i, t in enumerate(TEXTS)]
    write_records(out / "segments.jsonl", segments)
    argv = ["translate", "--out", str(out), "--cache", str(cache), "--model", f"vi={tiny}"]
    argv += ["--models-dir", str(models), "--backend", backend, "--quantization", "float32"]
    argv += ["--device", "cpu", "--beam-size", "1", "--max-new-tokens", "8"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["rc"] == 0, done.stderr[-2000:]
    return list(report["imported"])


def _outputs(out: Path) -> list[str | None]:
    records = list(read_records(out / "translations.jsonl", Translation))
    assert [r.status for r in records] == ["translated"] * len(TEXTS)
    return [r.translation for r in records]


def test_ct2_translates_without_torch_or_transformers(
    models: Path, tiny_marian: Path, tmp_path: Path
) -> None:
    imported = _translate(models, tiny_marian, tmp_path / "run", tmp_path / "c.sqlite", "ct2")
    assert imported == ["ctranslate2"]  # the engine, and nothing of torch's
    assert _outputs(tmp_path / "run")


@pytest.mark.parametrize("backend", ["torch", "ct2"])
def test_cached_rerun_loads_no_model(
    models: Path, tiny_marian: Path, tmp_path: Path, backend: str
) -> None:
    cache = tmp_path / "cache.sqlite"
    first = _translate(models, tiny_marian, tmp_path / "first", cache, backend)
    assert {"torch": "transformers", "ct2": "ctranslate2"}[backend] in first  # it did translate
    # a fresh output folder, the same cache: every segment is a hit
    assert _translate(models, tiny_marian, tmp_path / "again", cache, backend) == []
    assert _outputs(tmp_path / "again") == _outputs(tmp_path / "first")


# The settings (so the cache keys) each backend gave for the tiny snapshot before its
# model loaded lazily (commit 9906b8a, read off the loaded model): caches written then
# must still hit.
EARLIER = {
    "torch": {
        "num_beams": 4,
        "max_new_tokens": 32,
        "max_length": None,
        "do_sample": False,
        "no_repeat_ngram_size": 3,
        "repetition_penalty": 1.2,
        "renormalize_logits": True,
        "bad_words_ids": [[53738]],
        "forced_eos_token_id": 0,
        "min_new_tokens": 5,
        "defaults_from": "generation_config.json",
    },
    "ct2-float32": {
        "beam_size": 4,
        "max_decoding_length": 31,
        "min_decoding_length": 5,
        "repetition_penalty": 1.2,
        "no_repeat_ngram_size": 3,
        "defaults_from": "generation_config.json",
    },
}


def test_settings_and_limits_as_before_without_loading(models: Path, tiny_marian: Path) -> None:
    from pipeline.mt.backends import backend_factory
    from pipeline.mt.ct2_translator import Ct2Options
    from pipeline.mt.translator import GenerationSettings, settings_of

    vocab = load_marian_vocab(tiny_marian)
    model = resolve(model_specs(models, [f"vi={tiny_marian}"])["vi"], models)
    settings = GenerationSettings(4, 32, 3, 1.2, "cpu", 5)
    for backend in ("torch", "ct2"):
        translator = backend_factory(backend, models, Ct2Options("float32"))(model, settings)
        assert dict(settings_of(translator)) == {
            "backend": translator.backend,
            **EARLIER[translator.backend],
        }
        assert translator.max_tokens == 64  # the tiny model's positions
        assert translator.count_tokens(["Xin chào", ""]) == [len(vocab.encode("Xin chào")), 1]
        weights = "_model" if backend == "torch" else "_translator"
        assert getattr(translator, weights) is None  # nothing loaded for any of it
