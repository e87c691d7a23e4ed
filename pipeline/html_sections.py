"""Render the report's claim clusters and evaluation sections (plus two small helpers).

A cluster shows the sources that report an event (outlet, language, date), its
members side by side in their own languages with their translations, each
linked back to its row in its document, and the fact table (slot × member)
with agreements and conflicts marked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pipeline.html_util import anchor, badge, esc, fmt_num, fmt_scores

if TYPE_CHECKING:
    from pipeline.records import Cluster, ClusterMember, Conflict, Document
    from pipeline.report import Evaluation, ReportData

__all__ = ["render_cluster", "render_clusters", "render_evaluation", "stat", "table"]

_CHUNK = 200  # evaluation rows per lazily rendered block


def stat(value: Any, label: str) -> str:
    """One figure of the run summary."""
    return f'<span class="stat"><b>{esc(value)}</b>{esc(label)}</span>'


def table(head: Sequence[str], rows: Sequence[Sequence[str]], cls: str = "grid") -> str:
    """A table from already-escaped cells (the head is escaped here)."""
    th = "".join(f"<th>{esc(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{esc(cls)}"><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>'


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
    for cluster in data.clusters:
        yield render_cluster(cluster, docs)
    yield "</section>\n"


def render_cluster(cluster: Cluster, docs: Mapping[str, Document]) -> str:
    """One cluster: sources, members side by side, fact table, conflicts."""
    langs = "".join(badge(lang, "lang") for lang in cluster.langs)
    when = f" · event {esc(cluster.event_date)}" if cluster.event_date else ""
    parts = [
        f'<section class="cluster card" id="{anchor("cluster", cluster.cluster_id)}" '
        f'style="contain-intrinsic-size:auto {400 + 60 * len(cluster.facts)}px">',
        f"<h3>Cluster {esc(cluster.cluster_id)} "
        f"{badge(cluster.verdict, 'verdict-' + cluster.verdict)} {langs}"
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


def _label(member: ClusterMember) -> str:
    return f"{member.outlet or member.doc_id} ({member.lang})"


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
        cells = [f'<span class="{cls}">{esc(v)}</span>' if v is not None else "—" for v in values]
        rows.append([f"{esc(slot)} {mark}", *cells])
    html = table(["slot", *(_label(m) for m in members)], rows, "grid facts")
    # Colour whole cells: the table helper takes cell contents, so mark them after.
    html = html.replace('<td><span class="conflict">', '<td class="conflict"><span>')
    html = html.replace('<td><span class="agree">', '<td class="agree"><span>')
    notes = "".join(
        f"<li>{esc(c.slot)}: "
        + "; ".join(f"{esc(v)} ({esc(', '.join(ids))})" for v, ids in c.values.items())
        + (f" — {esc(c.note)}" if c.note else "")
        + "</li>"
        for c in cluster.conflicts
    )
    return html + (f'<ul class="small">{notes}</ul>' if notes else "")


def render_evaluation(ev: Evaluation) -> Iterator[str]:
    """Yield the evaluation section: corpus scores, significance, unjoined segments."""
    rows = []
    for system in ev.systems:
        scores = ev.corpus.get(system) or {}
        sigs = scores.get("signatures") or {}
        rows.append(
            [esc(system)]
            + [
                f'<span title="{esc(sigs.get(m, ""))}">{fmt_num(scores.get(m))}</span>'
                for m in ("bleu", "chrf", "ter")
            ]
        )
    yield (
        '<section id="evaluation" class="card"><h2>Evaluation</h2>'
        f"<p>Reference: <code>{esc(ev.reference or 'none')}</code></p>"
        + table(["system", "BLEU", "chrF", "TER"], rows)
    )
    if ev.significance:
        sig = [
            [
                esc(s),
                esc(v.get("baseline")),
                fmt_num(v.get("bleu_p"), 3),
                fmt_num(v.get("chrf_p"), 3),
            ]
            for s, v in ev.significance.items()
            if isinstance(v, Mapping)
        ]
        yield "<h3>Paired significance</h3>" + table(["system", "against", "BLEU p", "chrF p"], sig)
    yield "</section>\n"
    if ev.loose:
        yield (
            f'<section id="eval-lines"><h2>Evaluated lines ({len(ev.loose)})</h2>'
            '<p class="muted small">'
            "Lines of the evaluation that are not segments of a document.</p>"
        )
        for start in range(0, len(ev.loose), _CHUNK):
            yield _eval_block(ev, ev.loose[start : start + _CHUNK])
        yield "</section>\n"


def _eval_block(ev: Evaluation, segs: Sequence[Mapping[str, Any]]) -> str:
    cols = ["reference", *ev.systems]
    head = "".join(f"<div>{esc(c)}</div>" for c in ["line", *cols])
    rows = []
    for seg in segs:
        hyps = seg.get("hypotheses") or {}
        scores = seg.get("scores") or {}
        cells = [f'<div class="ref">{esc(seg.get("reference") or "—")}</div>']
        for system in ev.systems:
            score = fmt_scores(scores.get(system))
            cells.append(
                f'<div class="sys">{esc(hyps.get(system) or "—")}'
                f'<div class="scores">{score}</div></div>'
            )
        line = seg.get("line")
        rows.append(
            f'<div class="row" id="{anchor("line", str(line))}"><div class="meta">'
            f'<span class="idx">{esc(line)}</span></div>{"".join(cells)}</div>'
        )
    size = 40 + 56 * len(rows)
    return (
        f'<section class="evalpart card" style="contain-intrinsic-size:auto {size}px">'
        f'<div class="rows" style="--cols:{len(cols)}">'
        f'<div class="row head">{head}</div>{"".join(rows)}</div></section>\n'
    )
