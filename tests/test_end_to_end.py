"""The whole pipeline as a user runs it: a real process, killed and resumed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.io.files import read_json

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
OUTPUTS = (
    "documents.jsonl",
    "segments.jsonl",
    "translations.jsonl",
    "claims.jsonl",
    "alignments.jsonl",
    "export/corpus.jsonl",
    "export/corpus.vi-en.tmx",
)


def _command(out: Path, model: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pipeline",
        "-q",
        "run",
        str(SEEDS),
        "--out",
        str(out),
        "--model",
        f"vi={model}",
        "--model",
        f"zh={model}",
        # small chunks so a kill lands between written chunks; short outputs keep it quick
        "--chunk-size",
        "8",
        "--max-new-tokens",
        "8",
        "--similarity",
        "lexical",
    ]


def _env() -> dict[str, str]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    env["PYTHONPATH"] = str(SEEDS.parent)
    return env


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


@pytest.mark.slow
def test_run_killed_mid_translate_resumes_to_the_same_outputs(
    tmp_path: Path, tiny_marian: Path
) -> None:
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    done = subprocess.run(_command(clean, tiny_marian), env=_env(), capture_output=True)
    assert done.returncode == 0, done.stderr.decode()[-2000:]

    proc = subprocess.Popen(_command(killed, tiny_marian), env=_env(), stderr=subprocess.PIPE)
    partial = killed / "translations.jsonl.partial"
    deadline = time.monotonic() + 120
    while _lines(partial) < 16 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    if proc.poll() is not None:
        pytest.fail("the run finished before it could be killed; make the test input larger")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (killed / "translations.jsonl").exists()

    again = subprocess.run(_command(killed, tiny_marian), env=_env(), capture_output=True)
    assert again.returncode == 0, again.stderr.decode()[-2000:]
    for name in OUTPUTS:  # byte-identical: nothing lost, nothing written twice
        assert (killed / name).read_bytes() == (clean / name).read_bytes(), name
    counts = read_json(killed / "manifest.json")["stages"]["translate"]["counts"]
    assert counts["resumed"] >= 16  # finished records were kept, not retranslated
    assert not list(killed.glob("*.partial"))


@pytest.mark.slow
def test_second_run_redoes_nothing(tmp_path: Path, tiny_marian: Path) -> None:
    out = tmp_path / "run"
    first = subprocess.run(_command(out, tiny_marian), env=_env(), capture_output=True)
    assert first.returncode == 0, first.stderr.decode()[-2000:]
    before = {name: (out / name).stat().st_mtime_ns for name in OUTPUTS}
    second = subprocess.run(_command(out, tiny_marian), env=_env(), capture_output=True)
    assert second.returncode == 0
    assert {name: (out / name).stat().st_mtime_ns for name in OUTPUTS} == before
    stages = read_json(out / "manifest.json")["stages"]
    assert all(entry["reused"] for entry in stages.values()), stages


def test_seeds_are_the_shared_ones() -> None:
    shared = SEEDS.parent.parent / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("no ../shared beside the project")
    for path in shared.iterdir():
        assert (SEEDS / path.name).read_bytes() == path.read_bytes()
