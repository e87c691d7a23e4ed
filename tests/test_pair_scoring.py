"""Pair scoring over arrays gives the signals of the per-pair definition, score_pair."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest

from pipeline.claims import pairing
from pipeline.claims.clustering import Params, key_rarity, score_pair, view
from pipeline.claims.records import Claim
from pipeline.claims.scoring import claim_arrays, score_pairs
from pipeline.claims.similarity import LexicalEncoder, pair_cosines
from pipeline.records import Fact

# Small vocabularies, so that pairs share keys, clash, and fill slots one-sided.
KEYS = {
    "who": ["austin", "shoigu", "lavrov", "blinken"],
    "where": ["ukraine", "syria", "moscow"],
    "initiator": ["US", "RU"],
    "amount": ["2-billion-usd", "12-people"],
    "source": ["reuters", "tass"],  # not an overlap slot: must change nothing
}


WORDS = [
    "minister",
    "talks",
    "call",
    "video",
    "Austin",
    "Shoigu",
    "hotline",
    "Syria",
    "Ukraine",
    "request",
]


def _date(rng: random.Random) -> str:
    day = dt.date(2022, 5, 1) + dt.timedelta(days=rng.randint(0, 70))
    kind = rng.random()
    if kind < 0.15:
        return day.strftime("%Y-%m")  # a month: a span of days
    if kind < 0.2:
        return "2015"  # a year, long before the rest
    return day.isoformat()


def collection(n: int, seed: int) -> list[Claim]:
    """Claims with random facts, event dates (days, months, years) and document dates."""
    rng = random.Random(seed)
    claims = []
    for i in range(n):
        facts = [
            Fact(slot, key, key)
            for slot, keys in KEYS.items()
            for key in keys
            if rng.random() < 0.3
        ]
        facts += [Fact("when", _date(rng), "x") for _ in range(rng.choice([0, 0, 1, 1, 2, 3]))]
        anchor = None
        if rng.random() < 0.8:
            anchor = (dt.date(2022, 5, 1) + dt.timedelta(days=rng.randint(0, 120))).isoformat()
        text = " ".join(rng.choices(WORDS, k=8))
        doc = f"d{i // 2}"  # two claims per document
        claims.append(
            Claim(f"{doc}/{i}", doc, str(i), "vi", text, text, facts=tuple(facts), anchor=anchor)
        )
    return claims


@pytest.mark.parametrize(("n", "seed"), [(40, 0), (40, 1), (2, 2)])
def test_arrays_give_the_signals_of_the_loop(n: int, seed: int) -> None:
    claims = collection(n, seed)
    rarity = key_rarity(claims)
    views = [view(c, c.anchor, rarity) for c in claims]
    left, right = (x.ravel() for x in np.meshgrid(np.arange(n), np.arange(n), indexing="ij"))
    keep = left != right  # both orders: the dated and the undated claim swap sides
    left, right = left[keep], right[keep]
    text = np.random.default_rng(seed).uniform(-0.1, 1.0, len(left))
    params = Params(max_gap_days=3, anchor_window_days=30)
    scores = score_pairs(claim_arrays(views), left, right, text, params)
    kinds = set()
    for k, (i, j) in enumerate(zip(left.tolist(), right.tolist(), strict=True)):
        want = score_pair(views[i], views[j], float(text[k]), params)
        got = scores.signals(k)
        assert (got.a, got.b, got.clashes, got.blocked) == (
            want.a,
            want.b,
            want.clashes,
            want.blocked,
        )
        for name in ("text", "facts", "time", "penalty", "score"):
            assert getattr(got, name) == pytest.approx(getattr(want, name), abs=1e-9), name
        kinds.add((want.time, want.blocked is None, bool(want.clashes), want.facts > 0))
    if n > 2:  # the fixture reaches every branch of the time and fact signals
        assert {t for t, *_ in kinds} == {1.0, 0.5, 0.25, 0.0, -0.5}
        assert {(b, c, f) for _, b, c, f in kinds} >= {(True, True, True), (False, False, False)}


def test_views_with_different_rarity_maps_are_refused() -> None:
    a, b = collection(2, 3)
    with pytest.raises(ValueError, match="one rarity map"):
        claim_arrays([view(a, a.anchor, {"who:austin": 2.0}), view(b, b.anchor, {})])


def test_no_pairs_and_no_facts() -> None:
    claims = [Claim(f"d{i}/1", f"d{i}", "1", "vi", "x", "x") for i in range(3)]
    arrays = claim_arrays([view(c, None) for c in claims])
    empty = np.zeros(0, dtype=np.int64)
    assert len(score_pairs(arrays, empty, empty, np.zeros(0), Params()).score) == 0
    scores = score_pairs(arrays, np.array([0]), np.array([2]), np.array([0.5]), Params())
    assert scores.signals(0) == score_pair(*(view(c, None) for c in claims[::2]), 0.5, Params())


@pytest.mark.parametrize("batch", [pairing.BATCH, 3])  # 3: components scored when asked for
def test_linkage_scorer_gives_the_scores_of_score_pair(
    batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pairing, "BATCH", batch)
    claims = collection(30, 5)
    rarity = key_rarity(claims)
    views = [view(c, c.anchor, rarity) for c in claims]
    rows = LexicalEncoder().encode([c.translation for c in claims])
    left, right = (x.astype(np.int64) for x in np.triu_indices(30, k=1))
    some = np.arange(len(left)) % 3 == 0  # candidates: a third of the pairs
    candidates = (left[some], right[some], pair_cosines(rows, left[some], right[some]))
    # accepted pairs as chains 0-1-..-5, 10-..-19 and 20-21: three components
    edges = [(i, i + 1, None) for i in (*range(5), *range(10, 19), 20)]
    scorer = pairing.linkage_scorer(claim_arrays(views), rows, candidates, edges, Params())
    asked = [(j, i) for i in range(20) for j in range(i + 1, 22) if (i < 6) == (j < 6)]
    asked = [(i, j) for i, j in asked if claims[i].doc_id != claims[j].doc_id]
    for _ in range(2):  # the second time from what the first kept
        blocked, score = scorer(asked)
        for k, (i, j) in enumerate(asked):
            text = float(pair_cosines(rows, np.array([i]), np.array([j]))[0])
            want = score_pair(views[j], views[i], text, Params())
            assert bool(blocked[k]) == (want.blocked is not None)
            assert score[k] == pytest.approx(want.score, abs=1e-9)
