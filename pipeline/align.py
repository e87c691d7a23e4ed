"""The align stage: translations + documents -> claims.jsonl, alignments.jsonl, events.jsonl.

Reads ``translations.jsonl`` and ``documents.jsonl`` (the run directory's, or
the ``--input`` files, told apart by their content), keeps the segments that
state something checkable (:mod:`pipeline.claims.select`), scores pairs of claims
from different documents (:mod:`pipeline.claims.clustering`, text similarity from
:mod:`pipeline.claims.similarity`), clusters them into events and compares the facts
each member gives (:mod:`pipeline.claims.verdicts`), then groups every sentence
that reports one event, across documents and languages, into events with the
clusters inside (:mod:`pipeline.claims.event_records`).

Clustering needs every claim at once, so the stage is not resumable midway:
the outputs are written atomically, and a finished run with the same inputs
and settings is reused, not redone.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from pipeline import ConfigError, InputError
from pipeline.claims.blocking import candidate_pairs
from pipeline.claims.clustering import PairSignals, Params, agglomerate, key_rarity
from pipeline.claims.clustering import view as claim_view
from pipeline.claims.event_records import find_events, summarize_events
from pipeline.claims.events import EventParams
from pipeline.claims.pairing import accepted_pairs, linkage_scorer
from pipeline.claims.records import Claim, Cluster, ClusterMember
from pipeline.claims.scoring import claim_arrays
from pipeline.claims.select import claims_of, read_documents, read_segments
from pipeline.claims.similarity import (
    SIMILARITY_KINDS,
    Embedder,
    LexicalEncoder,
    fit_words,
    pair_cosines,
    resolve_kind,
    top_terms,
)
from pipeline.claims.verdicts import compare
from pipeline.io.jsonl import read_jsonl, read_records, write_records
from pipeline.records import Document, Translation
from pipeline.run.files import ALIGNMENTS, CLAIMS, DOCUMENTS, EVENTS, TRANSLATIONS
from pipeline.run.manifest import hash_inputs, reuse
from pipeline.run.stage import StageConfig, StageResult, check_not_empty

__all__ = ["Config", "align_claims", "build_cluster", "run", "summarize"]

log = logging.getLogger(__name__)

STAGE = "align"
# Per similarity backend: (threshold on the combined score, minimum text similarity).
DEFAULTS = {"embed": (0.40, 0.35), "lexical": (0.22, 0.10)}


@dataclass(frozen=True)
class Config(StageConfig):
    """Settings of the align stage.

    Attributes:
        similarity: ``embed``, ``lexical`` or ``auto`` (embed when the model loads).
        threshold: combined pair score needed to join (default per similarity).
        min_text: text similarity needed to join (default per similarity).
        max_gap_days: event dates further apart than this cannot join.
        anchor_window_days: claims without event dates from documents further
            apart than this cannot join.
        max_per_doc: most claims one document may put in a cluster.
        min_words: fewest words a claim's translation has.
        captions: read image captions too.
        singletons: also write claims that joined no cluster, as single-source clusters.
    """

    similarity: str = "auto"
    threshold: float | None = None
    min_text: float | None = None
    max_gap_days: int = 3
    anchor_window_days: int = 30
    max_per_doc: int = 3
    min_words: int = 6
    captions: bool = False
    singletons: bool = True

    def __post_init__(self) -> None:
        if self.similarity not in SIMILARITY_KINDS:
            kinds = ", ".join(SIMILARITY_KINDS)
            raise ConfigError(f"similarity: {self.similarity!r} is not one of {kinds}")
        if self.max_per_doc < 1 or self.min_words < 0 or self.max_gap_days < 0:
            raise ConfigError("max_per_doc must be at least 1; min_words, max_gap_days >= 0")


def _inputs(config: Config) -> tuple[Path, Path | None]:
    """The translations file and the documents file (optional), told apart by content."""
    if not config.input:
        docs = config.out / DOCUMENTS
        trans = config.out / TRANSLATIONS
        if not trans.is_file():
            raise InputError(f"{trans}: not found (run `parallax translate` first, or --input)")
        check_not_empty(config, trans, "translate")
        return trans, docs if docs.is_file() else None
    found: dict[str, Path] = {}
    for path in config.input:
        first = next(read_jsonl(path), None)
        if first is None:
            if not config.allow_empty:
                raise InputError(
                    f"{path}: empty (no records); align needs a translations JSONL file "
                    "(and optionally a documents one), or pass --allow-empty"
                )
            log.warning("%s: empty input (--allow-empty)", path)
        kind = "documents" if first and "paragraphs" in first else "translations"
        if kind in found:
            raise InputError(
                f"{path}: a second {kind} file (after {found[kind]}); "
                "expected one translations and at most one documents JSONL file"
            )
        found[kind] = path
    if "translations" not in found:
        raise InputError(f"{config.input[0]}: no translations file among the inputs")
    return found["translations"], found.get("documents")


def run(config: Config) -> StageResult:
    """Run the align stage."""
    trans_path, docs_path = _inputs(config)
    paths = [p for p in (trans_path, docs_path) if p is not None]
    inputs = hash_inputs(paths)
    claims_path, out_path = config.out / CLAIMS, config.out / ALIGNMENTS
    events_path = config.out / EVENTS
    outputs = (claims_path, out_path, events_path)
    if (reused := reuse(config, STAGE, outputs, inputs)) is not None:
        return reused
    docs = read_documents(read_records(docs_path, Document)) if docs_path else {}
    if docs_path is None:
        log.warning("no documents.jsonl: outlets and publication dates unknown")
    translations = read_records(trans_path, Translation)
    segments = list(read_segments(translations, docs, config.captions))
    claims = list(claims_of(segments, config.min_words))
    encoder = resolve_kind(config.similarity)
    log.info("align: %s text similarity", encoder.name)
    clusters = align_claims(claims, encoder, params_for(config, encoder.name))
    event_params = EventParams(max_gap_days=config.max_gap_days)
    events, clusters = find_events(segments, claims, clusters, event_params)
    if not config.singletons:
        clusters = [c for c in clusters if len(c.members) > 1]
    write_records(claims_path, claims)
    write_records(out_path, clusters)
    write_records(events_path, events)
    counts = summarize(clusters, len(claims)) | summarize_events(events)
    return StageResult(STAGE, outputs, counts, (), False, inputs, settings=config.settings())


def params_for(config: Config, kind: str) -> Params:
    """Scoring parameters from the config, with the backend's default thresholds."""
    threshold, min_text = DEFAULTS[kind]
    return Params(
        threshold=threshold if config.threshold is None else config.threshold,
        min_text=min_text if config.min_text is None else config.min_text,
        max_gap_days=config.max_gap_days,
        anchor_window_days=config.anchor_window_days,
        max_per_doc=config.max_per_doc,
    )


