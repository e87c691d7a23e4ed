"""Pair scoring over arrays: the signals of :func:`score_pair` for many pairs at once.

:func:`claim_arrays` lays the claims' fact keys and date spans out as flat
arrays once per collection; :func:`score_pairs` then gives the time, fact and
penalty signals and the combined score of any pairs ``(left[k], right[k])``
with numpy operations over all of them: a claim's spans and keys are ragged
runs, expanded per pair and reduced back. Sums run in the order of the loop
of :func:`pipeline.claims.clustering.score_pair` (keys sorted within a slot,
slots in ``OVERLAP_SLOTS`` order), so the scores are the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from pipeline.claims.clustering import (
    OVERLAP_SLOTS,
    PENALTIES,
    SLOT_WEIGHTS,
    SPECIFIC,
    ClaimView,
    PairSignals,
    Params,
)

__all__ = ["ClaimArrays", "PairScores", "claim_arrays", "runs", "score_pairs"]

NOT_BLOCKED, EVENT_DATES, DOCUMENTS = 0, 1, 2  # PairScores.blocked codes


@dataclass(frozen=True)
class ClaimArrays:
    """The claims' fact keys and date spans as flat arrays (row ``i`` = claim ``i``).

    Attributes:
        ids: claim ids.
        docs: a number per document, the same for claims of one document.
        key_ptr: claim ``i``'s key codes are ``key_code[key_ptr[i]:key_ptr[i + 1]]``, ascending.
        key_code: codes of ``slot:key``, numbered by slot (``OVERLAP_SLOTS`` order), then key.
        code_slot: the slot index of each code.
        code_weight: the rarity weight of each code (``SPECIFIC`` when unknown).
        filled: ``(claims, slots)``: whether the claim has a key in the slot.
        span_ptr: claim ``i``'s date spans are rows ``span_ptr[i]:span_ptr[i + 1]``.
        span_lo: first day of each span.
        span_hi: last day of each span.
        anchor: the document's day (0 where unknown).
        has_anchor: whether the document's day is known.
    """

    ids: tuple[str, ...]
    docs: np.ndarray
    key_ptr: np.ndarray
    key_code: np.ndarray
    code_slot: np.ndarray
    code_weight: np.ndarray
    filled: np.ndarray
    span_ptr: np.ndarray
    span_lo: np.ndarray
    span_hi: np.ndarray
    anchor: np.ndarray
    has_anchor: np.ndarray


def claim_arrays(views: Sequence[ClaimView]) -> ClaimArrays:
    """Lay out the claims of one collection for :func:`score_pairs`.

    Raises:
        ValueError: the views weigh keys by different rarity maps (they must come
            from one :func:`pipeline.claims.clustering.key_rarity`).
    """
    rarity = views[0].rarity if views else {}
    if any(v.rarity is not rarity and v.rarity != rarity for v in views):
        raise ValueError(
            "views: the claims must share one rarity map (the collection's key_rarity)"
        )
    names = sorted(
        {
            (s, k)
            for v in views
            for s, slot in enumerate(OVERLAP_SLOTS)
            for k in v.keys.get(slot, ())
        }
    )
    code = {name: c for c, name in enumerate(names)}
    keys = [
        sorted(code[s, k] for s, slot in enumerate(OVERLAP_SLOTS) for k in v.keys.get(slot, ()))
        for v in views
    ]
    spans = [v.spans for v in views]
    doc: dict[str, int] = {}
    return ClaimArrays(
        ids=tuple(v.claim.claim_id for v in views),
        docs=np.array([doc.setdefault(v.claim.doc_id, len(doc)) for v in views], dtype=np.int64),
        key_ptr=_ptr([len(k) for k in keys]),
        key_code=np.array([c for k in keys for c in k], dtype=np.int64),
        code_slot=np.array([s for s, _ in names], dtype=np.int64),
        code_weight=np.array(
            [rarity.get(f"{OVERLAP_SLOTS[s]}:{k}", SPECIFIC) for s, k in names], dtype=np.float64
        ),
        filled=np.array(
            [[bool(v.keys.get(slot)) for slot in OVERLAP_SLOTS] for v in views], dtype=bool
        ).reshape(len(views), len(OVERLAP_SLOTS)),
        span_ptr=_ptr([len(s) for s in spans]),
        span_lo=np.array([x for s in spans for x, _ in s], dtype=np.int64),
        span_hi=np.array([y for s in spans for _, y in s], dtype=np.int64),
        anchor=np.array([v.anchor or 0 for v in views], dtype=np.int64),
        has_anchor=np.array([v.anchor is not None for v in views], dtype=bool),
    )


@dataclass(frozen=True)
class PairScores:
    """The signals of pairs ``(left[k], right[k])``, one array entry per pair.

    ``blocked`` holds ``NOT_BLOCKED``, ``EVENT_DATES`` or ``DOCUMENTS`` and
    ``gap`` the days apart it names; ``clash`` is ``(pairs, slots)``.
    """

    ids: tuple[str, ...]
    left: np.ndarray
    right: np.ndarray
    text: np.ndarray
    facts: np.ndarray
    time: np.ndarray
    penalty: np.ndarray
    clash: np.ndarray
    score: np.ndarray
    blocked: np.ndarray
    gap: np.ndarray

    def signals(self, k: int) -> PairSignals:
        """The record of pair ``k``, as :func:`pipeline.claims.clustering.score_pair` gives it."""
        reason = None
        if self.blocked[k] == EVENT_DATES:
            reason = f"event dates {int(self.gap[k])} days apart"
        elif self.blocked[k] == DOCUMENTS:
            reason = f"documents {int(self.gap[k])} days apart"
        return PairSignals(
            a=self.ids[int(self.left[k])],
            b=self.ids[int(self.right[k])],
            text=float(self.text[k]),
            facts=float(self.facts[k]),
            time=float(self.time[k]),
            penalty=float(self.penalty[k]),
            clashes=tuple(s for s, hit in zip(OVERLAP_SLOTS, self.clash[k], strict=True) if hit),
            score=float(self.score[k]),
            blocked=reason,
        )


def score_pairs(
    claims: ClaimArrays, left: np.ndarray, right: np.ndarray, text: np.ndarray, params: Params
) -> PairScores:
    """The signals and combined score of the pairs ``(left[k], right[k])`` with text similarity
    ``text[k]``: :func:`pipeline.claims.clustering.score_pair` over arrays."""
    left, right = np.asarray(left, dtype=np.int64), np.asarray(right, dtype=np.int64)
    text = np.asarray(text, dtype=np.float64)
    time, blocked, gap = _time(claims, left, right, params)
    facts, penalty, clash = _facts(claims, left, right)
    w = params.weights
    score = w["text"] * text + w["facts"] * facts + w["time"] * time - penalty
    return PairScores(
        claims.ids, left, right, text, facts, time, penalty, clash, score, blocked, gap
    )


def _ptr(lengths: list[int]) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]).astype(np.int64)


def runs(start: np.ndarray, count: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For runs ``start[p] : start[p] + count[p]``: the run of each entry and the entry."""
    owner = np.repeat(np.arange(len(count)), count)
    offset = np.arange(len(owner)) - np.repeat(np.cumsum(count) - count, count)
    return owner, start[owner] + offset


