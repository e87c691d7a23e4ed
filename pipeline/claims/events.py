"""Events above claims: the mentions of different documents that report one event.

Each document's sentences are first grouped into mentions
(:mod:`pipeline.claims.mentions`). Mentions of different documents are then
linked, in three steps, each a function:

1. :func:`candidate_links`: only mentions that share a kind family and an
   actor or place (the document's lead actors count too), or whose claims a
   claim cluster joins, are compared; a large block pairs each mention with
   its ``window`` nearest in time, so the work grows linearly.
2. :func:`link_signals`: kind, time, actors and claims signals as numbers and
   the reason a pair is blocked. Same actors are never enough: kinds must fit
   (a call is not a meeting, a video released on the day of a call is not the
   call), and dates must lie within ``max_gap_days`` (or, for a mention without
   a date, its document must appear within ``undated_window_days`` after the
   other's date).
3. :func:`group_mentions`: greedy merging of linked pairs, best first, never
   two mentions of one document, never a blocked pair between the two sides.

The event records are built by :mod:`pipeline.claims.event_records`.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.claims.mentions import Mention, time_gap
from pipeline.claims.merging import greedy_merge
from pipeline.facts.actions import compatible, family
from pipeline.facts.date_keys import date_span

__all__ = [
    "EventParams",
    "LinkSignals",
    "MentionView",
    "candidate_links",
    "group_mentions",
    "link_signals",
    "linked",
    "mention_view",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EventParams:
    """Thresholds and weights of event linking (chosen on the seeds, tests/data/align)."""

    max_gap_days: int = 3
    undated_window_days: int = 90
    anchor_window_days: int = 30
    min_link: float = 0.35
    window: int = 20
    max_block: int = 50
    max_share: float = 0.05
    link_sample: int = 8
    weights: dict[str, float] = field(
        default_factory=lambda: {"kind": 0.4, "time": 0.3, "actors": 0.2, "claims": 0.1}
    )


@dataclass(frozen=True)
class MentionView:
    """What linking reads of a mention: its key, kind, dates, document date and actors."""

    key: str
    mention: Mention
    kind: str | None
    spans: tuple[tuple[int, int], ...]
    anchor: int | None
    actors: frozenset[str]

    @property
    def day(self) -> int:
        """The day it is sorted on: its first date, else its document's (0 if none)."""
        return self.spans[0][0] if self.spans else (self.anchor or 0)


@dataclass(frozen=True)
class LinkSignals:
    """The signals of one pair of mentions of different documents, and the score."""

    a: str
    b: str
    kind: float
    time: float
    actors: float
    claims: float
    score: float
    blocked: str | None

    def to_dict(self) -> dict[str, object]:
        """The signals as written in ``events.jsonl`` (floats to four places)."""
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in vars(self).items()}


def mention_view(key: str, mention: Mention, lead_actors: frozenset[str]) -> MentionView:
    """Index a mention for linking; ``lead_actors`` are its document's lead mention's."""
    anchor = mention.frames[0].seg.anchor
    span = date_span(anchor[:10]) if anchor else None
    return MentionView(
        key=key,
        mention=mention,
        kind=mention.kind,
        spans=tuple(sorted(mention.spans)),
        anchor=span[0] if span else None,
        actors=mention.actors | lead_actors,
    )


def _time(a: MentionView, b: MentionView, p: EventParams) -> tuple[float, str | None]:
    """1 for a shared day, 0.5 for dates that meet, 0.25 for an undated report
    soon after a dated event, 0 for two undated ones; blocked beyond the windows."""
    gap = time_gap(a.spans, b.spans)
    if gap is not None:
        if gap > p.max_gap_days:
            return 0.0, f"event dates {gap} days apart"
        same_day = any(x == y and x[0] == x[1] for x in a.spans for y in b.spans)
        return (1.0 if same_day else 0.5), None
    if not a.spans and not b.spans:
        apart = abs(a.anchor - b.anchor) if a.anchor is not None and b.anchor is not None else 0
        if apart > p.anchor_window_days:
            return 0.0, f"documents {apart} days apart"
        return 0.0, None
    dated, undated = (a, b) if a.spans else (b, a)
    if undated.anchor is None:
        return 0.0, None
    first, last = dated.spans[0][0], max(s[1] for s in dated.spans)
    if first > undated.anchor + p.max_gap_days:
        return 0.0, "event after the undated report"
    if undated.anchor - last > p.undated_window_days:
        return 0.0, f"undated report {undated.anchor - last} days after the event"
    return 0.25, None


