"""Line recall of ingest on a corpus builder's input: 1,722 plain-text article files.

Usage: python -m bench.corpus_recall [--export] [--keep DIR]

Builds the corpus from ``../shared/data``: the WMT23 zh-en source lines (1,976) and
the IWSLT'15 tst2012+tst2013 Vietnamese lines (2,820), split in order into 668 and
954 files of two to three lines (no page chrome: every line is prose), plus 100
exact copies of earlier files, 1,722 files in all. Then it ingests them and prints,
per language, the share of source lines that reach a paragraph whose role the export
takes by default (``title`` and ``body``), and the skip reasons.

With ``--export`` it also runs detect, segment, translate (a tiny random-weight
model: the English is nonsense, the bookkeeping is real), export to jsonl, parquet
and hf, and prints the share of source lines whose every segment reached the export,
and the export's filter counts.
"""

from __future__ import annotations

import html
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from pipeline.io.jsonl import read_records
from pipeline.records import Document

_HERE = Path(__file__).resolve()
# ../shared/data beside the project (or beside the worktrees folder holding it)
DATA = next(
    (p / "shared" / "data" for p in _HERE.parents[1:4] if (p / "shared" / "data").is_dir()),
    _HERE.parents[2] / "shared" / "data",
)
SOURCES = {
    "zh": (["wmt23-zh-en/generaltest2023.zh-en.src.zh"], 668),
    "vi": (["iwslt15-en-vi/tst2012.vi", "iwslt15-en-vi/tst2013.vi"], 954),
}
DUPLICATES = 100
EXPORTED_ROLES = ("title", "body")


def _norm(text: str) -> str:
    return " ".join(text.replace("\ufeff", "").split())


def build(folder: Path) -> dict[str, tuple[str, list[str]]]:
    """Write the corpus into ``folder``; return file stem -> (language, expected lines)."""
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, tuple[str, list[str]]] = {}
    for lang, (names, files) in SOURCES.items():
        lines = [
            line
            for name in names
            for line in (DATA / name).read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        for i in range(files):
            chunk = lines[i * len(lines) // files : (i + 1) * len(lines) // files]
            stem = f"{lang}_{i:04d}"
            (folder / f"{stem}.txt").write_text("\n".join(chunk) + "\n", encoding="utf-8")
            expected[stem] = (lang, [_norm(html.unescape(line)) for line in chunk])
    for i, stem in enumerate(sorted(expected)[:: len(expected) // DUPLICATES][:DUPLICATES]):
        (folder / f"zz_copy_{i:03d}.txt").write_bytes((folder / f"{stem}.txt").read_bytes())
    return expected


def _recall(
    expected: dict[str, tuple[str, list[str]]], kept: dict[str, set[str]]
) -> dict[str, tuple[int, int]]:
    found: dict[str, list[int]] = {}
    for stem, (lang, lines) in expected.items():
        row = found.setdefault(lang, [0, 0])
        row[1] += len(lines)
        row[0] += sum(1 for line in lines if line in kept.get(stem, set()))
    return {lang: (a, b) for lang, (a, b) in found.items()}


def _print_recall(label: str, recall: dict[str, tuple[int, int]]) -> None:
    total = [sum(v[0] for v in recall.values()), sum(v[1] for v in recall.values())]
    for lang, (hit, n) in [*sorted(recall.items()), ("all", tuple(total))]:
        print(f"{label} recall {lang}: {hit}/{n} lines = {100 * hit / n:.2f} %")


def main(argv: list[str]) -> None:
    from pipeline.run.runner import run_stage

    keep = Path(argv[argv.index("--keep") + 1]) if "--keep" in argv else None
    with tempfile.TemporaryDirectory() as tmp:
        root = keep or Path(tmp)
        expected = build(root / "in")
        out = root / "out"
        start = time.perf_counter()
        result = run_stage("ingest", {"out": out, "input": [root / "in"], "overwrite": True})
        print(f"ingest: {result.counts['documents']} files in {time.perf_counter() - start:.1f} s")
        docs = list(read_records(out / "documents.jsonl", Document))
        print("statuses:", dict(Counter(d.status for d in docs)))
        print("skip reasons:", {k: v for k, v in result.counts.items() if k.startswith("skip")})
        roles = Counter(p.role for d in docs for p in d.paragraphs)
        print("paragraph roles:", dict(roles))
        kept = {
            d.doc_id: {p.text for p in d.paragraphs if p.role in EXPORTED_ROLES}
            for d in docs
            if d.status == "ok"
        }
        _print_recall("ingest", _recall(expected, kept))
        plain = {
            d.doc_id
            for d in docs
            if d.paragraphs and all(p.scores.get("plain") for p in d.paragraphs)
        }
        print(f"files read as plain text (no page chrome): {len(plain)}")
        _print_recall("ingest, plain files", _recall({k: expected[k] for k in plain}, kept))
        if "--export" in argv:
            _export(root, out, docs, expected)


def _export(
    root: Path, out: Path, docs: list[Document], expected: dict[str, tuple[str, list[str]]]
) -> None:
    import json

    from pipeline.records import Segment
    from pipeline.run.runner import run_stage
    from tests.support.tiny_marian import build_tiny_marian

    model = root / "tiny"
    if not model.is_dir():
        build_tiny_marian(model)
    stages = {
        "detect": {},
        "segment": {},
        # greedy and short: the random model's words are nonsense, only the bookkeeping counts
        "translate": {
            "model": [f"vi={model}", f"zh={model}"],
            "backend": "torch",
            "beam_size": 1,
            "max_new_tokens": 3,
            "batch_size": 128,
        },
        "export": {"formats": ["jsonl", "parquet", "hf"], "roles": list(EXPORTED_ROLES)},
    }
    for name, options in stages.items():
        start = time.perf_counter()
        result = run_stage(name, {"out": out, **options})
        print(f"{name}: {time.perf_counter() - start:.1f} s: {dict(result.counts)}")
    exported = {
        (row["doc_id"], row["seg_id"])
        for row in map(json.loads, (out / "export" / "corpus.jsonl").open(encoding="utf-8"))
    }
    segs: dict[tuple[str, int], list[str]] = {}
    for s in read_records(out / "segments.jsonl", Segment):
        segs.setdefault((s.doc_id, s.paragraph), []).append(s.seg_id)
    kept: dict[str, set[str]] = {}
    for d in docs:
        for p in d.paragraphs:
            ids = segs.get((d.doc_id, p.index), [])
            if ids and all((d.doc_id, i) in exported for i in ids):
                kept.setdefault(d.doc_id, set()).add(p.text)
    _print_recall("export", _recall(expected, kept))
    import datasets

    loaded = datasets.load_dataset("parquet", data_dir=str(out / "export" / "hf" / "vi-en"))
    print(f"datasets.load_dataset(parquet, hf/vi-en): {loaded['train'].num_rows} rows")
    filters = ["flags", "length_ratio", "lang_id", "near_duplicate"]
    result = run_stage("export", {"out": out, **stages["export"], "filters": filters})
    print("export with every filter:", dict(result.counts))
    summary = json.loads((out / "export" / "summary.json").read_text(encoding="utf-8"))
    print("export filters:", json.dumps(summary.get("filters", {})))


if __name__ == "__main__":
    main(sys.argv[1:])
