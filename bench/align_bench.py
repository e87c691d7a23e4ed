"""Benchmarks of the align stage: scaling on synthetic collections, pair precision/recall.

``scale``: builds synthetic collections of N documents (default 1000, 2000,
4000, 8000, 16000) from English sentences of ../shared/data (WMT23 zh-en reference
and system outputs, IWSLT tst2012/2013 English), recombined into documents with
random publication dates, plus a few injected events, each reported by several
documents in different words. Each size runs in a fresh child process, with
the lexical similarity by default; facts are read once per distinct sentence.
The table gives claims, multi-document clusters, the extraction, alignment
and event-grouping seconds, multi-document events, peak RSS, how many
injected-event pairs were recovered, and the share of joined pairs whose two
sentences render the same source line (``same_origin``: WMT23 reference and
system outputs of one line, or the same sentence reused; the rest join
sentences of different lines, mostly false matches), and how many such
pairs were joined (``same_pairs``, a measure of recall).

``stage``: the whole stage (files in and out, facts for every segment) on one size.

``pairs``: runs the stage on the seed fixtures (tests/data/align) and prints
precision and recall of the pair decisions against the hand-labelled gold events.

``events``: runs the stage on each labelled fixture set (the seeds,
tests/data/align, on which the thresholds were chosen; and the held-out
articles, tests/data/events, written alongside the code; and the blind
held-out articles, tests/data/events_blind, written after it was frozen) and
prints event-link precision, recall and F1 (a link is two sentences of
different documents in one event) and the links joining sentences of
different gold events; ``--degrade`` also runs each set with every
translation replaced by the same nonsense.

Usage::

    python -m bench.align_bench scale [--sizes 1000 2000] [--similarity lexical]
    python -m bench.align_bench pairs [--similarity embed]
    python -m bench.align_bench events [--similarity lexical] [--degrade]
    python -m bench.align_bench stage 1000
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from pipeline.claims.records import Claim, Cluster, Event
from pipeline.claims.select import SegmentFacts
from pipeline.io.files import read_json, read_text_lines
from pipeline.io.jsonl import read_records, write_records
from pipeline.records import Document, Fact, Translation

ROOT = Path(__file__).resolve().parent.parent


# ../shared/data beside the checkout (a worktree under /work/wt/ has it two levels up).
DATA = next(
    (
        p / "shared" / "data"
        for p in Path(__file__).resolve().parents[2:4]
        if (p / "shared").is_dir()
    ),
    Path(__file__).resolve().parents[2] / "shared" / "data",
)
CORPORA = [
    "wmt23-zh-en/generaltest2023.zh-en.ref.en",
    "wmt23-zh-en/generaltest2023.zh-en.hyp.NLLB_Greedy.en",
    "wmt23-zh-en/generaltest2023.zh-en.hyp.GPT4-5shot.en",
    "wmt23-zh-en/generaltest2023.zh-en.hyp.ONLINE-B.en",
    "iwslt15-en-vi/tst2012.en",
    "iwslt15-en-vi/tst2013.en",
]
# Injected events: several wordings of one report, with the event's date.
EVENTS = [
    (
        "2021-03-09",
        [
            "The finance ministers of Brazil and Kenya signed a 2 billion USD trade agreement"
            " on 9 March.",
            "Brazil and Kenya agreed a trade deal worth 2 billion USD, their finance ministers"
            " said on 9 March.",
            "On 9 March Kenya's finance minister and his Brazilian counterpart signed a 2 billion"
            " USD trade pact.",
        ],
    ),
    (
        "2022-07-21",
        [
            "A magnitude 6.1 earthquake struck northern Peru on 21 July, killing at least 12"
            " people.",
            "At least 12 people died when a 6.1 magnitude quake hit northern Peru on 21 July.",
            "Northern Peru was hit by a strong earthquake of magnitude 6.1 on 21 July; 12 people"
            " were killed.",
        ],
    ),
    (
        "2023-10-02",
        [
            "Norway's prime minister met the Chilean president in Oslo on 2 October to discuss"
            " lithium mining.",
            "On 2 October the Chilean president held talks on lithium mining with Norway's prime"
            " minister in Oslo.",
            "Lithium mining was the main topic when Chile's president met the Norwegian prime"
            " minister in Oslo on 2 October.",
        ],
    ),
]


def _pool() -> list[str]:
    lines: list[str] = []
    for name in CORPORA:
        lines += [x.strip() for x in read_text_lines(DATA / name) if len(x.split()) >= 6]
    return lines


def origins() -> dict[str, set[str]]:
    """Sentence -> the source lines it renders (WMT23 reference and system outputs of
    line i all render line i) or the injected event it reports."""
    out: dict[str, set[str]] = {}
    for name in CORPORA:
        corpus = "wmt" if name.startswith("wmt23") else name
        for i, line in enumerate(read_text_lines(DATA / name)):
            out.setdefault(line.strip(), set()).add(f"{corpus}:{i}")
    for k, (_, wordings) in enumerate(EVENTS):
        for w in wordings:
            out[w] = {f"event:{k}"}
    return out


def collection(n_docs: int, seed: int = 0) -> tuple[list[Document], list[Translation], int]:
    """A synthetic collection: documents, their English segments, and the injected pairs."""
    rng = random.Random(seed)
    pool = _pool()
    start = 737425  # 2020-01-01 as an ordinal
    docs, trans = [], []
    reporters: list[tuple[str, int]] = []
    for event_date, wordings in EVENTS:
        day = _ordinal(event_date)
        reporters += [(wordings[k % len(wordings)], day + rng.randint(0, 1)) for k in range(6)]
    for d in range(n_docs):
        doc_id = f"syn{d:05d}"
        day = start + rng.randint(0, 4 * 365)
        sentences = rng.sample(pool, rng.randint(6, 14))
        if d < len(reporters):
            text, day = reporters[d]
            sentences.insert(rng.randint(0, len(sentences)), text)
        docs.append(Document(doc_id, f"{doc_id}.txt", None, "ok", lang="en", published=_iso(day)))
        for i, s in enumerate(sentences):
            role = "title" if i == 0 else "body"
            seg_id = f"{doc_id}:{i}"
            trans.append(Translation(doc_id, seg_id, i, role, "en", "en", s, s, "identity"))
    per_event = 6
    return docs, trans, len(EVENTS) * per_event * (per_event - 1) // 2


def cached_segments(docs: list[Document], trans: list[Translation]) -> list[SegmentFacts]:
    """Segments with facts as the stage reads them, facts read once per distinct sentence.

    Sentences of the corpora are read with no document date (their relative
    dates stay unresolved); the injected reports with their document's date.
    """
    from pipeline.facts.extract import claim_facts

    by_id = {d.doc_id: d for d in docs}
    injected = {w for _, wordings in EVENTS for w in wordings}
    cache: dict[tuple[str, str | None], tuple[Fact, ...]] = {}
    segments = []
    for t in trans:
        text, anchor = t.source, by_id[t.doc_id].published
        key = (text, anchor if text in injected else None)
        if key not in cache:
            cache[key] = claim_facts(text, text, "en", key[1])
        segments.append(SegmentFacts(t, by_id[t.doc_id], cache[key], anchor))
    return segments


def cached_claims(docs: list[Document], trans: list[Translation]) -> list[Claim]:
    """Claims as the stage makes them, from :func:`cached_segments`."""
    from pipeline.claims.select import claims_of

    return list(claims_of(cached_segments(docs, trans), 6))


def _ordinal(iso: str) -> int:
    import datetime as dt

    return dt.date.fromisoformat(iso).toordinal()


def _iso(day: int) -> str:
    import datetime as dt

    return dt.date.fromordinal(day).isoformat()


def one(n_docs: int, similarity: str) -> dict[str, object]:
    """Build and align one collection in this process; return its figures.

    ``extract_s`` is the fact extraction (once per distinct sentence),
    ``align_s`` the alignment (blocking, similarity, scoring, clustering, verdicts).
    """
    from pipeline.align import Config, align_claims, params_for
    from pipeline.claims.event_records import find_events
    from pipeline.claims.select import claims_of
    from pipeline.claims.similarity import resolve_kind

    docs, trans, injected = collection(n_docs)
    started = time.perf_counter()
    segments = cached_segments(docs, trans)
    claims = list(claims_of(segments, 6))
    extracted = time.perf_counter()
    encoder = resolve_kind(similarity)
    clusters = align_claims(claims, encoder, params_for(Config(out=Path(".")), encoder.name))
    aligned = time.perf_counter()
    events, _ = find_events(segments, claims, clusters)
    grouped = time.perf_counter()
    found = 0
    for c in clusters:  # each reporter document holds one injected sentence
        for _, wordings in EVENTS:
            hits = sum(1 for m in c.members if m.translation in wordings)
            found += hits * (hits - 1) // 2
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    same, pairs = _origin_pairs(clusters)
    candidates = candidate_count(claims)
    return {
        "docs": n_docs,
        "segments": len(trans),
        "claims": len(claims),
        "pairs": candidates,
        "pairs_per_claim": round(candidates / len(claims), 1) if claims else 0.0,
        "multi_doc": sum(1 for c in clusters if len(c.docs) > 1),
        "extract_s": round(extracted - started, 1),
        "align_s": round(aligned - extracted, 1),
        "events_s": round(grouped - aligned, 1),
        "events": sum(1 for e in events if len(e.documents) > 1),
        "peak_mb": round(peak_mb, 1),
        "event_pairs": f"{found}/{injected}",
        "same_origin": f"{same / pairs:.3f}" if pairs else "-",
        "same_pairs": same,
    }


def candidate_count(claims: list[Claim]) -> int:
    """The candidate pairs the blocking step gives these claims (as align_claims makes them)."""
    from pipeline.align import Config, params_for
    from pipeline.claims.blocking import candidate_pairs
    from pipeline.claims.clustering import key_rarity, view
    from pipeline.claims.similarity import top_terms

    params = params_for(Config(out=Path(".")), "lexical")
    rarity = key_rarity(claims)
    views = [view(c, c.anchor, rarity) for c in claims]
    terms = top_terms([c.translation for c in claims], params.terms)
    left, _, _ = candidate_pairs(views, terms, params)
    return len(left)


def _origin_pairs(clusters: list[Cluster]) -> tuple[int, int]:
    """Cross-document pairs in clusters, and how many render the same source line."""
    where = origins()
    same = total = 0
    for c in clusters:
        for a, b in itertools.combinations(c.members, 2):
            if a.doc_id != b.doc_id:
                total += 1
                same += bool(where.get(a.translation, set()) & where.get(b.translation, set()))
    return same, total


def stage(n_docs: int, similarity: str) -> None:
    """The whole align stage (files in, files out, facts for every segment) on one size."""
    from pipeline.align import Config, run

    docs, trans, _ = collection(n_docs)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        write_records(out / "documents.jsonl", docs)
        write_records(out / "translations.jsonl", trans)
        started = time.perf_counter()
        result = run(Config(out=out, similarity=similarity))
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"stage align, {n_docs} docs, {len(trans)} segments, {similarity}: {seconds:.1f} s, "
        f"peak RSS {peak:.0f} MB, {dict(result.counts)}"
    )


def scale(sizes: list[int], similarity: str) -> None:
    """Run each size in a fresh child process and print a table."""
    rows = []
    for n in sizes:
        cmd = [sys.executable, "-m", "bench.align_bench", "_one", str(n)]
        cmd += ["--similarity", similarity]
        done = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(rows[-1], file=sys.stderr)
    cols = ["docs", "segments", "claims", "pairs", "pairs_per_claim", "multi_doc"]
    cols += ["extract_s", "align_s", "events_s"]
    cols += ["events", "peak_mb"]
    cols += ["event_pairs", "same_origin", "same_pairs"]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for row in rows:
        print("| " + " | ".join(str(row[c]) for c in cols) + " |")


def pairs(similarity: str) -> None:
    """Precision and recall of pair decisions on the seed fixtures."""
    from pipeline.align import Config, run

    data = ROOT / "tests" / "data" / "align"
    gold = _pairs(read_json(data / "gold.json")["events"].values())
    with tempfile.TemporaryDirectory() as tmp:
        inputs = (data / "translations.jsonl", data / "documents.jsonl")
        result = run(Config(out=Path(tmp), input=inputs, similarity=similarity))
        clusters = list(read_records(Path(tmp) / "alignments.jsonl", Cluster))
    claimed = {m.seg_id for c in clusters for m in c.members}
    gold_claims = {p for p in gold if p[0] in claimed and p[1] in claimed}
    groups = [[m.seg_id for m in c.members] for c in clusters if len(c.members) > 1]
    predicted = _pairs(groups)
    hit = predicted & gold
    precision = len(hit) / len(predicted) if predicted else 0.0
    recall = len(hit) / len(gold) if gold else 0.0
    print(f"similarity={similarity} counts={dict(result.counts)}")
    print(f"pairs: predicted {len(predicted)}, gold {len(gold)}, correct {len(hit)}")
    print(f"precision {precision:.3f}  recall {recall:.3f}")
    if gold_claims:
        within = len(predicted & gold_claims) / len(gold_claims)
        print(f"gold pairs of two claims: {len(gold_claims)}; recall on them {within:.3f}")
    for c in clusters:
        if len(c.members) > 1:
            print(f"- {c.cluster_id} {c.verdict} {c.langs} {c.event_date}")
            for m in c.members:
                print(f"    {m.seg_id}: {m.translation[:90]}")
    for wrong in sorted(predicted - gold):
        print("false pair:", wrong)


FIXTURE_SETS = {
    "seeds (tuned on)": "align",
    "held-out": "events",
    "blind held-out": "events_blind",
}
NONSENSE = "The the of a in the is of the to a."


def events(similarity: str, degrade: bool) -> None:
    """Event-link precision, recall, F1 and cross-event links per fixture set."""
    print(
        "| fixtures | translations | gold links | predicted | correct | P | R | F1 |"
        " links between different events |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, folder in FIXTURE_SETS.items():
        for degraded in (False, True) if degrade else (False,):
            row = _event_scores(ROOT / "tests" / "data" / folder, similarity, degraded)
            kind = "degraded" if degraded else "ours"
            print(f"| {name} | {kind} | " + " | ".join(str(v) for v in row) + " |")


def _event_scores(data: Path, similarity: str, degraded: bool) -> list[object]:
    from pipeline.align import Config, run

    gold_events: dict[str, list[str]] = read_json(data / "gold.json")["events"]
    gold = _pairs(gold_events.values())
    event_of = {seg: name for name, segs in gold_events.items() for seg in segs}
    with tempfile.TemporaryDirectory() as tmp:
        trans = data / "translations.jsonl"
        if degraded:
            trans = Path(tmp) / "in" / "translations.jsonl"
            trans.parent.mkdir()
            rows = [
                replace(t, translation=NONSENSE)
                for t in read_records(data / "translations.jsonl", Translation)
            ]
            write_records(trans, rows)
        out = Path(tmp) / "out"
        run(Config(out=out, input=(trans, data / "documents.jsonl"), similarity=similarity))
        found = list(read_records(out / "events.jsonl", Event))
    predicted = _pairs([m.seg_id for m in e.members] for e in found)
    hit = predicted & gold
    across = sum(
        1 for a, b in predicted if a in event_of and b in event_of and event_of[a] != event_of[b]
    )
    p = len(hit) / len(predicted) if predicted else 0.0
    r = len(hit) / len(gold) if gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return [len(gold), len(predicted), len(hit), f"{p:.3f}", f"{r:.3f}", f"{f1:.3f}", across]


def _pairs(groups: object) -> set[tuple[str, str]]:
    out = set()
    for group in groups:  # type: ignore[attr-defined]
        for a, b in itertools.combinations(sorted(group), 2):
            if a.split(":")[0] != b.split(":")[0]:
                out.add((a, b))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["scale", "pairs", "events", "stage", "_one"])
    parser.add_argument("n", nargs="?", type=int)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 4000, 8000, 16000])
    parser.add_argument("--similarity", default="lexical")
    parser.add_argument("--degrade", action="store_true", help="events: also with nonsense MT")
    args = parser.parse_args()
    if args.mode == "_one":
        print(json.dumps(one(args.n, args.similarity)))
    elif args.mode == "stage":
        stage(args.n or 1000, args.similarity)
    elif args.mode == "events":
        events(args.similarity, args.degrade)
    elif args.mode == "scale":
        scale(args.sizes, args.similarity)
    else:
        pairs(args.similarity)


if __name__ == "__main__":
    main()
