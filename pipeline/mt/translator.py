"""Translators: one small interface, several implementations.

A translator turns a batch of source strings into English strings of the same
length and order. The stage does batching, caching and splitting around it, so
an implementation only translates; a new backend (CTranslate2, say) is another
class with the same attributes and methods, built by a factory the stage is given.
``torch`` and ``transformers`` are imported when a Marian model is first used.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from pipeline import ConfigError, InputError, ModelError
from pipeline.io.files import read_json
from pipeline.mt.registry import IDENTITY, ResolvedModel

log = logging.getLogger(__name__)

# Where a model runs (``auto``: cuda when a GPU is present).
DEVICES = ("auto", "cpu", "cuda")


@runtime_checkable
class Translator(Protocol):
    """What the translate stage needs of a translator.

    Attributes:
        name: recorded on each translation (``model_id@revision`` or ``identity``).
        model_id: the model's hub id or folder.
        revision: its pinned revision.
        backend: the engine running it (``torch``, ``identity``...); part of the cache key.
        max_tokens: the longest input, in tokens, it takes without truncating.
    """

    name: str
    model_id: str
    revision: str
    backend: str

    @property
    def max_tokens(self) -> int:
        """The longest input, in tokens, the translator takes without truncating."""
        ...

    def settings(self) -> dict[str, Any]:
        """The effective generation settings (part of the cache key)."""
        ...

    def count_tokens(self, texts: list[str]) -> list[int]:
        """The number of input tokens of each text, end-of-sentence included."""
        ...

    def translate_batch(self, texts: list[str]) -> list[str]:
        """Translate texts; return one translation per text, in order."""
        ...


@runtime_checkable
class Submitting(Protocol):
    """A translator that can queue a batch and be waited on later (CTranslate2's threads).

    :func:`pipeline.mt.batching.translate_all` queues the next batch before it
    takes the current one's results, so the engine never waits for Python.
    """

    def submit_batch(self, texts: list[str]) -> Callable[[], list[str]]:
        """Start translating texts; the returned call gives their translations, in order."""
        ...


@dataclass(frozen=True)
class GenerationSettings:
    """How a model generates; zero means "the model's generation config".

    Attributes:
        beam_size: beams (``num_beams``).
        max_new_tokens: longest output in tokens.
        no_repeat_ngram_size: forbid repeating an n-gram of this size (0 = off).
        repetition_penalty: >1 discourages repeated tokens (1.0 = off).
        device: ``auto`` (cuda when available), ``cpu`` or ``cuda``.
        min_new_tokens: shortest output in tokens (0 = no minimum; benchmarks force
            a fixed output length with min = max).
    """

    beam_size: int = 0
    max_new_tokens: int = 0
    no_repeat_ngram_size: int = 0
    repetition_penalty: float = 1.0
    device: str = "auto"
    min_new_tokens: int = 0


TranslatorFactory = Callable[[ResolvedModel, GenerationSettings], Translator]


class IdentityTranslator:
    """English to English: returns its input (model ``identity``)."""

    name = IDENTITY
    model_id = IDENTITY
    revision = ""
    backend = IDENTITY
    max_tokens = 1 << 30

    def settings(self) -> dict[str, Any]:
        """No settings."""
        return {}

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Whitespace words plus one, a stand-in for tokens."""
        return [len(t.split()) + 1 for t in texts]

    def translate_batch(self, texts: list[str]) -> list[str]:
        """Return the texts unchanged."""
        return list(texts)


def pick_device(device: str) -> str:
    """Resolve ``auto`` to ``cuda`` when a GPU is present, else ``cpu``.

    Raises:
        ConfigError: an unknown device, or ``cuda`` without a GPU.
    """
    import torch

    if device not in DEVICES:
        known = f"{', '.join(DEVICES[:-1])} or {DEVICES[-1]}"
        raise ConfigError(f"--device {device!r}: expected {known}")
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ConfigError("--device cuda: no CUDA GPU is available (use auto or cpu)")
    return device


# The generation fields of a model's files that shape its output (transformers' names).
GENERATION_FIELDS = (
    "num_beams",
    "max_length",
    "bad_words_ids",
    "forced_eos_token_id",
    "renormalize_logits",
    "length_penalty",
)


def model_generation(folder: Path) -> tuple[dict[str, Any], str]:
    """A snapshot's generation fields, read the way ``from_pretrained`` reads them.

    ``generation_config.json`` when the snapshot has one; else the same fields of
    ``config.json`` itself (older OPUS-MT revisions and fine-tunes saved with a
    config only). ``GenerationConfig.from_model_config`` is no substitute: in
    transformers 5 the parsed model config no longer carries ``num_beams``,
    ``max_length`` or ``bad_words_ids``, so a backend reading it got 1 beam where
    ``MarianMTModel.from_pretrained`` gets the model's 6.

    Returns:
        (the fields present, the file they came from).
    """
    name = "generation_config.json"
    if not (folder / name).is_file():
        name = "config.json"
    data = read_json(folder / name)
    fields = {key: data[key] for key in GENERATION_FIELDS if data.get(key) is not None}
    return fields, name


def model_positions(folder: Path) -> int:
    """A snapshot's position embeddings (``config.json``), its longest input and output.

    Raises:
        ModelError: no readable ``config.json``, or no ``max_position_embeddings`` in it.
    """
    try:
        return int(read_json(folder / "config.json")["max_position_embeddings"])
    except (InputError, KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{folder}: no max_position_embeddings in config.json ({exc})") from exc


def input_limit(folder: Path, tokenizer_limit: int) -> int:
    """The longest input a snapshot takes: its position embeddings, or its tokenizer's limit."""
    return min(model_positions(folder), tokenizer_limit)


def generation_kwargs(
    model: Mapping[str, Any], settings: GenerationSettings, positions: int
) -> dict[str, Any]:
    """The ``generate`` keyword arguments: the requested settings, else the model's fields.

    Args:
        model: the model's generation fields (:func:`model_generation`).
        settings: the requested settings (zeros take the model's).
        positions: the model's position embeddings, the longest output it can make.
    """
    beams = settings.beam_size or int(model.get("num_beams", 1))
    limit = int(model.get("max_length", 0) or positions)
    kwargs: dict[str, Any] = {
        "num_beams": beams,
        "max_new_tokens": settings.max_new_tokens or min(limit, positions),
        "max_length": None,
        "do_sample": False,
        "no_repeat_ngram_size": settings.no_repeat_ngram_size,
        "repetition_penalty": settings.repetition_penalty,
        "renormalize_logits": bool(model.get("renormalize_logits", False)),
    }
    for key in ("bad_words_ids", "forced_eos_token_id", "length_penalty"):
        if key in model:
            kwargs[key] = model[key]
    if settings.min_new_tokens:  # only when set, so earlier cache keys stay valid
        kwargs["min_new_tokens"] = settings.min_new_tokens
    return kwargs


def snapshot_generation(folder: Path, settings: GenerationSettings) -> tuple[dict[str, Any], str]:
    """A snapshot's ``generate`` keywords (:func:`generation_kwargs`) and their file, no weights.

    Raises:
        ModelError: the generation files or ``config.json`` unreadable.
    """
    try:
        fields, source = model_generation(folder)
    except InputError as exc:
        raise ModelError(f"{folder}: cannot read the generation settings ({exc})") from exc
    return generation_kwargs(fields, settings, model_positions(folder)), source


def settings_of(translator: Translator) -> Mapping[str, Any]:
    """The translator's settings plus its backend, for cache keys and logs."""
    return {"backend": translator.backend, **translator.settings()}
