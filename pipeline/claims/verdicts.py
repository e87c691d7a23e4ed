"""Fact comparison inside a cluster: who gives which value, who agrees, who is silent.

For each fact slot the members that give a value are compared pairwise across
documents:

* ``when``: dates agree when their spans meet ("May 2022" and "13 May 2022").
* ``amount``: quantities agree within their stated approximation
  (:func:`pipeline.facts.extract.amounts_agree`); amounts in different units
  are not comparable and never conflict.
* ``where`` and ``initiator``: agree when the members share a key.
* ``who`` (actors) and ``source`` (who says so) are reported but never
  conflict: one sentence naming Austin and another naming Shoigu do not
  contradict each other, and outlets citing different agencies is normal.

A slot is ``agree`` when two sources (outlets; a document without one counts as
its own) give the same value and none conflict, ``conflict``, ``unconfirmed``
when several sources give values that neither match nor clash, and
``single-source`` when one source gives it. A cluster is ``single-source``
with one source, ``conflict`` with any conflict, ``agree`` when a comparable
slot (``CONFLICT_SLOTS``: the ones that could clash) is confirmed, and
``unconfirmed`` otherwise: two documents in one cluster are not, by
themselves, two sources saying the same thing.

Reported speech stays attributed: the ``source`` slot keeps who says so, and
the ``initiator`` slot is compared on its normalized key ('US'), so "Tass says
the US side proposed the call" and "Reuters says Austin requested it" agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.claims.records import Claim, Conflict
from pipeline.facts.date_keys import date_span
from pipeline.records import Fact

__all__ = ["CONFLICT_SLOTS", "SLOTS", "Comparison", "compare", "source_of"]

SLOTS = ("when", "who", "where", "amount", "initiator", "source")
CONFLICT_SLOTS = ("when", "where", "amount", "initiator")


@dataclass(frozen=True)
class Comparison:
    """The outcome of comparing a cluster's facts.

    Attributes:
        facts: slot -> claim id -> the value(s) that member gives (keys joined by
            "; "; amounts with their qualifier, ``more-than 4e10 USD``).
        silent: slot -> claim ids of members giving no value for it.
        conflicts: one per slot where members of different documents disagree.
        verdict: ``single-source``, ``conflict``, ``agree`` or ``unconfirmed``.
        slots: slot -> its own verdict (same four words).
    """

    facts: dict[str, dict[str, str]]
    silent: dict[str, list[str]]
    conflicts: tuple[Conflict, ...]
    verdict: str
    slots: dict[str, str]


def source_of(claim: Claim) -> str:
    """Who stands behind a claim as a source: its outlet, else its document."""
    return claim.outlet or claim.doc_id


def compare(members: Sequence[Claim], conflict_slots: Sequence[str] = CONFLICT_SLOTS) -> Comparison:
    """Compare the facts the members of one cluster give.

    Args:
        members: the cluster's claims.
        conflict_slots: the slots whose different values conflict (an event's
            sentences name different places without contradicting each other).

    Returns:
        The per-slot values, silences, conflicts and the verdict.
    """
    by_slot: dict[str, dict[str, list[Fact]]] = defaultdict(lambda: defaultdict(list))
    for claim in members:
        for fact in claim.facts:
            by_slot[fact.slot][claim.claim_id].append(fact)
    facts: dict[str, dict[str, str]] = {}
    silent: dict[str, list[str]] = {}
    slots: dict[str, str] = {}
    conflicts = []
    for slot in SLOTS:
        given = by_slot.get(slot, {})
        if not given:
            continue
        facts[slot] = {cid: _value(fs) for cid, fs in given.items()}
        silent[slot] = [c.claim_id for c in members if c.claim_id not in given]
        conflict = _conflict(slot, members, given) if slot in conflict_slots else None
        if conflict is not None:
            conflicts.append(conflict)
        slots[slot] = "conflict" if conflict else _slot_verdict(slot, members, given)
    return Comparison(facts, silent, tuple(conflicts), _verdict(members, slots), slots)


def _verdict(members: Sequence[Claim], slots: dict[str, str]) -> str:
    """The cluster's verdict from its slots' (see the module docstring)."""
    if len({source_of(c) for c in members}) < 2 or len({c.doc_id for c in members}) < 2:
        return "single-source"
    if "conflict" in slots.values():
        return "conflict"
    confirmed = any(slots.get(slot) == "agree" for slot in CONFLICT_SLOTS)
    return "agree" if confirmed else "unconfirmed"


def _slot_verdict(slot: str, members: Sequence[Claim], given: dict[str, list[Fact]]) -> str:
    """``agree``, ``unconfirmed`` or ``single-source`` for a slot without conflict."""
    source = {c.claim_id: source_of(c) for c in members}
    ids = sorted(given)
    if len({source[cid] for cid in ids}) < 2:
        return "single-source"
    for n, a in enumerate(ids):
        for b in ids[n + 1 :]:
            if source[a] != source[b] and _same(slot, given[a], given[b]):
                return "agree"
    return "unconfirmed"


def _same(slot: str, a: list[Fact], b: list[Fact]) -> bool:
    """Whether two members give the same value (a month and a day in it count)."""
    if slot == "when":
        spans_a = [s for f in a if (s := date_span(f.key)) is not None]
        spans_b = [s for f in b if (s := date_span(f.key)) is not None]
        return any(x[0] <= y[1] and y[0] <= x[1] for x in spans_a for y in spans_b)
    if slot == "amount":
        from pipeline.facts.extract import amounts_agree

        return any(x.unit == y.unit and amounts_agree(x, y) for x in a for y in b)
    return bool({f.key for f in a} & {f.key for f in b})


def _conflict(slot: str, members: Sequence[Claim], given: dict[str, list[Fact]]) -> Conflict | None:
    """A conflict when two members of different documents give incompatible values."""
    doc = {c.claim_id: c.doc_id for c in members}
    ids = sorted(given)
    clashes = []
    for n, a in enumerate(ids):
        for b in ids[n + 1 :]:
            if doc[a] != doc[b] and not _compatible(slot, given[a], given[b]):
                clashes.append((a, b))
    if not clashes:
        return None
    involved = sorted({cid for pair in clashes for cid in pair})
    values: dict[str, list[str]] = defaultdict(list)
    for cid in involved:
        values[_value(given[cid])].append(cid)
    note = "; ".join(f"{a} vs {b}" for a, b in clashes)
    return Conflict(slot=slot, values=dict(values), note=note)


def _value(facts: list[Fact]) -> str:
    """What a member gives for a slot: its keys, amounts with their qualifier."""
    return "; ".join(sorted({(f.display or f.key) if f.slot == "amount" else f.key for f in facts}))


def _compatible(slot: str, a: list[Fact], b: list[Fact]) -> bool:
    if slot == "when":
        spans_a = [s for f in a if (s := date_span(f.key)) is not None]
        spans_b = [s for f in b if (s := date_span(f.key)) is not None]
        if not spans_a or not spans_b:
            return True
        return any(x[0] <= y[1] and y[0] <= x[1] for x in spans_a for y in spans_b)
    if slot == "amount":
        return _amounts_compatible(a, b)
    return bool({f.key for f in a} & {f.key for f in b})


def _amounts_compatible(a: list[Fact], b: list[Fact]) -> bool:
    """Agree if any same-unit pair agrees; incomparable (no shared unit) is no conflict."""
    from pipeline.facts.extract import amounts_agree

    comparable = False
    for x in a:
        for y in b:
            if x.unit != y.unit:
                continue
            comparable = True
            if amounts_agree(x, y):
                return True
    return not comparable
