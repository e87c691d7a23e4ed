"""A reviewer's per-segment judgments, as the review page downloads them, read back and summed.

Each judgment is about one line of an evaluation and one system, optionally
against another: ``verdict`` is ``better``, ``worse`` or ``equal`` (``system``
compared with ``other``), ``score`` a 1–5 rating of ``system``, ``note`` free
text. The page writes JSONL (one object a line) or CSV with the header
``line,doc_id,seg_id,system,other,verdict,score,note``; both read back here.
A row that does not fit is an :class:`~pipeline.InputError` naming the file,
the line and the field, never a silently different summary.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import InputError
from pipeline.io.files import read_text
from pipeline.io.jsonl import parse_jsonl_text

__all__ = ["CSV_FIELDS", "VERDICTS", "Judgment", "read_judgments", "summarize"]

VERDICTS = ("better", "worse", "equal")
CSV_FIELDS = ("line", "doc_id", "seg_id", "system", "other", "verdict", "score", "note")
_FLIP = {"better": "worse", "worse": "better", "equal": "equal"}


@dataclass(frozen=True)
class Judgment:
    """One reviewer judgment of one system on one evaluated line."""

    line: int
    system: str
    other: str | None = None
    verdict: str | None = None
    score: int | None = None
    note: str = ""
    doc_id: str | None = None
    seg_id: str | None = None


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _judgment(row: dict[str, Any], where: str) -> Judgment:
    def bad(field: str) -> InputError:
        return InputError(f"{where}: {field} {row.get(field)!r} is not valid")

    try:
        line = int(row.get("line"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise bad("line") from None
    if line < 1:
        raise bad("line")
    system = _text(row.get("system"))
    if system is None:
        raise InputError(f"{where}: no system")
    verdict = _text(row.get("verdict"))
    if verdict is not None and verdict not in VERDICTS:
        raise bad("verdict")
    score_text = _text(row.get("score"))
    score = None
    if score_text is not None:
        try:
            score = int(score_text)
        except ValueError:
            raise bad("score") from None
        if not 1 <= score <= 5:
            raise bad("score")
    other = _text(row.get("other"))
    if verdict is not None and other is None:
        raise InputError(f"{where}: verdict {verdict!r} without the other system")
    return Judgment(
        line, system, other, verdict, score, str(row.get("note") or ""),
        _text(row.get("doc_id")), _text(row.get("seg_id")),
    )  # fmt: skip


def read_judgments(path: Path) -> list[Judgment]:
    """Read a judgments file, JSONL or CSV (by extension; ``.csv`` is CSV).

    Raises:
        InputError: unreadable, not UTF-8, or a row that does not fit (file and line named).
    """
    text = read_text(path).removeprefix("\ufeff")
    found: list[Judgment] = []
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        missing = [f for f in ("line", "system") if f not in (reader.fieldnames or ())]
        if missing:
            raise InputError(f"{path}: the CSV header has no {missing[0]!r} column")
        for row in reader:
            found.append(_judgment(row, f"{path}:{reader.line_num}"))
        return found
    for number, row in parse_jsonl_text(path, text):
        found.append(_judgment(row, f"{path}:{number}"))
    return found


def check_against(
    judgments: Sequence[Judgment], path: Path, systems: Collection[str], lines: int
) -> None:
    """Refuse judgments of systems or lines the evaluation does not have.

    Raises:
        InputError: naming the file, the judged line and what does not fit.
    """
    for j in judgments:
        for name in (j.system, j.other):
            if name is not None and name not in systems:
                raise InputError(
                    f"{path}: line {j.line}: system {name!r} is not in the evaluation "
                    f"({', '.join(systems)})"
                )
        if j.line > lines:
            raise InputError(f"{path}: line {j.line}: the evaluation has {lines} lines")


def summarize(judgments: Sequence[Judgment]) -> dict[str, Any]:
    """Pairwise verdicts, 1–5 score statistics per system, and notes.

    The last judgment of the same line, system and other system wins. A pair is
    counted once whichever way round it was judged (``B worse than A`` is
    ``A better than B``).

    Returns:
        ``{"judgments", "lines", "pairs": [...], "scores": {...}, "notes": [...]}``.
    """
    latest: dict[tuple[int, str, str | None], Judgment] = {}
    for j in judgments:
        latest[(j.line, j.system, j.other)] = j
    kept = list(latest.values())
    pairs: dict[tuple[str, str], dict[str, int]] = {}
    scores: dict[str, list[int]] = {}
    for j in kept:
        if j.verdict is not None and j.other is not None:
            a, b, verdict = j.system, j.other, j.verdict
            if a > b:
                a, b, verdict = b, a, _FLIP[verdict]
            tally = pairs.setdefault((a, b), dict.fromkeys(VERDICTS, 0))
            tally[verdict] += 1
        if j.score is not None:
            scores.setdefault(j.system, []).append(j.score)
    return {
        "judgments": len(kept),
        "lines": len({j.line for j in kept}),
        "pairs": [{"system": a, "other": b, **t} for (a, b), t in sorted(pairs.items())],
        "scores": {
            name: {
                "n": len(values),
                "mean": sum(values) / len(values),
                "counts": {str(k): values.count(k) for k in range(1, 6)},
            }
            for name, values in sorted(scores.items())
        },
        "notes": [
            {"line": j.line, "system": j.system, "note": j.note}
            for j in sorted(kept, key=lambda j: j.line)
            if j.note
        ],
    }


def format_summary(summary: dict[str, Any]) -> str:
    """The summary as text: one line per system pair and per scored system, then the notes."""
    rows = [f"{summary['judgments']} judgments on {summary['lines']} lines"]
    for p in summary["pairs"]:
        rows.append(
            f"{p['system']} vs {p['other']}: better {p['better']}, worse {p['worse']}, "
            f"equal {p['equal']}"
        )
    for name, s in summary["scores"].items():
        counts = " ".join(f"{k}:{v}" for k, v in s["counts"].items())
        rows.append(f"{name}: mean score {s['mean']:.2f} over {s['n']} lines ({counts})")
    rows += [f"line {n['line']} ({n['system']}): {n['note']}" for n in summary["notes"]]
    return "\n".join(rows)
