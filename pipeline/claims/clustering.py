"""Blocking, pair scoring and clustering of claims about the same event.

The steps, each a function:

1. :func:`pipeline.claims.blocking.candidate_pairs`: only claims from different
   documents that share a rare word or a fact key are compared.
2. :func:`score_pair`: text similarity, fact overlap and event time give one
   score; every signal is kept. Claims whose event dates lie more than
   ``max_gap_days`` apart, or (without event dates) whose documents lie more
   than ``anchor_window_days`` apart, cannot join: same topic is not same event.
   It defines the signals of one pair; :func:`pipeline.claims.scoring.score_pairs`
   computes the same numbers for many pairs at once, as the align stage does.
3. :func:`agglomerate`: greedy merging of accepted pairs, best first, keeping
   at most ``max_per_doc`` claims per document in a cluster, no time-blocked
   pair and an average cross-document score above ``linkage * threshold``
   between the first ``link_sample`` members of the two sides.
"""

from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from pipeline.claims.merging import greedy_merge
from pipeline.claims.records import Claim
from pipeline.facts.date_keys import date_span

__all__ = ["ClaimView", "PairSignals", "Params", "agglomerate", "key_rarity", "score_pair", "view"]

log = logging.getLogger(__name__)

OVERLAP_SLOTS = ("who", "where", "initiator", "amount")  # "when" is the time signal
PENALTIES = {"where": 0.15, "who": 0.1, "initiator": 0.1}
# Places are mostly the countries every report of a region names: they count half.
SLOT_WEIGHTS = {"where": 0.5}
# Rarity weight of one key that alone makes a fact overlap count in full.
SPECIFIC = 1.0


@dataclass(frozen=True)
class Params:
    """Thresholds and weights of pair scoring and clustering."""

    threshold: float = 0.45
    min_text: float = 0.35
    max_gap_days: int = 3
    anchor_window_days: int = 30
    max_per_doc: int = 3
    linkage: float = 0.8
    max_block: int = 50
    window: int = 20
    link_sample: int = 8
    max_share: float = 0.05
    max_pairs: int = 80
    terms: int = 12
    weights: dict[str, float] = field(
        default_factory=lambda: {"text": 0.6, "facts": 0.25, "time": 0.15}
    )


@dataclass(frozen=True)
class ClaimView:
    """What scoring needs of one claim: fact key sets, date spans, document date."""

    claim: Claim
    keys: dict[str, frozenset[str]]
    spans: tuple[tuple[int, int], ...]
    anchor: int | None
    rarity: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class PairSignals:
    """Every signal of one scored pair of claims, and the combined score.

    Attributes:
        a: the first claim's id.
        b: the second claim's id.
        text: text similarity of the translations.
        facts: rarity-weighted fact overlap.
        time: time signal (:func:`time_signal`).
        penalty: what clashing slots take off.
        clashes: the slots both claims fill with nothing in common.
        score: the weighted combination, less the penalty.
        blocked: why the pair may not join, or None.
    """

    a: str
    b: str
    text: float
    facts: float
    time: float
    penalty: float
    clashes: tuple[str, ...]
    score: float
    blocked: str | None

    def to_dict(self) -> dict[str, object]:
        """The signals as written in ``alignments.jsonl`` (floats to four places)."""
        out: dict[str, object] = {}
        for name in ("a", "b", "text", "facts", "time", "penalty", "clashes", "score", "blocked"):
            value = getattr(self, name)
            out[name] = round(value, 4) if isinstance(value, float) else value
        out["clashes"] = list(self.clashes)
        return out


def key_rarity(claims: Sequence[Claim]) -> dict[str, float]:
    """``slot:key`` -> rarity of each fact key: ``ln(N / df) / ln(sqrt(N))``.

    A shared rare key (a spokesman's name) says more than a shared common one
    (a country every claim names). A key found in sqrt(N) of the N claims
    weighs 1 (``SPECIFIC``), in fewer more, in more less, whatever the size of
    the collection.
    """
    if len(claims) < 2:
        return {}
    df: Counter[str] = Counter()
    for c in claims:
        df.update({f"{f.slot}:{f.key}" for f in c.facts})
    scale = 0.5 * math.log(len(claims))
    return {k: math.log(len(claims) / n) / scale for k, n in df.items()}


def view(claim: Claim, anchor: str | None, rarity: Mapping[str, float] | None = None) -> ClaimView:
    """Index a claim's facts by slot and parse its dates.

    Args:
        claim: the claim.
        anchor: its document's date (publication, or the date the text states).
        rarity: the collection's key weights (:func:`key_rarity`); every key
            weighs ``SPECIFIC`` when not given.
    """
    keys: dict[str, set[str]] = defaultdict(set)
    for fact in claim.facts:
        keys[fact.slot].add(fact.key)
    spans = tuple(s for k in sorted(keys.get("when", ())) if (s := date_span(k)) is not None)
    anchor_span = date_span(anchor[:10]) if anchor else None
    return ClaimView(
        claim=claim,
        keys={slot: frozenset(v) for slot, v in keys.items()},
        spans=spans,
        anchor=anchor_span[0] if anchor_span else None,
        rarity=rarity or {},
    )


def _gap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, max(a[0], b[0]) - min(a[1], b[1]))


