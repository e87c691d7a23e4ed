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
  ``tmx_multilingual``.

Only ``translated`` pairs go in (identity English pairs are not parallel data),
after the role, language-confidence, flag and duplicate filters. The default
formats are jsonl, tmx and moses: one lossless, one for CAT tools, one for MT
training; tsv is on request. ``export/summary.json`` holds the counts.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from pipeline import ConfigError, InputError
from pipeline.corpus.writer import CorpusWriter
from pipeline.io.atomic import atomic_write_json, remove_file
from pipeline.io.jsonl import read_records
from pipeline.records import ROLES, Document, Translation
from pipeline.run.files import DOCUMENTS, EXPORT, EXPORT_SUMMARY, TRANSLATIONS
from pipeline.run.manifest import hash_inputs, recorded_outputs, reuse
from pipeline.run.stage import StageConfig, StageResult, stage_input

log = logging.getLogger(__name__)

FORMATS = ("jsonl", "tsv", "moses", "tmx")
ANY_FLAG = "any"


@dataclass(frozen=True)
class Config(StageConfig):
    """Export settings.

    Attributes:
        formats: any of jsonl, tsv, moses, tmx.
        roles: segment roles to export (body only by default).
        min_lang_confidence: drop pairs whose document's language confidence is lower.
        drop_flagged: drop pairs carrying these quality flags; ``any`` drops every flagged pair.
        dedupe: write each identical (language pair, source, translation) once.
        tmx_multilingual: one TMX file for all language pairs instead of one per pair.
    """

    formats: tuple[str, ...] = ("jsonl", "tmx", "moses")
    roles: tuple[str, ...] = ("body",)
    min_lang_confidence: float = 0.0
    drop_flagged: tuple[str, ...] = ()
    dedupe: bool = False
    tmx_multilingual: bool = False

    def __post_init__(self) -> None:
        for name, values, known in (
            ("formats", self.formats, FORMATS),
            ("roles", self.roles, ROLES),
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
    wanted = set(config.drop_flagged)
    if t.flags and (ANY_FLAG in wanted or wanted.intersection(t.flags)):
        return "skipped_flagged"
    return None


def select_pairs(
    translations: Iterable[Translation],
    config: Config,
    confidence: Mapping[str, float] | None = None,
    counts: Counter[str] | None = None,
) -> Iterator[Translation]:
    """Yield the translations that belong in the corpus, streaming.

    Args:
        translations: the run's translations, in any order.
        config: the filters.
        confidence: doc_id -> language confidence (needed when ``min_lang_confidence`` > 0).
        counts: receives ``read``, ``selected`` and one ``skipped_<reason>`` per dropped pair.
    """
    counts = Counter() if counts is None else counts
    seen: set[bytes] = set()
    for t in translations:
        counts["read"] += 1
        reason = _skip_reason(t, config, confidence)
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


def run(config: Config) -> StageResult:
    """Run the export stage on the run directory.

    Returns:
        The result, with ``read``/``selected``/``skipped_*`` counts and
        ``<src>-<tgt>.<format>`` counts per language pair and format.
    """
    source = stage_input(config, TRANSLATIONS, "translate")
    confidence, doc_inputs = _confidence(config)
    inputs = {**hash_inputs([source]), **doc_inputs}
    if (reused := reuse(config, "export", None, inputs)) is not None:
        return reused
    folder = config.out / EXPORT
    counts: Counter[str] = Counter()
    pairs = select_pairs(read_records(source, Translation), config, confidence, counts)
    with CorpusWriter(folder, config.formats, config.tmx_multilingual) as writer:
        for t in pairs:
            writer.write(t)
    counts.update(writer.counts)
    say = log.info if writer.paths else log.warning  # an export emptied is worth a warning
    for stale in sorted(set(recorded_outputs(config.out, "export")) - set(writer.paths)):
        if stale.parent == folder and stale.name.startswith("corpus.") and remove_file(stale):
            say(
                "removed %s: not part of this export (%d pairs selected)", stale, counts["selected"]
            )
    summary_path = folder / EXPORT_SUMMARY
    summary = {
        "input": str(source),
        "settings": config.settings(),
        "counts": dict(counts),
        "files": dict(writer.units),
    }
    atomic_write_json(summary_path, summary)
    return StageResult(
        "export",
        (*writer.paths, summary_path),
        dict(counts),
        inputs=inputs,
        settings=config.settings(),
    )
