"""The ray engine (``--engine ray``) against the local engine, on a local 2-CPU Ray.

Skipped when the ``ray`` extra is not installed. One Ray starts per session
(6-8 s); every run below starts its actors on it and stops them at the end.
Two tiny models stand for the Vietnamese and Chinese ones, so each run has two
pools, as a real one does: for Vietnamese the wide-init model of the ct2 tests,
whose outputs differ from input to input (the equality of two engines proves
something), for Chinese the 64-position one; ``max_input_tokens`` 24 splits
many segments of both.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from pipeline.io.jsonl import read_records, write_records
from pipeline.records import Segment
from pipeline.translate import Config, run

ray = pytest.importorskip("ray")

ROOT = Path(__file__).resolve().parents[1]
FAST = {"max_new_tokens": 4, "beam_size": 1, "device": "cpu", "max_input_tokens": 24}


@pytest.fixture(scope="session")
def ray_address() -> Any:
    """A local Ray with 2 CPUs, no dashboard, no usage stats; its address for subprocesses."""
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    # actors import this worktree's pipeline (and tests.support), not an installed copy
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
    )
    if not ray.is_initialized():
        ray.init(address="local", num_cpus=2, include_dashboard=False)
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


@pytest.fixture(scope="module")
def models(tiny_marian: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    from tests.support.tiny_marian import build_tiny_marian

    root = tmp_path_factory.mktemp("vi-model")  # wide init: outputs differ per input
    return f"vi={build_tiny_marian(root / 'opus-mt-wide', size='ct2')}", f"zh={tiny_marian}"


@pytest.fixture(scope="module")
def seed_segments(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pipeline.run.runner import run_pipeline

    out = tmp_path_factory.mktemp("seeds")
    options: dict[str, Any] = {name: {"out": out} for name in ("ingest", "detect", "segment")}
    options["ingest"]["input"] = [ROOT / "seeds"]
    run_pipeline(options, until="segment")
    return out / "segments.jsonl"


@pytest.fixture(scope="module")
def many_segments(seed_segments: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,142 segments: the seeds seven times over, most with a number added (new text),
    some exact repeats (dedupe), every language, role and over-long text of the seeds."""
    seeds = list(read_records(seed_segments, Segment))
    rows = []
    for k in range(7):
        for s in seeds:
            text = s.text if k % 3 == 0 else f"{s.text} {k}"
            rows.append(
                Segment(
                    f"{s.doc_id}-{k}",
                    s.seg_id,
                    s.index,
                    s.paragraph,
                    s.role,
                    s.lang,
                    s.lang_confidence,
                    text,
                )
            )
    path = tmp_path_factory.mktemp("many") / "segments.jsonl"
    write_records(path, rows)
    return path


def _config(out: Path, models: tuple[str, str], segments: Path, **extra: Any) -> Config:
    options = {"out": out, "model": models, "input": (segments,), **FAST, **extra}
    return Config.from_options(options)


def _local(tmp: Path, models: tuple[str, str], segments: Path) -> bytes:
    result = run(_config(tmp, models, segments))
    assert result.ok and result.counts["translated"] > 0
    return (tmp / "translations.jsonl").read_bytes()


@pytest.fixture(scope="module")
def seeds_local(
    models: tuple[str, str], seed_segments: Path, tmp_path_factory: pytest.TempPathFactory
) -> bytes:
    """translations.jsonl of the local engine on the seeds."""
    return _local(tmp_path_factory.mktemp("seeds-local"), models, seed_segments)


@pytest.fixture(scope="module")
def many_local(
    models: tuple[str, str], many_segments: Path, tmp_path_factory: pytest.TempPathFactory
) -> bytes:
    """translations.jsonl of the local engine on the 2,142 segments."""
    return _local(tmp_path_factory.mktemp("many-local"), models, many_segments)


def test_same_records_as_local_on_the_seeds(
    tmp_path: Path,
    ray_address: str,
    models: tuple[str, str],
    seed_segments: Path,
    seeds_local: bytes,
) -> None:
    from pipeline.run.runner import run_stage

    expected = seeds_local
    options = {"model": models, "input": (seed_segments,), **FAST, "executor": "ray"}
    result = run_stage("translate", {"out": tmp_path / "ray", **options})
    assert (tmp_path / "ray" / "translations.jsonl").read_bytes() == expected
    assert result.counts["split"] > 0  # the tiny model's 64 positions split some seeds
    runtime = result.runtime
    assert runtime["engine"] == "ray" and runtime["ray"] == ray.__version__
    # every ray default, two models on 2 CPUs: one 1-CPU actor each, and no stall (the
    # driver needs no Ray CPU; Ray Data's read task would wait forever here)
    assert (runtime["nodes"], runtime["cpus"], runtime["actors_per_model"]) == (1, 2.0, 1)
    assert len(runtime["pools"]) == 2  # one pool per model
    assert sum(w["texts"] for w in runtime["workers"].values()) == result.counts["ray_texts"]
    manifest = json.loads((tmp_path / "ray" / "manifest.json").read_text(encoding="utf-8"))
    # where it ran is recorded, but is no setting: the local run's output stays up to date
    assert "executor" not in manifest["stages"]["translate"]["settings"]
    # the local engine reads what the ray engine cached: nothing left to translate
    local = run(_config(tmp_path / "ray", models, seed_segments, overwrite=True))
    assert local.counts.get("model_texts", 0) == 0
    assert (tmp_path / "ray" / "translations.jsonl").read_bytes() == expected


