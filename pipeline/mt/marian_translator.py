"""The torch backend: a MarianMT model run with ``transformers``.

``torch`` and ``transformers`` are imported when the model is first used.
"""

from __future__ import annotations

import logging
from typing import Any

from pipeline import ModelError
from pipeline.mt.registry import ResolvedModel
from pipeline.mt.translator import (
    GenerationSettings,
    Translator,
    generation_kwargs,
    model_generation,
    pick_device,
)

log = logging.getLogger(__name__)


class MarianTranslator:
    """A MarianMT model run with ``transformers`` and ``torch``, loaded on first use.

    Args:
        model: the resolved model (folder, id, revision).
        settings: generation settings; zeros take the model's generation config.
    """

    backend = "torch"

    def __init__(self, model: ResolvedModel, settings: GenerationSettings) -> None:
        self.model_id = model.model_id
        self.revision = model.revision
        self.name = model.name
        self.folder = model.folder
        self._requested = settings
        self._model: Any = None
        self._tokenizer: Any = None
        self._generate: dict[str, Any] = {}
        self._source = ""
        self._device = "cpu"
        self._max_tokens = 0

    def _load(self) -> None:
        if self._model is not None:
            return
        from transformers import MarianMTModel, MarianTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        self._device = pick_device(self._requested.device)
        try:
            self._tokenizer = MarianTokenizer.from_pretrained(self.folder)
            model = MarianMTModel.from_pretrained(self.folder)
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"{self.folder}: cannot load {self.model_id} ({exc})") from exc
        self._model = model.to(self._device).eval()  # type: ignore[arg-type]
        positions = int(model.config.max_position_embeddings)
        self._max_tokens = min(positions, int(self._tokenizer.model_max_length))
        fields, self._source = model_generation(self.folder)
        self._generate = generation_kwargs(fields, self._requested, positions)
        log.info(
            "loaded %s on %s: %s (from %s)", self.name, self._device, self._generate, self._source
        )

    @property
    def max_tokens(self) -> int:
        """The longest input the model takes (its position embeddings)."""
        self._load()
        return self._max_tokens

    def settings(self) -> dict[str, Any]:
        """The effective generation keyword arguments, and the file the defaults came from."""
        self._load()
        return {**self._generate, "defaults_from": self._source}

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Token counts with the model's tokenizer (``</s>`` included, no truncation)."""
        if not texts:
            return []
        self._load()
        return [
            len(ids) for ids in self._tokenizer(texts, truncation=False, verbose=False)["input_ids"]
        ]

    def translate_batch(self, texts: list[str]) -> list[str]:
        """Translate one batch with ``generate`` under ``torch.inference_mode()``."""
        if not texts:
            return []
        self._load()
        import torch

        batch = self._tokenizer(texts, return_tensors="pt", padding=True, truncation=False)
        batch = {k: v.to(self._device) for k, v in batch.items()}
        with torch.inference_mode():
            out = self._model.generate(**batch, **self._generate)
        return [s.strip() for s in self._tokenizer.batch_decode(out, skip_special_tokens=True)]


def marian_factory(model: ResolvedModel, settings: GenerationSettings) -> Translator:
    """The default factory: a torch MarianTranslator."""
    return MarianTranslator(model, settings)
