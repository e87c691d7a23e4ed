"""The review page: an evaluation alone (source, references, systems), built for reviewers.

On top, the summary: systems × metrics with sacrebleu's score, its bootstrap
mean ± 95 % confidence interval and the p-value against the baseline, the best
system of each metric in bold. Below, every evaluated line, sorted and filtered
in the page (by a system's score, by the difference between two systems, by
length, by flag, by text), with the words one system has and the other lacks
marked against the reference, and judgment controls whose results download as
JSONL or CSV (read back by ``parallax evaluate --judgments``).

The lines travel as one inline JSON block and are rendered in the page a page
of rows at a time as the reviewer scrolls, so the full 1,976-line WMT set opens
at once; the script builds rows with ``textContent`` only, so no text from the
data is ever parsed as HTML. Server-side, every value goes through
:func:`~pipeline.render.markup.esc`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pipeline import __version__
from pipeline.io.files import read_package_text
from pipeline.render.markup import esc, fmt_num
from pipeline.render.model import Evaluation

__all__ = ["payload", "render_review", "summary_table"]

_NAMES = {"bleu": "BLEU", "chrf": "chrF2", "ter": "TER"}
_ORDER = ("bleu", "chrf", "ter")


def metrics_of(ev: Evaluation) -> list[str]:
    """The metrics the evaluation scored, in the usual order."""
    first = ev.corpus.get(ev.systems[0], {}) if ev.systems else {}
    return [m for m in _ORDER if isinstance(first.get(m), int | float)]


def _best(ev: Evaluation, metric: str) -> set[str]:
    values = {
        s: v
        for s in ev.systems
        if isinstance(v := (ev.corpus.get(s) or {}).get(metric), int | float)
    }
    if not values:
        return set()
    top = min(values.values()) if metric == "ter" else max(values.values())
    return {s for s, v in values.items() if v == top}


def _cell(ev: Evaluation, system: str, metric: str, best: bool) -> str:
    scores = ev.corpus.get(system) or {}
    sigs = scores.get("signatures") or {}
    value = fmt_num(scores.get(metric), 2)
    main = f"<b>{value}</b>" if best else value
    parts = [f'<span title="{esc(sigs.get(metric, ""))}">{main}</span>']
    ci = ((scores.get("bootstrap") or {}).get(metric)) or {}
    if isinstance(ci, Mapping) and ci.get("mean") is not None:
        parts.append(
            f'<span class="ci">μ {fmt_num(ci.get("mean"), 2)} ± {fmt_num(ci.get("ci"), 2)}</span>'
        )
    p = (ev.significance.get(system) or {}).get(f"{metric}_p")
    if isinstance(p, int | float):
        star = "*" if p < 0.05 else ""
        parts.append(f'<span class="p{" sig" if star else ""}">p = {p:.4f}{star}</span>')
    return f'<td class="num">{"".join(parts)}</td>'


def summary_table(ev: Evaluation) -> str:
    """Systems × metrics: score, bootstrap mean ± 95 % CI, p-value; best per metric bold."""
    metrics = metrics_of(ev)
    best = {m: _best(ev, m) for m in metrics}
    head = "".join(f"<th>{esc(_NAMES.get(m, m))}</th>" for m in metrics)
    rows = []
    for system in ev.systems:
        tag = ' <span class="muted small">(baseline)</span>' if system == ev.baseline else ""
        cells = "".join(_cell(ev, system, m, system in best[m]) for m in metrics)
        rows.append(f"<tr><th>{esc(system)}{tag}</th>{cells}</tr>")
    note = (
        "μ ± 95% CI and p-values: sacrebleu's paired bootstrap resampling against the baseline "
        "(* p &lt; 0.05). TER: lower is better."
        if ev.significance or any("bootstrap" in (ev.corpus.get(s) or {}) for s in ev.systems)
        else "TER: lower is better."
    )
    return (
        f'<table class="grid" id="summary-table"><thead><tr><th>system</th>{head}</tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table><p class="muted small">{note}</p>'
    )


def _texts(seg: Mapping[str, Any], systems: Sequence[str]) -> tuple[list[str], list[str]]:
    refs = seg.get("references") or [seg.get("reference")]
    hyps = seg.get("hypotheses") or {}
    return [str(r or "") for r in refs], [str(hyps.get(s) or "") for s in systems]


def payload(ev: Evaluation, key: str) -> dict[str, Any]:
    """The lines as the page's script reads them (short keys: the full set is ~2 MB)."""
    metrics = metrics_of(ev)
    rows = []
    for number, seg in enumerate(ev.segments, 1):
        refs, hyps = _texts(seg, ev.systems)
        scores = seg.get("scores") or {}
        flags = seg.get("flags") or {}
        rows.append(
            {
                "l": seg.get("line") or number,
                "d": seg.get("doc_id"),
                "s": seg.get("seg_id"),
                "src": seg.get("source"),
                "ref": refs,
                "h": hyps,
                "sc": [[(scores.get(s) or {}).get(m) for m in metrics] for s in ev.systems],
                "f": [list(flags.get(s) or ()) for s in ev.systems],
            }
        )
    return {"key": key, "systems": list(ev.systems), "metrics": metrics, "rows": rows}