def align_claims(
    claims: Sequence[Claim], encoder: Embedder | LexicalEncoder, params: Params
) -> list[Cluster]:
    """Cluster claims into events and compare their facts.

    Args:
        claims: the claims (claim ids unique).
        encoder: the text-similarity backend.
        params: thresholds.

    Returns:
        The clusters, those spanning most documents first; every claim that
        joined no other is a single-source cluster of its own.
    """
    rarity = key_rarity(claims)
    views = [claim_view(c, c.anchor, rarity) for c in claims]
    texts = [c.translation for c in claims]
    words = fit_words(texts) if claims else None
    left, right, blocks = candidate_pairs(views, top_terms(texts, params.terms, words), params)
    rows = encoder.encode(texts, words) if claims else None
    cosines = pair_cosines(rows, left, right) if len(left) else np.zeros(0)
    log.info("align: %d claims, %d candidate pairs, blocks %s", len(claims), len(left), blocks)
    arrays = claim_arrays(views)
    edges = accepted_pairs(arrays, (left, right, cosines), params)
    scorer = linkage_scorer(arrays, rows, (left, right, cosines), edges, params)
    groups = agglomerate(views, edges, scorer, params)
    joined = {i for members, _ in groups for i in members}
    groups += [([i], []) for i in range(len(claims)) if i not in joined]
    clusters = [build_cluster([claims[i] for i in m], joins) for m, joins in groups]
    return sorted(clusters, key=lambda c: (-len(c.docs), -len(c.members), c.cluster_id))


def build_cluster(members: Sequence[Claim], joins: Sequence[PairSignals]) -> Cluster:
    """The cluster record of some claims and the pair signals that joined them."""
    comparison = compare(members)
    ids = sorted(c.claim_id for c in members)
    digest = hashlib.sha1("\n".join(ids).encode("utf-8")).hexdigest()[:12]
    best: dict[str, float] = {}
    for s in joins:
        for cid in (s.a, s.b):
            best[cid] = max(best.get(cid, 0.0), s.score)
    dates = Counter(c.event_date for c in members if c.event_date)
    return Cluster(
        cluster_id=f"c{digest}",
        members=tuple(_member(c, best.get(c.claim_id, 0.0)) for c in members),
        docs=tuple(sorted({c.doc_id for c in members})),
        facts=comparison.facts,
        verdict=comparison.verdict,
        conflicts=comparison.conflicts,
        scores=tuple(s.to_dict() for s in joins),
        event_date=dates.most_common(1)[0][0] if dates else None,
        langs=tuple(sorted({c.lang for c in members})),
        silent=comparison.silent,
        outlets=tuple(sorted({c.outlet for c in members if c.outlet})),
        slot_verdicts=comparison.slots,
    )


def _member(c: Claim, score: float) -> ClusterMember:
    fields = ("claim_id", "doc_id", "seg_id", "lang", "source", "translation", "outlet")
    return replace(ClusterMember(**{f: getattr(c, f) for f in fields}), score=score)


def summarize(clusters: Iterable[Cluster], claims: int) -> dict[str, int]:
    """Counts for the CLI: claims, clusters, multi-document/language/outlet ones, conflicts."""
    counts = Counter(claims=claims)
    for c in clusters:
        counts["clusters"] += 1
        if len(c.docs) > 1:
            counts["multi_doc"] += 1
            counts["multi_lang"] += len(c.langs) > 1
            counts["multi_outlet"] += len(c.outlets) > 1
            counts["conflicts"] += c.verdict == "conflict"
    keys = ("claims", "clusters", "multi_doc", "multi_lang", "multi_outlet", "conflicts")
    return {k: int(counts[k]) for k in keys}
