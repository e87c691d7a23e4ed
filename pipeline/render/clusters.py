"""Render the report's claim clusters.

A cluster, named by its first member's English, shows the sources that report
it (outlet, language, date), its members side by side in their own languages
with their translations, each linked back to its row in its document, and the
fact table (slot × member, columns named by outlet, values as people read
them) with each slot's verdict. Single-source clusters fold away behind one
``<details>`` so the documents are not pushed thousands of pixels down.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from pipeline.render.events import cluster_label, verdict_badge
from pipeline.render.markup import anchor, badge, esc, fmt_num, readable, table

if TYPE_CHECKING:
    from pipeline.claims.records import Cluster, ClusterMember, Conflict
    from pipeline.records import Document
    from pipeline.render.model import ReportData


def render_clusters(data: ReportData) -> Iterator[str]:
    """Yield the claims section: a summary line, then one block per cluster."""
    verdicts = Counter(c.verdict for c in data.clusters)
    summary = " ".join(badge(f"{v} × {n}", f"verdict-{v}") for v, n in sorted(verdicts.items()))
    n = len(data.clusters)
    yield (
        f'<section id="clusters"><h2>Claims across sources ({n} cluster{"" if n == 1 else "s"})'
        f"</h2><p>{summary}</p>\n"
    )
    docs = {d.doc_id: d for d in data.docs}
    single = [c for c in data.clusters if c.verdict == "single-source"]
    for cluster in data.clusters:
        if cluster.verdict != "single-source":
            yield render_cluster(cluster, docs)
    if single:
        yield (
            f'<details class="single-clusters"><summary>{len(single)} single-source '
            f"cluster{'' if len(single) == 1 else 's'} (one outlet only)</summary>\n"
        )
        for cluster in single:
            yield render_cluster(cluster, docs)
        yield "</details>\n"
    yield "</section>\n"


def render_cluster(cluster: Cluster, docs: Mapping[str, Document]) -> str:
    """One cluster: sources, members side by side, fact table, conflicts."""
    langs = "".join(badge(lang, "lang") for lang in cluster.langs)
    when = f" · event {esc(cluster.event_date)}" if cluster.event_date else ""
    parts = [
        f'<section class="cluster card" id="{anchor("cluster", cluster.cluster_id)}" '
        f'style="contain-intrinsic-size:auto {400 + 60 * len(cluster.facts)}px">',
        f"<h3>{esc(cluster_label(cluster))} "
        f"{verdict_badge(cluster.verdict)} {langs}"
        f'<span class="muted small">{when}</span></h3>',
        _sources(cluster, docs),
        '<div class="members">',
        *(_member(m) for m in cluster.members),
        "</div>",
        _facts(cluster),
        "</section>\n",
    ]
    return "".join(parts)


def _sources(cluster: Cluster, docs: Mapping[str, Document]) -> str:
    rows = []
    seen: set[str] = set()
    for member in cluster.members:
        if member.doc_id in seen:
            continue
        seen.add(member.doc_id)
        doc = docs.get(member.doc_id)
        outlet = member.outlet or (doc.outlet if doc else None)
        title = (doc.title or doc.path) if doc else member.doc_id
        link = f'<a href="#{anchor("doc", member.doc_id)}">{esc(title)}</a>'
        date = doc.published if doc else None
        rows.append([esc(outlet or "—"), badge(member.lang, "lang"), esc(date or "—"), link])
    return table(["outlet", "language", "date", "document"], rows)


def _labels(members: tuple[ClusterMember, ...]) -> list[str]:
    """Column heads: the outlet, numbered when it gives several members."""
    names = [m.outlet or m.doc_id for m in members]
    counts = Counter(names)
    seen: Counter[str] = Counter()
    out = []
    for name in names:
        seen[name] += 1
        out.append(esc(f"{name} · {seen[name]}" if counts[name] > 1 else name))
    return out


def _member(member: ClusterMember) -> str:
    target = anchor("seg", member.doc_id, member.seg_id)
    return (
        f'<div class="member" data-claim="{esc(member.claim_id)}">'
        f'<div class="small"><b>{esc(member.outlet or member.doc_id)}</b> '
        f"{badge(member.lang, 'lang')}"
        f'<span class="muted">similarity {fmt_num(member.score, 2)}</span> '
        f'<a class="seglink" href="#{target}">in its document ↗</a></div>'
        f'<div class="src" lang="{esc(member.lang)}">{esc(member.source)}</div>'
        f'<div class="tgt" lang="en">{esc(member.translation)}</div></div>'
    )


def _slot_mark(values: list[str | None], conflict: Conflict | None) -> tuple[str, str]:
    """The badge and cell class of one fact row.

    The align stage decides what conflicts (``cluster.conflicts``); the report
    shows that decision. Different values that are not a conflict (two outlets
    naming different people, or citing different agencies) are "no conflict".
    """
    given = [v for v in values if v is not None]
    if conflict is not None:
        return badge("conflict", "bad"), "conflict"
    if len(given) < 2:
        return badge("one source"), ""
    if len(set(given)) == 1:
        return badge("agree", "ok"), "agree"
    return badge("no conflict"), ""


def _facts(cluster: Cluster) -> str:
    if not cluster.facts:
        return '<p class="muted small">No facts extracted.</p>'
    conflicts = {c.slot: c for c in cluster.conflicts}
    members = cluster.members
    rows = []
    for slot, by_claim in cluster.facts.items():
        values = [by_claim.get(m.claim_id) for m in members]
        mark, cls = _slot_mark(values, conflicts.get(slot))
        if slot in cluster.slot_verdicts:
            verdict = cluster.slot_verdicts[slot]
            mark, cls = (
                verdict_badge(verdict),
                {"agree": "agree", "conflict": "conflict"}.get(verdict, ""),
            )
        cells = [
            f'<span class="{cls}">{esc(readable(slot, v))}</span>' if v is not None else "—"
            for v in values
        ]
        rows.append([f"{esc(slot)} {mark}", *cells])
    html = table(["slot", *_labels(members)], rows, "grid facts")
    # Colour whole cells: the table helper takes cell contents, so mark them after.
    html = html.replace('<td><span class="conflict">', '<td class="conflict"><span>')
    html = html.replace('<td><span class="agree">', '<td class="agree"><span>')
    said = {m.claim_id: m for m in members}
    notes = "".join(
        f"<li>{esc(c.slot)}: "
        + "; ".join(
            f"{esc(readable(c.slot, v))} ({esc(', '.join(_who(said, i) for i in ids))})"
            for v, ids in c.values.items()
        )
        + (f" — {esc(c.note)}" if c.note and not any(i in c.note for i in said) else "")
        + "</li>"
        for c in cluster.conflicts
    )
    return html + (f'<ul class="small">{notes}</ul>' if notes else "")


def _who(members: Mapping[str, ClusterMember], claim_id: str) -> str:
    """A member named by its outlet and the start of its sentence, not its ids."""
    m = members.get(claim_id)
    if m is None:
        return claim_id
    text = m.translation
    return f"{m.outlet or m.doc_id}: “{text[:60]}{'…' if len(text) > 60 else ''}”"
