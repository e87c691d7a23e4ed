"""The torch backend: a MarianMT model run with ``transformers``.

Its name, generation settings, input limit and token counts come from the
snapshot's files (:mod:`pipeline.mt.marian_vocab` tokenizes, with the ids of
``MarianTokenizer``); ``torch`` and ``transformers`` are imported, and the
weights loaded, when the first batch is translated. So a run the cache answers
whole loads no model.
"""

from __future__ import annotations

import logging
from typing import Any

from pipeline import ModelError, threads
from pipeline.mt.marian_vocab import MarianVocab, load_marian_vocab
from pipeline.mt.registry import ResolvedModel
from pipeline.mt.translator import (
    GenerationSettings,
    Translator,
    input_limit,
    pick_device,
    snapshot_generation,
)

log = logging.getLogger(__name__)


class MarianTranslator:
    """A MarianMT model run with ``transformers`` and ``torch``, loaded on first translation.

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
        self._vocab: MarianVocab | None = None
        self._generate: dict[str, Any] | None = None
        self._source = ""
        self._device = "cpu"
        self._max_tokens = 0

    def _tokenizer(self) -> MarianVocab:
        if self._vocab is None:
            self._vocab = load_marian_vocab(self.folder)
        return self._vocab

    def _generation(self) -> dict[str, Any]:
        """The ``generate`` keywords, from the snapshot's files (no weights needed)."""
        if self._generate is None:
            self._generate, self._source = snapshot_generation(self.folder, self._requested)
        return self._generate

    def _load(self) -> Any:
        if self._model is not None:
            return self._model
        from transformers import MarianMTModel
        from transformers.utils import logging as hf_logging

        threads.apply_torch()
        hf_logging.disable_progress_bar()
        self._device = pick_device(self._requested.device)
        try:
            model = MarianMTModel.from_pretrained(self.folder)
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"{self.folder}: cannot load {self.model_id} ({exc})") from exc
        self._model = model.to(self._device).eval()  # type: ignore[arg-type]
        log.info(
            "loaded %s on %s: %s (from %s)",
            self.name,
            self._device,
            self._generation(),
            self._source,
        )
        return self._model

    @property
    def max_tokens(self) -> int:
        """The longest input the model takes (its position embeddings, or the tokenizer's limit)."""
        if not self._max_tokens:  # read once: the engine asks for it on every chunk
            self._max_tokens = input_limit(self.folder, self._tokenizer().model_max_length)
        return self._max_tokens

    def settings(self) -> dict[str, Any]:
        """The effective generation keyword arguments, and the file the defaults came from."""
        generate = self._generation()
        return {**generate, "defaults_from": self._source}

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Token counts with the model's tokenizer (``</s>`` included, no truncation)."""
        if not texts:
            return []
        return [len(ids) for ids in self._tokenizer().encode_batch(texts)]

    def translate_batch(self, texts: list[str]) -> list[str]:
        """Translate one batch with ``generate`` under ``torch.inference_mode()``."""
        if not texts:
            return []
        model = self._load()
        import torch

        vocab = self._tokenizer()
        ids = vocab.encode_batch(texts)
        width = max(len(row) for row in ids)
        # padded on the right with <pad>, as MarianTokenizer(padding=True) pads
        padded = [row + [vocab.pad_id] * (width - len(row)) for row in ids]
        mask = [[1] * len(row) + [0] * (width - len(row)) for row in ids]
        batch = {
            "input_ids": torch.tensor(padded, device=self._device),
            "attention_mask": torch.tensor(mask, device=self._device),
        }
        with torch.inference_mode():
            out = model.generate(**batch, **self._generation())
        return [vocab.decode(row) for row in out.tolist()]


def marian_factory(model: ResolvedModel, settings: GenerationSettings) -> Translator:
    """The default factory: a torch MarianTranslator."""
    return MarianTranslator(model, settings)
