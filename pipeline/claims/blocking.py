"""Blocking: which pairs of claims are worth scoring at all.

Claims are indexed under their most weighted content words
(:func:`pipeline.claims.similarity.top_terms`) and their actor, place, initiator and
amount keys; only claims from different documents that share a block are
compared. A block of at most ``max_block`` claims gives all its pairs; in a
larger one each claim meets only its ``window`` nearest neighbours in time
(sorted neighbourhood); a block holding more than ``max_share`` of all claims
(a word like "said") is dropped. The pairs per claim are thus bounded, and
the work grows linearly with the number of claims.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from pipeline.claims.clustering import ClaimView, Params

__all__ = ["block_keys", "candidate_pairs"]

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
    is dropped.

    Returns:
        The left and right index arrays, and counts of full, windowed and dropped blocks.
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
    counts = {"blocks": 0, "windowed_blocks": 0, "dropped_blocks": 0}
    parts = []
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
        parts.append(lo * len(views) + hi)
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, counts
    codes = np.unique(np.concatenate(parts))
    return codes // len(views), codes % len(views), counts


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
