"""The Hugging Face hub: download a snapshot, or find one in the local cache.

Both use the same file patterns (:data:`FETCH_PATTERNS`): ``huggingface_hub``
records a snapshot's file list when it downloads it, and later calls a cached
snapshot incomplete when a file matching the lookup's patterns is absent, so a
lookup without the download's patterns would refuse every fetched snapshot
(``.gitattributes``, which every hub repo has, is never downloaded).
``huggingface_hub`` honours ``HF_ENDPOINT`` (a mirror), ``HF_HOME`` (the cache)
and ``HF_HUB_OFFLINE``; it is imported only when a model is looked for.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["FETCH_PATTERNS", "cached_snapshot", "download_snapshot", "hub_errors", "offline"]

log = logging.getLogger(__name__)

# What a Marian snapshot needs: configs, tokenizer, model card, and the weights in
# either format. OPUS-MT repos ship pytorch_model.bin only (zh-en 312 MB, vi-en
# 289 MB); their TensorFlow, Flax and Rust weights are left on the hub.
FETCH_PATTERNS = ["*.json", "*.spm", "*.txt", "*.md", "model.safetensors", "pytorch_model.bin"]


def hub_errors() -> tuple[type[Exception], ...]:
    """What a hub call raises when a model is absent or the hub cannot be reached."""
    from huggingface_hub import errors

    # ``errors.HTTPError`` is the HTTP client's base error (network failures), which
    # huggingface_hub lets through from model_info; it is not an OSError.
    network = getattr(errors, "HTTPError", OSError)
    return (OSError, ValueError, errors.HfHubHTTPError, network)


def offline() -> bool:
    """True when ``HF_HUB_OFFLINE`` forbids the hub."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().upper() in {"1", "ON", "YES", "TRUE"}


@contextmanager
def _progress() -> Iterator[None]:
    """Show huggingface_hub's download bars (bytes, rate, ETA on stderr) for this block.

    Loading a model with transformers turns them off for the whole process, so a
    second language's download would be silent; ``HF_HUB_DISABLE_PROGRESS_BARS``
    still wins.
    """
    from huggingface_hub import constants
    from huggingface_hub.utils import (
        are_progress_bars_disabled,
        disable_progress_bars,
        enable_progress_bars,
    )

    was_disabled = are_progress_bars_disabled()
    if was_disabled and not constants.HF_HUB_DISABLE_PROGRESS_BARS:
        enable_progress_bars()
    try:
        yield
    finally:
        if was_disabled:
            disable_progress_bars()


def download_snapshot(model_id: str, revision: str, local_dir: Path | None = None) -> Path:
    """Download a snapshot's :data:`FETCH_PATTERNS` files, showing progress.

    Args:
        model_id: the hub id.
        revision: a branch, tag or commit.
        local_dir: a folder to download into (default: the Hugging Face cache).

    Returns:
        the snapshot's folder.
    """
    from huggingface_hub import snapshot_download

    log.info("downloading %s@%s from the hub", model_id, revision)
    with _progress():
        path = snapshot_download(
            model_id, revision=revision, local_dir=local_dir, allow_patterns=FETCH_PATTERNS
        )
    return Path(path)


def cached_snapshot(model_id: str, revision: str) -> Path:
    """The snapshot in the Hugging Face cache, without the network.

    Raises:
        OSError: not cached, or cached incompletely.
    """
    from huggingface_hub import snapshot_download

    path = snapshot_download(
        model_id, revision=revision, local_files_only=True, allow_patterns=FETCH_PATTERNS
    )
    return Path(path)
