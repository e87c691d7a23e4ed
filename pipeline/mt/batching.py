"""Batching for throughput: dedupe, sort by length, group by a token budget and a count.

Padding makes a batch cost its longest member times its size, so texts are
sorted by token length before they are grouped (EasyNMT's ``translate_sentences``
does this); results are put back in the original order.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

from pipeline import ModelError

T = TypeVar("T")

__all__ = [
    "TranslatorContractError",
    "chunks",
    "plan_batches",
    "plan_calls",
    "translate_all",
    "unique",
]


class TranslatorContractError(ModelError, RuntimeError):
    """A translator returned another number of results than it was given texts.

    A :class:`~pipeline.ModelError`, so the translate stage reports it on the
    language's segments and the CLI's one catch sees it; a ``RuntimeError`` too,
    as it was before it had a name of its own.
    """


def unique(texts: Sequence[str]) -> tuple[list[str], list[int]]:
    """Deduplicate texts.

    Returns:
        (the distinct texts in first-seen order, for each input the index of its text).
    """
    index: dict[str, int] = {}
    where = [index.setdefault(text, len(index)) for text in texts]
    return list(index), where


def plan_batches(lengths: Sequence[int], batch_size: int, batch_tokens: int) -> list[list[int]]:
    """Group positions into batches, longest first.

    A batch holds at most ``batch_size`` texts and at most ``batch_tokens``
    padded tokens (its longest length times its size); a text longer than the
    budget gets a batch of its own.

    Args:
        lengths: token length of each text.
        batch_size: most texts in a batch (>= 1).
        batch_tokens: most padded tokens in a batch (>= 1).

    Returns:
        Lists of positions into ``lengths``; every position appears once.
    """
    if batch_size < 1 or batch_tokens < 1:
        raise ValueError(
            f"batch_size and batch_tokens must be >= 1, got {batch_size}, {batch_tokens}"
        )
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for i in order:
        # Sorted longest first, so the batch's padded width is its first member's length.
        width = max(longest, lengths[i])
        if current and (len(current) >= batch_size or width * (len(current) + 1) > batch_tokens):
            batches.append(current)
            current, width = [], lengths[i]
        current.append(i)
        longest = width
    if current:
        batches.append(current)
    return batches


def plan_calls(lengths: Sequence[int], batch: int, call_tokens: int) -> list[list[int]]:
    """Calls of whole engine batches, longest first, of at most ``call_tokens`` padded tokens.

    For an engine that batches ``batch`` texts at a time inside a call
    (CTranslate2 with ``batch_type="examples"``): a call of 100 texts would run
    batches of 32, 32, 32 and 4, and a small batch costs nearly what a full one
    does, so calls hold whole batches of ``batch`` length-sorted texts and only the
    last batch of all is short. A batch of texts too long for the bound is cut
    into calls within it, as :func:`plan_batches` cuts.

    Args:
        lengths: token length of each text.
        batch: texts per engine batch (>= 1).
        call_tokens: most padded tokens (a batch's longest length times its size,
            summed over its batches) per call (>= 1).

    Returns:
        Lists of positions into ``lengths``; every position appears once.
    """
    calls: list[list[int]] = []
    room = 0  # padded tokens the last call may still take
    for group in plan_batches(lengths, batch, sys.maxsize):
        padded = lengths[group[0]] * len(group)  # longest first
        if padded > call_tokens:
            parts = plan_batches([lengths[i] for i in group], batch, call_tokens)
            calls += [[group[j] for j in part] for part in parts]
            room = 0
        elif calls and padded <= room:
            calls[-1].extend(group)
            room -= padded
        else:
            calls.append(list(group))
            room = call_tokens - padded
    return calls


def translate_all(
    texts: Sequence[str],
    lengths: Sequence[int],
    translate: Callable[[list[str]], list[str]],
    batch_size: int,
    batch_tokens: int,
    on_batch: Callable[[list[int], list[str]], None] | None = None,
    submit: Callable[[list[str]], Callable[[], list[str]]] | None = None,
    plan: list[list[int]] | None = None,
) -> list[str]:
    """Translate texts in planned batches and return the results in input order.

    Args:
        texts: the texts (already deduplicated by the caller, if wanted).
        lengths: their token lengths.
        translate: translates one batch.
        batch_size: most texts per batch.
        batch_tokens: most padded tokens per batch.
        on_batch: called after each batch with its positions and results (to cache
            them at once, and for progress bars), in the batches' order.
        submit: starts one batch and returns what waits for its results; given, the
            next batch is started before the current one's results are taken, so an
            engine that runs in threads of its own (CTranslate2) always has work queued
            while this thread decodes, caches and plans.
        plan: the batches, as positions (default: :func:`plan_batches` of the bounds).

    Raises:
        TranslatorContractError: the translator returned the wrong number of results.
    """
    results: list[str | None] = [None] * len(texts)

    def finish(batch: list[int], out: list[str]) -> None:
        if len(out) != len(batch):
            raise TranslatorContractError(
                f"translator returned {len(out)} results for {len(batch)} texts"
            )
        for i, text in zip(batch, out, strict=True):
            results[i] = text
        if on_batch is not None:
            on_batch(batch, out)

    pending: deque[tuple[list[int], Callable[[], list[str]]]] = deque()
    for batch in plan if plan is not None else plan_batches(lengths, batch_size, batch_tokens):
        if submit is None:
            finish(batch, translate([texts[i] for i in batch]))
            continue
        pending.append((batch, submit([texts[i] for i in batch])))
        if len(pending) > 1:
            taken, wait = pending.popleft()
            finish(taken, wait())
    while pending:
        taken, wait = pending.popleft()
        finish(taken, wait())
    return [r if r is not None else "" for r in results]


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Items in lists of ``size`` (the last one shorter), read lazily."""
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
