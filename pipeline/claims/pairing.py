"""Candidate pairs scored in batches: the accepted pairs, and the linkage check's scores.

:func:`accepted_pairs` scores the candidate pairs similar enough in text with
:func:`pipeline.claims.scoring.score_pairs`, in chunks, and keeps those
:func:`pipeline.claims.clustering.accepted`.

:func:`linkage_scorer` answers the linkage check of greedy merging (the
average score between the core members of two groups). Merges follow
accepted pairs, so every pair a check asks for lies inside one connected
component of the accepted pairs: the pairs of every component of at most
``BATCH`` claims are scored up front, in one pass, and a check looks its pairs
up. Only the pairs of larger components are scored when asked for (then kept).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from pipeline.claims.clustering import PairSignals, Params, accepted
from pipeline.claims.scoring import NOT_BLOCKED, ClaimArrays, runs, score_pairs
from pipeline.claims.similarity import pair_cosines

__all__ = ["BATCH", "Candidates", "accepted_pairs", "linkage_scorer"]

BATCH = 256  # components scored up front have at most this many claims (127 pairs per claim)
CHUNK = 50000  # pairs scored per call, to bound memory

Candidates = tuple[np.ndarray, np.ndarray, np.ndarray]  # left, right (ascending i * n + j), cosine
Scorer = Callable[[list[tuple[int, int]]], tuple[np.ndarray, np.ndarray]]


def accepted_pairs(
    arrays: ClaimArrays, candidates: Candidates, params: Params
) -> list[tuple[int, int, PairSignals]]:
    """The candidate pairs that may join, with their signals, in candidate order."""
    left, right, cosines = candidates
    similar = np.flatnonzero(cosines >= params.min_text)
    edges = []
    for start in range(0, len(similar), CHUNK):
        part = similar[start : start + CHUNK]
        scores = score_pairs(arrays, left[part], right[part], cosines[part], params)
        # a cheap superset of the decision, which accepted() then takes on the records
        maybe = (scores.blocked == NOT_BLOCKED) & (scores.score >= params.threshold)
        for k in np.flatnonzero(maybe).tolist():
            signals = scores.signals(k)
            if accepted(signals, params):
                edges.append((int(scores.left[k]), int(scores.right[k]), signals))
    return edges


def linkage_scorer(
    arrays: ClaimArrays,
    rows: Any,
    candidates: Candidates,
    edges: Sequence[tuple[int, int, PairSignals]],
    params: Params,
) -> Scorer:
    """The scorer of :func:`pipeline.claims.clustering.agglomerate`'s linkage checks.

    Args:
        arrays: the claims.
        rows: their normalized text rows (for the cosines of non-candidate pairs).
        candidates: the candidate pairs and their cosines.
        edges: the accepted pairs.
        params: thresholds.

    Returns:
        For a list of pairs, whether each is blocked, and its score.
    """
    n = len(arrays.ids)
    known = candidates[0] * n + candidates[1]

    def texts(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Cosines: looked up for candidate pairs, computed in one call for the rest."""
        at, found = _find(known, lo * n + hi)
        text = np.zeros(len(lo))
        text[found] = candidates[2][at[found]]
        if not found.all():
            text[~found] = pair_cosines(rows, lo[~found], hi[~found])
        return text

    lo, hi = _component_pairs(arrays, edges)
    order = np.argsort(lo * n + hi)
    lo, hi = lo[order], hi[order]
    blocked, score = _scored(arrays, lo, hi, texts, params)
    ready = lo * n + hi
    later: dict[int, tuple[bool, float]] = {}

    def scorer(pairs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        a, b = np.array(pairs, dtype=np.int64).reshape(-1, 2).T
        codes = np.minimum(a, b) * n + np.maximum(a, b)
        at, found = _find(ready, codes)
        out_blocked, out_score = np.zeros(len(codes), dtype=bool), np.zeros(len(codes))
        out_blocked[found], out_score[found] = blocked[at[found]], score[at[found]]
        missing = [k for k in np.flatnonzero(~found).tolist() if int(codes[k]) not in later]
        if missing:  # a component larger than BATCH
            miss = codes[missing]
            new_blocked, new_score = _scored(arrays, miss // n, miss % n, texts, params)
            found_now = zip(new_blocked.tolist(), new_score.tolist(), strict=True)
            later.update(zip(miss.tolist(), found_now, strict=True))
        for k in np.flatnonzero(~found).tolist():
            out_blocked[k], out_score[k] = later[int(codes[k])]
        return out_blocked, out_score

    return scorer


def _component_pairs(
    arrays: ClaimArrays, edges: Sequence[tuple[int, int, PairSignals]]
) -> tuple[np.ndarray, np.ndarray]:
    """Every pair ``(i, j)``, ``i < j``, of different documents in one component of the
    accepted pairs of at most ``BATCH`` claims."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = len(arrays.ids)
    if not edges:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    ends = np.array([(i, j) for i, j, _ in edges], dtype=np.int64).reshape(-1, 2)
    graph = coo_matrix((np.ones(len(ends)), (ends[:, 0], ends[:, 1])), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    sizes = np.bincount(label, minlength=1)
    members = np.argsort(label, kind="stable")  # by component, then index
    first = np.cumsum(sizes) - sizes
    small = np.flatnonzero((sizes >= 2) & (sizes <= BATCH))
    owner, cell = runs(np.zeros(len(small), dtype=np.int64), sizes[small] ** 2)
    size, base = sizes[small][owner], first[small][owner]
    x, y = cell // size, cell % size
    upper = x < y
    i, j = members[(base + x)[upper]], members[(base + y)[upper]]
    other = arrays.docs[i] != arrays.docs[j]
    return np.minimum(i, j)[other], np.maximum(i, j)[other]


def _scored(
    arrays: ClaimArrays,
    lo: np.ndarray,
    hi: np.ndarray,
    texts: Callable[[np.ndarray, np.ndarray], np.ndarray],
    params: Params,
) -> tuple[np.ndarray, np.ndarray]:
    """Whether each pair is blocked, and its score, in chunks."""
    blocked = np.zeros(len(lo), dtype=bool)
    score = np.zeros(len(lo))
    for start in range(0, len(lo), CHUNK):
        a, b = lo[start : start + CHUNK], hi[start : start + CHUNK]
        scores = score_pairs(arrays, a, b, texts(a, b), params)
        blocked[start : start + len(a)] = scores.blocked != NOT_BLOCKED
        score[start : start + len(a)] = scores.score
    return blocked, score


def _find(ready: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each code sits in the ascending ``ready`` (0 when absent), and whether it is there."""
    if not len(ready):
        return np.zeros(len(codes), dtype=np.int64), np.zeros(len(codes), dtype=bool)
    at = np.minimum(np.searchsorted(ready, codes), len(ready) - 1)
    return at, ready[at] == codes
