"""Fact comparison inside a cluster: agree, conflict, unconfirmed, single-source, attribution."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipeline.claims.records import Claim
from pipeline.claims.verdicts import compare
from pipeline.facts.extract import claim_facts
from pipeline.records import Fact


def claim(cid: str, facts: str) -> Claim:
    """Claim ``doc/n`` with facts written as ``slot=key;slot=key``."""
    found = tuple(
        Fact(slot=s, key=k, surface=k)
        for s, k in (item.split("=", 1) for item in facts.split(";") if item)
    )
    doc = cid.split("/")[0]
    return Claim(cid, doc, cid, "vi", "src", "text", facts=found)


# Seeds 001 and 003: Tass (Russian MoD) says the call was at the US side's
# initiative, Reuters (a US official) says at Austin's request; both give
# initiator 'US', cite different agencies, and agree.
ATTRIBUTED = [
    claim("001/6", "source=tass;initiator=US;when=2022-05-13"),
    claim("001/5", "source=reuters;initiator=US;who=lloyd-austin;when=2022-05-13"),
    claim("003/5", "source=russian-defence-ministry;initiator=US;who=sergei-shoigu"),
]


def test_attribution_agrees_on_initiator_and_never_conflicts_on_source() -> None:
    result = compare(ATTRIBUTED)
    assert result.verdict == "agree"
    assert result.conflicts == ()
    assert set(result.facts["source"].values()) == {"tass", "reuters", "russian-defence-ministry"}
    assert set(result.facts["initiator"].values()) == {"US"}
    assert result.silent["when"] == ["003/5"]
    assert result.silent["who"] == ["001/6"]


@pytest.mark.parametrize(
    ("a", "b", "verdict", "slot"),
    [
        ("when=2022-05-13", "when=2022-05-13", "agree", None),
        ("when=2022-05", "when=2022-05-13", "agree", None),  # month covers the day
        ("when=2022-05-13", "when=2022-05-20", "conflict", "when"),
        ("when=2022-05-13;when=2022-02-18", "when=2022-05-13", "agree", None),  # seed 003 p6
        ("initiator=US", "initiator=RU", "conflict", "initiator"),
        ("where=ukraine", "where=syria", "conflict", "where"),
        ("where=ukraine;where=kyiv", "where=ukraine", "agree", None),
        # Actors and who says so never conflict, but different ones confirm nothing.
        ("who=lloyd-austin", "who=sergei-shoigu", "unconfirmed", None),
        ("source=tass", "source=reuters", "unconfirmed", None),
        ("when=2022-05-13", "who=lloyd-austin", "unconfirmed", None),  # silence is no conflict
        (
            "who=lloyd-austin",
            "who=lloyd-austin",
            "unconfirmed",
            None,
        ),  # a shared name confirms no fact
    ],
)
def test_pairwise_verdicts(a: str, b: str, verdict: str, slot: str | None) -> None:
    result = compare([claim("d1/1", a), claim("d2/1", b)])
    assert result.verdict == verdict
    assert [c.slot for c in result.conflicts] == ([slot] if slot else [])


def test_conflict_names_values_and_members() -> None:
    result = compare([claim("d1/1", "when=2022-05-13"), claim("d2/1", "when=2022-05-20")])
    (conflict,) = result.conflicts
    assert conflict.values == {"2022-05-13": ["d1/1"], "2022-05-20": ["d2/1"]}
    assert conflict.note == "d1/1 vs d2/1"


def test_single_source() -> None:
    # Two claims of one document never conflict with each other.
    result = compare([claim("d1/1", "when=2022-05-13"), claim("d1/2", "when=2022-05-20")])
    assert result.verdict == "single-source"
    assert result.conflicts == ()


# Seed 001: "khoản viện trợ hơn 40 tỷ USD" (more than 40 billion), "khoảng 3,8 tỷ
# USD" (about 3.8 billion); seed 003's sidebar: "400亿美元" (40 billion).
MORE_THAN_40BN = ("Hạ viện Mỹ đã thông qua khoản viện trợ hơn 40 tỷ USD cho Kiev.", "vi")
ABOUT_3_8BN = ("Mỹ đã chuyển giao số vũ khí trị giá tổng cộng khoảng 3,8 tỷ USD.", "vi")
EXACT_40BN = ("众议院通过了400亿美元的援乌法案。", "zh")
ONE_HOUR = ("Cuộc gọi kéo dài khoảng 1 giờ.", "vi")


def amount_claim(cid: str, text: tuple[str, str]) -> Claim:
    facts = tuple(f for f in claim_facts(text[0], "", text[1], "2022-05-14") if f.slot == "amount")
    assert facts, text
    return Claim(cid, cid.split("/")[0], cid, text[1], text[0], "", facts=facts)


@pytest.mark.parametrize(
    ("a", "b", "verdict"),
    [
        (MORE_THAN_40BN, EXACT_40BN, "agree"),  # within the stated approximation
        (ABOUT_3_8BN, EXACT_40BN, "conflict"),  # 3.8e9 vs 4e10
        (ONE_HOUR, EXACT_40BN, "unconfirmed"),  # different units: not comparable, not confirmed
    ],
)
def test_amounts(a: tuple[str, str], b: tuple[str, str], verdict: str) -> None:
    result = compare([amount_claim("vn/1", a), amount_claim("zh/1", b)])
    assert result.verdict == verdict


def test_amount_conflict_shows_qualified_values() -> None:
    result = compare([amount_claim("vn/1", ABOUT_3_8BN), amount_claim("zh/1", EXACT_40BN)])
    (conflict,) = result.conflicts
    assert conflict.slot == "amount"
    assert conflict.values == {"about 3.8e9 USD": ["vn/1"], "4e10 USD": ["zh/1"]}


def test_two_documents_with_nothing_in_common_are_unconfirmed_not_agree() -> None:
    # The seeds' cluster that paired "the call lasted about 1 hour" (13 May) with
    # "Milley and Gerasimov last spoke on 11 February" was a green "agree".
    hour = claim("vn/5", "amount=1 hour;who=lloyd-austin")
    feb = claim("zh/9", "when=2022-02-11;who=mark-milley;who=valery-gerasimov")
    result = compare([hour, feb])
    assert result.verdict == "unconfirmed"
    assert result.slots == {
        "when": "single-source",
        "who": "unconfirmed",
        "amount": "single-source",
    }


def test_slot_verdicts_count_outlets_not_documents() -> None:
    a, b = claim("d1/1", "when=2022-05-13"), claim("d2/1", "when=2022-05-13")
    same_outlet = [replace(a, outlet="TASS"), replace(b, outlet="TASS")]
    assert compare(same_outlet).verdict == "single-source"
    two = [
        replace(a, outlet="TASS"),
        replace(b, outlet="Reuters"),
        claim("d3/1", "when=2022-05-20"),
    ]
    result = compare(two)
    assert result.slots["when"] == "conflict" and result.verdict == "conflict"
    assert compare(two[:2]).slots == {"when": "agree"}
