"""Time the ingest stage on copies of the demo seeds; prints files/s and MB/s.

Usage: python -m bench.ingest_bench [COPIES]   (default 200 copies of each seed)
Each copy gets a distinct last line so no file is a duplicate of another.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from pipeline.ingest import Config, run

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def main(copies: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        inputs = Path(tmp) / "in"
        inputs.mkdir()
        total = 0
        for seed in sorted(SEEDS.glob("*.txt")):
            data = seed.read_bytes()
            for i in range(copies):
                copy = data + f"\nbản {i}\n".encode()
                (inputs / f"{seed.stem}_{i}.txt").write_bytes(copy)
                total += len(copy)
        config = Config(out=Path(tmp) / "out", input=(inputs,))
        start = time.perf_counter()
        result = run(config)
        seconds = time.perf_counter() - start
        files = result.counts["documents"]
        print(f"ingest: {files} files, {total / 1e6:.1f} MB in {seconds:.1f} s: "
              f"{files / seconds:.1f} files/s, {total / 1e6 / seconds:.2f} MB/s")  # fmt: skip


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
