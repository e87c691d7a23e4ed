"""Render the report page: the shell and the documents.

Everything is rendered server-side into chunks of HTML that the stage writes
as they come. The template (``pipeline/data/report.html``) holds the inline CSS
and the small inline script; :mod:`pipeline.render.run_summary` renders the run summary
:mod:`pipeline.render.events` the events, :mod:`pipeline.render.clusters` the
claim clusters and :mod:`pipeline.render.evaluation` the evaluation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pipeline import __version__
from pipeline.io.files import read_package_text
from pipeline.records import Document, Paragraph, Segment, Translation
from pipeline.render.clusters import render_clusters
from pipeline.render.evaluation import render_eval_lines, render_evaluation
from pipeline.render.events import render_events
from pipeline.render.markup import anchor, badge, esc, fmt_scores, quality_title
from pipeline.render.model import ReportData
from pipeline.render.run_summary import render_run

__all__ = ["render_document", "render_page"]

_BODY = "@@BODY@@"


def render_page(data: ReportData, documents: Iterable[Document]) -> Iterator[str]:
    """Yield the whole page in chunks.

    Args:
        data: the gathered indexes (see :func:`pipeline.report.gather`).
        documents: the documents again, paragraphs included, streamed in order.
    """
    template = read_package_text("report.html")
    head, tail = template.split(_BODY)
    yield head.replace("@@TITLE@@", esc(data.title)).replace(
        "@@GENERATOR@@", esc(f"parallax {__version__}")
    )
    yield _header(data)
    yield "<main>\n"
    yield render_run(data)
    if data.evaluation is not None:  # the summary on top, its unjoined lines at the end
        yield from render_evaluation(data.evaluation)
    if data.events:
        yield from render_events(data)
    if data.clusters:
        yield from render_clusters(data)
    yield _doc_index(data)
    for doc in documents:
        if doc.status == "ok":
            yield render_document(doc, data)
    if data.evaluation is not None:
        yield from render_eval_lines(data.evaluation)
    yield "</main>\n"
    yield tail


def _header(data: ReportData) -> str:
    links = ['<a href="#run">Run</a>']
    if data.events:
        links.append('<a href="#events">Events</a>')
    if data.clusters:
        links.append('<a href="#clusters">Claims</a>')
    links.append('<a href="#documents">Documents</a>')
    if data.evaluation is not None:
        links.append('<a href="#evaluation">Evaluation</a>')
    toggle = ""
    if data.translations:
        toggle = '<label><input type="checkbox" id="only-flagged"> flagged segments only</label>'
    return (
        f'<header class="top"><h1>{esc(data.title)}</h1>'
        f"<nav>{''.join(links)}</nav>{toggle}</header>\n"
    )


def _doc_index(data: ReportData) -> str:
    items = []
    for doc in data.docs:
        if doc.status != "ok":
            continue
        segs = data.segments.get(doc.doc_id, ())
        flagged = sum(
            1
            for s in segs
            if (tr := data.translations.get((s.doc_id, s.seg_id))) is not None
            and (tr.flags or tr.status == "untranslated")
        )
        note = " " + badge(f"{flagged} flagged", "flag") if flagged else ""
        items.append(
            f'<li><a href="#{anchor("doc", doc.doc_id)}">{esc(doc.title or doc.path)}</a> '
            f'<span class="muted small">{esc(doc.lang)} · {len(segs)} segments</span>{note}</li>'
        )
    return (
        f'<section id="documents"><h2>Documents ({len(items)})</h2>'
        f'<ol class="docnav">{"".join(items)}</ol></section>\n'
    )


def _columns(data: ReportData) -> list[str]:
    cols = ["source"]
    if data.translations:
        cols.append("English")
    ev = data.evaluation
    if ev is not None and ev.joined:
        if ev.has_reference:
            cols.append("reference")
        cols.extend(ev.others)
    return cols


def render_document(doc: Document, data: ReportData) -> str:
    """One document: its header, then its segments (or paragraphs) row by row."""
    cols = _columns(data)
    segs = data.segments.get(doc.doc_id)
    if segs is not None:
        rows = [(s.role, _segment_row(s, data, len(cols))) for s in segs]
    else:
        rows = [(p.role, _paragraph_row(doc, p)) for p in doc.paragraphs]
    meta = " · ".join(esc(x) for x in (doc.outlet, doc.published, doc.byline, doc.path) if x)
    scores = ""
    if data.evaluation is not None and doc.doc_id in data.evaluation.documents:
        per = data.evaluation.documents[doc.doc_id]
        scores = " ".join(
            f"<span>{esc(sys)}: {fmt_scores(s)}</span>" for sys, s in per.items() if s
        )
        scores = f'<p class="scores">{scores}</p>'
    head = "".join(f"<div>{esc(c)}</div>" for c in ["", *cols])
    return (
        f'<section class="doc card" id="{anchor("doc", doc.doc_id)}" '
        f'style="contain-intrinsic-size:auto {120 + 56 * len(rows)}px">'
        f"<h3>{esc(doc.title or doc.path)} {badge(doc.lang, 'lang')}</h3>"
        f'<p class="muted small">{meta}</p>{scores}'
        f'<div class="rows" style="--cols:{len(cols)}"><div class="row head">{head}</div>'
        f"{_fold(rows)}</div></section>\n"
    )


def _fold(rows: list[tuple[str, str]]) -> str:
    """Join rows, wrapping each run of boilerplate rows in a closed ``<details>``."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            flagged = " has-flag" if any('class="row flagged' in r for r in run) else ""
            out.append(
                f'<details class="boiler{flagged}"><summary>{len(run)} boilerplate '
                f"segment{'s' if len(run) > 1 else ''}</summary>{''.join(run)}</details>"
            )
            run.clear()

    for role, row in rows:
        if role == "boilerplate":
            run.append(row)
        else:
            flush()
            out.append(row)
    flush()
    return "".join(out)


