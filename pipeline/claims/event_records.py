"""From segments and claim clusters to ``events.jsonl``: mentions, links, records.

:func:`find_events` runs the steps of :mod:`pipeline.claims.mentions` and
:mod:`pipeline.claims.events` and builds one :class:`Event` per group of
mentions that holds at least one claim: its members, documents, the claim
clusters most of whose claims it holds, fact verdicts
(:func:`pipeline.claims.verdicts.compare` over its claims, "since" dates left
out), label, date, actors and places, and the signals of the links that joined
it. Each cluster gets the event most of its claims belong to.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace

from pipeline.claims.events import (
    EventParams,
    LinkSignals,
    MentionView,
    candidate_links,
    claim_pairs,
    group_mentions,
    link_signals,
    linked,
    mention_view,
)
from pipeline.claims.mentions import HOW_SCORES, Frame, Mention, frame, local_mentions
from pipeline.claims.records import Claim, Cluster, Event, EventDocument, EventMember
from pipeline.claims.select import SegmentFacts
from pipeline.claims.verdicts import compare
from pipeline.facts.date_keys import is_full_day

__all__ = ["find_events", "summarize_events"]

log = logging.getLogger(__name__)
LABEL_CHARS = 120
# One event has one date, initiator and amount per unit; its sentences name
# different places (the call is in Washington and in Moscow) without clashing.
EVENT_CONFLICT_SLOTS = ("when", "amount", "initiator")


def find_events(
    segments: Sequence[SegmentFacts],
    claims: Sequence[Claim],
    clusters: Sequence[Cluster],
    params: EventParams | None = None,
) -> tuple[list[Event], list[Cluster]]:
    """Group the segments into events and give each cluster its event.

    Args:
        segments: every usable segment with its facts, one document's together, in text order.
        claims: the claims among them.
        clusters: the claim clusters of those claims.
        params: thresholds (defaults when None).

    Returns:
        The events (those spanning most documents first) and the clusters with ``event_id``.
    """
    params = params or EventParams()
    views = _views(segments, params)
    joined = [[m.claim_id for m in c.members] for c in clusters if len(c.docs) > 1]
    by_claim = claim_pairs(views, joined)
    known: dict[tuple[int, int], LinkSignals] = {}

    def scorer(i: int, j: int) -> LinkSignals:
        key = (min(i, j), max(i, j))
        if key not in known:
            links = 1.0 if key in by_claim else 0.0
            known[key] = link_signals(views[key[0]], views[key[1]], links, params)
        return known[key]

    pairs = candidate_links(views, by_claim, params)
    links = [(i, j, s) for i, j in sorted(pairs) if linked(s := scorer(i, j), params)]
    log.info(
        "events: %d mentions, %d candidate links, %d linked", len(views), len(pairs), len(links)
    )
    groups = group_mentions(views, links, scorer, params)
    claim_of = {c.claim_id: c for c in claims}
    events = []
    for members, joins in groups:
        event = _event([views[i].mention for i in members], joins, claim_of)
        if event is not None:
            events.append(event)
    events.sort(key=lambda e: (-len(e.documents), -len(e.members), e.event_id))
    clusters = _with_events(clusters, events)
    inside: dict[str, list[str]] = defaultdict(list)
    for c in clusters:
        if c.event_id is not None:
            inside[c.event_id].append(c.cluster_id)
    return [replace(e, claims=tuple(inside[e.event_id])) for e in events], clusters


def _views(segments: Sequence[SegmentFacts], params: EventParams) -> list[MentionView]:
    by_doc: dict[str, list[Frame]] = defaultdict(list)
    for seg in segments:
        by_doc[seg.translation.doc_id].append(frame(seg))
    views = []
    for doc_id, frames in by_doc.items():
        mentions = local_mentions(frames, params.max_gap_days)
        lead = mentions[0].actors if mentions else frozenset()
        views += [mention_view(f"{doc_id}#{n}", m, lead) for n, m in enumerate(mentions)]
    return views


def _event(
    mentions: list[Mention],
    joins: list[LinkSignals],
    claim_of: dict[str, Claim],
) -> Event | None:
    """The record of one group of mentions, or None when it holds no claim."""
    pairs = [(f, how) for m in mentions for f, how in zip(m.frames, m.hows, strict=True)]
    pairs.sort(key=lambda fh: (fh[0].doc_id, fh[0].seg.translation.index))
    ids = [f"{f.doc_id}/{f.seg.translation.seg_id}" for f, _ in pairs]
    held = [
        _event_claim(claim_of[i], f) for i, (f, _) in zip(ids, pairs, strict=True) if i in claim_of
    ]
    if not held:
        return None
    comparison = compare(held, EVENT_CONFLICT_SLOTS)
    digest = hashlib.sha1("\n".join(sorted(ids)).encode("utf-8")).hexdigest()[:12]
    members = tuple(_member(f, how) for f, how in pairs)
    return Event(
        event_id=f"e{digest}",
        label=_label(pairs),
        kind=Counter(m.kind for m in mentions if m.kind).most_common(1)[0][0]
        if any(m.kind for m in mentions)
        else None,
        when=_when(pairs),
        members=members,
        documents=_documents(pairs),
        verdict=comparison.verdict,
        who=_keys(held, "who"),
        where=_keys(held, "where"),
        facts=_by_document(comparison.facts, {c.claim_id: c.doc_id for c in held}),
        slots=comparison.slots,
        conflicts=comparison.conflicts,
        signals=tuple(s.to_dict() for s in joins),
        langs=tuple(sorted({m.lang for m in members})),
        outlets=tuple(sorted({m.outlet for m in members if m.outlet})),
    )


def _by_document(
    facts: dict[str, dict[str, str]], doc_of: dict[str, str]
) -> dict[str, dict[str, str]]:
    """slot -> claim id -> value, as slot -> doc_id -> its distinct values ("; ")."""
    out: dict[str, dict[str, str]] = {}
    for slot, given in facts.items():
        values: dict[str, list[str]] = defaultdict(list)
        for cid, value in sorted(given.items()):
            for part in value.split("; "):
                if part not in values[doc_of[cid]]:
                    values[doc_of[cid]].append(part)
        out[slot] = {doc: "; ".join(v) for doc, v in values.items()}
    return out


def _event_claim(claim: Claim, f: Frame) -> Claim:
    """The claim as the event compares it: only the dates of what it reports."""
    facts = tuple(x for x in claim.facts if x.slot != "when" or x.key in f.dates)
    return replace(claim, facts=facts)


def _member(f: Frame, how: str) -> EventMember:
    t, doc = f.seg.translation, f.seg.document
    return EventMember(
        doc_id=t.doc_id,
        seg_id=t.seg_id,
        lang=t.src_lang,
        role=t.role,
        source=t.source,
        translation=t.translation or "",
        outlet=doc.outlet if doc else None,
        kind=f.kind,
        how=how,
        score=HOW_SCORES[how],
    )


def _label(pairs: list[tuple[Frame, str]]) -> str:
    """A title in the event, from the document giving it most sentences; else its best sentence."""
    per_doc = Counter(f.doc_id for f, _ in pairs)
    titles = [f for f, _ in pairs if f.seg.translation.role == "title"]
    titles.sort(key=lambda f: (-per_doc[f.doc_id], f.doc_id))
    best = titles[0] if titles else max(pairs, key=lambda fh: HOW_SCORES[fh[1]])[0]
    text = (best.seg.translation.translation or best.seg.translation.source).strip()
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def _when(pairs: list[tuple[Frame, str]]) -> str | None:
    """The most reported day; else the most reported month or year."""
    dates = Counter(d for f, _ in pairs for d in f.dates)
    days = [d for d, _ in dates.most_common() if is_full_day(d)]
    if days:
        return days[0]
    return dates.most_common(1)[0][0] if dates else None


def _documents(pairs: list[tuple[Frame, str]]) -> tuple[EventDocument, ...]:
    counts = Counter(f.doc_id for f, _ in pairs)
    seen: dict[str, EventDocument] = {}
    for f, _ in pairs:
        if f.doc_id in seen:
            continue
        doc = f.seg.document
        seen[f.doc_id] = EventDocument(
            doc_id=f.doc_id,
            lang=f.seg.translation.src_lang,
            sentences=counts[f.doc_id],
            outlet=doc.outlet if doc else None,
            published=doc.published if doc else None,
            title=doc.title if doc else None,
        )
    return tuple(sorted(seen.values(), key=lambda d: (d.published or "", d.doc_id)))


def _keys(claims: list[Claim], slot: str) -> tuple[str, ...]:
    counts = Counter(f.key for c in claims for f in c.facts if f.slot == slot)
    return tuple(k for k, _ in counts.most_common(8))


def _with_events(clusters: Sequence[Cluster], events: Sequence[Event]) -> list[Cluster]:
    """Each cluster with the event most of its claims belong to (None if none)."""
    event_of = {f"{m.doc_id}/{m.seg_id}": e.event_id for e in events for m in e.members}
    out = []
    for c in clusters:
        found = Counter(event_of[m.claim_id] for m in c.members if m.claim_id in event_of)
        best = sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))
        out.append(replace(c, event_id=best[0][0] if best else None))
    return out


def summarize_events(events: Sequence[Event]) -> dict[str, int]:
    """Counts for the CLI: events, those spanning several outlets and languages, conflicts."""
    return {
        "events": len(events),
        "events_multi_outlet": sum(len(e.outlets) > 1 for e in events),
        "events_multi_lang": sum(len(e.langs) > 1 for e in events),
        "event_conflicts": sum(e.verdict == "conflict" for e in events),
    }
