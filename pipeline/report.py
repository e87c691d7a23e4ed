"""The report stage: ``<out>/report.html``, one self-contained page a person opens.

It reads whatever the run has produced — only ``documents.jsonl`` is required;
segments, translations, claims, alignments, ``evaluation.json`` and the
manifest are shown when present — and writes a single HTML file with inline
CSS and a few lines of inline JavaScript: no network fetches, no external
scripts, fonts or images. Each run file is streamed once; documents are
streamed a second time while their sections are written, so paragraphs are
never all held in memory, and the page is written chunk by chunk.

With ``--input`` the documents file is that path and the other run files are
looked up beside it; the report is always written to ``<out>/report.html``.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import InputError
from pipeline.io import atomic_write_chunks, file_sha256, read_json, read_jsonl, read_records
from pipeline.records import Cluster, Document, Segment, Translation
from pipeline.stages import StageConfig, StageResult, stage_input, up_to_date

__all__ = [
    "REPORT_NAME",
    "Config",
    "Evaluation",
    "ReportData",
    "RunFiles",
    "gather",
    "parse_evaluation",
    "run",
]

log = logging.getLogger(__name__)

REPORT_NAME = "report.html"
_OPTIONAL = {
    "segments": "segments.jsonl",
    "translations": "translations.jsonl",
    "claims": "claims.jsonl",
    "alignments": "alignments.jsonl",
    "evaluation": "evaluation.json",
}


@dataclass(frozen=True)
class Config(StageConfig):
    """Report settings.

    Attributes:
        title: the page title.
    """

    title: str = "Parallax report"


@dataclass(frozen=True)
class RunFiles:
    """The run files a report is made from; ``None`` where a file does not exist."""

    documents: Path
    segments: Path | None = None
    translations: Path | None = None
    claims: Path | None = None
    alignments: Path | None = None
    evaluation: Path | None = None
    manifest: Path | None = None

    @classmethod
    def find(cls, documents: Path) -> RunFiles:
        """Look up the optional run files beside ``documents``."""
        folder = documents.parent
        found: dict[str, Path | None] = {}
        for name, filename in [*_OPTIONAL.items(), ("manifest", "manifest.json")]:
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
    evaluation: Evaluation | None = None

    @property
    def flagged(self) -> int:
        """Number of translations with at least one quality flag."""
        return sum(1 for t in self.translations.values() if t.flags)


def gather(files: RunFiles, title: str = "Parallax report") -> ReportData:
    """Stream the run files into the indexes the page needs.

    Raises:
        InputError: a run file is unreadable or malformed (named with its line).
    """
    data = ReportData(title=title, files=files)
    if files.manifest is not None:
        manifest = read_json(files.manifest)
        data.manifest = manifest if isinstance(manifest, Mapping) else {}
    data.docs = [
        dataclasses.replace(doc, paragraphs=()) for doc in read_records(files.documents, Document)
    ]
    if files.segments is not None:
        grouped: dict[str, list[Segment]] = defaultdict(list)
        for seg in read_records(files.segments, Segment):
            grouped[seg.doc_id].append(seg)
        data.segments = {k: sorted(v, key=lambda s: s.index) for k, v in grouped.items()}
    if files.translations is not None:
        for tr in read_records(files.translations, Translation):
            data.translations[(tr.doc_id, tr.seg_id)] = tr
            data.models[tr.model] += 1
    if files.claims is not None:
        data.claims = sum(1 for _ in read_jsonl(files.claims))
    if files.alignments is not None:
        data.clusters = list(read_records(files.alignments, Cluster))
        links: dict[tuple[str, str], list[str]] = defaultdict(list)
        for cluster in data.clusters:
            for member in cluster.members:
                links[(member.doc_id, member.seg_id)].append(cluster.cluster_id)
        data.seg_clusters = dict(links)
    if files.evaluation is not None:
        data.evaluation = parse_evaluation(read_json(files.evaluation), files.evaluation)
    return data


def _documents(files: RunFiles) -> Iterator[Document]:
    """The second, streaming pass over documents.jsonl (paragraphs included)."""
    return read_records(files.documents, Document)


def run(config: Config) -> StageResult:
    """Write ``<out>/report.html`` from the run files, unless it is up to date."""
    from pipeline.html_report import render_page

    files = RunFiles.find(stage_input(config, "documents.jsonl", "ingest"))
    target = config.out / REPORT_NAME
    inputs = files.hashed()
    if up_to_date(config, "report", [target], inputs):
        return StageResult("report", (target,), reused=True, inputs=inputs)
    data = gather(files, config.title)
    chars = atomic_write_chunks(target, render_page(data, _documents(files)))
    log.info("report: wrote %s (%d characters)", target, chars)
    counts = {
        "documents": len(data.docs),
        "segments": sum(len(v) for v in data.segments.values()),
        "translations": len(data.translations),
        "flagged": data.flagged,
        "clusters": len(data.clusters),
        "evaluated": len(data.evaluation.joined) if data.evaluation else 0,
    }
    return StageResult(
        "report", (target,), counts=counts, inputs=inputs, settings=config.settings()
    )