def _segment_row(seg: Segment, data: ReportData, ncols: int) -> str:
    tr = data.translations.get((seg.doc_id, seg.seg_id))
    ev = data.evaluation
    scored = ev.joined.get((seg.doc_id, seg.seg_id)) if ev is not None else None
    links = "".join(
        f' <a class="small" href="#{anchor("cluster", cid)}">claim {esc(cid)}</a>'
        for cid in data.seg_clusters.get((seg.doc_id, seg.seg_id), ())
    )
    meta = (
        f'<span class="idx">{seg.index}</span>{badge(seg.role, "role-" + seg.role)}'
        f"{badge(seg.lang, 'lang', f'confidence {seg.lang_confidence:.2f}')}{links}"
    )
    cells = [f'<div class="src" lang="{esc(seg.lang)}">{esc(seg.text)}</div>']
    if data.translations:
        own = _scores_of(scored, ev.baseline) if ev is not None else None
        cells.append(_translation_cell(tr, own))
    if ev is not None and ev.joined:
        cells.extend(_eval_cells(ev, scored))
    cells = cells[:ncols]
    flagged = " flagged" if tr is not None and (tr.flags or tr.status == "untranslated") else ""
    row_id = anchor("seg", seg.doc_id, seg.seg_id)
    return (
        f'<div class="row{flagged} role-{esc(seg.role)}" id="{row_id}">'
        f'<div class="meta">{meta}</div>{"".join(cells)}</div>'
    )


def _scores_of(scored: Any, system: str | None) -> Any:
    """One system's per-segment scores from an evaluation segment, or None."""
    scores = scored.get("scores") if isinstance(scored, dict) else None
    return scores.get(system) if isinstance(scores, dict) and system else None


def _translation_cell(tr: Translation | None, scores: Any) -> str:
    if tr is None:
        return '<div class="tgt muted">—</div>'
    tip = quality_title(tr.quality) if tr.quality else None
    flags = "".join(badge(f, "flag", tip) for f in tr.flags)
    if tr.status == "untranslated":
        flags += badge("untranslated", "bad", tr.reason)
        text = f'<span class="untr">{esc(tr.reason or "not translated")}</span>'
    else:
        text = esc(tr.translation)
    if tr.status == "identity":
        flags += badge("identity", "", "already in the target language")
    score = f'<div class="scores">{fmt_scores(scores)}</div>' if scores else ""
    extra = f"<div>{flags}</div>" if flags else ""
    return (
        f'<div class="tgt" lang="{esc(tr.tgt_lang)}" title="{esc(tr.model)}">'
        f"{text}{extra}{score}</div>"
    )


def _eval_cells(ev: Any, scored: Any) -> list[str]:
    cells = []
    if ev.has_reference:
        ref = scored.get("reference") if scored else None
        cells.append(f'<div class="ref" lang="en">{esc(ref) if ref is not None else "—"}</div>')
    for system in ev.others:
        hyps = scored.get("hypotheses") if isinstance(scored, dict) else None
        hyp = hyps.get(system) if isinstance(hyps, dict) else None
        scores = _scores_of(scored, system)
        score = f'<div class="scores">{fmt_scores(scores)}</div>' if scores else ""
        cells.append(f'<div class="sys" lang="en">{esc(hyp) if hyp else "—"}{score}</div>')
    return cells


def _paragraph_row(doc: Document, p: Paragraph) -> str:
    meta = (
        f'<span class="idx">¶{p.index}</span>{badge(p.role, "role-" + p.role)}'
        f"{badge(p.lang, 'lang', f'confidence {p.lang_confidence:.2f}')}"
    )
    return (
        f'<div class="row role-{esc(p.role)}" id="{anchor("par", doc.doc_id, str(p.index))}">'
        f'<div class="meta">{meta}</div><div class="src" lang="{esc(p.lang)}">{esc(p.text)}</div>'
        "</div>"
    )
