"""A run directory made from a labelled align fixture set, for report tests of events.

The set's documents and our English translations (tests/data/align: the seeds;
tests/data/events: the held-out articles), segments derived from the
translations, and the align stage run on them (lexical similarity), so
``events.jsonl`` and ``alignments.jsonl`` are what the stage writes.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from pipeline.align import Config, run
from pipeline.io.jsonl import read_records, write_records
from pipeline.records import Segment, Translation

DATA = Path(__file__).resolve().parents[1] / "data"
_PARAGRAPH = re.compile(r"p(\d+)s\d+$")


def event_run(out: Path, folder: str = "align") -> Path:
    """Write documents, segments, translations, claims, alignments and events into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    source = DATA / folder
    shutil.copyfile(source / "documents.jsonl", out / "documents.jsonl")
    shutil.copyfile(source / "translations.jsonl", out / "translations.jsonl")
    segments = []
    for t in read_records(source / "translations.jsonl", Translation):
        m = _PARAGRAPH.search(t.seg_id)
        paragraph = int(m.group(1)) if m else t.index
        segments.append(
            Segment(t.doc_id, t.seg_id, t.index, paragraph, t.role, t.src_lang, 0.99, t.source)
        )
    write_records(out / "segments.jsonl", segments)
    run(Config(out=out, similarity="lexical"))
    return out
