"""Accuracy of language detection on real text, per language and length band.

Reads lines no one here wrote: the WMT23 zh-en source (zh) and references (en),
and the IWSLT'15 tst2012/tst2013 Vietnamese and English sides (tokenized; HTML
entities are unescaped first). Prints, per language and band of length in
characters, how many lines were detected right, how many wrong, and how many
abstained (``und``), plus the share decided by the script check alone.

Usage:
    python -m bench.detect_accuracy [--data ../shared/data] [--limit N]
"""

from __future__ import annotations

import argparse
import html
import sys
import time
from collections import Counter
from pathlib import Path

from pipeline.io.files import read_text_lines
from pipeline.text.language import classify

BANDS = ((1, 10), (11, 30), (31, 80), (81, None))
SOURCES = {
    "zh": ["wmt23-zh-en/generaltest2023.zh-en.src.zh"],
    "vi": ["iwslt15-en-vi/tst2012.vi", "iwslt15-en-vi/tst2013.vi"],
    "en": [
        "wmt23-zh-en/generaltest2023.zh-en.ref.en",
        "iwslt15-en-vi/tst2012.en",
        "iwslt15-en-vi/tst2013.en",
    ],
}


def band_of(n: int) -> str:
    for low, high in BANDS:
        if high is None or n <= high:
            return f"{low}-{high}" if high else f"{low}+"
    raise ValueError(n)


def lines(data: Path, lang: str, limit: int | None) -> list[str]:
    out: list[str] = []
    for name in SOURCES[lang]:
        got = [html.unescape(t).strip() for t in read_text_lines(data / name)]
        out.extend(t for t in got if t)
    return out[:limit] if limit else out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    parser.add_argument("--limit", type=int, default=None, help="lines per language")
    args = parser.parse_args()
    columns = ("right", "wrong", "und", "script")
    header = f"{'lang':4} {'chars':>6} {'lines':>6} " + " ".join(f"{c:>7}" for c in columns)
    print(header)
    print("-" * len(header))
    started, total = time.perf_counter(), 0
    for lang in SOURCES:
        stats: dict[str, Counter[str]] = {}
        errors: Counter[str] = Counter()
        for text in lines(args.data, lang, args.limit):
            found = classify(text)
            c = stats.setdefault(band_of(len(text)), Counter())
            c["n"] += 1
            c["script"] += found.method == "script"
            if found.lang == lang:
                c["right"] += 1
            elif found.lang == "und":
                c["und"] += 1
            else:
                c["wrong"] += 1
                errors[found.lang] += 1
        rows = [(b, stats[b]) for b in map(lambda b: band_of(b[0]), BANDS) if b in stats]
        allc = sum((c for _, c in rows), Counter())
        for band, c in [*rows, ("all", allc)]:
            n = c["n"]
            pct = {k: f"{100 * c[k] / n:6.1f}%" for k in ("right", "wrong", "und", "script")}
            print(
                f"{lang:4} {band:>6} {n:6d} {pct['right']} {pct['wrong']} {pct['und']} "
                f"{pct['script']}"
            )
        total += allc["n"]
        wrong = ", ".join(f"{k} {v}" for k, v in errors.most_common(6))
        print(f"     wrong answers for {lang}: {wrong or 'none'}")
    seconds = time.perf_counter() - started
    print(f"{total} lines in {seconds:.1f} s ({total / seconds:.0f} lines/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
