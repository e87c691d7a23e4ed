"""sacrebleu scores at corpus, document and line level, and paired significance.

Corpus scores equal sacrebleu's command line with its defaults (BLEU with the
13a tokenizer, chrF2, TER). Each metric's per-line sufficient statistics are
computed once and reused: the corpus score aggregates all of them, a line
score aggregates one (exactly what sacrebleu's ``sentence_score`` does), a
document score aggregates that document's lines. Sentence BLEU uses effective
order, as sacrebleu recommends. sacrebleu is imported on first use.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["BOOTSTRAP_SAMPLES", "METRICS", "Scorer", "SystemScores"]

log = logging.getLogger(__name__)

METRICS = ("bleu", "chrf", "ter")
# Metrics of the per-document scores and of the paired significance test.
DOC_METRICS = ("bleu", "chrf")
BOOTSTRAP_SAMPLES = 1000
_CHUNK = 200


@dataclass(frozen=True)
class SystemScores:
    """One system's scores against the reference.

    Attributes:
        corpus: metric -> corpus score (sacrebleu's ``.score``, unrounded).
        signatures: metric -> sacrebleu signature string.
        lines: one metric -> score mapping per line.
        stats: metric -> per-line sufficient statistics, for document scores.
    """

    corpus: dict[str, float]
    signatures: dict[str, str]
    lines: list[dict[str, float]]
    stats: dict[str, list[Any]]


class Scorer:
    """Scores hypotheses against one fixed reference with sacrebleu's defaults.

    Args:
        references: one reference per line.
    """

    def __init__(self, references: Sequence[str]) -> None:
        self.references = list(references)
        self._metrics: dict[str, Any] = {}
        self._sentence_bleu: Any = None

    def _metric(self, name: str) -> Any:
        if name not in self._metrics:
            from sacrebleu.metrics import BLEU, CHRF, TER

            classes = {"bleu": BLEU, "chrf": CHRF, "ter": TER}
            self._metrics[name] = classes[name](references=[self.references])
        return self._metrics[name]

    def _line_metric(self, name: str) -> Any:
        if name != "bleu":
            return self._metric(name)
        if self._sentence_bleu is None:
            from sacrebleu.metrics import BLEU

            self._sentence_bleu = BLEU(effective_order=True)
        return self._sentence_bleu

    def score(self, hypotheses: Sequence[str], metrics: Sequence[str] = METRICS) -> SystemScores:
        """Corpus and per-line scores of one system.

        Args:
            hypotheses: one hypothesis per reference line, in the same order.
            metrics: which of bleu, chrf, ter to compute.

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
            stats[name] = self._statistics(metric, name, hypotheses)
            corpus[name] = metric._aggregate_and_compute(stats[name]).score
            signatures[name] = metric.get_signature().format()
            line_metric = self._line_metric(name)
            for row, line_stats in zip(lines, stats[name], strict=True):
                row[name] = line_metric._aggregate_and_compute([line_stats]).score
        return SystemScores(corpus, signatures, lines, stats)

    def _statistics(self, metric: Any, name: str, hypotheses: Sequence[str]) -> list[Any]:
        """Per-line statistics, in chunks so a progress bar can follow slow metrics (TER)."""
        from tqdm import tqdm

        found: list[Any] = []
        with tqdm(total=len(hypotheses), desc=name, unit="seg", leave=False, disable=None) as bar:
            for start in range(0, len(hypotheses), _CHUNK):
                hyps = list(hypotheses[start : start + _CHUNK])
                refs = self.references[start : start + _CHUNK]
                found += metric._extract_corpus_statistics(hyps, [refs])
                bar.update(len(hyps))
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

    def significance(
        self, systems: Sequence[tuple[str, Sequence[str]]], samples: int = BOOTSTRAP_SAMPLES
    ) -> dict[str, dict[str, float | str]]:
        """Paired bootstrap resampling of every system against the first (the baseline).

        Runs sacrebleu's own ``PairedTest`` (seed from ``SACREBLEU_SEED``,
        12345 by default), so the p-values equal ``sacrebleu --paired-bs``.

        Returns:
            system name -> ``{"bleu_p", "chrf_p", "baseline"}`` for every system but the first.
        """
        if len(systems) < 2:
            return {}
        from sacrebleu.metrics import BLEU, CHRF
        from sacrebleu.significance import PairedTest

        metrics = {
            "bleu": BLEU(references=[self.references]),
            "chrf": CHRF(references=[self.references]),
        }
        named: list[tuple[str, Sequence[str]]] = [(name, list(hyps)) for name, hyps in systems]
        test = PairedTest(named, metrics, references=None, test_type="bs", n_samples=samples)
        _, results = test()
        columns = [key for key in results if key != "System"]
        baseline = systems[0][0]
        out: dict[str, dict[str, float | str]] = {}
        for i, (name, _) in enumerate(systems[1:], 1):
            entry: dict[str, float | str] = {}
            for metric, column in zip(metrics, columns, strict=True):
                result = results[column][i]
                if isinstance(result, str) or result.p_value is None:
                    raise RuntimeError(f"sacrebleu gave no {column} p-value for {name!r}")
                entry[f"{metric}_p"] = float(result.p_value)
            entry["baseline"] = baseline
            out[name] = entry
        return out
