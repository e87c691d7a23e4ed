"""How often dates and amounts read from a source line match those read from its translation.

Usage: python -m bench.facts_agreement [--limit N]

For each parallel line of ../shared/data (WMT23 zh-en source against the
reference and three system outputs; IWSLT15 tst2013 vi against en), extracts
``when`` and ``amount`` facts from both sides and counts lines where both sides
have facts and they agree (same date keys; every amount matched by
``amounts_agree``), differ, or only one side has any. All lines get the same
publication date (2023-06-15), so relative dates resolve alike on both sides.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.facts.extract import amounts_agree, extract_facts
from pipeline.io.files import read_text_lines
from pipeline.records import Fact

ROOT = Path(__file__).resolve().parent.parent


DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
WMT = DATA / "wmt23-zh-en" / "generaltest2023.zh-en"
PAIRS = [
    ("zh", WMT.with_suffix(".zh-en.src.zh"), "ref", WMT.with_suffix(".zh-en.ref.en")),
    ("zh", WMT.with_suffix(".zh-en.src.zh"), "NLLB", WMT.with_suffix(".zh-en.hyp.NLLB_Greedy.en")),
    ("zh", WMT.with_suffix(".zh-en.src.zh"), "GPT4", WMT.with_suffix(".zh-en.hyp.GPT4-5shot.en")),
    ("zh", WMT.with_suffix(".zh-en.src.zh"), "ONLINE-B", WMT.with_suffix(".zh-en.hyp.ONLINE-B.en")),
    ("vi", DATA / "iwslt15-en-vi" / "tst2013.vi", "ref", DATA / "iwslt15-en-vi" / "tst2013.en"),
]
PUBLISHED = "2023-06-15"


def _agree(slot: str, a: list[Fact], b: list[Fact]) -> bool:
    if slot == "when":
        return {f.key for f in a} == {f.key for f in b}
    return all(any(amounts_agree(x, y) for y in b) for x in a) and all(
        any(amounts_agree(x, y) for x in a) for y in b
    )


def compare(lang: str, source: list[str], target: list[str]) -> dict[str, list[int]]:
    """slot -> [agree, differ, source only, translation only] line counts."""
    counts = {"when": [0, 0, 0, 0], "amount": [0, 0, 0, 0]}
    for src, tgt in zip(source, target, strict=True):
        facts_src = extract_facts(src, lang, PUBLISHED)
        facts_tgt = extract_facts(tgt, "en", PUBLISHED)
        for slot, row in counts.items():
            a = [f for f in facts_src if f.slot == slot]
            b = [f for f in facts_tgt if f.slot == slot]
            if a and b:
                row[0 if _agree(slot, a, b) else 1] += 1
            elif a or b:
                row[2 if a else 3] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="first N lines of each file")
    args = parser.parse_args()
    print(
        f"{'pair':<16}{'slot':<8}{'agree':>7}{'differ':>8}{'src-only':>10}{'tgt-only':>10}"
        f"{'agree%':>8}"
    )
    for lang, src_path, name, tgt_path in PAIRS:
        source = read_text_lines(src_path)[: args.limit]
        target = read_text_lines(tgt_path)[: args.limit]
        for slot, (agree, differ, only_src, only_tgt) in compare(lang, source, target).items():
            both = agree + differ
            share = f"{100 * agree / both:.1f}" if both else "-"
            print(
                f"{lang}-{name:<13}{slot:<8}{agree:>7}{differ:>8}{only_src:>10}{only_tgt:>10}"
                f"{share:>8}"
            )


if __name__ == "__main__":
    main()
