"""Event mentions inside one document: which of its sentences report the same event.

Each usable segment gets a :class:`Frame`: the kind of action it names
(:func:`pipeline.facts.actions.action_kind`, read from the source text), the
dates of what it reports (:func:`pipeline.facts.dates.event_dates`: "since"
dates left out), and its actors and places. :func:`local_mentions` then walks a
document in text order, in two passes:

1. a sentence that names a kind joins a mention of the document with a
   compatible kind and time (the one of its paragraph's previous sentence
   first, then the document's lead mention, then the latest), or starts one;
   a sentence about a standing line (``line``: its use, what it is) joins a
   line's setting up only from within the same paragraph;
2. a sentence that names no kind joins its paragraph neighbour's mention
   (``paragraph``), the lead mention when the sentence before it is there by
   its kind or its paragraph (``document``), or the lead mention when it names
   one of its people and no date the lead's dates do not fit (``actors``);
   otherwise it reports no event.

The document is the context: sentences are assigned, not whole documents.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.claims.select import SegmentFacts
from pipeline.facts.actions import action_kind, compatible
from pipeline.facts.date_keys import date_span
from pipeline.facts.dates import event_dates

__all__ = ["HOW_SCORES", "Frame", "Mention", "frame", "local_mentions", "time_gap"]

# How a member came into its mention, and the score that says so.
HOW_SCORES = {"kind+date": 1.0, "kind": 0.75, "paragraph": 0.5, "document": 0.4, "actors": 0.3}
_SEG = re.compile(r"p(\d+)s(\d+)$")
_ACTOR_SLOTS = ("who", "where")


@dataclass(frozen=True)
class Frame:
    """What event grouping reads of one segment.

    Attributes:
        seg: the segment with its facts.
        paragraph: its paragraph number (from ``pNNsM`` seg ids, else its index).
        kind: the kind of action it names, or None.
        dates: ISO keys of the dates of what it reports.
        spans: those dates as (first, last) day ordinals.
        actors: ``slot:key`` of the people, organizations and places it names.
        people: the keys of the people and organizations alone.
    """

    seg: SegmentFacts
    paragraph: int
    kind: str | None
    dates: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    actors: frozenset[str]
    people: frozenset[str]

    @property
    def doc_id(self) -> str:
        return self.seg.translation.doc_id


@dataclass(eq=False)
class Mention:
    """A growing group of one document's frames about one event (built here, read by events)."""

    doc_id: str
    frames: list[Frame] = field(default_factory=list)
    hows: list[str] = field(default_factory=list)

    def add(self, f: Frame, how: str) -> None:
        self.frames.append(f)
        self.hows.append(how)

    @property
    def kind(self) -> str | None:
        """The most specific kind its members name (a call over "talks")."""
        kinds = [f.kind for f in self.frames if f.kind]
        specific = [k for k in kinds if k not in ("talks", "line")]
        chosen = specific or kinds
        return chosen[0] if chosen else None

    @property
    def spans(self) -> list[tuple[int, int]]:
        return [s for f in self.frames for s in f.spans]

    @property
    def actors(self) -> frozenset[str]:
        return frozenset().union(*(f.actors for f in self.frames))

    @property
    def people(self) -> frozenset[str]:
        return frozenset().union(*(f.people for f in self.frames))


def frame(seg: SegmentFacts) -> Frame:
    """Read the frame of one segment, from its source text first."""
    t = seg.translation
    lang = t.src_lang
    kind = action_kind(t.source, lang)
    if kind is None and lang[:2] not in ("vi", "zh"):
        kind = action_kind(t.translation or "", "en")
    dates = tuple(dict.fromkeys(d.iso for d in event_dates(t.source, lang, seg.anchor)))
    spans = tuple(s for k in dates if (s := date_span(k)) is not None)
    actors = frozenset(f"{f.slot}:{f.key}" for f in seg.facts if f.slot in _ACTOR_SLOTS)
    people = frozenset(f.key for f in seg.facts if f.slot == "who")
    m = _SEG.search(t.seg_id)
    paragraph = int(m.group(1)) if m else t.index
    return Frame(seg, paragraph, kind, dates, spans, actors, people)


def time_gap(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]) -> int | None:
    """Days between the closest dates of two span lists (0 when they meet), None if one is empty."""
    if not a or not b:
        return None
    return min(max(0, max(x[0], y[0]) - min(x[1], y[1])) for x in a for y in b)


def _fits(m: Mention, f: Frame, max_gap_days: int) -> bool:
    gap = time_gap(m.spans, f.spans)
    return compatible(m.kind, f.kind) and (gap is None or gap <= max_gap_days)


def _dated_fit(m: Mention, f: Frame, max_gap_days: int) -> bool:
    """Fits, and a dated sentence meets the mention's own dates (not just no dates)."""
    return _fits(m, f, max_gap_days) and (not f.spans or bool(m.spans))


def local_mentions(frames: Sequence[Frame], max_gap_days: int = 3) -> list[Mention]:
    """Group one document's frames (in text order) into its event mentions.

    Args:
        frames: the document's frames, in text order.
        max_gap_days: dates further apart than this are different events.

    Returns:
        The mentions, the lead one (the title's, else the first) first.
    """
    mentions: list[Mention] = []
    where: dict[int, Mention] = {}
    for i, f in enumerate(frames):
        if f.kind is None:
            continue
        fits = [m for m in mentions if _fits(m, f, max_gap_days)]
        prev = where.get(i - 1) if i and frames[i - 1].paragraph == f.paragraph else None
        lead = mentions[0] if mentions else None
        if f.kind == "line":  # the standing line (its use, its nature) is not its setting up
            fits = [m for m in fits if m is prev or m.kind == "line"]
        if prev is not None and prev in fits:
            chosen = prev
        elif fits:
            chosen = lead if lead is not None and lead in fits else fits[-1]
        else:
            chosen = Mention(f.doc_id)
            mentions.append(chosen)
        chosen.add(f, "kind+date" if f.spans else "kind")
        where[i] = chosen
    _context(frames, mentions, where, max_gap_days)
    return mentions


def _context(
    frames: Sequence[Frame], mentions: list[Mention], where: dict[int, Mention], max_gap_days: int
) -> None:
    """Second pass: sentences naming no kind join a mention by document context."""
    lead = mentions[0] if mentions else None
    # The document rule follows a sentence there by its kind or its paragraph, so
    # it never chains from one paragraph to the next and the next.
    near_lead = dict(where)
    for i, f in enumerate(frames):
        if f.kind is not None:
            continue
        near = [j for j in (i - 1, i + 1) if 0 <= j < len(frames) and j in where]
        same_par = [where[j] for j in near if frames[j].paragraph == f.paragraph]
        chosen, how = None, ""
        if same_par and _fits(same_par[0], f, max_gap_days):
            chosen, how = same_par[0], "paragraph"
            near_lead[i] = chosen
        elif lead is not None and near_lead.get(i - 1) is lead and _fits(lead, f, max_gap_days):
            chosen, how = lead, "document"
        elif lead is not None and f.people & lead.people and _dated_fit(lead, f, max_gap_days):
            chosen, how = lead, "actors"
        if chosen is not None:
            chosen.add(f, how)
            where[i] = chosen