def time_signal(a: ClaimView, b: ClaimView, params: Params) -> tuple[float, str | None]:
    """Time score and the reason a pair is blocked (None when it may join).

    1 for a shared day, 0.5 for compatible dates, 0.25 when one claim has no
    date and the other's falls within ``max_gap_days`` before its document's
    date (news of the last days), -0.5 when it lies more than
    ``anchor_window_days`` away from it (background against news), else 0.
    """
    if a.spans and b.spans:
        best = min(_gap(x, y) for x in a.spans for y in b.spans)
        if best > params.max_gap_days:
            return 0.0, f"event dates {best} days apart"
        same_day = any(x == y and x[0] == x[1] for x in a.spans for y in b.spans)
        return (1.0 if same_day else 0.5), None
    if a.anchor is not None and b.anchor is not None:
        gap = abs(a.anchor - b.anchor)
        if gap > params.anchor_window_days:
            return 0.0, f"documents {gap} days apart"
    dated, undated = (a, b) if a.spans else (b, a)
    if dated.spans and undated.anchor is not None:
        recent = (undated.anchor - params.max_gap_days, undated.anchor)
        gaps = [_gap(span, recent) for span in dated.spans]
        if min(gaps) == 0:
            return 0.25, None
        if min(gaps) > params.anchor_window_days:
            return -0.5, None  # an old event against an undated (so likely current) report
    return 0.0, None


def fact_signals(a: ClaimView, b: ClaimView) -> tuple[float, float, list[str]]:
    """Fact overlap, penalty for clashing slots, and the clashing slots.

    Over the slots both claims fill: the rarity-weighted share of keys they
    have in common, scaled down when what they share is only common keys
    (less than ``SPECIFIC`` in weight).
    """
    shared = union = 0.0
    penalty = 0.0
    clashes = []
    for slot in OVERLAP_SLOTS:
        x, y = a.keys.get(slot), b.keys.get(slot)
        if not x or not y:
            continue
        weight = SLOT_WEIGHTS.get(slot, 1.0)
        # sorted: a float sum in set order would vary with PYTHONHASHSEED
        shared += weight * sum(a.rarity.get(f"{slot}:{k}", SPECIFIC) for k in sorted(x & y))
        union += weight * sum(a.rarity.get(f"{slot}:{k}", SPECIFIC) for k in sorted(x | y))
        if not x & y and slot in PENALTIES:
            penalty += PENALTIES[slot]
            clashes.append(slot)
    if union <= 0:
        return 0.0, penalty, clashes
    return (shared / union) * min(1.0, shared / SPECIFIC), penalty, clashes


def score_pair(a: ClaimView, b: ClaimView, text: float, params: Params) -> PairSignals:
    """All signals of one pair and its combined ``score`` (``blocked`` says why it cannot join)."""
    time, blocked = time_signal(a, b, params)
    facts, penalty, clashes = fact_signals(a, b)
    w = params.weights
    score = w["text"] * text + w["facts"] * facts + w["time"] * time - penalty
    return PairSignals(
        a=a.claim.claim_id,
        b=b.claim.claim_id,
        text=float(text),
        facts=float(facts),
        time=float(time),
        penalty=float(penalty),
        clashes=tuple(clashes),
        score=float(score),
        blocked=blocked,
    )


def accepted(signals: PairSignals, params: Params) -> bool:
    """The decision, read from the signals: may this pair join a cluster?"""
    return (
        signals.blocked is None
        and signals.text >= params.min_text
        and signals.score >= params.threshold
    )


def agglomerate(
    views: Sequence[ClaimView],
    edges: Sequence[tuple[int, int, PairSignals]],
    scorer: Callable[[list[tuple[int, int]]], tuple[np.ndarray, np.ndarray]],
    params: Params,
) -> list[tuple[list[int], list[PairSignals]]]:
    """Greedy merging of accepted pairs, best first, under the cluster constraints.

    Args:
        views: the claims.
        edges: accepted pairs ``(i, j, signals)``.
        scorer: for any pairs, in one call, whether each is blocked and its score
            (for the linkage check of merges).
        params: thresholds.

    Returns:
        Each cluster of two or more claims as (claim indices, signals of the joining pairs).
    """

    def may_merge(a: list[int], b: list[int]) -> bool:
        return _may_merge(a, b, views, scorer, params)

    groups = greedy_merge(len(views), edges, may_merge)
    return [(members, joins) for members, joins in groups if len(members) > 1]


def _may_merge(
    a: list[int],
    b: list[int],
    views: Sequence[ClaimView],
    scorer: Callable[[list[tuple[int, int]]], tuple[np.ndarray, np.ndarray]],
    params: Params,
) -> bool:
    per_doc: dict[str, int] = defaultdict(int)
    for k in a + b:
        per_doc[views[k].claim.doc_id] += 1
    if max(per_doc.values()) > params.max_per_doc:
        return False
    # The linkage is checked against the first (core) members of each side, so a
    # merge costs at most link_sample**2 pair scores however large the clusters.
    k = params.link_sample
    pairs = [(x, y) for x in a[:k] for y in b[:k] if views[x].claim.doc_id != views[y].claim.doc_id]
    if not pairs:
        return True
    blocked, score = scorer(pairs)
    if blocked.any():
        return False
    return sum(score.tolist()) / len(pairs) >= params.linkage * params.threshold
