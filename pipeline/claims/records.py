"""The align stage's records: claims, their clusters (``alignments.jsonl``) and events.

They follow :class:`pipeline.records.Record`: frozen, ``to_dict``/``from_dict``,
validation errors naming the field and the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pipeline.records import Fact, Record, check_choice

__all__ = [
    "VERDICTS",
    "Claim",
    "Cluster",
    "ClusterMember",
    "Conflict",
    "Event",
    "EventDocument",
    "EventMember",
]

VERDICTS = ("agree", "conflict", "unconfirmed", "single-source")


@dataclass(frozen=True)
class Claim(Record):
    """A segment that states something checkable, with its facts."""

    _nested: ClassVar[dict[str, type[Record]]] = {"facts": Fact}

    claim_id: str
    doc_id: str
    seg_id: str
    lang: str
    source: str
    translation: str
    outlet: str | None = None
    published: str | None = None
    event_date: str | None = None
    facts: tuple[Fact, ...] = ()
    # The document's date the claim's relative dates were read against: its
    # publication date, or the latest full date its text states.
    anchor: str | None = None
    role: str = "body"


@dataclass(frozen=True)
class ClusterMember(Record):
    """A claim inside a cluster, with what a reader needs to see it."""

    claim_id: str
    doc_id: str
    seg_id: str
    lang: str
    source: str
    translation: str
    outlet: str | None = None
    score: float = 0.0


@dataclass(frozen=True)
class Conflict(Record):
    """Two or more members giving different values for one fact slot.

    ``values`` maps each differing value to the claim ids that give it.
    """

    slot: str
    values: Mapping[str, list[str]]
    note: str | None = None


@dataclass(frozen=True)
class Cluster(Record):
    """Claims from different documents about one event.

    ``facts`` maps slot -> claim id -> value; ``scores`` keeps the pair
    similarity signals that joined the members.
    """

    _nested: ClassVar[dict[str, type[Record]]] = {"members": ClusterMember, "conflicts": Conflict}

    cluster_id: str
    members: tuple[ClusterMember, ...]
    docs: tuple[str, ...]
    facts: Mapping[str, Mapping[str, str]]
    verdict: str
    conflicts: tuple[Conflict, ...] = ()
    scores: tuple[Mapping[str, Any], ...] = ()
    event_date: str | None = None
    langs: tuple[str, ...] = ()
    # slot -> claim ids of members that give no value for it.
    silent: Mapping[str, list[str]] = field(default_factory=dict)
    outlets: tuple[str, ...] = ()
    # slot -> that slot's verdict (one of VERDICTS).
    slot_verdicts: Mapping[str, str] = field(default_factory=dict)
    # The event (events.jsonl) the cluster's claims belong to, if any.
    event_id: str | None = None

    def __post_init__(self) -> None:
        check_choice("Cluster", "verdict", self.verdict, VERDICTS)


@dataclass(frozen=True)
class EventMember(Record):
    """A segment that reports an event, and how it came to be there.

    ``how`` is ``kind+date`` (it names the kind of action and a date of the
    event), ``kind``, ``paragraph`` (its paragraph's neighbour is in the
    event), ``document`` (it follows the document's lead event) or ``actors``
    (it names the lead event's people); ``score`` weighs the same, 1 down to 0.3.
    """

    doc_id: str
    seg_id: str
    lang: str
    role: str
    source: str
    translation: str
    outlet: str | None = None
    kind: str | None = None
    how: str = "kind"
    score: float = 0.0


@dataclass(frozen=True)
class EventDocument(Record):
    """One document reporting an event: who published it, when, and how much of it."""

    doc_id: str
    lang: str
    sentences: int
    outlet: str | None = None
    published: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class Event(Record):
    """Every sentence, from every document, that reports one event (``events.jsonl``).

    ``facts`` maps slot -> doc_id -> the values that document's claims give;
    ``slots`` maps each slot to its event-level verdict; ``signals`` keeps the
    numbers each cross-document link was decided on.
    """

    _nested: ClassVar[dict[str, type[Record]]] = {
        "members": EventMember,
        "documents": EventDocument,
        "conflicts": Conflict,
    }

    event_id: str
    label: str
    kind: str | None
    when: str | None
    members: tuple[EventMember, ...]
    documents: tuple[EventDocument, ...]
    verdict: str
    who: tuple[str, ...] = ()
    where: tuple[str, ...] = ()
    claims: tuple[str, ...] = ()
    facts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    slots: Mapping[str, str] = field(default_factory=dict)
    conflicts: tuple[Conflict, ...] = ()
    signals: tuple[Mapping[str, Any], ...] = ()
    langs: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_choice("Event", "verdict", self.verdict, VERDICTS)