def _controls(count: int) -> str:
    sorts = [
        ("line", "line order"),
        ("worst", "A's score, worst first"),
        ("best", "A's score, best first"),
        ("adv-asc", "B ahead of A most first"),
        ("adv-desc", "A ahead of B most first"),
        ("len-desc", "longest first"),
        ("len-asc", "shortest first"),
    ]
    sort = "".join(f'<option value="{v}">{esc(t)}</option>' for v, t in sorts)
    flags = [
        ("", "all lines"),
        ("any", "A flagged or empty"),
        ("empty", "A empty"),
        ("differ", "A and B differ"),
        ("judged", "judged"),
        ("unjudged", "not judged"),
    ]
    flag = "".join(f'<option value="{v}">{esc(t)}</option>' for v, t in flags)

    def number(id_: str, label: str) -> str:
        return f'<label>{label} <input type="number" id="{id_}" step="any"></label>'

    return (
        '<div id="controls">'
        '<label>A <select id="sys-a"></select></label>'
        '<label>B <select id="sys-b"></select></label>'
        '<label>metric <select id="metric"></select></label>'
        f'<label>sort <select id="sort">{sort}</select></label>'
        '<button type="button" id="worst">worst first</button>'
        f"{number('score-min', 'A ≥')}{number('score-max', 'A ≤')}"
        f"{number('diff-min', 'A−B ≥')}{number('diff-max', 'A−B ≤')}"
        f"{number('len-min', 'words ≥')}{number('len-max', 'words ≤')}"
        f'<label>show <select id="flag">{flag}</select></label>'
        '<label>text <input type="search" id="q" placeholder="find"></label>'
        '<span id="judged"></span>'
        '<button type="button" id="dl-jsonl">download JSONL</button>'
        '<button type="button" id="dl-csv">download CSV</button>'
        f'<span id="status">{count} lines</span></div>'
    )


_LEGEND = (
    '<p class="legend">In A and B: <span class="tok x">wavy</span> words are in no reference; '
    'shaded words the other system lacks: <span class="tok m u">in the reference</span>, '
    '<span class="tok x u">not in it</span>. In the reference: words only '
    '<span class="tok ao">A</span> or only <span class="tok bo">B</span> has, '
    '<span class="tok no">neither</span>. A−B is A\'s advantage (for TER, B − A). '
    "Judgments stay in this browser until downloaded.</p>"
)


def render_review(ev: Evaluation, title: str, key: str) -> Iterator[str]:
    """Yield the review page in chunks.

    Args:
        ev: the parsed evaluation.
        title: the page title.
        key: identifies this evaluation (the judgments saved in the browser are kept per key).
    """
    head, tail = read_package_text("review.html").split("@@BODY@@")
    yield head.replace("@@TITLE@@", esc(title)).replace(
        "@@GENERATOR@@", esc(f"parallax {__version__}")
    )
    refs = ", ".join(esc(r) for r in ev.references) or "none"
    yield (
        f'<header class="top"><h1>{esc(title)}</h1></header>\n'
        f'<main><section id="evaluation" class="card"><h2>Evaluation</h2>'
        f'<p class="small">Reference: <code>{refs}</code></p>{summary_table(ev)}</section>\n'
        f'<section id="review"><h2>Lines ({len(ev.segments)})</h2>{_LEGEND}</section></main>\n'
        f'{_controls(len(ev.segments))}<main><div id="rows"></div>'
        '<button type="button" id="more" hidden>show more</button></main>\n'
    )
    data = json.dumps(payload(ev, key), ensure_ascii=False, separators=(",", ":"))
    script_head, script_tail = tail.split("@@DATA@@")
    # "<" escaped inside the JSON block so no text can close the script element
    yield script_head + data.replace("<", "\\u003c") + script_tail
