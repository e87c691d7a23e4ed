"""Measure the export stage: pairs per second and peak memory, for a growing corpus.

Writes N synthetic translated pairs (streamed, never held in memory) to a
temporary run directory, exports them to every format with --dedupe, and
prints the time and the process's peak resident memory. If export streams,
peak memory stays flat as N grows (only the 16-byte dedupe hashes grow).

    python -m bench.export_throughput 20000 200000
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from pipeline.export import FORMATS, Config, run
from pipeline.io.jsonl import write_records
from pipeline.records import Translation


def _pairs(n: int) -> Iterator[Translation]:
    for i in range(n):
        yield Translation(
            doc_id=f"doc{i // 50}",
            seg_id=f"p{i % 50}s0",
            index=i % 50,
            role="body",
            src_lang="vi" if i % 3 else "zh",
            tgt_lang="en",
            source=f"Bộ trưởng Quốc phòng Mỹ điện đàm với người đồng cấp Nga lần thứ {i}.",
            translation=f"The US defence secretary called his Russian counterpart, call {i}.",
            model="Helsinki-NLP/opus-mt-vi-en",
        )


def main(sizes: list[int]) -> None:
    """Export each size once and print the figures."""
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            write_records(out / "translations.jsonl", _pairs(n))
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            started = time.perf_counter()
            result = run(Config(out=out, formats=FORMATS, dedupe=True))
            seconds = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            size = sum(p.stat().st_size for p in (out / "export").iterdir()) / 1e6
            print(
                f"{n:>9} pairs  {seconds:7.2f} s  {n / seconds:9.0f} pairs/s  "
                f"{size:8.1f} MB written  peak RSS {peak / 1024:7.1f} MiB "
                f"(+{(peak - before) / 1024:.1f})  selected {result.counts['selected']}"
            )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [20000, 200000])
