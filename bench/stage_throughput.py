"""Throughput of ingest + detect + segment, in segments per second.

Builds article-sized text files (``--lines`` lines each, the first one the
title) from the WMT23 zh-en Chinese source and the IWSLT'15 Vietnamese test
sets in a temporary directory, then runs the stages on them with the library
runner and prints wall-clock seconds and segments per second per stage.

When the ingest stage is not on this branch (``pipeline.ingest`` missing), the
documents are built directly as ``Document`` records (one paragraph per line)
and only detect + segment are measured; the output says so.

Usage:
    python -m bench.stage_throughput [--data ../shared/data] [--lines 20] [--repeat 1]
"""

from __future__ import annotations

import argparse
import hashlib
import html
import importlib.util
import logging
import sys
import tempfile
import time
from pathlib import Path

from pipeline.io.atomic import atomic_write_text
from pipeline.io.files import read_text_lines
from pipeline.io.jsonl import write_records
from pipeline.records import Document, Paragraph
from pipeline.run.runner import run_stage

CORPORA = {
    "wmt23-zh": ["wmt23-zh-en/generaltest2023.zh-en.src.zh"],
    "iwslt15-vi": ["iwslt15-en-vi/tst2012.vi", "iwslt15-en-vi/tst2013.vi"],
}


def articles(data: Path, names: list[str], size: int, repeat: int) -> list[list[str]]:
    """Lines grouped into articles of ``size`` lines (entities unescaped).

    Each repeat starts one line later, so no article is a copy of another
    (ingest would skip copies as duplicates and the bench would count less).
    """
    lines: list[str] = []
    for name in names:
        lines += [html.unescape(t).strip() for t in read_text_lines(data / name)]
    lines = [t for t in lines if t]
    arts = []
    for r in range(repeat):
        turned = lines[r:] + lines[:r]
        arts += [turned[i : i + size] for i in range(0, len(turned), size)]
    return arts


def documents(arts: list[list[str]]) -> list[Document]:
    docs = []
    for n, art in enumerate(arts):
        text = "\n\n".join(art)
        paras = tuple(
            Paragraph(index=i, role="title" if i == 0 else "body", text=t)
            for i, t in enumerate(art)
        )
        docs.append(
            Document(
                doc_id=f"a{n:05d}",
                path=f"a{n:05d}.txt",
                sha256=hashlib.sha256(text.encode()).hexdigest(),
                status="ok",
                size_bytes=len(text.encode()),
                paragraphs=paras,
            )
        )
    return docs


def measure(
    corpus: str, arts: list[list[str]], run_dir: Path, with_ingest: bool
) -> tuple[int, float, float]:
    """Run the stages on ``arts``; print and return (segments, wall s, CPU s) of them all."""
    stages = ["detect", "segment"]
    if with_ingest:
        src = run_dir / "articles"
        for n, art in enumerate(arts):
            atomic_write_text(src / f"a{n:05d}.txt", "\n\n".join(art) + "\n")
        stages.insert(0, "ingest")
    else:
        write_records(run_dir / "documents.jsonl", documents(arts))
    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}
    segments = 0
    for stage in stages:
        options: dict[str, object] = {"out": run_dir}
        if stage == "ingest":
            options["input"] = [run_dir / "articles"]
        started, started_cpu = time.perf_counter(), time.process_time()
        result = run_stage(stage, options)
        seconds[stage] = time.perf_counter() - started
        cpu[stage] = time.process_time() - started_cpu
        if stage == "segment":
            segments = int(result.counts.get("segments", 0))
    seconds["+".join(stages)] = sum(seconds.values())
    cpu["+".join(stages)] = sum(cpu.values())
    lines = sum(len(a) for a in arts)
    print(f"{corpus}: {len(arts)} articles, {lines} lines -> {segments} segments")
    print(f"  {'stage':21} {'wall s':>7} {'seg/s':>7} {'cpu s':>7} {'seg/cpu s':>9}")
    for stage, secs in seconds.items():
        print(
            f"  {stage:21} {secs:7.2f} {segments / secs:7.0f} {cpu[stage]:7.2f} "
            f"{segments / cpu[stage]:9.0f}"
        )
    everything = "+".join(stages)
    return segments, seconds[everything], cpu[everything]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    parser.add_argument("--lines", type=int, default=20, help="lines per article")
    parser.add_argument("--repeat", type=int, default=1, help="use each corpus N times")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with_ingest = importlib.util.find_spec("pipeline.ingest") is not None
    if not with_ingest:
        print("pipeline.ingest is not on this branch: measuring detect + segment only")
    total = [0, 0.0, 0.0]
    for corpus, names in CORPORA.items():
        arts = articles(args.data, names, args.lines, args.repeat)
        with tempfile.TemporaryDirectory(prefix="parallax-bench-") as tmp:
            figures = measure(corpus, arts, Path(tmp), with_ingest)
        total = [a + b for a, b in zip(total, figures, strict=True)]
    segments, wall, cpu = total
    print(
        f"both corpora: {int(segments)} segments, {wall:.2f} s wall ({segments / wall:.0f} seg/s), "
        f"{cpu:.2f} s CPU ({segments / cpu:.0f} seg/CPU s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
