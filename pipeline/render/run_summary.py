"""Render the report's run section: counts, languages, models, inputs, failures, stages.

The figures come from documents.jsonl and the other run files (through
:class:`pipeline.render.model.ReportData`) and from manifest.json when it exists.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pipeline.render.markup import badge, esc, stat, table
from pipeline.render.model import ReportData

__all__ = ["render_run"]


def render_run(data: ReportData) -> str:
    """The run section: counts, inputs, languages, models, stages and failed files."""
    docs = data.docs
    status = Counter(d.status for d in docs)
    n_segs = sum(len(v) for v in data.segments.values())
    stats = [
        stat(len(docs), "documents"),
        *(stat(n, s) for s, n in sorted(status.items()) if s != "ok"),
        stat(n_segs, "segments") if data.files.segments else "",
        stat(len(data.translations), "translations") if data.files.translations else "",
        stat(data.flagged, "flagged") if data.files.translations else "",
        stat(data.claims, "claims") if data.claims is not None else "",
        stat(len(data.clusters), "clusters") if data.files.alignments else "",
    ]
    langs = Counter(d.lang for d in docs if d.status == "ok")
    parts = [
        '<section id="run" class="card"><h2>Run</h2>',
        f'<div class="stats">{"".join(stats)}</div>',
        "<p>Languages: "
        + (" ".join(badge(f"{k} × {n}", "lang") for k, n in langs.most_common()) or "—")
        + "</p>",
    ]
    if data.models:
        models = ", ".join(f"<code>{esc(m)}</code> ({n})" for m, n in data.models.most_common())
        parts.append(f"<p>Models: {models}</p>")
    parts.append(_inputs(data))
    parts.append(_failures(data))
    parts.append(_stages(data.manifest))
    parts.append("</section>\n")
    return "".join(parts)


def _inputs(data: ReportData) -> str:
    rows = [
        [esc(d.path), esc(d.outlet), esc(d.published), badge(d.lang, "lang"), esc(d.status)]
        for d in data.docs
    ]
    body = table(["file", "outlet", "published", "language", "status"], rows)
    return f"<details><summary>Inputs ({len(rows)} files)</summary>{body}</details>"


def _failures(data: ReportData) -> str:
    rows = []
    seen = set()
    for doc in data.docs:
        if doc.status != "ok":
            seen.add(doc.path)
            why = doc.error or (f"duplicate of {doc.duplicate_of}" if doc.duplicate_of else "")
            rows.append([esc(doc.path), badge(doc.status, "bad"), esc(why)])
    files = data.manifest.get("files", {})
    if isinstance(files, dict):
        for path, entry in files.items():
            failed = isinstance(entry, dict) and entry.get("status") not in (None, "ok")
            if failed and path not in seen:
                why = entry.get("error") or entry.get("reason") or ""
                rows.append([esc(path), badge(entry.get("status"), "bad"), esc(why)])
    if not rows:
        return '<p class="muted">No input file failed or was skipped.</p>'
    head = f"<h3>Files that failed or were skipped ({len(rows)})</h3>"
    return head + table(["file", "status", "why"], rows)


def _stages(manifest: Any) -> str:
    stages = manifest.get("stages", {}) if isinstance(manifest, dict) else {}
    if not isinstance(stages, dict) or not stages:
        return ""
    rows = []
    for name, entry in stages.items():
        if not isinstance(entry, dict):
            continue
        counts = entry.get("counts") or {}
        shown = ", ".join(f"{k} {v}" for k, v in counts.items()) if isinstance(counts, dict) else ""
        settings = entry.get("settings") or {}
        rows.append(
            [
                esc(name),
                esc(entry.get("started")),
                esc(entry.get("seconds")),
                esc(shown),
                f"<code>{esc(settings)}</code>" if settings else "",
                "reused" if entry.get("reused") else "",
            ]
        )
    versions = manifest.get("packages") or {}
    note = ", ".join(f"{k} {v}" for k, v in versions.items()) if isinstance(versions, dict) else ""
    head = ["stage", "started", "seconds", "counts", "settings", ""]
    return (
        f"<details><summary>Stages ({len(rows)})</summary>{table(head, rows)}"
        f'<p class="muted small">parallax {esc(manifest.get("version"))}; {esc(note)}</p>'
        "</details>"
    )