def link_signals(
    a: MentionView, b: MentionView, claim_links: float, params: EventParams
) -> LinkSignals:
    """All signals of one pair of mentions; ``claim_links`` is 1 when a claim cluster joins them."""
    blocked = None
    if not compatible(a.kind, b.kind):
        blocked = f"kinds {a.kind} and {b.kind}"
        kind = 0.0
    else:
        kind = 1.0 if a.kind == b.kind else 0.5
    time, time_blocked = _time(a, b, params)
    blocked = blocked or time_blocked
    union = a.actors | b.actors
    actors = len(a.actors & b.actors) / len(union) if union else 0.0
    w = params.weights
    score = w["kind"] * kind + w["time"] * time + w["actors"] * actors + w["claims"] * claim_links
    return LinkSignals(a.key, b.key, kind, time, actors, float(claim_links), score, blocked)


def linked(s: LinkSignals, params: EventParams) -> bool:
    """The decision, read from the signals: may these two mentions be one event?"""
    return s.blocked is None and s.score >= params.min_link and (s.actors > 0 or s.claims > 0)


def candidate_links(
    views: Sequence[MentionView], claim_pairs: set[tuple[int, int]], params: EventParams
) -> set[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, of mentions of different documents worth scoring.

    Mentions are indexed under kind family × actor; a block of at most
    ``max_block`` gives all its pairs, a larger one pairs time neighbours within
    ``window``, one holding more than ``max_share`` of all mentions is dropped.
    Pairs a claim cluster joins (``claim_pairs``) are always compared.
    """
    postings: dict[str, list[int]] = defaultdict(list)
    for i, v in enumerate(views):
        fam = family(v.kind) if v.kind else "-"
        for actor in v.actors:
            postings[f"{fam}|{actor}"].append(i)
    limit = max(params.max_block, int(params.max_share * len(views)))
    pairs = set(claim_pairs)
    for members in postings.values():
        if len(members) < 2 or len(members) > limit:
            continue
        if len(members) > params.max_block:
            members = sorted(members, key=lambda i: views[i].day)
            steps = range(1, params.window + 1)
            near = [(members[n], members[n + k]) for k in steps for n in range(len(members) - k)]
        else:
            near = [(x, y) for n, x in enumerate(members) for y in members[n + 1 :]]
        for x, y in near:
            if views[x].mention.doc_id != views[y].mention.doc_id:
                pairs.add((min(x, y), max(x, y)))
    return pairs


def group_mentions(
    views: Sequence[MentionView],
    links: Sequence[tuple[int, int, LinkSignals]],
    scorer: Callable[[int, int], LinkSignals],
    params: EventParams,
) -> list[tuple[list[int], list[LinkSignals]]]:
    """Greedy merging of linked pairs, best first, under the event constraints.

    Args:
        views: the mentions.
        links: linked pairs ``(i, j, signals)``.
        scorer: signals of any pair (for the checks between the two sides of a merge).
        params: thresholds.

    Returns:
        Every group (one mention or more) as (mention indices, signals of its links).
    """
    def may_merge(a: list[int], b: list[int]) -> bool:
        return _may_merge(a, b, views, scorer, params)

    return greedy_merge(len(views), links, may_merge)


def _may_merge(
    a: list[int],
    b: list[int],
    views: Sequence[MentionView],
    scorer: Callable[[int, int], LinkSignals],
    params: EventParams,
) -> bool:
    """No document on both sides, and no blocked pair among the first members of each."""
    if {views[x].mention.doc_id for x in a} & {views[y].mention.doc_id for y in b}:
        return False
    k = params.link_sample
    return all(scorer(x, y).blocked is None for x in a[:k] for y in b[:k])


def claim_pairs(
    views: Sequence[MentionView], clusters: Sequence[Sequence[str]]
) -> set[tuple[int, int]]:
    """Pairs of mentions of different documents that one claim cluster joins.

    Args:
        views: the mentions.
        clusters: each multi-document claim cluster as its members' ``doc_id/seg_id``.
    """
    owner: Mapping[str, int] = {
        f"{f.doc_id}/{f.seg.translation.seg_id}": i
        for i, v in enumerate(views)
        for f in v.mention.frames
    }
    pairs = set()
    for members in clusters:
        found = sorted({owner[c] for c in members if c in owner})
        for n, x in enumerate(found):
            for y in found[n + 1 :]:
                if views[x].mention.doc_id != views[y].mention.doc_id:
                    pairs.add((x, y))
    return pairs
