"""sacrebleu scores at corpus, document and line level, and paired significance.

Corpus scores equal sacrebleu's command line (BLEU with the 13a tokenizer unless
another ``tokenize`` is named, chrF2, TER; one or more references). Each
metric's per-line sufficient statistics are computed once and reused: the
corpus score aggregates all of them, a line score aggregates one (exactly what
sacrebleu's ``sentence_score`` does), a document score aggregates that
document's lines, and the paired bootstrap resamples them (so TER, the slow
one, is never computed twice). Sentence BLEU uses effective order, as sacrebleu
recommends. sacrebleu is imported on first use.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline import ModelError

__all__ = ["BOOTSTRAP_SAMPLES", "METRICS", "TOKENIZERS", "Scorer", "SystemScores"]

log = logging.getLogger(__name__)

METRICS = ("bleu", "chrf", "ter")
# Metrics of the per-document scores.
DOC_METRICS = ("bleu", "chrf")
BOOTSTRAP_SAMPLES = 1000
# BLEU tokenizers sacrebleu accepts (``-tok``); the flores and spm ones download a model.
TOKENIZERS = (
    "none", "zh", "13a", "intl", "char", "ja-mecab", "ko-mecab",
    "spm", "flores101", "flores200", "spBLEU-1K",
)  # fmt: skip
_CHUNK = 200

Progress = Callable[[int], None]


@dataclass(frozen=True)
class SystemScores:
    """One system's scores against the references.

    Attributes:
        corpus: metric -> corpus score (sacrebleu's ``.score``, unrounded).
        signatures: metric -> sacrebleu signature string.
        lines: one metric -> score mapping per line.
        stats: metric -> per-line sufficient statistics, for document scores and the bootstrap.
    """

    corpus: dict[str, float]
    signatures: dict[str, str]
    lines: list[dict[str, float]]
    stats: dict[str, list[Any]]


class Scorer:
    """Scores hypotheses against fixed references with sacrebleu.

    Args:
        references: one reference per line.
        more: further reference streams, aligned with the first (multi-reference scoring).
        tokenize: the BLEU tokenizer (``None``: sacrebleu's default, 13a).
    """

    def __init__(
        self, references: Sequence[str], *more: Sequence[str], tokenize: str | None = None
    ) -> None:
        self.streams = [list(references), *(list(m) for m in more)]
        self.references = self.streams[0]
        self.tokenize = tokenize
        self._metrics: dict[str, Any] = {}
        self._sentence_bleu: Any = None

    def _new(self, name: str, **kwargs: Any) -> Any:
        from sacrebleu.metrics import BLEU, CHRF, TER

        if name != "bleu":
            return {"chrf": CHRF, "ter": TER}[name](**kwargs)
        try:
            return BLEU(tokenize=self.tokenize, **kwargs)
        except OSError as exc:  # flores101/200 and spm fetch a SentencePiece model once
            raise ModelError(
                f"the {self.tokenize} tokenizer needs its SentencePiece model, which sacrebleu "
                f"downloads on first use into ~/.sacrebleu, and it could not be fetched ({exc})"
            ) from exc

    def _metric(self, name: str) -> Any:
        if name not in self._metrics:
            self._metrics[name] = self._new(name, references=self.streams)
        return self._metrics[name]

    def _line_metric(self, name: str) -> Any:
        if name != "bleu":
            return self._metric(name)
        if self._sentence_bleu is None:
            self._sentence_bleu = self._new("bleu", effective_order=True)
        return self._sentence_bleu

    def score(
        self,
        hypotheses: Sequence[str],
        metrics: Sequence[str] = METRICS,
        progress: Progress | None = None,
    ) -> SystemScores:
        """Corpus and per-line scores of one system.

        Args:
            hypotheses: one hypothesis per reference line, in the same order.
            metrics: which of bleu, chrf, ter to compute.
            progress: called with the number of lines done after each chunk of each metric.

        Raises:
            ValueError: the hypothesis count differs from the reference count.
        """
        if len(hypotheses) != len(self.references):
            raise ValueError(f"{len(hypotheses)} hypotheses for {len(self.references)} references")
        corpus: dict[str, float] = {}
        signatures: dict[str, str] = {}
        stats: dict[str, list[Any]] = {}
        lines: list[dict[str, float]] = [{} for _ in hypotheses]
        for name in metrics:
            metric = self._metric(name)
            stats[name] = self._statistics(metric, hypotheses, progress)
            corpus[name] = metric._aggregate_and_compute(stats[name]).score
            signatures[name] = metric.get_signature().format()
            line_metric = self._line_metric(name)
            for row, line_stats in zip(lines, stats[name], strict=True):
                row[name] = line_metric._aggregate_and_compute([line_stats]).score
        return SystemScores(corpus, signatures, lines, stats)

    def _statistics(
        self, metric: Any, hypotheses: Sequence[str], progress: Progress | None
    ) -> list[Any]:
        """Per-line statistics, in chunks so a progress bar can follow slow metrics (TER)."""
        found: list[Any] = []
        for start in range(0, len(hypotheses), _CHUNK):
            hyps = list(hypotheses[start : start + _CHUNK])
            refs = [stream[start : start + _CHUNK] for stream in self.streams]
            found += metric._extract_corpus_statistics(hyps, refs)
            if progress is not None:
                progress(len(hyps))
        return found

    def subset(self, scores: SystemScores, indices: Sequence[int]) -> dict[str, float]:
        """Corpus-style BLEU and chrF over some lines (one document) of a system."""
        return {
            name: self._metric(name)
            ._aggregate_and_compute([scores.stats[name][i] for i in indices])
            .score
            for name in DOC_METRICS
            if name in scores.stats
        }

    def bootstrap(
        self, systems: Sequence[tuple[str, SystemScores]], samples: int = BOOTSTRAP_SAMPLES
    ) -> dict[str, dict[str, dict[str, float | None]]]:
        """sacrebleu's paired bootstrap test (``--paired-bs``) on already computed statistics.

        The first system is the baseline. Every system gets the bootstrap mean and
        95 % confidence interval of each metric; the others also the p-value of their
        difference to the baseline. The resamples, seed (``SACREBLEU_SEED``, 12345 by
        default) and arithmetic are sacrebleu's own, so the figures equal its output.

        Returns:
            system -> metric -> ``{"score", "mean", "ci", "p"}`` (``p`` None for the baseline).
        """
        import numpy as np
        from sacrebleu.significance import _compute_p_value, estimate_ci

        seed_text = os.environ.get("SACREBLEU_SEED", "12345")
        seed = None if seed_text.lower() == "none" else int(seed_text)
        n = len(self.references)
        # sacrebleu seeds the baseline's resamples with the seed and each system's with
        # ``seed or None``: the same indices unless the seed is 0
        idxs = np.random.default_rng(seed or None).choice(n, size=(samples, n), replace=True)
        base_idxs = (
            idxs if seed else np.random.default_rng(seed).choice(n, size=(samples, n), replace=True)
        )
        base_name, base = systems[0]
        out: dict[str, dict[str, dict[str, float | None]]] = {name: {} for name, _ in systems}
        for metric_name, base_stats in base.stats.items():
            metric = self._metric(metric_name)
            base_np = np.array(base_stats, dtype="float32")
            base_scores = _resampled(metric, base_np, idxs)
            own = base_scores if base_idxs is idxs else _resampled(metric, base_np, base_idxs)
            mean, ci = estimate_ci(own)
            out[base_name][metric_name] = _entry(base.corpus[metric_name], mean, ci, None)
            for name, system in systems[1:]:
                sys_np = np.array(system.stats[metric_name], dtype="float32")
                scores = _resampled(metric, sys_np, idxs)
                mean, ci = estimate_ci(scores)
                diffs = np.abs(scores - base_scores)
                real = abs(base.corpus[metric_name] - system.corpus[metric_name])
                p = _compute_p_value(diffs - diffs.mean(), real)
                out[name][metric_name] = _entry(system.corpus[metric_name], mean, ci, p)
        return out

    def significance(
        self,
        systems: Sequence[tuple[str, Sequence[str] | SystemScores]],
        samples: int = BOOTSTRAP_SAMPLES,
    ) -> dict[str, dict[str, float | str]]:
        """p-values of every system against the first (the baseline), as ``--paired-bs``.

        Args:
            systems: (name, hypotheses or already computed scores) pairs.
            samples: bootstrap resamples.

        Returns:
            system name -> ``{"<metric>_p", "baseline"}`` for every system but the first.
        """
        if len(systems) < 2:
            return {}
        scored = [
            (name, s if isinstance(s, SystemScores) else self.score(s, DOC_METRICS))
            for name, s in systems
        ]
        return significance_of(self.bootstrap(scored, samples), systems[0][0])


def significance_of(
    boot: dict[str, dict[str, dict[str, float | None]]], baseline: str
) -> dict[str, dict[str, float | str]]:
    """The p-values of a :meth:`Scorer.bootstrap` result, per system but the baseline."""
    out: dict[str, dict[str, float | str]] = {}
    for name, metrics in boot.items():
        if name == baseline:
            continue
        entry: dict[str, float | str] = {
            f"{m}_p": float(v["p"]) for m, v in metrics.items() if v["p"] is not None
        }
        entry["baseline"] = baseline
        out[name] = entry
    return out


def _entry(score: float, mean: Any, ci: Any, p: float | None) -> dict[str, float | None]:
    return {"score": score, "mean": float(mean), "ci": float(ci), "p": p}


def _resampled(metric: Any, stats: Any, idxs: Any) -> Any:
    """The metric's score on every resample (rows of ``idxs``) of per-line statistics."""
    import numpy as np

    return np.array([metric._compute_score_from_stats(s.sum(0)).score for s in stats[idxs]])
