"""Time fact extraction over the seed articles and print figures.

Usage: python -m bench.facts_bench [--repeat N]

Reads ``seeds/*.txt`` (Chinese for 003, Vietnamese otherwise), splits them into
lines, and runs :func:`pipeline.facts.extract.extract_facts` on every non-blank line.
Prints the one-off gazetteer load time, lines and characters per second, and
facts found per slot.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from pipeline.facts.entities import gazetteer
from pipeline.facts.extract import extract_facts
from pipeline.io.files import read_text

ROOT = Path(__file__).resolve().parent.parent


PUBLISHED = {"000": "2022-12-01", "001": "2022-05-14", "002": "2017-04-08",
             "003": "2022-05-14", "004": "2023-11-29"}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    lines = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        lang = "zh" if path.name.startswith("003") else "vi"
        pub = PUBLISHED.get(path.name[:3])
        lines += [(line, lang, pub) for line in read_text(path).splitlines() if line.strip()]
    start = time.perf_counter()
    gazetteer()
    load = time.perf_counter() - start
    slots: Counter[str] = Counter()
    start = time.perf_counter()
    for _ in range(args.repeat):
        slots.clear()
        for text, lang, pub in lines:
            slots.update(f.slot for f in extract_facts(text, lang, pub))
    elapsed = (time.perf_counter() - start) / args.repeat
    chars = sum(len(text) for text, _, _ in lines)
    print(f"gazetteer load: {load * 1000:.1f} ms ({len(gazetteer().entries)} entries)")
    print(
        f"{len(lines)} lines, {chars} chars: {elapsed * 1000:.1f} ms per pass "
        f"({len(lines) / elapsed:.0f} lines/s, {chars / elapsed / 1000:.0f} kchars/s)"
    )
    print("facts per slot:", dict(sorted(slots.items())))


if __name__ == "__main__":
    main()