def _cross(
    ptr: np.ndarray, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every (entry of a's run, entry of b's run) of each pair: its pair, the two rows, and
    how many each pair has."""
    na, nb = ptr[a + 1] - ptr[a], ptr[b + 1] - ptr[b]
    owner, offset = runs(np.zeros(len(a), dtype=np.int64), na * nb)
    n = nb[owner]
    return owner, ptr[a][owner] + offset // n, ptr[b][owner] + offset % n, na * nb


def _per_pair(reduce: np.ufunc, values: np.ndarray, sizes: np.ndarray, empty: int) -> np.ndarray:
    """``reduce`` over each pair's run of ``values`` (runs of ``sizes``, in order)."""
    out = np.full(len(sizes), empty, dtype=values.dtype)
    some = sizes > 0
    if some.any():
        out[some] = reduce.reduceat(values, (np.cumsum(sizes) - sizes)[some])
    return out


def _time(
    c: ClaimArrays, a: np.ndarray, b: np.ndarray, params: Params
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``time_signal`` over arrays: time score, blocked code and the gap it names."""
    count = c.span_ptr[1:] - c.span_ptr[:-1]
    time = np.zeros(len(a))
    blocked = np.zeros(len(a), dtype=np.int8)
    gap = np.zeros(len(a), dtype=np.int64)
    both = np.flatnonzero((count[a] > 0) & (count[b] > 0))
    owner, ia, ib, sizes = _cross(c.span_ptr, a[both], b[both])
    lo_a, hi_a, lo_b, hi_b = c.span_lo[ia], c.span_hi[ia], c.span_lo[ib], c.span_hi[ib]
    gaps = np.maximum(0, np.maximum(lo_a, lo_b) - np.minimum(hi_a, hi_b))
    best = _per_pair(np.minimum, gaps, sizes, 0)
    same = (lo_a == lo_b) & (hi_a == hi_b) & (lo_a == hi_a)
    same_day = _per_pair(np.maximum, same.astype(np.int8), sizes, 0) > 0
    far = best > params.max_gap_days
    time[both] = np.where(far, 0.0, np.where(same_day, 1.0, 0.5))
    blocked[both[far]], gap[both[far]] = EVENT_DATES, best[far]
    rest = np.ones(len(a), dtype=bool)
    rest[both] = False
    apart = np.abs(c.anchor[a] - c.anchor[b])
    docs = rest & c.has_anchor[a] & c.has_anchor[b] & (apart > params.anchor_window_days)
    blocked[docs], gap[docs] = DOCUMENTS, apart[docs]
    rest &= ~docs
    dated = np.where(count[a] > 0, a, b)
    undated = np.where(count[a] > 0, b, a)
    near = np.flatnonzero(rest & (count[dated] > 0) & c.has_anchor[undated])
    owner, spans = runs(c.span_ptr[dated[near]], count[dated[near]])
    day = c.anchor[undated[near]][owner]
    recent = np.maximum(
        0,
        np.maximum(c.span_lo[spans], day - params.max_gap_days) - np.minimum(c.span_hi[spans], day),
    )
    least = _per_pair(np.minimum, recent, count[dated[near]], 0)
    time[near] = np.where(least == 0, 0.25, np.where(least > params.anchor_window_days, -0.5, 0.0))
    return time, blocked, gap


def _facts(
    c: ClaimArrays, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``fact_signals`` over arrays: fact overlap, penalty and clashing slots per pair."""
    slots, pairs = len(OVERLAP_SLOTS), len(a)
    codes = max(len(c.code_slot), 1)
    count = c.key_ptr[1:] - c.key_ptr[:-1]
    owner_a, ka = runs(c.key_ptr[a], count[a])
    owner_b, kb = runs(c.key_ptr[b], count[b])
    joint = np.concatenate([owner_a * codes + c.key_code[ka], owner_b * codes + c.key_code[kb]])
    union, times = np.unique(joint, return_counts=True)  # by pair, then code
    shared = union[times == 2]

    def per_slot(entries: np.ndarray, weighted: bool) -> np.ndarray:
        code = entries % codes
        bins = (entries // codes) * slots + c.code_slot[code]
        weights = c.code_weight[code] if weighted else None
        return np.bincount(bins, weights, minlength=pairs * slots).reshape(pairs, slots)

    union_w, shared_w = per_slot(union, True), per_slot(shared, True)
    shared_n = per_slot(shared, False)
    both = c.filled[a] & c.filled[b]
    common = union_all = penalty = np.zeros(pairs)
    clash = np.zeros((pairs, slots), dtype=bool)
    for s, slot in enumerate(OVERLAP_SLOTS):
        weight = SLOT_WEIGHTS.get(slot, 1.0)
        common = common + np.where(both[:, s], weight * shared_w[:, s], 0.0)
        union_all = union_all + np.where(both[:, s], weight * union_w[:, s], 0.0)
        if slot in PENALTIES:
            clash[:, s] = both[:, s] & (shared_n[:, s] == 0)
            penalty = penalty + np.where(clash[:, s], PENALTIES[slot], 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        overlap = (common / union_all) * np.minimum(1.0, common / SPECIFIC)
    return np.where(union_all > 0, overlap, 0.0), penalty, clash
