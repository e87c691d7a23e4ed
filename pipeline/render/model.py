"""What the report shows: the run files it reads, the evaluation, the gathered indexes.

:func:`pipeline.report.gather` fills a :class:`ReportData` from the run files;
the renderers of :mod:`pipeline.render` only read it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import InputError
from pipeline.claims.records import Cluster, Event
from pipeline.io.files import file_sha256
from pipeline.records import Document, Segment, Translation
from pipeline.run.files import (
    ALIGNMENTS,
    CLAIMS,
    EVALUATION,
    EVENTS,
    MANIFEST,
    SEGMENTS,
    TRANSLATIONS,
)

_OPTIONAL = {
    "segments": SEGMENTS,
    "translations": TRANSLATIONS,
    "claims": CLAIMS,
    "alignments": ALIGNMENTS,
    "events": EVENTS,
    "evaluation": EVALUATION,
}


@dataclass(frozen=True)
class RunFiles:
    """The run files a report is made from; ``None`` where a file does not exist."""

    documents: Path
    segments: Path | None = None
    translations: Path | None = None
    claims: Path | None = None
    alignments: Path | None = None
    events: Path | None = None
    evaluation: Path | None = None
    manifest: Path | None = None

    @classmethod
    def find(cls, documents: Path) -> RunFiles:
        """Look up the optional run files beside ``documents``."""
        folder = documents.parent
        found: dict[str, Path | None] = {}
        for name, filename in [*_OPTIONAL.items(), ("manifest", MANIFEST)]:
            path = folder / filename
            found[name] = path if path.is_file() else None
        return cls(documents=documents, **found)

    def hashed(self) -> dict[str, str]:
        """Path -> sha256 of the data files (not the manifest, which every stage rewrites)."""
        paths = [self.documents, *(getattr(self, name) for name in _OPTIONAL)]
        return {str(p): file_sha256(p) for p in paths if p is not None}


@dataclass(frozen=True)
class Evaluation:
    """``evaluation.json``, with its segments joined on (doc_id, seg_id) where they can be."""

    reference: str | None
    systems: tuple[str, ...]
    baseline: str | None
    corpus: Mapping[str, Mapping[str, Any]]
    significance: Mapping[str, Mapping[str, Any]]
    documents: Mapping[str, Mapping[str, Mapping[str, Any]]]
    joined: Mapping[tuple[str, str], Mapping[str, Any]]
    loose: tuple[Mapping[str, Any], ...]
    segments: tuple[Mapping[str, Any], ...] = ()
    references: tuple[str, ...] = ()

    @property
    def others(self) -> tuple[str, ...]:
        """The systems shown in columns of their own (all but our own, the baseline)."""
        return tuple(s for s in self.systems if s != self.baseline)

    @property
    def has_reference(self) -> bool:
        """True when any segment carries a reference translation."""
        segs = [*self.joined.values(), *self.loose]
        return any(s.get("reference") is not None for s in segs)


def _mapping(obj: Mapping[str, Any], key: str, path: Path) -> dict[str, Any]:
    value = obj.get(key) or {}
    if not isinstance(value, Mapping):
        raise InputError(f"{path}: {key!r} must be an object")
    return dict(value)


def parse_evaluation(obj: Any, path: Path) -> Evaluation:
    """Check the shape of ``evaluation.json`` and join its segments.

    Raises:
        InputError: a part of the file has the wrong shape; names the file and part.
    """
    if not isinstance(obj, Mapping):
        raise InputError(f"{path}: expected a JSON object")
    systems = obj.get("systems") or []
    segments = obj.get("segments") or []
    if not isinstance(systems, list) or not all(isinstance(s, str) for s in systems):
        raise InputError(f"{path}: 'systems' must be a list of names")
    if not isinstance(segments, list):
        raise InputError(f"{path}: 'segments' must be a list")
    significance = _mapping(obj, "significance", path)
    baselines = [v.get("baseline") for v in significance.values() if isinstance(v, Mapping)]
    baseline = next((b for b in baselines if b), systems[0] if systems else None)
    joined: dict[tuple[str, str], Mapping[str, Any]] = {}
    loose: list[Mapping[str, Any]] = []
    references = obj.get("references") or [obj.get("reference")]
    if not isinstance(references, list):
        raise InputError(f"{path}: 'references' must be a list of paths")
    for number, seg in enumerate(segments, 1):
        if not isinstance(seg, Mapping):
            raise InputError(f"{path}: segments[{number}] must be an object")
        doc_id, seg_id = seg.get("doc_id"), seg.get("seg_id")
        if isinstance(doc_id, str) and isinstance(seg_id, str):
            joined[(doc_id, seg_id)] = seg
        else:
            loose.append(seg)
    return Evaluation(
        reference=obj.get("reference"),
        systems=tuple(systems),
        baseline=baseline,
        corpus=_mapping(obj, "corpus", path),
        significance=significance,
        documents=_mapping(obj, "documents", path),
        joined=joined,
        loose=tuple(loose),
        segments=tuple(segments),
        references=tuple(str(r) for r in references if r is not None),
    )


@dataclass
class ReportData:
    """Everything the page is rendered from, except document paragraphs (streamed).

    Attributes:
        docs: every document, without its paragraphs, in file order.
        segments: doc_id -> its segments in order.
        translations: (doc_id, seg_id) -> translation.
        models: translation model -> number of segments it translated.
        clusters: the claim clusters.
        seg_clusters: (doc_id, seg_id) -> ids of the clusters that segment is in.
        claims: number of claims, ``None`` without claims.jsonl.
        events: the events (``events.jsonl``).
    """

    title: str
    files: RunFiles
    manifest: Mapping[str, Any] = field(default_factory=dict)
    docs: list[Document] = field(default_factory=list)
    segments: dict[str, list[Segment]] = field(default_factory=dict)
    translations: dict[tuple[str, str], Translation] = field(default_factory=dict)
    models: Counter[str] = field(default_factory=Counter)
    clusters: list[Cluster] = field(default_factory=list)
    seg_clusters: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    claims: int | None = None
    events: list[Event] = field(default_factory=list)
    evaluation: Evaluation | None = None

    @property
    def flagged(self) -> int:
        """Number of translations with at least one quality flag."""
        return sum(1 for t in self.translations.values() if t.flags)
