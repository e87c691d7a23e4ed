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
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from pipeline.claims.records import Cluster
from pipeline.io.atomic import atomic_write_chunks
from pipeline.io.files import read_json
from pipeline.io.jsonl import read_jsonl, read_records
from pipeline.records import Document, Segment, Translation
from pipeline.render.model import ReportData, RunFiles, parse_evaluation
from pipeline.run.files import DOCUMENTS, REPORT
from pipeline.run.manifest import reuse
from pipeline.run.stage import StageConfig, StageResult, stage_input

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Config(StageConfig):
    """Report settings.

    Attributes:
        title: the page title.
    """

    title: str = "Parallax report"


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
    from pipeline.render.page import render_page

    files = RunFiles.find(stage_input(config, DOCUMENTS, "ingest"))
    target = config.out / REPORT
    inputs = files.hashed()
    if (reused := reuse(config, "report", [target], inputs)) is not None:
        return reused
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
