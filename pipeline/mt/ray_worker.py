"""The Ray actor of the ray engine: one model, loaded once, translating units of texts.

An actor holds one translator (either backend), built by the stage's factory
when the actor starts, with its threads set from the CPUs Ray gave it (Ray
does not pin cores, so the machine's affinity would oversubscribe them). Its
work is :func:`pipeline.mt.engine.translate_texts`, the local engine's own
length-sorted batching, plus the splitting of over-long texts and the quality
flags: a pure ``texts -> translations`` function. It never touches the cache;
the driver sends only texts the cache lacks and writes what comes back.

This module does not import ``ray``: :mod:`pipeline.mt.ray_engine` wraps the
class with ``ray.remote`` on the driver.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path
from typing import Any

from pipeline import ModelError, threads
from pipeline.mt.engine import assessed
from pipeline.mt.pieces import split_to_fit
from pipeline.mt.registry import ResolvedModel, resolve
from pipeline.mt.texts import Batching, translate_texts
from pipeline.mt.translator import GenerationSettings, TranslatorFactory

__all__ = ["TranslatorWorker", "ct2_threads", "worker_threads"]

log = logging.getLogger(__name__)


def worker_threads(cpus: float) -> int:
    """Threads for a worker given ``cpus`` CPUs by Ray (at least one)."""
    return max(1, int(cpus))


def ct2_threads(cpus: float) -> tuple[int, int]:
    """CTranslate2's (threads per batch, batches in parallel) on ``cpus`` CPUs.

    The split :func:`pipeline.mt.ct2_translator._threads` makes of a machine's
    cores (up to 4 batches at once), applied to the actor's share instead.
    """
    cores = worker_threads(cpus)
    inter = min(cores, 4)
    return max(1, cores // inter), inter


class TranslatorWorker:
    """One model in one process; methods are called by the driver through Ray.

    Args:
        index: the worker's number in its pool (for the per-worker counts).
        model: the model as resolved on the driver.
        generation: generation settings.
        factory: builds the translator (the stage's backend factory).
        cpus: CPUs Ray gave this actor; the models run that many threads.
        models_dir: the registry folder, to check the model's identity on this node.
    """

    def __init__(
        self,
        index: int,
        model: ResolvedModel,
        generation: GenerationSettings,
        factory: TranslatorFactory,
        cpus: float,
        models_dir: Path,
    ) -> None:
        self.index = index
        self.model = model
        self.cpus = cpus
        self.models_dir = models_dir
        self._factory = factory
        self._generation = generation
        self._translator: Any = None

    def _load(self) -> Any:
        if self._translator is None:
            # the actor's share of the CPUs: torch applies it when it loads a model, and
            # CTranslate2 reads it; nothing heavy is imported here (a ct2 actor needs no torch)
            threads.configure(worker_threads(self.cpus))
            here = resolve(self.model.spec, self.models_dir)
            if here.revision != self.model.revision:
                raise ModelError(
                    f"{self.model.spec.model_id}: this node ({socket.gethostname()}) has "
                    f"revision {here.revision}, the driver {self.model.revision}; ship the same "
                    "snapshot "
                    "to every node (cache keys follow the revision)"
                )
            self._translator = self._factory(here, self._generation)
        return self._translator

    def describe(self) -> dict[str, Any]:
        """Load the model; return what the driver needs for cache keys, and where it runs."""
        translator = self._load()
        return {
            "name": translator.name,
            "model_id": translator.model_id,
            "revision": translator.revision,
            "backend": translator.backend,
            "settings": dict(translator.settings()),
            "max_tokens": int(translator.max_tokens),
            **self._where(),
        }

    def _where(self) -> dict[str, Any]:
        import ray

        return {
            "worker": self.index,
            "node": ray.get_runtime_context().get_node_id(),
            "host": socket.gethostname(),
            "pid": os.getpid(),
        }

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Token counts with the model's tokenizer."""
        return list(self._load().count_tokens(texts))

    def translate_batch(self, texts: list[str]) -> list[str]:
        """Translate one batch as it is (no splitting, no flags)."""
        return list(self._load().translate_batch(texts))

    def translate(self, texts: list[str], batching: Batching) -> dict[str, Any]:
        """Translate distinct texts that fit the model; return the pieces of those that do not.

        A text too long for the model comes back split but untranslated: its pieces
        may be in the driver's cache already (another text had them), so the driver
        looks them up and sends only the missing ones, which fit.

        Returns:
            ``results``: per text ``[translation, pieces, flags, quality]`` (translation
            None for a split text); ``new``: ``[piece, translation]`` of every text the
            model translated (for the driver's cache); ``counts``; and where it ran.
        """
        translator = self._load()
        limit = batching.limit(translator.max_tokens)
        lengths = translator.count_tokens(texts)
        fit = [t for t, n in zip(texts, lengths, strict=True) if n <= limit]
        new: list[tuple[str, str]] = []
        counts: dict[str, int] = {"batches": 0, "texts": len(texts)}

        def store(pieces: list[str], out: list[str]) -> None:
            new.extend(zip(pieces, out, strict=True))
            counts["batches"] += 1

        def count(name: str, n: int) -> None:
            counts[name] = counts.get(name, 0) + n

        def nothing_known(pieces: list[str]) -> dict[str, str]:
            return {}  # the driver sent only what its cache lacks

        out = translate_texts(translator, fit, batching, nothing_known, store, count)
        done = dict(zip(fit, out, strict=True))
        results: list[list[Any]] = []
        for text, n in zip(texts, lengths, strict=True):
            if n > limit:
                results.append([None, split_to_fit(text, translator.count_tokens, limit), [], {}])
                count("split", 1)
                continue
            translation, pieces = done[text]
            flags, quality = assessed(text, translation, len(pieces))
            results.append([translation, pieces, list(flags), quality])
        return {"results": results, "new": new, "counts": counts, **self._where()}
