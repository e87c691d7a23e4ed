"""Whole commands as users run them: the first three stages, and generate under the thread policy.

Every figure is one child process's own: wall clock from its start to its exit (start-up,
imports and model loading included), user + system CPU and peak resident memory from
``os.wait4``. Contenders run in interleaved rounds (A B A B ...), so the drift of a shared
machine hits all of them alike; each figure is the median of ``--rounds`` (3), and a ratio
is taken round by round before its median.

``stages``: ``python -m pipeline run ARTICLES --until segment`` on the articles of
``bench.stage_throughput`` (``--repeat 10``: 50,452 segments from WMT23 zh and IWSLT15 vi),
this checkout against ``--baseline`` (another checkout, e.g. ``../main``): segments/s, CPU
per segment, peak RSS. Then the same stages in-process (``run_stage`` one after the other in
one child of each checkout), per stage.

``threads``: batched greedy ``generate`` of ``--sentences`` (16) sentences, each forced to
``--tokens`` (16) new tokens, with the OPUS-MT-shaped random model of
``tests/support/tiny_marian.py`` (77.9 M parameters; built into ``--model-dir`` once), under
three thread settings: the OpenMP defaults (spinning workers), the project's policy
(``pipeline.threads``: passive waiting, one thread per available core) and the policy with one
thread; ``--stage`` adds the translate stage (torch backend, same settings) as a whole command.

On a 2-core machine under load, ``stages`` takes about 3 minutes and ``threads`` 2-3 (at 32
sentences x 32 tokens, 7 minutes); figures of a shared machine vary from call to call, which is
why only the ratios of paired rounds are worth quoting.

``ct2``: ``parallax translate --backend ct2`` against a direct CTranslate2 script at its best
settings here (sentencepiece pieces straight to ``translate_batch``, 2 batches in parallel x 1
thread, batches of 32 sentences), both on ``--ct2-sentences`` (200 and 2,000) WMT23 zh + IWSLT15
vi lines through the OPUS-shaped model of ``bench.ct2_bench`` (built and converted into
``--model-dir``), ``--beam`` 4 and ``--tokens`` forced words; and, to show what the stage still
pays for transformers and torch, a process that only imports them (the stage less that import
is the figure once the ct2 path no longer imports them).

Usage:
    python -m bench.whole_command [--part stages|threads|ct2|all] [--baseline ../main]
        [--repeat 10] [--rounds 3] [--model-dir DIR] [--stage] [--beam 4]
        [--ct2-sentences 200,2000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.stage_throughput import CORPORA, articles
from pipeline.io.atomic import atomic_write_text
from pipeline.io.files import read_json

ROOT = Path(__file__).resolve().parents[1]
# Variables that would make the "defaults" contender something else.
THREAD_VARIABLES = ("OMP_WAIT_POLICY", "OMP_NUM_THREADS", "PARALLAX_THREADS", "MKL_NUM_THREADS")


def child(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one command; its wall seconds, CPU seconds, peak RSS (MiB) and standard output."""
    base = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    base["PYTHONPATH"] = str(cwd)
    with tempfile.TemporaryFile() as out:
        started = time.monotonic()
        proc = subprocess.Popen(
            cmd, cwd=cwd, env={**base, **(env or {})}, stdout=out, stderr=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} (in {cwd}) exited {proc.returncode}")
    cpu = usage.ru_utime + usage.ru_stime
    return {"wall": wall, "cpu": cpu, "peak": usage.ru_maxrss / 1024, "stdout": text}


def rounds(
    contenders: dict[str, Callable[[], dict[str, Any]]], n: int
) -> dict[str, list[dict[str, Any]]]:
    """Run every contender once per round, in turn; all results by contender."""
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in contenders}
    for r in range(n):
        for name, run in contenders.items():
            results[name].append(run())
            print(f"  round {r + 1} {name}: {results[name][-1]['wall']:.2f} s", flush=True)
    return results


def median(rows: list[dict[str, Any]], key: str) -> float:
    return statistics.median(row[key] for row in rows)


