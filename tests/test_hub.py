"""Models through a hub: fetch, hub fallback, offline reuse, a revision pin, a broken download.

A local hub (tests/support/local_hub.py) on 127.0.0.1 serves hub-shaped tiny
snapshots (tests/support/tiny_marian.py) under the real repository ids; the
CLI runs in a subprocess with ``HF_ENDPOINT`` pointing at it and an empty
``HF_HOME``, so huggingface_hub's real download code runs as on a user's
machine. Nothing leaves 127.0.0.1: the endpoint is the only host the client knows.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.local_hub import LocalHub, serve
from tests.support.tiny_marian import build_tiny_marian

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
VI, ZH = "Helsinki-NLP/opus-mt-vi-en", "Helsinki-NLP/opus-mt-zh-en"
# Short outputs keep the runs quick; beams and the rest come from the model's files.
QUICK = ["--max-new-tokens", "4", "--device", "cpu", "--backend", "torch"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """vi-en and zh-en as the hub has them, and an older vi-en without generation_config.json."""
    root = tmp_path_factory.mktemp("hub-snapshots")
    vi = build_tiny_marian(root / "vi-en", pair="vi-en")
    old = root / "vi-en-old"
    shutil.copytree(vi, old)
    (old / "generation_config.json").unlink()
    zh = build_tiny_marian(root / "zh-en", seed=1, pair="zh-en")
    return {"vi": vi, "vi-old": old, "zh": zh}


@pytest.fixture
def hub(snapshots: dict[str, Path]) -> Iterator[LocalHub]:
    local = LocalHub()
    local.repo(VI).add(snapshots["vi-old"], branch="v1")
    local.repo(VI).add(snapshots["vi"])
    local.repo(ZH).add(snapshots["zh"])
    with serve(local):
        yield local


def _env(hub: LocalHub, home: Path, offline: bool = False) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        HF_ENDPOINT=hub.url,
        HF_HOME=str(home),
        HF_HUB_DISABLE_TELEMETRY="1",
        TQDM_POSITION="-1",  # huggingface_hub shows its bars even without a terminal
    )
    if offline:
        env["HF_HUB_OFFLINE"] = "1"
    return env


def _parallax(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pipeline", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


def _translations(out: Path) -> list[dict[str, object]]:
    lines = (out / "translations.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _manifest(out: Path) -> dict[str, object]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_fetch_downloads_the_weights(
    hub: LocalHub, snapshots: dict[str, Path], tmp_path: Path
) -> None:
    models = tmp_path / "models"
    done = _parallax(["models", "fetch", "--models-dir", str(models)], _env(hub, tmp_path / "hf"))
    assert done.returncode == 0, done.stderr[-3000:]
    # huggingface_hub's progress bars, and none of its HTTP client's request lines
    assert "Download complete" in done.stderr and re.search(r"\d[kM]B", done.stderr)
    assert "HTTP Request" not in done.stderr
    for name, repo, lang in (("opus-mt-vi-en", VI, "vi"), ("opus-mt-zh-en", ZH, "zh")):
        folder = models / name
        wanted = sorted(p.name for p in snapshots[lang].iterdir() if p.name != ".gitattributes")
        assert sorted(p.name for p in folder.iterdir() if p.is_file()) == sorted(
            [*wanted, "parallax-model.json"]
        )
        assert (folder / "pytorch_model.bin").read_bytes() == (
            snapshots[lang] / "pytorch_model.bin"
        ).read_bytes()
        marker = json.loads((folder / "parallax-model.json").read_text(encoding="utf-8"))
        assert marker == {"model_id": repo, "revision": hub.repos[repo].branches["main"]}

    # the fetched snapshots translate with the hub unreachable
    out = tmp_path / "run"
    argv = ["run", str(SEEDS), "--out", str(out), "--models-dir", str(models), *QUICK]
    offline = _parallax([*argv, "--until", "translate"], _env(hub, tmp_path / "hf", offline=True))
    assert offline.returncode == 0, offline.stderr[-3000:]
    by_lang = {r["src_lang"][:2]: r for r in _translations(out) if r["status"] == "translated"}
    commit = hub.repos[VI].branches["main"]
    assert by_lang["vi"]["model"] == f"{VI}@{commit}"


def test_run_falls_back_to_the_hub_then_reuses_the_cache_offline(
    hub: LocalHub, tmp_path: Path
) -> None:
    home, empty = tmp_path / "hf", tmp_path / "no-models"
    argv = ["run", str(SEEDS), "--models-dir", str(empty), "--until", "translate", *QUICK]
    first = _parallax([*argv, "--out", str(tmp_path / "a")], _env(hub, home))
    assert first.returncode == 0, first.stderr[-3000:]
    commit = hub.repos[VI].branches["main"]
    snapshot = home / "hub" / "models--Helsinki-NLP--opus-mt-vi-en" / "snapshots" / commit
    assert (snapshot / "pytorch_model.bin").is_file() and (snapshot / "target.spm").is_file()
    records = _translations(tmp_path / "a")
    assert {r["model"] for r in records if r["src_lang"] == "vi"} == {f"{VI}@{commit}"}
    assert {r["status"] for r in records if r["src_lang"] in ("vi", "zh", "zh-cn")} == {
        "translated"
    }
    used = _manifest(tmp_path / "a")["stages"]["translate"]["models"]  # type: ignore[index]
    assert used["vi"]["generation"]["num_beams"] == 6  # the model's, not a hard-coded 4
    assert used["vi"]["generation"]["renormalize_logits"] is True
    assert used["zh"]["generation"]["renormalize_logits"] is False
    assert used["vi"]["generation"]["defaults_from"] == "generation_config.json"

    asked = len(hub.requests)
    again = _parallax([*argv, "--out", str(tmp_path / "b")], _env(hub, home, offline=True))
    assert again.returncode == 0, again.stderr[-3000:]
    assert len(hub.requests) == asked, "the offline run asked the hub"
    assert [r["translation"] for r in _translations(tmp_path / "b")] == [
        r["translation"] for r in records
    ]


def test_revision_pin(hub: LocalHub, tmp_path: Path) -> None:
    old = hub.repos[VI].branches["v1"]
    pinned = ["--model", f"vi={VI}@{old}", "--model", "zh=identity"]
    out = tmp_path / "run"
    argv = ["run", str(SEEDS), "--out", str(out), "--models-dir", str(tmp_path / "none")]
    done = _parallax([*argv, *pinned, "--until", "translate", *QUICK], _env(hub, tmp_path / "hf"))
    assert done.returncode == 0, done.stderr[-3000:]
    assert {r["model"] for r in _translations(out) if r["src_lang"] == "vi"} == {f"{VI}@{old}"}
    used = _manifest(out)["stages"]["translate"]["models"]["vi"]  # type: ignore[index]
    # the old revision has no generation_config.json: its config.json's fields rule
    assert used["generation"]["defaults_from"] == "config.json"
    assert used["generation"]["num_beams"] == 6

    fetched = _parallax(
        ["models", "fetch", "vi", "--model", f"vi={VI}@v1", "--models-dir", str(tmp_path / "m")],
        _env(hub, tmp_path / "hf"),
    )
    assert fetched.returncode == 0, fetched.stderr[-3000:]
    folder = tmp_path / "m" / "opus-mt-vi-en"
    assert json.loads((folder / "parallax-model.json").read_text())["revision"] == old
    assert not (folder / "generation_config.json").exists()


def test_broken_download_resumes(tmp_path: Path) -> None:
    # huggingface_hub reads 10 MiB chunks: the weights must be larger for a resume to
    # start past the beginning; the ct2 shape's (d_model 64, 53,739 rows) are ~15 MB.
    big = build_tiny_marian(tmp_path / "big", size="ct2")
    weights = (big / "pytorch_model.bin").read_bytes()
    hub = LocalHub(cut={"pytorch_model.bin": len(weights) - (1 << 20)})
    commit = hub.repo(VI).add(big)
    with serve(hub):
        models = tmp_path / "models"
        argv = ["models", "fetch", "vi", "--models-dir", str(models)]
        done = _parallax(argv, _env(hub, tmp_path / "hf"))
    assert done.returncode == 0, done.stderr[-3000:]
    assert (models / "opus-mt-vi-en" / "pytorch_model.bin").read_bytes() == weights
    gets = [r for m, p, r in hub.requests if m == "GET" and p.endswith("pytorch_model.bin")]
    assert gets == ["", "bytes=10485760-"], "resumed after the first 10 MiB chunk"
    assert (
        commit
        in json.loads((models / "opus-mt-vi-en" / "parallax-model.json").read_text())["revision"]
    )
