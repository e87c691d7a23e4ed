"""The model registry, overrides, resolution, and `parallax models` (all offline)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline import ConfigError, ModelError
from pipeline.cli import main
from pipeline.mt.registry import (
    DEFAULT_REGISTRY,
    ModelSpec,
    fetch_model,
    load_registry,
    model_specs,
    parse_overrides,
    resolve,
)

REPO = Path(__file__).resolve().parents[1]


def test_repository_registry_matches_the_built_in_one() -> None:
    assert load_registry(REPO / "models") == DEFAULT_REGISTRY


def test_missing_registry_falls_back(tmp_path: Path) -> None:
    assert load_registry(tmp_path) == DEFAULT_REGISTRY


def test_bad_registry_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "registry.toml").write_text("[languages.vi]\nrevision = 'x'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"registry.toml: \[languages.vi\] needs model"):
        load_registry(tmp_path)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["vi=Helsinki-NLP/opus-mt-vi-en"], {"vi": "Helsinki-NLP/opus-mt-vi-en"}),
        (["zh-cn = some/model@abc"], {"zh": "some/model@abc"}),  # langdetect's zh-cn
    ],
)
def test_parse_overrides(values: list[str], expected: dict[str, str]) -> None:
    assert parse_overrides(values) == expected


@pytest.mark.parametrize("value", ["vi", "=x", "vi="])
def test_parse_overrides_rejects(value: str) -> None:
    with pytest.raises(ConfigError, match="LANG=HUB_ID_OR_FOLDER"):
        parse_overrides([value])


def test_overrides_folder_hub_id_and_revision(tmp_path: Path) -> None:
    specs = model_specs(tmp_path, [f"vi={tmp_path}", "zh=org/zh-en@v2", "fr=identity"])
    assert specs["vi"].folder == tmp_path and specs["vi"].revision == "local"
    assert (specs["zh"].model_id, specs["zh"].revision) == ("org/zh-en", "v2")
    assert specs["fr"].model_id == "identity"


def test_missing_model_error_names_model_places_and_fix(tmp_path: Path) -> None:
    spec = ModelSpec("vi", "parallax-test/no-such-model-xyz", "main")
    with pytest.raises(ModelError) as err:
        resolve(spec, tmp_path)
    message = str(err.value)
    assert "parallax-test/no-such-model-xyz" in message
    assert str(tmp_path / "no-such-model-xyz") in message
    assert "Hugging Face cache" in message and "HF_HUB_OFFLINE" in message
    assert "parallax models fetch vi" in message and "--model vi=PATH" in message


def test_local_snapshot_is_found_first(tmp_path: Path, tiny_marian: Path) -> None:
    shutil.copytree(tiny_marian, tmp_path / "opus-mt-vi-en")
    model = resolve(model_specs(tmp_path)["vi"], tmp_path)
    assert model.folder == tmp_path / "opus-mt-vi-en"
    assert model.name == "Helsinki-NLP/opus-mt-vi-en@main"


def test_folder_override_gets_a_fingerprint_revision(tiny_marian: Path, tmp_path: Path) -> None:
    model = resolve(model_specs(tmp_path, [f"vi={tiny_marian}"])["vi"], tmp_path)
    assert model.folder == tiny_marian and model.revision.startswith("local-")


def test_incomplete_folder_is_reported(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ModelError, match=r"missing source\.spm"):
        resolve(model_specs(tmp_path, [f"vi={tmp_path}"])["vi"], tmp_path)


def test_fetch_offline_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="cannot fetch parallax-test/none"):
        fetch_model(ModelSpec("vi", "parallax-test/none", "main"), tmp_path)


def test_cli_models_list(
    tmp_path: Path, tiny_marian: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(tiny_marian, tmp_path / "opus-mt-vi-en")
    assert main(["models", "list", "--models-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert any(line.startswith("vi") and "yes: local snapshot" in line for line in out)
    assert any(line.startswith("zh") and "no (looked in" in line for line in out)
    assert any(line.startswith("en") and "identity" in line for line in out)


def test_cli_models_fetch_unknown_and_offline(tmp_path: Path) -> None:
    assert main(["models", "fetch", "xx", "--models-dir", str(tmp_path)]) == 1
    assert main(["models", "fetch", "vi", "--models-dir", str(tmp_path)]) == 1


def test_hugging_face_cache_is_searched(
    tmp_path: Path, tiny_marian: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import constants

    # the layout huggingface_hub writes: refs/main -> snapshots/<commit>/
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hub" / "models--parallax-test--tiny"
    shutil.copytree(tiny_marian, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit, encoding="utf-8")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    model = resolve(model_specs(tmp_path, ["vi=parallax-test/tiny"])["vi"], tmp_path / "models")
    assert model.folder == repo / "snapshots" / commit
    assert model.name == f"parallax-test/tiny@{commit}"


def test_fingerprint_follows_content_not_place_or_time(tiny_marian: Path, tmp_path: Path) -> None:
    import os

    copy = tmp_path / "copy"
    shutil.copytree(tiny_marian, copy, copy_function=shutil.copy)
    os.utime(copy / "pytorch_model.bin", (0, 0))
    revision = resolve(model_specs(tmp_path, [f"vi={tiny_marian}"])["vi"], tmp_path).revision
    assert resolve(model_specs(tmp_path, [f"vi={copy}"])["vi"], tmp_path).revision == revision
    weights = bytearray((copy / "pytorch_model.bin").read_bytes())
    weights[len(weights) // 2] ^= 0xFF  # one byte in the middle of the weights
    (copy / "pytorch_model.bin").write_bytes(bytes(weights))
    assert resolve(model_specs(tmp_path, [f"vi={copy}"])["vi"], tmp_path).revision != revision