def test_thousands_of_segments_then_a_cached_rerun_sends_nothing(
    tmp_path: Path,
    ray_address: str,
    models: tuple[str, str],
    many_segments: Path,
    many_local: bytes,
) -> None:
    expected = many_local
    config = _config(tmp_path / "ray", models, many_segments, executor="ray", chunk_size=500)
    first = run(config)
    assert (tmp_path / "ray" / "translations.jsonl").read_bytes() == expected
    assert first.counts["ray_units"] > 2 and len(first.runtime["workers"]) == 2
    again = run(Config.from_options({**_options(config), "overwrite": True}))
    assert (tmp_path / "ray" / "translations.jsonl").read_bytes() == expected
    assert again.counts["ray_texts"] == 0 and again.runtime["workers"] == {}
    assert "model_texts" not in again.counts


def _options(config: Config) -> dict[str, Any]:
    return {"out": config.out, "input": config.input, **config.settings(), "executor": "ray"}


def _cli(
    out: Path, models: tuple[str, str], segments: Path, address: str, *extra: str
) -> list[str]:
    return [
        sys.executable, "-m", "pipeline", "-q", "translate", "--out", str(out),
        "--input", str(segments), "--model", models[0], "--model", models[1],
        "--max-new-tokens", "4", "--beam-size", "1", "--device", "cpu",
        "--max-input-tokens", "24", "--engine", "ray", "--ray-address", address, *extra,
    ]  # fmt: skip


def _settings(models: tuple[str, str]) -> dict[str, tuple[str, dict[str, Any]]]:
    """model name -> the model identity and settings its actors' cache keys use."""
    from pipeline.mt.cache import model_identity
    from pipeline.mt.marian_translator import MarianTranslator
    from pipeline.mt.registry import model_specs, resolve
    from pipeline.mt.translator import settings_of

    config = Config.from_options({"out": ROOT, "model": models, **FAST})
    specs = model_specs(config.models_dir, models)
    resolved = [resolve(specs[lang], config.models_dir) for lang in ("vi", "zh")]
    return {
        m.name: (
            model_identity(m.name, m.revision),
            dict(settings_of(MarianTranslator(m, config.generation()))),
        )
        for m in resolved
    }


def test_driver_killed_mid_run_resumes_clean(
    tmp_path: Path,
    ray_address: str,
    models: tuple[str, str],
    seed_segments: Path,
    seeds_local: bytes,
) -> None:
    from pipeline.mt.cache import cache_key
    from tests.support.ray_faults import LogTexts

    expected = seeds_local
    out = tmp_path / "ray"
    argv = _cli(out, models, seed_segments, ray_address, "--chunk-size", "10")
    proc = subprocess.Popen(argv, env={**os.environ, "PYTHONPATH": str(ROOT)})
    partial = out / "translations.jsonl.partial"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if partial.exists() and partial.read_bytes().count(b"\n") >= 1:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    written = partial.read_bytes().count(b"\n")
    assert 0 < written < expected.count(b"\n") and not (out / "translations.jsonl").exists()
    with sqlite3.connect(out / "cache.sqlite") as db:
        cached = {key for (key,) in db.execute("SELECT key FROM translations")}
    log = tmp_path / "sent.txt"
    # the settings the killed CLI run stamped its partial with (the CLI resolves the
    # models folder to an absolute path)
    from pipeline.run.config import models_dir

    options = {"executor": "ray", "chunk_size": 10, "models_dir": models_dir()}
    result = run(_config(out, models, seed_segments, **options), LogTexts(log))
    assert result.counts["resumed"] == written
    assert (out / "translations.jsonl").read_bytes() == expected  # nothing lost or repeated
    settings = _settings(models)
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    sent = [json.loads(line) for line in lines]
    assert {name for name, _ in sent} <= set(settings)
    # no batch the killed run finished was translated again
    assert not {cache_key(*settings[name], text) for name, text in sent} & cached


def test_worker_killed_mid_batch_is_retried_without_a_duplicate(
    tmp_path: Path,
    ray_address: str,
    models: tuple[str, str],
    seed_segments: Path,
    seeds_local: bytes,
) -> None:
    from tests.support.ray_faults import KillOnce

    expected = seeds_local
    marker = tmp_path / "killed"
    result = run(_config(tmp_path / "ray", models, seed_segments, executor="ray"), KillOnce(marker))
    assert marker.exists()  # an actor did die in the middle of a batch
    assert (tmp_path / "ray" / "translations.jsonl").read_bytes() == expected
    pids = [pid for w in result.runtime["workers"].values() for pid in w["pids"]]
    assert int(marker.read_text(encoding="utf-8")) not in pids  # its unit came from the restart


def test_actors_beyond_the_cluster_are_refused(
    tmp_path: Path, ray_address: str, models: tuple[str, str], seed_segments: Path
) -> None:
    from pipeline import ConfigError

    config = _config(tmp_path, models, seed_segments, executor="ray", ray_actors=2)
    with pytest.raises(ConfigError, match="2 models x 2 actors need 4 CPUs"):
        run(config)


def test_the_local_engine_never_imports_ray(tmp_path: Path) -> None:
    code = (
        "import sys; from pipeline.cli import build_parser; import pipeline.translate; "
        "build_parser(); assert 'ray' not in sys.modules, 'ray imported'"
    )
    done = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0
