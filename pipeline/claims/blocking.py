"""Blocking: which pairs of claims are worth scoring at all.

Claims are indexed under their most weighted content words
(:func:`pipeline.claims.similarity.top_terms`) and their actor, place, initiator and
amount keys; only claims from different documents that share a block are
compared. A block of at most ``max_block`` claims gives all its pairs; in a
larger one each claim meets only its ``window`` nearest neighbours in time
(sorted neighbourhood); a block holding more than ``max_share`` of all claims
(a word like "said") is dropped. Last, each claim keeps at most ``max_pairs``
pairs, its best: those sharing most blocks, then the smallest block, then
nearest in time; a pair stays when it is among the best of both its claims.
Blocks grow with the collection, and a claim's pairs with them, until the
cap holds them: the pairs per claim stay flat and the work grows linearly.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from pipeline.claims.clustering import ClaimView, Params

__all__ = ["block_keys", "candidate_pairs", "capped"]

BLOCK_SLOTS = ("who", "where", "initiator", "amount")


def block_keys(v: ClaimView, terms: Sequence[str]) -> list[str]:
    """The blocks a claim is indexed under: content words and fact keys."""
    keys = [f"t:{t}" for t in terms]
    keys += [f"{slot}:{k}" for slot in BLOCK_SLOTS for k in sorted(v.keys.get(slot, ()))]
    return keys


def candidate_pairs(
    views: Sequence[ClaimView], terms: Sequence[Sequence[str]], params: Params
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Pairs ``(i, j)``, ``i < j``, of claims from different documents sharing a block.

    A block of at most ``max_block`` claims gives all its pairs. A larger one is
    sorted by date and each claim is paired with its ``window`` next neighbours
    in time (sorted neighbourhood), so it costs linear, not quadratic, work. A
    block holding more than ``max_share`` of all claims (a word like "said")
    is dropped. Of the pairs found, each claim keeps its ``max_pairs`` best
    (:func:`capped`).

    Returns:
        The left and right index arrays, in ascending order of ``(i, j)``, and counts
        of full, windowed and dropped blocks and of the pairs the cap dropped.
    """
    postings: dict[str, list[int]] = defaultdict(list)
    for i, (v, t) in enumerate(zip(views, terms, strict=True)):
        for key in block_keys(v, t):
            postings[key].append(i)
    return _pairs(postings, views, params)


def _pairs(
    postings: dict[str, list[int]], views: Sequence[ClaimView], params: Params
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    doc_index: dict[str, int] = {}
    docs = np.array(
        [doc_index.setdefault(v.claim.doc_id, len(doc_index)) for v in views], dtype=np.int64
    )
    days = np.array([_day(v) for v in views], dtype=np.int64)
    limit = max(params.max_block, int(params.max_share * len(views)))
    counts = {"blocks": 0, "windowed_blocks": 0, "dropped_blocks": 0, "capped_pairs": 0}
    codes, sizes = [], []
    for members in postings.values():
        if len(members) < 2:
            continue
        idx = np.array(members, dtype=np.int64)
        if len(idx) > limit:
            counts["dropped_blocks"] += 1
            continue
        counts["blocks" if len(idx) <= params.max_block else "windowed_blocks"] += 1
        left, right = _block_pairs(idx, days, params)
        keep = docs[left] != docs[right]
        lo, hi = np.minimum(left, right)[keep], np.maximum(left, right)[keep]
        codes.append(lo * len(views) + hi)
        sizes.append(np.full(len(lo), len(idx), dtype=np.int64))  # <= limit
    if not sum(len(c) for c in codes):  # no block, or blocks of one document's claims only
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, counts
    key = np.concatenate(codes) * (limit + 1) + np.concatenate(sizes)
    key.sort()  # by pair, then block size
    code = key // (limit + 1)
    first = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    shared = np.diff(np.r_[first, len(code)])  # blocks the pair shares
    code, size = code[first], key[first] % (limit + 1)  # each pair once, its smallest block
    del key
    left, right = code // len(views), code % len(views)
    keep = capped(left, right, shared, size, np.abs(days[left] - days[right]), params.max_pairs)
    counts["capped_pairs"] = int(len(keep) - keep.sum())
    return left[keep], right[keep], counts


def capped(
    left: np.ndarray,
    right: np.ndarray,
    shared: np.ndarray,
    size: np.ndarray,
    gap: np.ndarray,
    cap: int,
) -> np.ndarray:
    """Which pairs are among the ``cap`` best of both their claims.

    A pair ranks by the blocks its claims share (more first), then the size of
    the smallest (smaller first: a rare word says more), then the days between
    them (fewer first), then by index. A claim so meets at most ``cap`` others.

    Args:
        left: first claim of each pair.
        right: second claim of each pair.
        shared: blocks each pair shares.
        size: size of each pair's smallest shared block.
        gap: days between each pair's claims.
        cap: most pairs a claim keeps.

    Returns:
        A boolean mask over the pairs.
    """
    n = len(left)
    ends = np.concatenate([left, right])  # each pair under both its claims
    if not n or np.bincount(ends).max() <= cap:
        return np.ones(n, dtype=bool)
    rank = np.lexsort((gap, size, -shared))  # the pairs, best first (ties by index)
    place = np.empty(n, dtype=np.int64)
    place[rank] = np.arange(n)
    key = ends * n + np.tile(place, 2)
    key.sort()  # by claim, then the pair's place
    claim = key // n
    start = np.flatnonzero(np.r_[True, claim[1:] != claim[:-1]])
    nth = np.arange(len(key)) - np.repeat(start, np.diff(np.r_[start, len(key)]))
    keep = np.ones(n, dtype=bool)
    keep[rank[key[nth >= cap] % n]] = False
    return keep


def _block_pairs(
    idx: np.ndarray, days: np.ndarray, params: Params
) -> tuple[np.ndarray, np.ndarray]:
    """All pairs of a small block; time neighbours within ``window`` in a large one."""
    if len(idx) <= params.max_block:
        left, right = np.triu_indices(len(idx), k=1)
        return idx[left], idx[right]
    idx = idx[np.argsort(days[idx], kind="stable")]
    steps = range(1, min(params.window, len(idx) - 1) + 1)
    return np.concatenate([idx[:-k] for k in steps]), np.concatenate([idx[k:] for k in steps])


def _day(v: ClaimView) -> int:
    """The day a claim is sorted on: its first event date, else its document's (0 if none)."""
    if v.spans:
        return v.spans[0][0]
    return v.anchor if v.anchor is not None else 0
