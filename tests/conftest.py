"""Shared fixtures: offline Hugging Face, and a tiny MarianMT model built once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Before anything imports huggingface_hub: tests never reach the network.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the hub offline in every test, whatever a test changed."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def tiny_marian(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-weight MarianMT model (see tests/support/tiny_marian.py), built once."""
    from tests.support.tiny_marian import build_tiny_marian

    return build_tiny_marian(tmp_path_factory.mktemp("models") / "tiny-vi-en", seed=0)
