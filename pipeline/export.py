"""Export stage: the run's source/English pairs as parallel corpora.

Reads ``<out>/translations.jsonl`` (and ``<out>/documents.jsonl`` only for the
language-confidence filter) once, streaming, and writes every requested format
in that one pass into ``<out>/export/``:

- ``jsonl``: ``corpus.jsonl``, one object per pair, every language pair in one file;
- ``tsv``: ``corpus.tsv`` with a header row, columns src_lang, tgt_lang,
  doc_id, seg_id, source, translation; backslash, tab, CR and LF escaped as
  ``\\\\``, ``\\t``, ``\\r``, ``\\n``;
- ``moses``: ``corpus.<src>-<tgt>.<src>`` and ``corpus.<src>-<tgt>.<tgt>``,
  one segment a line, line breaks and tabs inside a segment turned to spaces;
- ``tmx``: ``corpus.<src>-<tgt>.tmx`` (TMX 1.4b), or one ``corpus.tmx`` with
  ``tmx_multilingual``;
- ``parquet``: ``corpus.parquet``; ``hf``: a Hugging Face datasets folder ``hf/``
  (:mod:`pipeline.corpus.columnar`; both need pyarrow, the ``parquet`` extra);
- ``comparable``: ``comparable.jsonl`` from ``events.jsonl`` (the align stage's):
  the cross-language sentence pairs of each event, source and English on both
  sides, with the event id (:mod:`pipeline.corpus.comparable`).

Only ``translated`` pairs go in (identity English pairs are not parallel data),
after the role, language-confidence and duplicate filters and the OpusFilter-style
filters of :mod:`pipeline.corpus.filters` (``filters``: length ratio, language ID
of both sides, near-duplicates, quality flags). The default formats are jsonl,
tmx and moses: one lossless, one for CAT tools, one for MT training; tsv, parquet
and hf are on request. ``export/summary.json`` holds the counts, per filter too.
Every path written into an export is relative (a model folder given by absolute
path is written as its name).
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline import ConfigError, InputError, __version__
from pipeline.corpus.columnar import HF_FOLDER, dataset_card, require_pyarrow
from pipeline.corpus.comparable import COMPARABLE_FILE, comparable_pairs
from pipeline.corpus.filters import FILTERS, FilterChain, FilterSettings
from pipeline.corpus.writer import CorpusWriter
from pipeline.io.atomic import atomic_write_json, atomic_write_text, remove_file
from pipeline.io.files import count_lines
from pipeline.io.jsonl import read_jsonl, read_records, write_jsonl
from pipeline.records import ROLES, Document, Translation
from pipeline.run.files import DOCUMENTS, EVENTS, EXPORT, EXPORT_SUMMARY, TRANSLATIONS
from pipeline.run.manifest import hash_inputs, recorded_outputs, reuse
from pipeline.run.progress import Progress
from pipeline.run.stage import StageConfig, StageResult, stage_input

log = logging.getLogger(__name__)

FORMATS = ("jsonl", "tsv", "moses", "tmx", "parquet", "hf", "comparable")
PARALLEL = ("jsonl", "tsv", "moses", "tmx", "parquet", "hf")
ANY_FLAG = "any"
# A filter's name -> its key in the counts (``skipped_flagged`` predates the filter chain).
_FILTER_KEYS = {"flags": "skipped_flagged"}


@dataclass(frozen=True)
class Config(StageConfig):
    """Export settings.

    Attributes:
        formats: any of jsonl, tsv, moses, tmx, parquet, hf (parallel) and comparable (events).
        roles: segment roles to export (title and body by default; captions are often
            photo credits, so they are on request).
        min_lang_confidence: drop pairs whose document's language confidence is lower.
        drop_flagged: drop pairs carrying these quality flags; ``any`` drops every flagged pair.
        dedupe: write each identical (language pair, source, translation) once.
        tmx_multilingual: one TMX file for all language pairs instead of one per pair.
        filters: filters that drop pairs: flags, length_ratio, lang_id, near_duplicate
            (``drop_flagged`` turns ``flags`` on by itself).
        max_length_ratio: the length_ratio filter's limit (longer side / shorter side).
    """

    formats: tuple[str, ...] = ("jsonl", "tmx", "moses")
    roles: tuple[str, ...] = ("title", "body")
    min_lang_confidence: float = 0.0
    drop_flagged: tuple[str, ...] = ()
    dedupe: bool = False
    tmx_multilingual: bool = False
    filters: tuple[str, ...] = ()
    max_length_ratio: float = 3.0

    def __post_init__(self) -> None:
        for name, values, known in (
            ("formats", self.formats, FORMATS),
            ("roles", self.roles, ROLES),
            ("filters", self.filters or ("flags",), FILTERS),
        ):
            unknown = [v for v in values if v not in known]
            if unknown or not values:
                raise ConfigError(
                    f"export {name}: {', '.join(unknown) or 'none given'} "
                    f"(choose from {', '.join(known)})"
                )
        if not 0.0 <= self.min_lang_confidence <= 1.0:
            raise ConfigError(
                f"export min_lang_confidence: {self.min_lang_confidence} not in [0, 1]"
            )
        if self.max_length_ratio < 1.0:
            raise ConfigError(f"export max_length_ratio: {self.max_length_ratio} is below 1")
        require_pyarrow(self.formats)

    def filter_settings(self) -> FilterSettings:
        """The settings of the filter chain."""
        enabled = (*self.filters, *(("flags",) if self.drop_flagged else ()))
        return FilterSettings(enabled, self.drop_flagged, self.max_length_ratio)


def _skip_reason(
    t: Translation, config: Config, confidence: Mapping[str, float] | None
) -> str | None:
    if t.status != "translated":
        return f"skipped_{t.status}"
    if t.src_lang == t.tgt_lang:
        return "skipped_same_language"
    if t.role not in config.roles:
        return "skipped_role"
    if not t.translation or not t.translation.strip() or not t.source.strip():
        return "skipped_empty"
    if confidence is not None and confidence.get(t.doc_id, 0.0) < config.min_lang_confidence:
        return "skipped_lang_confidence"
    return None


def select_pairs(
    translations: Iterable[Translation],
    config: Config,
    confidence: Mapping[str, float] | None = None,
    counts: Counter[str] | None = None,
    chain: FilterChain | None = None,
) -> Iterator[Translation]:
    """Yield the translations that belong in the corpus, streaming.

    Args:
        translations: the run's translations, in any order.
        config: the filters.
        confidence: doc_id -> language confidence (needed when ``min_lang_confidence`` > 0).
        counts: receives ``read``, ``selected`` and one ``skipped_<reason>`` per dropped pair.
        chain: the filter chain (default: one built from ``config``); read its counts after.
    """
    counts = Counter() if counts is None else counts
    chain = chain or FilterChain(config.filter_settings())
    seen: set[bytes] = set()
    for t in translations:
        counts["read"] += 1
        reason = _skip_reason(t, config, confidence)
        if reason is None:
            failed = chain.check(t.src_lang, t.tgt_lang, t.source, t.translation or "", t.flags)
            reason = None if failed is None else _FILTER_KEYS.get(failed, f"skipped_{failed}")
        if reason is None and config.dedupe:
            key = "\x00".join((t.src_lang, t.tgt_lang, t.source, t.translation or ""))
            digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).digest()
            reason = "skipped_duplicate" if digest in seen else None
            seen.add(digest)
        if reason is not None:
            counts[reason] += 1
            continue
        counts["selected"] += 1
        yield t


def _confidence(config: Config) -> tuple[dict[str, float] | None, dict[str, str]]:
    """doc_id -> language confidence, read only when the filter needs it."""
    if config.min_lang_confidence <= 0.0:
        return None, {}
    path = config.out / DOCUMENTS
    if not path.is_file():
        raise InputError(f"{path}: not found (min_lang_confidence needs `parallax detect` output)")
    table = {d.doc_id: d.lang_confidence for d in read_records(path, Document)}
    return table, hash_inputs([path])


def _events_input(config: Config) -> dict[str, str]:
    """events.jsonl and its hash, when the comparable corpus needs it."""
    if "comparable" not in config.formats:
        return {}
    path = config.out / EVENTS
    if not path.is_file():
        raise InputError(f"{path}: not found (--format comparable needs `parallax align` first)")
    return hash_inputs([path])


def run(config: Config) -> StageResult:
    """Run the export stage on the run directory.

    Returns:
        The result, with ``read``/``selected``/``skipped_*`` counts and
        ``<src>-<tgt>.<format>`` counts per language pair and format.
    """
    source = stage_input(config, TRANSLATIONS, "translate")
    confidence, doc_inputs = _confidence(config)
    inputs = {**hash_inputs([source]), **doc_inputs, **_events_input(config)}
    if (reused := reuse(config, "export", None, inputs)) is not None:
        return reused
    folder = config.out / EXPORT
    counts: Counter[str] = Counter()
    chain = FilterChain(config.filter_settings())
    progress = Progress("export", count_lines(source), "pair")
    rows = progress.iterate(read_records(source, Translation))
    pairs = select_pairs(rows, config, confidence, counts, chain)
    parallel = [f for f in config.formats if f in PARALLEL]
    with CorpusWriter(folder, parallel, config.tmx_multilingual) as writer:
        for t in pairs:
            writer.write(t)
    counts.update(writer.counts)
    outputs = list(writer.paths)
    if "hf" in config.formats:
        outputs.append(_write_card(folder, writer, chain))
    if "comparable" in config.formats:
        path = folder / COMPARABLE_FILE
        events = read_jsonl(config.out / EVENTS)
        counts["comparable_pairs"] = write_jsonl(path, comparable_pairs(events, config.roles))
        outputs.append(path)
    say = log.info if writer.paths else log.warning  # an export emptied is worth a warning
    for stale in sorted(set(recorded_outputs(config.out, "export")) - set(outputs)):
        if _ours(stale, folder) and remove_file(stale):
            say(
                "removed %s: not part of this export (%d pairs selected)", stale, counts["selected"]
            )
    summary_path = folder / EXPORT_SUMMARY
    summary = {
        "input": _relative(source, folder),
        "settings": config.settings(),
        "counts": dict(counts),
        "filters": chain.summary(),
        "files": dict(writer.units),
    }
    atomic_write_json(summary_path, summary)
    return StageResult(
        "export",
        (*outputs, summary_path),
        dict(counts),
        inputs=inputs,
        settings=config.settings(),
    )


def _ours(path: Path, folder: Path) -> bool:
    """A file an earlier export wrote: ``corpus.*``, the comparable corpus, the hf folder."""
    if path.parent == folder:
        return path.name.startswith("corpus.") or path.name == COMPARABLE_FILE
    return (folder / HF_FOLDER) in path.parents


def _relative(path: Path, folder: Path) -> str:
    """``path`` as seen from the export folder (never an absolute local path)."""
    return os.path.relpath(path.absolute(), folder.absolute())


def _write_card(folder: Path, writer: CorpusWriter, chain: FilterChain) -> Path:
    rows = {n.split("/")[1]: c for n, c in writer.units.items() if n.startswith(f"{HF_FOLDER}/")}
    models = {pair: sorted(writer.models.get(pair, ())) for pair in rows}
    path = folder / HF_FOLDER / "README.md"
    atomic_write_text(path, dataset_card(rows, models, chain.summary(), __version__))
    return path