def paired_ratio(a: list[dict[str, Any]], b: list[dict[str, Any]], key: str) -> float:
    """Median over rounds of a[key] / b[key], round by round."""
    return statistics.median(x[key] / y[key] for x, y in zip(a, b, strict=True))


# -- the first three stages ------------------------------------------------------------------

IN_PROCESS = """
import json, sys, time
from pathlib import Path
from pipeline.run.runner import run_stage
out, arts, figures = Path(sys.argv[1]), Path(sys.argv[2]), {}
for stage in ("ingest", "detect", "segment"):
    options = {"out": out, "input": [arts]} if stage == "ingest" else {"out": out}
    wall, cpu = time.perf_counter(), time.process_time()
    result = run_stage(stage, options)
    figures[stage] = (time.perf_counter() - wall, time.process_time() - cpu)
figures["segments"] = result.counts["segments"]
print(json.dumps(figures))
"""


def write_articles(folder: Path, data: Path, repeat: int) -> int:
    """The bench's articles as text files; returns how many."""
    n = 0
    for names in CORPORA.values():
        for art in articles(data, names, 20, repeat):
            atomic_write_text(folder / f"a{n:05d}.txt", "\n\n".join(art) + "\n")
            n += 1
    return n


def whole_stages(checkout: Path, arts: Path, work: Path) -> dict[str, Any]:
    out = Path(tempfile.mkdtemp(dir=work))
    cmd = [sys.executable, "-m", "pipeline", "-q", "run", str(arts), "--out", str(out)]
    result = child([*cmd, "--until", "segment"], checkout)
    manifest = read_json(out / "manifest.json")
    result["segments"] = manifest["stages"]["segment"]["counts"]["segments"]
    shutil.rmtree(out)
    return result


def in_process_stages(checkout: Path, arts: Path, work: Path) -> dict[str, Any]:
    out = Path(tempfile.mkdtemp(dir=work))
    result = child([sys.executable, "-c", IN_PROCESS, str(out), str(arts)], checkout)
    result.update(json.loads(result.pop("stdout").strip().splitlines()[-1]))
    shutil.rmtree(out)
    return result


def stages_part(args: argparse.Namespace) -> None:
    checkouts = {"this": ROOT}
    if args.baseline is not None:
        checkouts["baseline"] = args.baseline.resolve()
    with tempfile.TemporaryDirectory(prefix="parallax-whole-") as tmp:
        work = Path(tmp)
        files = write_articles(work / "articles", args.data, args.repeat)
        print(f"ingest + detect + segment, {files} articles; medians of {args.rounds} rounds")
        whole = rounds(
            {k: lambda c=c: whole_stages(c, work / "articles", work) for k, c in checkouts.items()},
            args.rounds,
        )
        print_stage_table("whole process: python -m pipeline run --until segment", whole)
        inner = rounds(
            {
                k: lambda c=c: in_process_stages(c, work / "articles", work)
                for k, c in checkouts.items()
            },
            args.rounds,
        )
    print("\nin-process (run_stage, one child per checkout and round), per stage:")
    print(f"  {'checkout':9} {'stage':8} {'wall s':>7} {'CPU s':>7} {'seg/s':>7} {'seg/CPU s':>9}")
    for name, rows in inner.items():
        segs = median(rows, "segments")
        for stage in ("ingest", "detect", "segment"):
            wall = statistics.median(r[stage][0] for r in rows)
            cpu = statistics.median(r[stage][1] for r in rows)
            print(
                f"  {name:9} {stage:8} {wall:7.2f} {cpu:7.2f} {segs / wall:7.0f} {segs / cpu:9.0f}"
            )


