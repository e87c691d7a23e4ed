"""Evaluate translations against references: BLEU, chrF2, TER, confidence and significance.

Any files can be scored: a run's own ``translations.jsonl`` (or, after a
line-mode run, its ``translations.txt``), other systems' plain-text outputs,
against one or more references in plain text, JSONL or TSV (see
:mod:`pipeline.corpus.lines` for the forms and how they are joined). The
figures are sacrebleu's (:mod:`pipeline.corpus.metrics`): the same as its
command line with the same ``--tokenize``, ``--metrics`` and references, and
with ``--paired-bs`` the same bootstrap means, 95 % confidence intervals and
p-values. A progress bar (stderr) follows every system and metric.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline import ConfigError
from pipeline.corpus.judgments import check_against, read_judgments, summarize
from pipeline.corpus.lines import Key, Lines, align, read_lines
from pipeline.corpus.metrics import (
    BOOTSTRAP_SAMPLES,
    METRICS,
    TOKENIZERS,
    Scorer,
    SystemScores,
    significance_of,
)
from pipeline.io.atomic import atomic_write_json
from pipeline.io.files import read_json
from pipeline.io.lock import run_dir_lock
from pipeline.mt.quality import assess
from pipeline.run.files import EVALUATION, TRANSLATIONS, TRANSLATIONS_TEXT

__all__ = [
    "EVALUATION_NAME",
    "Lines",
    "align",
    "evaluate",
    "format_table",
    "judgments",
    "read_lines",
    "run_hypothesis",
    "summary",
    "write_evaluation",
]

log = logging.getLogger(__name__)

EVALUATION_NAME = EVALUATION
RUN_HYPOTHESIS = TRANSLATIONS
RUN_FILES = (TRANSLATIONS, TRANSLATIONS_TEXT)
_NAMES = {"bleu": "BLEU", "chrf": "chrF2", "ter": "TER"}


def run_hypothesis(out: Path) -> Path:
    """A run's own output: ``translations.txt`` (line mode), else ``translations.jsonl``."""
    text = out / TRANSLATIONS_TEXT
    return text if text.is_file() else out / TRANSLATIONS


def _names(hyps: Sequence[Path], names: Sequence[str] | None) -> list[str]:
    if names:
        if len(names) != len(hyps):
            raise ConfigError(f"--names gives {len(names)} names for {len(hyps)} hypotheses")
        chosen = list(names)
    else:
        chosen = ["ours" if p.name in RUN_FILES else p.name for p in hyps]
    if len(set(chosen)) != len(chosen):
        raise ConfigError(f"system names must differ ({', '.join(chosen)}); pass --names")
    return chosen


def _check_options(metrics: Sequence[str], tokenize: str | None) -> None:
    unknown = [m for m in metrics if m not in METRICS]
    if unknown or not metrics:
        raise ConfigError(f"--metrics: expected some of {', '.join(METRICS)}, got {unknown}")
    if tokenize is not None and tokenize not in TOKENIZERS:
        raise ConfigError(f"--tokenize {tokenize!r}: expected one of {', '.join(TOKENIZERS)}")


def evaluate(
    reference: Path | Sequence[Path],
    hypotheses: Sequence[Path],
    names: Sequence[str] | None = None,
    samples: int = BOOTSTRAP_SAMPLES,
    *,
    source: Path | None = None,
    tokenize: str | None = None,
    metrics: Sequence[str] = METRICS,
) -> dict[str, Any]:
    """Score one or more systems against one or more references.

    Args:
        reference: the reference file, or several (multi-reference scoring; the first
            gives the ids and the text shown).
        hypotheses: one file per system; the first is the baseline of the paired test.
        names: system names (default: ``ours`` for a run's translations, else file names).
        samples: bootstrap resamples of the paired test (0 skips it).
        source: the source text (plain or JSONL with ``source``), shown beside each line;
            with it each hypothesis also gets the quality flags of the translate stage.
        tokenize: sacrebleu's BLEU tokenizer (default 13a).
        metrics: which of bleu, chrf, ter.

    Returns:
        The evaluation, in the ``evaluation.json`` layout.

    Raises:
        InputError: unreadable, malformed or mismatched inputs.
        ConfigError: names that do not fit the hypotheses, unknown metrics or tokenizer.
    """
    if not hypotheses:
        raise ConfigError("evaluate: no hypothesis given")
    references = [reference] if isinstance(reference, Path) else list(reference)
    metrics = tuple(metrics)
    _check_options(metrics, tokenize)
    systems = _names(hypotheses, names)
    refs = [read_lines(p, "reference") for p in references]
    ref = refs[0]
    more = [align(ref, other) for other in refs[1:]]
    hyp_lines = [read_lines(p, "translation") for p in hypotheses]
    texts = {name: align(ref, lines) for name, lines in zip(systems, hyp_lines, strict=True)}
    sources = align(ref, read_lines(source, "source")) if source is not None else None
    keys = ref.keys or next((h.keys for h in hyp_lines if h.keys is not None), None)
    scorer = Scorer(ref.texts, *more, tokenize=tokenize)
    scores = _score_all(scorer, texts, metrics)
    boot = scorer.bootstrap([(n, scores[n]) for n in systems], samples) if samples else {}
    significance = significance_of(boot, systems[0]) if len(systems) > 1 else {}
    corpus = {
        n: {
            **scores[n].corpus,
            "signatures": scores[n].signatures,
            **({"bootstrap": _ci_only(boot[n])} if boot else {}),
        }
        for n in systems
    }
    return {
        "reference": str(references[0]),
        "references": [str(p) for p in references],
        "source": str(source) if source is not None else None,
        "systems": systems,
        "settings": {
            "metrics": list(metrics),
            "tokenize": tokenize or "13a",
            "bootstrap": samples,
            "test": "paired bootstrap resampling (sacrebleu --paired-bs)" if samples else None,
        },
        "corpus": corpus,
        "significance": significance,
        "documents": _documents(scorer, scores, keys),
        "segments": _segments(ref, more, sources, keys, texts, scores),
    }


