"""Evaluate translations against references: BLEU, chrF2, TER and significance.

A reference is plain text (one segment a line), JSONL with ``doc_id``,
``seg_id`` and ``reference``, or TSV ``doc_id<TAB>seg_id<TAB>reference`` (a
header row with those names is skipped). A hypothesis is plain text aligned
line by line with the reference, or JSONL with ``doc_id``, ``seg_id`` and
``translation`` (a run's ``translations.jsonl`` is one). When both sides carry
ids they are joined on (doc_id, seg_id) in the reference's order; otherwise
line counts must match. Anything that would give a silently wrong score (a
missing pair, a count mismatch, an empty file, bytes that are not UTF-8) is
an :class:`~pipeline.InputError` naming the file.

Plain-text lines are split on ``\\n`` only and trailing whitespace is removed,
as sacrebleu's command line reads them, so the figures equal its own.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import ConfigError, InputError
from pipeline.corpus.metrics import BOOTSTRAP_SAMPLES, Scorer, SystemScores
from pipeline.io.atomic import atomic_write_json
from pipeline.io.files import read_text
from pipeline.io.lock import run_dir_lock
from pipeline.run.files import EVALUATION, TRANSLATIONS

__all__ = [
    "EVALUATION_NAME",
    "Lines",
    "align",
    "evaluate",
    "format_table",
    "read_lines",
    "write_evaluation",
]

log = logging.getLogger(__name__)

EVALUATION_NAME = EVALUATION
RUN_HYPOTHESIS = TRANSLATIONS

Key = tuple[str, str]


@dataclass(frozen=True)
class Lines:
    """The segments of one reference or hypothesis file.

    Attributes:
        path: where they came from.
        texts: one text per segment, in file order.
        keys: (doc_id, seg_id) per segment, or None for plain text.
    """

    path: Path
    texts: list[str]
    keys: list[Key] | None = None


def _plain_lines(text: str) -> list[str]:
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return [line.rstrip() for line in lines]


def _jsonl_lines(path: Path, text: str, field: str) -> Lines:
    texts: list[str] = []
    keys: list[Key] = []
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from exc
        if not isinstance(obj, dict) or "doc_id" not in obj or "seg_id" not in obj:
            raise InputError(f"{path}:{lineno}: expected an object with doc_id and seg_id")
        value = obj.get(field)
        if value is None and obj.get("status") == "identity":
            value = obj.get("source")  # a run's English segment: its output is its source
        if value is not None and not isinstance(value, str):
            raise InputError(f"{path}:{lineno}: {field!r} must be a string")
        if value is None and obj.get("status") != "untranslated":
            raise InputError(f"{path}:{lineno}: no {field!r}")
        keys.append((str(obj["doc_id"]), str(obj["seg_id"])))
        texts.append((value or "").rstrip())
    return Lines(path, texts, keys)


def _tsv_lines(path: Path, text: str) -> Lines:
    texts: list[str] = []
    keys: list[Key] = []
    for lineno, line in enumerate(_plain_lines(text), 1):
        if lineno == 1 and line == "doc_id\tseg_id\treference":
            continue  # an optional header row
        fields = line.split("\t", 2)
        if len(fields) != 3:
            raise InputError(f"{path}:{lineno}: expected doc_id<TAB>seg_id<TAB>reference")
        keys.append((fields[0], fields[1]))
        texts.append(fields[2].rstrip())
    return Lines(path, texts, keys)


def read_lines(path: Path, field: str) -> Lines:
    """Read a reference (``field="reference"``) or hypothesis (``"translation"``) file.

    The form follows the extension: ``.jsonl``, ``.tsv`` (references only), else plain text.
    An untranslated segment of a run (``translation`` null) scores as an empty line. A UTF-8
    byte order mark is dropped from JSONL and TSV; plain text keeps it, as sacrebleu does.

    Raises:
        InputError: unreadable, not UTF-8 (with the byte offset), empty, or malformed.
    """
    text = read_text(path)
    if not text.strip():
        raise InputError(f"{path}: empty file")
    if path.suffix == ".jsonl":
        lines = _jsonl_lines(path, text.removeprefix("\ufeff"), field)
    elif path.suffix == ".tsv" and field == "reference":
        lines = _tsv_lines(path, text.removeprefix("\ufeff"))
    else:
        lines = Lines(path, _plain_lines(text))
    if not lines.texts:
        raise InputError(f"{path}: no segments")
    if lines.keys is not None:
        _check_unique(lines)
    return lines


def _check_unique(lines: Lines) -> None:
    seen: set[Key] = set()
    for i, key in enumerate(lines.keys or ()):
        if key in seen:
            raise InputError(f"{lines.path}: segment {i + 1}: duplicate doc_id/seg_id {key}")
        seen.add(key)


def align(ref: Lines, hyp: Lines) -> list[str]:
    """The hypothesis texts in the reference's order.

    Raises:
        InputError: a reference segment without a hypothesis (naming the first
            missing ids and how many), or different line counts.
    """
    if ref.keys is not None and hyp.keys is not None:
        table = dict(zip(hyp.keys, hyp.texts, strict=True))
        missing = [key for key in ref.keys if key not in table]
        if missing:
            first = ", ".join(f"{d}/{s}" for d, s in missing[:3])
            raise InputError(
                f"{hyp.path}: {len(missing)} of {len(ref.keys)} reference segments of "
                f"{ref.path} have no hypothesis (first: {first})"
            )
        extra = len(table) - len(ref.keys)
        if extra:
            log.info("%s: %d segments have no reference and are not scored", hyp.path, extra)
        return [table[key] for key in ref.keys]
    if len(ref.texts) != len(hyp.texts):
        raise InputError(
            f"{hyp.path} has {len(hyp.texts)} lines but {ref.path} has {len(ref.texts)}; "
            "plain-text files must align line by line"
        )
    return hyp.texts


def _names(hyps: Sequence[Path], names: Sequence[str] | None) -> list[str]:
    if names:
        if len(names) != len(hyps):
            raise ConfigError(f"--names gives {len(names)} names for {len(hyps)} hypotheses")
        chosen = list(names)
    else:
        chosen = ["ours" if p.name == RUN_HYPOTHESIS else p.name for p in hyps]
    if len(set(chosen)) != len(chosen):
        raise ConfigError(f"system names must differ ({', '.join(chosen)}); pass --names")
    return chosen


def evaluate(
    reference: Path,
    hypotheses: Sequence[Path],
    names: Sequence[str] | None = None,
    samples: int = BOOTSTRAP_SAMPLES,
) -> dict[str, Any]:
    """Score one or more systems against a reference.

    Args:
        reference: the reference file.
        hypotheses: one file per system; the first is the baseline of the significance test.
        names: system names (default: ``ours`` for a run's translations.jsonl, else file names).
        samples: bootstrap resamples of the paired test (0 skips the test).

    Returns:
        The evaluation, in the ``evaluation.json`` layout.

    Raises:
        InputError: unreadable, malformed or mismatched inputs.
        ConfigError: names that do not fit the hypotheses.
    """
    if not hypotheses:
        raise ConfigError("evaluate: no hypothesis given")
    systems = _names(hypotheses, names)
    ref = read_lines(reference, "reference")
    hyp_lines = [read_lines(p, "translation") for p in hypotheses]
    texts = {name: align(ref, lines) for name, lines in zip(systems, hyp_lines, strict=True)}
    keys = ref.keys or next((h.keys for h in hyp_lines if h.keys is not None), None)
    scorer = Scorer(ref.texts)
    scores = {name: scorer.score(texts[name]) for name in systems}
    significance = scorer.significance([(n, texts[n]) for n in systems], samples) if samples else {}
    documents = _documents(scorer, scores, keys)
    segments = _segments(ref, keys, texts, scores)
    return {
        "reference": str(reference),
        "systems": systems,
        "corpus": {n: {**scores[n].corpus, "signatures": scores[n].signatures} for n in systems},
        "significance": significance,
        "documents": documents,
        "segments": segments,
    }


def _documents(
    scorer: Scorer, scores: dict[str, SystemScores], keys: list[Key] | None
) -> dict[str, dict[str, dict[str, float]]]:
    """doc_id -> system -> BLEU and chrF over that document's lines."""
    if keys is None:
        return {}
    by_doc: dict[str, list[int]] = {}
    for i, (doc_id, _) in enumerate(keys):
        by_doc.setdefault(doc_id, []).append(i)
    return {
        doc: {name: scorer.subset(system, idx) for name, system in scores.items()}
        for doc, idx in by_doc.items()
    }


def _segments(
    ref: Lines, keys: list[Key] | None, texts: dict[str, list[str]], scores: dict[str, SystemScores]
) -> list[dict[str, Any]]:
    """One entry per reference line with every system's text and line scores."""
    return [
        {
            "doc_id": keys[i][0] if keys else None,
            "seg_id": keys[i][1] if keys else None,
            "line": i + 1,
            "reference": ref_text,
            "hypotheses": {name: hyps[i] for name, hyps in texts.items()},
            "scores": {name: system.lines[i] for name, system in scores.items()},
        }
        for i, ref_text in enumerate(ref.texts)
    ]


def write_evaluation(result: dict[str, Any], out: Path) -> Path:
    """Write ``<out>/evaluation.json`` atomically, holding the run directory's lock."""
    path = out / EVALUATION_NAME
    with run_dir_lock(out):
        atomic_write_json(path, result)
    return path


def format_table(result: dict[str, Any]) -> str:
    """The corpus scores as a text table, with p-values and signatures below it."""
    systems = result["systems"]
    width = max(len("System"), *(len(s) for s in systems))
    header = f"{'System':<{width}}  {'BLEU':>6}  {'chrF2':>6}  {'TER':>6}"
    header += f"  {'p(BLEU)':>8}  {'p(chrF2)':>8}"
    rows = [header, "-" * len(header)]
    for name in systems:
        c = result["corpus"][name]
        sig = result["significance"].get(name)
        p = f"{sig['bleu_p']:>8.4f}  {sig['chrf_p']:>8.4f}" if sig else f"{'-':>8}  {'-':>8}"
        rows.append(f"{name:<{width}}  {c['bleu']:>6.2f}  {c['chrf']:>6.2f}  {c['ter']:>6.2f}  {p}")
    signatures = result["corpus"][systems[0]]["signatures"]
    rows += [f"{metric}: {sig}" for metric, sig in signatures.items()]
    if result["significance"]:
        rows.append(f"p-values: paired bootstrap resampling against {systems[0]}")
    return "\n".join(rows)