def print_stage_table(title: str, results: dict[str, list[dict[str, Any]]]) -> None:
    print(f"\n{title}:")
    print(
        f"  {'checkout':9} {'segments':>8} {'wall s':>7} {'seg/s':>7} {'CPU s':>7} "
        f"{'CPU µs/seg':>10} {'peak MiB':>8}"
    )
    for name, rows in results.items():
        segs = median(rows, "segments")
        wall, cpu = median(rows, "wall"), median(rows, "cpu")
        print(
            f"  {name:9} {segs:8.0f} {wall:7.2f} {segs / wall:7.0f} {cpu:7.2f} "
            f"{cpu / segs * 1e6:10.0f} {median(rows, 'peak'):8.0f}"
        )
    if "baseline" in results:
        this, base = results["this"], results["baseline"]
        ratios = {key: paired_ratio(this, base, key) for key in ("wall", "cpu", "peak")}
        print(
            "  this/baseline, round by round: "
            + ", ".join(f"{key} {value:.2f}" for key, value in ratios.items())
        )


# -- batched generate under each thread setting ----------------------------------------------

GENERATE = """
import json, sys, time
mode, model_dir, texts, tokens = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
if mode != "defaults":
    from pipeline import threads
    threads.configure(1 if mode == "one thread" else None)
import torch
from transformers import MarianMTModel, MarianTokenizer
if mode != "defaults":
    threads.apply_torch()
tok = MarianTokenizer.from_pretrained(model_dir)
model = MarianMTModel.from_pretrained(model_dir).eval()
texts = sorted(open(texts, encoding="utf-8").read().splitlines(), key=len, reverse=True)
started = time.perf_counter()
with torch.inference_mode():
    batch = tok(texts, return_tensors="pt", padding=True)
    out = model.generate(**batch, num_beams=1, do_sample=False, max_new_tokens=tokens,
                         min_new_tokens=tokens, no_repeat_ngram_size=6)
    tok.batch_decode(out, skip_special_tokens=True)
print(json.dumps({"generate": time.perf_counter() - started, "threads": torch.get_num_threads()}))
"""


def sentences(data: Path, n: int) -> list[str]:
    """Half WMT23 Chinese, half IWSLT15 Vietnamese, alternating; short lines left out."""
    zh = [t for t in articles(data, CORPORA["wmt23-zh"], 1, 1) if len(t[0]) > 5]
    vi = [t for t in articles(data, CORPORA["iwslt15-vi"], 1, 1) if len(t[0].split()) > 3]
    return [t[0] for pair in zip(zh, vi, strict=False) for t in pair][:n]


def generate_once(mode: str, args: argparse.Namespace, texts: Path) -> dict[str, Any]:
    cmd = [sys.executable, "-c", GENERATE, mode, str(args.model_dir)]
    result = child([*cmd, str(texts), str(args.tokens)], ROOT)
    result.update(json.loads(result.pop("stdout").strip().splitlines()[-1]))
    result["rate"] = args.sentences / result["generate"]
    return result


def stage_once(args: argparse.Namespace, segments: Path) -> dict[str, Any]:
    out = Path(tempfile.mkdtemp())
    cmd = [sys.executable, "-m", "pipeline", "-q", "translate", "--input", str(segments)]
    cmd += ["--out", str(out), "--model", f"vi={args.model_dir}", "--backend", "torch"]
    cmd += ["--beam-size", "1", "--max-new-tokens", str(args.tokens), "--device", "cpu"]
    cmd += ["--min-new-tokens", str(args.tokens), "--batch-size", str(args.sentences)]
    result = child(cmd, ROOT)
    translated = read_json(out / "manifest.json")["stages"]["translate"]["counts"]["translated"]
    shutil.rmtree(out)
    if translated != args.sentences:
        raise SystemExit(f"the stage translated {translated} of {args.sentences}")
    result["rate"] = args.sentences / result["wall"]
    return result


