"""Blocking, pair scoring and clustering on small hand-made claim collections."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest

from pipeline.align import align_claims
from pipeline.claims.blocking import candidate_pairs, capped
from pipeline.claims.clustering import Params, accepted, score_pair, time_signal, view
from pipeline.claims.records import Claim
from pipeline.claims.similarity import LexicalEncoder, top_terms
from pipeline.facts.date_keys import date_span
from pipeline.records import Fact

LEXICAL = Params(threshold=0.30, min_text=0.20)


def claim(doc: str, n: int, text: str, facts: str = "", anchor: str | None = None) -> Claim:
    """A claim with facts written as ``slot=key;slot=key``."""
    found = tuple(
        Fact(slot=s, key=k, surface=k)
        for s, k in (item.split("=", 1) for item in facts.split(";") if item)
    )
    return Claim(
        claim_id=f"{doc}/{n}",
        doc_id=doc,
        seg_id=str(n),
        lang="zh" if doc.startswith("zh") else "vi",
        source=text,
        translation=text,
        facts=found,
        anchor=anchor,
        event_date=next((f.key for f in found if f.slot == "when"), None),
    )


def _day(s: str) -> int:
    return dt.date.fromisoformat(s).toordinal()


@pytest.mark.parametrize(
    ("key", "span"),
    [
        ("2022-05-13", ("2022-05-13", "2022-05-13")),  # seed 001 "13/5"
        ("2022-03", ("2022-03-01", "2022-03-31")),  # seed 000 "tháng 3"
        ("2022-02", ("2022-02-01", "2022-02-28")),
        ("2015", ("2015-01-01", "2015-12-31")),  # seed 002 "hồi năm 2015"
        ("2022-12", ("2022-12-01", "2022-12-31")),  # month rollover into next year
    ],
)
def test_date_span(key: str, span: tuple[str, str]) -> None:
    assert date_span(key) == (_day(span[0]), _day(span[1]))


@pytest.mark.parametrize("key", ["2022-13-01", "May 2022", "22", "2022-02-30", ""])
def test_date_span_rejects(key: str) -> None:
    assert date_span(key) is None


# Same topic, different event: the 2017 Syria hotline (seed 002) against the
# 2022 Ukraine deconfliction line (seeds 000/001/003).
SYRIA = claim(
    "a", 1, "Russia suspended the military hotline with the US in Syria.", "", "2017-04-08"
)
UKRAINE = claim("b", 1, "The US and Russia set up a military hotline.", "", "2022-05-14")


@pytest.mark.parametrize(
    ("a", "b", "blocked"),
    [
        (SYRIA, UKRAINE, True),  # no event dates, documents five years apart
        (claim("a", 2, "x", "when=2017-04-07"), claim("b", 2, "x", "when=2022-03-03"), True),
        (claim("a", 3, "x", "when=2022-05-13"), claim("b", 3, "x", "when=2022-05-14"), False),
        (claim("a", 4, "x", "when=2022-03"), claim("b", 4, "x", "when=2022-03-03"), False),
        (claim("a", 5, "x", "", "2022-05-14"), claim("b", 5, "x", "", "2022-05-20"), False),
        (claim("a", 6, "x"), claim("b", 6, "x"), False),  # nothing known: not blocked
    ],
)
def test_time_gate(a: Claim, b: Claim, blocked: bool) -> None:
    _, reason = time_signal(view(a, a.anchor), view(b, b.anchor), Params())
    assert (reason is not None) == blocked


def test_shared_date_alone_does_not_join() -> None:
    # Seed 001 reports a Ukrainian convoy video "on 13/5", the day of the call.
    a = view(claim("a", 1, "x", "when=2022-05-13;who=austin;who=shoigu"), None)
    b = view(claim("b", 1, "x", "when=2022-05-13;where=donbass"), None)
    signals = score_pair(a, b, text=0.05, params=LEXICAL)
    assert signals.time == 1.0
    assert signals.score < LEXICAL.threshold
    assert not accepted(signals, LEXICAL)


def test_conflicting_places_penalize() -> None:
    a = view(claim("a", 1, "x", "where=syria"), None)
    b = view(claim("b", 1, "x", "where=ukraine"), None)
    signals = score_pair(a, b, text=0.5, params=LEXICAL)
    assert signals.clashes == ("where",)
    assert signals.penalty > 0


def test_blocking_never_pairs_a_document_with_itself() -> None:
    claims = [
        claim("a", 1, "Austin called Shoigu about Ukraine."),
        claim("a", 2, "Shoigu answered Austin about Ukraine."),
        claim("b", 1, "Austin and Shoigu talked about Ukraine."),
    ]
    views = [view(c, None) for c in claims]
    left, right, _ = candidate_pairs(views, top_terms([c.translation for c in claims], 4), Params())
    pairs = {(int(i), int(j)) for i, j in zip(left, right, strict=True)}
    assert pairs == {(0, 2), (1, 2)}


def test_oversized_blocks_pair_time_neighbours_only() -> None:
    # 30 documents share the word "ukraine" and the block is over max_block:
    # each claim meets its 2 nearest neighbours in time, not all 29 others.
    claims = [claim(f"d{i:02d}", 1, "ukraine", "", f"2022-05-{i + 1:02d}") for i in range(30)]
    views = [view(c, c.anchor) for c in claims]
    params = Params(max_block=10, window=2, max_share=1.0)
    left, right, counts = candidate_pairs(views, [["ukraine"]] * 30, params)
    assert counts["windowed_blocks"] == 1
    assert sorted(zip(left.tolist(), right.tolist(), strict=True))[:3] == [(0, 1), (0, 2), (1, 2)]
    assert len(left) == 29 + 28


def test_blocks_of_too_common_words_are_dropped() -> None:
    claims = [claim(f"d{i:02d}", 1, "said", "", "2022-05-14") for i in range(30)]
    views = [view(c, c.anchor) for c in claims]
    left, _, counts = candidate_pairs(views, [["said"]] * 30, Params(max_block=10, max_share=0.5))
    assert len(left) == 0
    assert counts["dropped_blocks"] == 1


@pytest.mark.parametrize("n", [60, 240, 960])
def test_pairs_per_claim_never_exceed_the_cap(n: int) -> None:
    # Every claim shares words with many others and the blocks grow with the
    # collection; the cap holds each claim's pairs whatever the size.
    rng = random.Random(n)
    words = ["hotline", "ukraine", "shoigu", "austin", "call", "talks", "video", "minister"]
    claims = [
        claim(
            f"d{i:04d}",
            1,
            "x",
            "",
            (dt.date(2022, 1, 1) + dt.timedelta(rng.randint(0, 90))).isoformat(),
        )
        for i in range(n)
    ]
    terms = [rng.sample(words, 4) for _ in claims]
    views = [view(c, c.anchor) for c in claims]
    params = Params(max_block=20, window=6, max_share=1.0, max_pairs=10)
    left, right, counts = candidate_pairs(views, terms, params)
    degree = np.bincount(np.concatenate([left, right]), minlength=n)
    assert degree.max() <= params.max_pairs
    assert len(left) / n <= params.max_pairs / 2
    if n > 60:
        assert counts["capped_pairs"] > 0
    unbounded = candidate_pairs(
        views, terms, Params(max_block=20, window=6, max_share=1.0, max_pairs=n)
    )
    assert unbounded[2]["capped_pairs"] == 0
    kept = set(zip(left.tolist(), right.tolist(), strict=True))
    assert kept <= set(zip(unbounded[0].tolist(), unbounded[1].tolist(), strict=True))


def test_the_cap_keeps_the_pairs_sharing_most_then_the_rarest_then_the_nearest() -> None:
    # claim 0 meets 1 (2 blocks), 2 (a block of 3), 3 (a block of 9, 1 day) and 4 (9, 5 days)
    left, right = np.array([0, 0, 0, 0]), np.array([1, 2, 3, 4])
    shared, size, gap = np.array([2, 1, 1, 1]), np.array([9, 3, 9, 9]), np.array([9, 9, 1, 5])
    kept = [capped(left, right, shared, size, gap, cap).tolist() for cap in (1, 2, 3, 4)]
    assert kept == [
        [True, False, False, False],
        [True, True, False, False],
        [True, True, True, False],
        [True, True, True, True],
    ]


CALL_VN = (
    "Reuters said the phone call on 13 May between the US and Russian defence ministers"
    " was made at Austin's request."
)
CALL_ZH = (
    "On 13 May US Defense Secretary Austin held a phone call with Russian Defence Minister"
    " Shoigu at the US request."
)
CONVOY = (
    "On 13 May the Ukrainian army released a video of soldiers destroying a Russian"
    " armoured convoy."
)
SYRIA_LINE = (
    "Russia suspended the military hotline with the US Defense Department over Syria on 7 April."
)
LINE_2022 = (
    "A senior US official said the US-Russia military hotline set up over Ukraine was used"
    " only once."
)


def collection() -> list[Claim]:
    """VN and ZH reports of the 13 May 2022 call, plus same-topic and same-date distractors."""
    return [
        claim(
            "vn1",
            1,
            CALL_VN,
            "when=2022-05-13;who=austin;initiator=US;source=reuters",
            "2022-05-14",
        ),
        claim("vn1", 2, CONVOY, "when=2022-05-13;where=donbass", "2022-05-14"),
        claim(
            "zh1", 1, CALL_ZH, "when=2022-05-13;who=austin;who=shoigu;initiator=US", "2022-05-14"
        ),
        claim("vn2", 1, SYRIA_LINE, "when=2017-04-07;where=syria", "2017-04-08"),
        claim("vn3", 1, LINE_2022, "who=us-official", "2022-12-01"),
    ]


def test_groups_the_call_and_keeps_distractors_apart() -> None:
    clusters = align_claims(collection(), LexicalEncoder(), LEXICAL)
    joined = [c for c in clusters if len(c.members) > 1]
    assert len(joined) == 1
    assert {m.claim_id for m in joined[0].members} == {"vn1/1", "zh1/1"}
    assert joined[0].langs == ("vi", "zh")
    assert joined[0].scores and joined[0].scores[0]["text"] > 0
    assert sum(len(c.members) for c in clusters) == len(collection())


def test_max_per_doc_limits_a_document_in_a_cluster() -> None:
    same = [claim("zh1", n, CALL_ZH + f" Report {n}.", "when=2022-05-13") for n in range(1, 5)]
    claims = [claim("vn1", 1, CALL_VN, "when=2022-05-13"), *same]
    clusters = align_claims(
        claims, LexicalEncoder(), Params(threshold=0.3, min_text=0.2, max_per_doc=2)
    )
    sizes = sorted(sum(m.doc_id == "zh1" for m in c.members) for c in clusters)
    assert max(sizes) == 2


def test_empty_collection() -> None:
    assert align_claims([], LexicalEncoder(), LEXICAL) == []


def test_reports_a_day_apart_join_and_conflict_on_the_date() -> None:
    # Within max_gap_days the two reports may be the same call; the verdict
    # then names the date they disagree on (a time-zone slip, or an error).
    claims = [
        claim("vn1", 1, CALL_VN, "when=2022-05-13;who=austin;initiator=US", "2022-05-14"),
        claim("zh1", 1, CALL_ZH, "when=2022-05-14;who=austin;initiator=US", "2022-05-14"),
    ]
    (cluster,) = align_claims(claims, LexicalEncoder(), LEXICAL)
    assert cluster.verdict == "conflict"
    (conflict,) = cluster.conflicts
    assert conflict.slot == "when"
    assert conflict.values == {"2022-05-13": ["vn1/1"], "2022-05-14": ["zh1/1"]}
    assert cluster.facts["initiator"] == {"vn1/1": "US", "zh1/1": "US"}


def test_blocks_of_one_documents_claims_give_no_pairs() -> None:
    # two claims of one document share a block: no pair, and no error (a one-article run)
    claims = [claim("d1", i, "x", "", "2022-05-13") for i in (1, 2)]
    views = [view(c, c.anchor) for c in claims]
    left, right, counts = candidate_pairs(views, [["hotline"], ["hotline"]], Params())
    assert len(left) == len(right) == 0
    assert counts["blocks"] == 1
