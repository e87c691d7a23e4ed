"""Render the report's evaluation: the summary (on top) and the lines no document has (below)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pipeline.render.markup import anchor, esc, fmt_scores

if TYPE_CHECKING:
    from pipeline.render.model import Evaluation

_CHUNK = 200  # evaluation rows per lazily rendered block


def render_evaluation(ev: Evaluation) -> Iterator[str]:
    """Yield the evaluation section: the summary table of systems and metrics."""
    from pipeline.render.review import summary_table

    yield (
        '<section id="evaluation" class="card"><h2>Evaluation</h2>'
        f"<p>Reference: <code>{esc(ev.reference or 'none')}</code>. "
        "<code>parallax report --review</code> writes the review page: sort, filter and "
        "judge every line.</p>" + summary_table(ev)
    )
    yield "</section>\n"


def render_eval_lines(ev: Evaluation) -> Iterator[str]:
    """Yield the evaluated lines that are not segments of a document, if any."""
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