def threads_part(args: argparse.Namespace) -> None:
    from bench.translate_bench import build_model
    from pipeline.io.jsonl import write_records
    from pipeline.records import Segment

    build_model(args.model_dir, args.tokens)
    with tempfile.TemporaryDirectory(prefix="parallax-whole-") as tmp:
        segments, lines = Path(tmp) / "segments.jsonl", Path(tmp) / "sentences.txt"
        texts = sentences(args.data, args.sentences)
        atomic_write_text(lines, "\n".join(texts) + "\n")
        rows = [Segment("d", f"s{i}", i, 0, "body", "vi", 1.0, t) for i, t in enumerate(texts)]
        write_records(segments, rows)
        contenders: dict[str, Callable[[], dict[str, Any]]] = {
            mode: lambda mode=mode: generate_once(mode, args, lines)
            for mode in ("defaults", "policy", "one thread")
        }
        if args.stage:
            contenders["stage (policy)"] = lambda: stage_once(args, segments)
        print(
            f"\nbatched greedy generate, {args.sentences} sentences x {args.tokens} forced tokens, "
            f"OPUS-shaped random model; medians of {args.rounds} rounds"
        )
        results = rounds(contenders, args.rounds)
    print(
        f"  {'threads':15} {'torch thr':>9} {'sent/s':>7} {'wall s':>7} {'CPU s':>7} "
        f"{'peak MiB':>8} {'vs defaults':>11}"
    )
    for name, rows in results.items():
        used = rows[0].get("threads", "-")
        ratio = paired_ratio(rows, results["defaults"], "rate")
        print(
            f"  {name:15} {used!s:>9} {median(rows, 'rate'):7.2f} {median(rows, 'wall'):7.2f} "
            f"{median(rows, 'cpu'):7.2f} {median(rows, 'peak'):8.0f} {ratio:11.2f}"
        )
    print("  (sent/s: generate alone, timed inside the process; the stage: its whole command)")


# -- the ct2 stage against a direct CTranslate2 script -----------------------------------------

# The direct script at CTranslate2's best settings here: sentencepiece pieces straight to
# translate_batch (no transformers), 2 batches in parallel x 1 thread, batches of 32.
DIRECT_CT2 = """
import json, sys
import ctranslate2, sentencepiece
snap, converted, texts, out, beam, words = sys.argv[1:7]
source = sentencepiece.SentencePieceProcessor(model_file=snap + "/source.spm")
target = sentencepiece.SentencePieceProcessor(model_file=snap + "/target.spm")
lines = open(texts, encoding="utf-8").read().splitlines()
model = ctranslate2.Translator(converted, device="cpu", intra_threads=1, inter_threads=2)
pieces = [source.encode(line, out_type=str) + ["</s>"] for line in lines]
results = model.translate_batch(pieces, beam_size=int(beam), max_batch_size=32,
    batch_type="examples", max_decoding_length=int(words), min_decoding_length=int(words))
done = [target.decode_pieces(r.hypotheses[0]).strip() for r in results]
open(out, "w", encoding="utf-8").write("\\n".join(done) + "\\n")
"""
# What the stage pays for transformers (and torch) until the ct2 path stops importing it.
IMPORT_TRANSFORMERS = "from transformers import MarianTokenizer, AutoConfig"


def ct2_direct_once(snap: Path, texts: Path, beam: int, words: int) -> dict[str, Any]:
    converted = snap.with_name(f"{snap.name}-ct2-int8")
    cmd = [sys.executable, "-c", DIRECT_CT2, str(snap), str(converted), str(texts)]
    with tempfile.TemporaryDirectory() as tmp:
        return child([*cmd, str(Path(tmp) / "out.txt"), str(beam), str(words)], ROOT)


def ct2_stage_once(snap: Path, segments: Path, beam: int, words: int) -> dict[str, Any]:
    out = Path(tempfile.mkdtemp())
    cmd = [sys.executable, "-m", "pipeline", "-q", "translate", "--input", str(segments)]
    cmd += ["--out", str(out), "--model", f"vi={snap}", "--model", f"zh={snap}"]
    cmd += ["--models-dir", str(snap.parent), "--backend", "ct2", "--device", "cpu"]
    # the forced </s> is counted in max/min new tokens: one more for ``words`` words
    cmd += ["--beam-size", str(beam), "--max-new-tokens", str(words + 1)]
    cmd += ["--min-new-tokens", str(words + 1), "--no-repeat-ngram-size", "0"]
    result = child(cmd, ROOT)
    counts = read_json(out / "manifest.json")["stages"]["translate"]["counts"]
    shutil.rmtree(out)
    result["translated"] = counts["translated"]
    return result


