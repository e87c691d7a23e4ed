"""Translating texts with one translator: dedupe, split, batch by length, join.

The work the local engine (:class:`pipeline.mt.engine.Translating`) and a Ray
actor (:mod:`pipeline.mt.ray_worker`) share; only where known translations come
from and where new ones go differ.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.mt.batching import plan_calls, translate_all, unique
from pipeline.mt.pieces import join_pieces, split_to_fit
from pipeline.mt.translator import Submitting, Translator

__all__ = ["Batching", "translate_texts"]


@dataclass(frozen=True)
class Batching:
    """How :func:`translate_texts` splits and batches.

    Attributes:
        batch_size: most segments per batch.
        batch_tokens: most padded input tokens per batch.
        max_input_tokens: split texts longer than this (0: the model's limit).
    """

    batch_size: int = 32
    batch_tokens: int = 4096
    max_input_tokens: int = 0

    def limit(self, model_tokens: int) -> int:
        """The longest text sent whole to a model taking ``model_tokens``; longer ones split."""
        return min(self.max_input_tokens or model_tokens, model_tokens)


def translate_texts(
    translator: Translator,
    texts: list[str],
    batching: Batching,
    lookup: Callable[[list[str]], dict[str, str]],
    store: Callable[[list[str], list[str]], None],
    count: Callable[[str, int], None],
) -> list[tuple[str, list[str]]]:
    """Translate texts with one translator: dedupe, split, batch by length, join.

    The same work on one machine (:class:`Translating`) and in a Ray actor
    (:mod:`pipeline.mt.ray_worker`); only where known translations come from and
    where new ones go differ.

    Args:
        translator: the model.
        texts: source texts (repeats are translated once).
        batching: batch bounds and the split limit.
        lookup: pieces -> the translations already known (the cache).
        store: called with each translated batch's pieces and outputs.
        count: adds to a named count (``split``, ``cached``, ``model_texts``).

    Returns:
        For each text, its translation and the pieces sent to the model.
    """
    distinct, where = unique(texts)
    limit = batching.limit(translator.max_tokens)
    lengths = dict(zip(distinct, translator.count_tokens(distinct), strict=True))
    split = [
        [t] if lengths[t] <= limit else split_to_fit(t, translator.count_tokens, limit)
        for t in distinct
    ]
    count("split", sum(len(p) > 1 for p in split))
    pieces, _ = unique([p for parts in split for p in parts])
    done = lookup(pieces)
    count("cached", len(done))
    todo = [p for p in pieces if p not in done]
    missing = [p for p in todo if p not in lengths]
    lengths.update(zip(missing, translator.count_tokens(missing), strict=True))

    def on_batch(batch: list[int], out: list[str]) -> None:
        store([todo[i] for i in batch], out)
        count("model_texts", len(batch))

    batch_size, batch_tokens = batching.batch_size, batching.batch_tokens
    sizes = [lengths[p] for p in todo]
    plan = None
    per_call = int(getattr(translator, "tokens_per_call", 0))
    if per_call:  # the engine batches itself: hand it length-sorted calls of whole batches
        batch = int(getattr(translator, "batch_examples", 0))
        plan = plan_calls(sizes, batch or sys.maxsize, per_call)  # no batch size: calls alone
    results = translate_all(
        todo,
        sizes,
        translator.translate_batch,
        batch_size,
        batch_tokens,
        on_batch=on_batch,
        submit=translator.submit_batch if isinstance(translator, Submitting) else None,
        plan=plan,
    )
    done.update(zip(todo, results, strict=True))
    joined = [(join_pieces([done[p] for p in parts]), parts) for parts in split]
    return [joined[i] for i in where]
