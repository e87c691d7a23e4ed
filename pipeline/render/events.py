"""Render the report's events: every sentence that reports one event, side by side.

An event reported by several documents gets a card: its label, date and
verdict; a timeline of which outlet reported it when; the sources side by
side (one column per document, each sentence in its language and in English,
linked to its row); the fact table (slot x document, values as people read
them, agree/conflict per slot); and links to the claim clusters inside.
Events of one document fold away behind one ``<details>``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from pipeline.render.markup import anchor, badge, esc, readable, table

if TYPE_CHECKING:
    from pipeline.claims.records import Cluster, Event, EventDocument
    from pipeline.render.model import ReportData

__all__ = ["cluster_label", "render_event", "render_events", "verdict_badge"]

LABEL_CHARS = 110
_VERDICT_KINDS = {"agree": "ok", "conflict": "bad"}
_VERDICT_TIPS = {
    "agree": "two sources give the same value, none conflicts",
    "conflict": "sources give values that cannot both be true",
    "unconfirmed": "several sources, no value confirmed by two",
    "single-source": "one source only",
}


def verdict_badge(verdict: str) -> str:
    """A verdict as a coloured badge with what it means as its tooltip."""
    kind = f"verdict-{verdict} {_VERDICT_KINDS.get(verdict, '')}".strip()
    return badge(verdict, kind, _VERDICT_TIPS.get(verdict))


def cluster_label(cluster: Cluster) -> str:
    """A cluster named by its first member's English, not its hash."""
    text = cluster.members[0].translation.strip() if cluster.members else cluster.cluster_id
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def render_events(data: ReportData) -> Iterator[str]:
    """Yield the events section: events of several documents, then the rest folded."""
    multi = [e for e in data.events if len(e.documents) > 1]
    single = [e for e in data.events if len(e.documents) <= 1]
    langs = sum(len(e.langs) > 1 for e in multi)
    yield (
        f'<section id="events"><h2>Events ({len(multi)} reported by several documents, '
        f"{langs} in several languages)</h2>\n"
    )
    clusters = {c.cluster_id: c for c in data.clusters}
    for event in multi:
        yield render_event(event, clusters)
    if single:
        items = "".join(
            f'<li id="{anchor("event", e.event_id)}">{esc(e.label)} '
            f'<span class="muted small">{esc(e.when or "")} · {_doc_link(e.documents[0])}</span>'
            "</li>"
            for e in single
        )
        yield (
            f'<details class="single-events"><summary>{len(single)} events reported by one '
            f'document</summary><ul class="small">{items}</ul></details>\n'
        )
    yield "</section>\n"


def render_event(event: Event, clusters: Mapping[str, Cluster]) -> str:
    """One event's card: heading, timeline, sources side by side, facts, clusters."""
    when = f" · {esc(event.when)}" if event.when else ""
    kind = f" · {esc(event.kind)}" if event.kind else ""
    langs = "".join(badge(lang, "lang") for lang in event.langs)
    return "".join(
        [
            f'<section class="event card" id="{anchor("event", event.event_id)}">',
            f"<h3>{esc(event.label)} {verdict_badge(event.verdict)} {langs}"
            f'<span class="muted small">{when}{kind}</span></h3>',
            _timeline(event),
            _sides(event),
            _facts(event),
            _clusters(event, clusters),
            "</section>\n",
        ]
    )


def _doc_link(doc: EventDocument) -> str:
    title = doc.title or doc.doc_id
    return (
        f'<a href="#{anchor("doc", doc.doc_id)}">{esc(doc.outlet or doc.doc_id)}: {esc(title)}</a>'
    )


def _timeline(event: Event) -> str:
    items = "".join(
        f"<li><time>{esc((d.published or 'date unknown')[:16])}</time> "
        f"{badge(d.lang, 'lang')} {_doc_link(d)} "
        f'<span class="muted">· {d.sentences} sentence{"" if d.sentences == 1 else "s"}</span>'
        "</li>"
        for d in event.documents
    )
    return f'<ol class="timeline small">{items}</ol>'


def _sides(event: Event) -> str:
    columns = []
    for doc in event.documents:
        rows = "".join(
            f'<div class="said" data-how="{esc(m.how)}">'
            f'<div class="src" lang="{esc(m.lang)}">{esc(m.source)}</div>'
            f'<div class="tgt" lang="en">{esc(m.translation)}</div>'
            f'<a class="seglink small" href="#{anchor("seg", m.doc_id, m.seg_id)}">'
            "in its document ↗</a></div>"
            for m in event.members
            if m.doc_id == doc.doc_id
        )
        head = f"<b>{esc(doc.outlet or doc.doc_id)}</b> {badge(doc.lang, 'lang')}"
        columns.append(f'<div class="side"><div class="small">{head}</div>{rows}</div>')
    return f'<div class="sides">{"".join(columns)}</div>'


def _facts(event: Event) -> str:
    if not event.facts:
        return '<p class="muted small">No facts extracted.</p>'
    docs = event.documents
    rows = []
    for slot, by_doc in event.facts.items():
        verdict = event.slots.get(slot, "single-source")
        cls = {"agree": "agree", "conflict": "conflict"}.get(verdict, "")
        cells = [
            f'<span class="{cls}">{esc(readable(slot, v))}</span>'
            if (v := by_doc.get(d.doc_id)) is not None
            else "—"
            for d in docs
        ]
        rows.append([f"{esc(slot)} {verdict_badge(verdict)}", *cells])
    head = ["slot", *(esc(d.outlet or d.doc_id) for d in docs)]
    html = table(head, rows, "grid facts")
    html = html.replace('<td><span class="conflict">', '<td class="conflict"><span>')
    html = html.replace('<td><span class="agree">', '<td class="agree"><span>')
    outlet = {m.doc_id: m.outlet or m.doc_id for m in event.members}
    said = {f"{m.doc_id}/{m.seg_id}": m.translation for m in event.members}
    notes = "".join(
        f"<li>{esc(c.slot)}: "
        + "; ".join(
            f"{esc(readable(c.slot, v))} ({esc(', '.join(_who(i, outlet, said) for i in ids))})"
            for v, ids in c.values.items()
        )
        + "</li>"
        for c in event.conflicts
    )
    return html + (f'<ul class="small conflicts">{notes}</ul>' if notes else "")


def _who(claim_id: str, outlet: Mapping[str, str], said: Mapping[str, str]) -> str:
    """A claim named by its outlet and the start of its sentence, not its ids."""
    doc = claim_id.split("/", 1)[0]
    text = said.get(claim_id, "")
    return f"{outlet.get(doc, doc)}: “{text[:60]}{'…' if len(text) > 60 else ''}”"


def _clusters(event: Event, clusters: Mapping[str, Cluster]) -> str:
    inside = [clusters[c] for c in event.claims if c in clusters]
    if not inside:
        return ""
    items = "".join(
        f'<li><a href="#{anchor("cluster", c.cluster_id)}">{esc(cluster_label(c))}</a> '
        f"{verdict_badge(c.verdict)}</li>"
        for c in inside
    )
    summary = f"{len(inside)} claim cluster{'' if len(inside) == 1 else 's'}"
    return (
        f'<details class="event-claims small"><summary>{summary}</summary>'
        f"<ul>{items}</ul></details>"
    )