def _score_all(
    scorer: Scorer, texts: dict[str, list[str]], metrics: tuple[str, ...]
) -> dict[str, SystemScores]:
    """Every system's scores, under one progress bar over systems and metrics."""
    from tqdm import tqdm

    total = len(texts) * len(metrics) * len(scorer.references)
    scores: dict[str, SystemScores] = {}
    with tqdm(total=total, desc="evaluate", unit="seg", disable=None) as bar:
        for name, hyps in texts.items():
            bar.set_postfix_str(f"{name}: {', '.join(_NAMES[m] for m in metrics)}")
            scores[name] = scorer.score(hyps, metrics, progress=bar.update)
    return scores


def _ci_only(entry: dict[str, dict[str, float | None]]) -> dict[str, dict[str, float | None]]:
    return {m: {"mean": v["mean"], "ci": v["ci"]} for m, v in entry.items()}


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
    ref: Lines,
    more: list[list[str]],
    sources: list[str] | None,
    keys: list[Key] | None,
    texts: dict[str, list[str]],
    scores: dict[str, SystemScores],
) -> list[dict[str, Any]]:
    """One entry per reference line with every system's text and line scores."""
    segments = []
    for i, ref_text in enumerate(ref.texts):
        seg: dict[str, Any] = {
            "doc_id": keys[i][0] if keys else None,
            "seg_id": keys[i][1] if keys else None,
            "line": i + 1,
        }
        if sources is not None:
            seg["source"] = sources[i]
            seg["flags"] = {name: list(assess(sources[i], h[i])[0]) for name, h in texts.items()}
        seg["reference"] = ref_text
        if more:
            seg["references"] = [ref_text, *(m[i] for m in more)]
        seg["hypotheses"] = {name: hyps[i] for name, hyps in texts.items()}
        seg["scores"] = {name: system.lines[i] for name, system in scores.items()}
        segments.append(seg)
    return segments


def write_evaluation(result: dict[str, Any], out: Path) -> Path:
    """Write ``<out>/evaluation.json`` atomically, holding the run directory's lock."""
    path = out / EVALUATION_NAME
    with run_dir_lock(out):
        atomic_write_json(path, result)
    return path


def summary(result: dict[str, Any]) -> dict[str, Any]:
    """The corpus-level part of an evaluation (what ``--json`` prints): no segments."""
    return {k: v for k, v in result.items() if k not in ("documents", "segments")}


def format_table(result: dict[str, Any]) -> str:
    """The corpus scores as a text table (``score (mean ± CI)`` and p-values), signatures below."""
    systems = result["systems"]
    metrics = [m for m in METRICS if m in result["corpus"][systems[0]]]
    boot = any("bootstrap" in result["corpus"][n] for n in systems)
    width = max(len("System"), *(len(s) for s in systems))
    cell = 22 if boot else 6
    header = f"{'System':<{width}}" + "".join(f"  {_NAMES[m]:>{cell}}" for m in metrics)
    if result["significance"]:
        header += "".join(f"  {'p(' + _NAMES[m] + ')':>9}" for m in metrics)
    rows = [header, "-" * len(header)]
    for name in systems:
        c = result["corpus"][name]
        row = f"{name:<{width}}"
        for m in metrics:
            text = f"{c[m]:.2f}"
            if boot:
                ci = c["bootstrap"][m]
                text += f" ({ci['mean']:.2f} ± {ci['ci']:.2f})"
            row += f"  {text:>{cell}}"
        if result["significance"]:
            sig = result["significance"].get(name) or {}
            row += "".join(
                f"  {sig[f'{m}_p']:>9.4f}" if f"{m}_p" in sig else f"  {'-':>9}" for m in metrics
            )
        rows.append(row)
    signatures = result["corpus"][systems[0]]["signatures"]
    rows += [f"{_NAMES[metric]}: {sig}" for metric, sig in signatures.items()]
    if boot:
        samples = result.get("settings", {}).get("bootstrap")
        rows.append(
            f"mean ± 95% CI and p-values: paired bootstrap resampling ({samples} resamples, "
            f"against {systems[0]}), as sacrebleu --paired-bs"
        )
    return "\n".join(rows)


def judgments(path: Path, out: Path | None = None) -> dict[str, Any]:
    """Read a reviewer's judgments (JSONL or CSV from the review page) and summarize them.

    When ``<out>/evaluation.json`` exists, judgments of systems or lines it does not
    have are refused.

    Raises:
        InputError: a malformed file, or judgments that do not fit the evaluation.
    """
    found = read_judgments(path)
    evaluation = out / EVALUATION_NAME if out is not None else None
    if evaluation is not None and evaluation.is_file():
        data = read_json(evaluation)
        systems = data.get("systems") or [] if isinstance(data, dict) else []
        lines = len(data.get("segments") or []) if isinstance(data, dict) else 0
        check_against(found, path, systems, lines)
    return summarize(found)