def ct2_part(args: argparse.Namespace) -> None:
    from bench import ct2_bench
    from pipeline.io.jsonl import write_records
    from pipeline.records import Segment

    snap = ct2_bench.prepare(args.model_dir)
    for n in (int(x) for x in args.ct2_sentences.split(",")):
        pairs = ct2_bench.sentences(n, args.data)
        with tempfile.TemporaryDirectory(prefix="parallax-whole-") as tmp:
            texts, segments = Path(tmp) / "sentences.txt", Path(tmp) / "segments.jsonl"
            atomic_write_text(texts, "\n".join(t for _, t in pairs) + "\n")
            rows = [
                Segment("d", f"s{i}", i, 0, "body", g, 1.0, t) for i, (g, t) in enumerate(pairs)
            ]
            write_records(segments, rows)
            print(
                f"\nct2 stage vs direct CTranslate2, {len(pairs)} sentences vi + zh, beam "
                f"{args.beam}, {args.tokens} forced tokens; medians of {args.rounds} rounds"
            )
            results = rounds(ct2_contenders(args, snap, texts, segments), args.rounds)
        ct2_table(results, len(pairs))


def ct2_contenders(
    args: argparse.Namespace, snap: Path, texts: Path, segments: Path
) -> dict[str, Callable[[], dict[str, Any]]]:
    return {
        "direct": lambda: ct2_direct_once(snap, texts, args.beam, args.tokens),
        "stage": lambda: ct2_stage_once(snap, segments, args.beam, args.tokens),
        "import transformers": lambda: child([sys.executable, "-c", IMPORT_TRANSFORMERS], ROOT),
    }


def ct2_table(results: dict[str, list[dict[str, Any]]], n: int) -> None:
    if any(r["translated"] != n for r in results["stage"]):
        raise SystemExit(f"the stage translated {results['stage'][0]['translated']} of {n}")
    print(f"  {'contender':28} {'sent/s':>7} {'wall s':>7} {'CPU ms/sent':>11} {'peak MiB':>8}")
    for name, rows in results.items():
        wall, cpu = median(rows, "wall"), median(rows, "cpu")
        print(
            f"  {name:28} {n / wall:7.2f} {wall:7.2f} {cpu / n * 1000:11.1f} "
            f"{median(rows, 'peak'):8.0f}"
        )
    stage, direct, imports = results["stage"], results["direct"], results["import transformers"]
    less = [
        {"wall": s["wall"] - i["wall"], "cpu": s["cpu"] - i["cpu"]}
        for s, i in zip(stage, imports, strict=True)
    ]
    speed, cpu = paired_ratio(direct, stage, "wall"), paired_ratio(stage, direct, "cpu")
    speed_less, cpu_less = paired_ratio(direct, less, "wall"), paired_ratio(less, direct, "cpu")
    print(
        f"  stage/direct, round by round: speed {speed:.2f}, CPU {cpu:.2f}, "
        f"peak {paired_ratio(stage, direct, 'peak'):.2f}; less the transformers import: "
        f"speed {speed_less:.2f}, CPU {cpu_less:.2f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("stages", "threads", "ct2", "all"), default="all")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    parser.add_argument("--repeat", type=int, default=10, help="articles: each corpus N times")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model-dir", type=Path, default=Path(tempfile.gettempdir()) / "opus")
    parser.add_argument("--sentences", type=int, default=16)
    parser.add_argument("--tokens", type=int, default=16)
    parser.add_argument("--stage", action="store_true", help="also the translate stage")
    parser.add_argument("--beam", type=int, default=4, help="ct2: beams")
    parser.add_argument("--ct2-sentences", default="200,2000", help="ct2: input sizes")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, {len(os.sched_getaffinity(0))} available to this process")
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} (a shared machine)")
    if args.part in ("stages", "all"):
        stages_part(args)
    if args.part in ("threads", "all"):
        threads_part(args)
    if args.part in ("ct2", "all"):
        ct2_part(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
