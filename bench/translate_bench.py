"""Throughput of the translate stage against plain ``generate`` loops (a script, not a test).

Builds an OPUS-MT-shaped MarianMT model with random weights (tests/support/tiny_marian.py,
``--size opus``: d_model 512, 6+6 layers, 8 heads, FFN 2048, 65,001 vocabulary rows),
forces every output to exactly ``--tokens`` new tokens (min_new_tokens = max_new_tokens,
so every contender does the same work), and times, on WMT23 zh + IWSLT15 vi sentences:

- naive: ``generate`` one sentence at a time (on a subset),
- batched: sorted by length, ``generate`` on batches of ``--batch-size`` directly,
- stage: the translate stage end to end (segments.jsonl -> translations.jsonl, fresh cache),

each at every ``--beams``, plus the stage at other batch sizes / token budgets (``--sweep``).
Each measurement runs in its own subprocess, so its peak memory (ru_maxrss, the peak resident
set of that process, model included) is its own.

Usage: ``python -m bench.translate_bench [--quick]``. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
WMT = DATA / "wmt23-zh-en" / "generaltest2023.zh-en.src.zh"
IWSLT = DATA / "iwslt15-en-vi" / "tst2013.vi"


def sentences(n: int) -> list[str]:
    """Half WMT23 Chinese, half IWSLT15 Vietnamese (detokenized quotes), short lines skipped."""
    zh = [s.strip() for s in WMT.read_text(encoding="utf-8").splitlines() if len(s.strip()) > 5]
    vi = [
        s.strip().lstrip("\ufeff").replace("&quot;", '"').replace("&apos;", "'")
        for s in IWSLT.read_text(encoding="utf-8").splitlines()
        if len(s.split()) > 3
    ]
    half = n // 2
    return [s for pair in zip(zh[:half], vi[: n - half], strict=False) for s in pair][:n]


def build_model(folder: Path, tokens: int) -> Path:
    """The OPUS-shaped model, with min/max new tokens fixed in its generation config."""
    from tests.support.tiny_marian import build_tiny_marian

    if not (folder / "model.safetensors").is_file():
        build_tiny_marian(folder, seed=0, size="opus", pair="zh-en")
    config = json.loads((folder / "generation_config.json").read_text(encoding="utf-8"))
    config.update(min_new_tokens=tokens, max_new_tokens=tokens)
    (folder / "generation_config.json").write_text(json.dumps(config), encoding="utf-8")
    return folder


def _generate_kwargs(beam: int, tokens: int) -> dict[str, object]:
    # the same settings the stage uses by default (no_repeat_ngram_size 6)
    return {
        "num_beams": beam,
        "max_new_tokens": tokens,
        "min_new_tokens": tokens,
        "no_repeat_ngram_size": 6,
        "do_sample": False,
    }


def run_direct(model_dir: Path, texts: list[str], beam: int, tokens: int, batch: int) -> float:
    """``generate`` called directly, on batches of ``batch`` sorted by length; seconds."""
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    tok = MarianTokenizer.from_pretrained(model_dir)
    model = MarianMTModel.from_pretrained(model_dir).eval()
    order = sorted(texts, key=len, reverse=True) if batch > 1 else texts
    start = time.perf_counter()
    with torch.inference_mode():
        for i in range(0, len(order), batch):
            enc = tok(order[i : i + batch], return_tensors="pt", padding=True)
            out = model.generate(**enc, **_generate_kwargs(beam, tokens))
            tok.batch_decode(out, skip_special_tokens=True)
    return time.perf_counter() - start


def run_stage(
    model_dir: Path, texts: list[str], beam: int, tokens: int, batch: int, budget: int
) -> float:
    """The translate stage end to end on a fresh run directory; seconds."""
    from pipeline.io.jsonl import write_records
    from pipeline.records import Segment
    from pipeline.translate import Config, run

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        segs = [Segment("d", f"d:{i}", i, 0, "body", "vi", 1.0, t) for i, t in enumerate(texts)]
        write_records(out / "segments.jsonl", segs)
        config = Config(
            out=out,
            model=(f"vi={model_dir}",),
            beam_size=beam,
            max_new_tokens=tokens,
            batch_size=batch,
            batch_tokens=budget,
            device="cpu",
        )
        start = time.perf_counter()
        result = run(config)
        seconds = time.perf_counter() - start
        if result.counts.get("translated") != len(texts):
            raise SystemExit(f"stage translated {result.counts} of {len(texts)}")
    return seconds


def child(args: argparse.Namespace) -> None:
    """Run one measurement and print it as JSON (in a subprocess)."""
    import torch

    torch.set_num_threads(args.threads)
    texts = sentences(args.n)
    model_dir = Path(args.model_dir)
    if args.one == "stage":
        secs = run_stage(
            model_dir, texts, args.beam, args.tokens, args.batch_size, args.batch_tokens
        )
    else:
        size = 1 if args.one == "naive" else args.batch_size
        secs = run_direct(model_dir, texts, args.beam, args.tokens, size)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": secs, "n": len(texts), "peak_mb": peak_mb}))


def measure(
    args: argparse.Namespace, one: str, beam: int, n: int, batch: int, budget: int
) -> dict[str, float]:
    cmd = [
        sys.executable,
        "-m",
        "bench.translate_bench",
        "--one",
        one,
        "--beam",
        str(beam),
        "--n",
        str(n),
        "--batch-size",
        str(batch),
        "--batch-tokens",
        str(budget),
        "--tokens",
        str(args.tokens),
        "--threads",
        str(args.threads),
        "--model-dir",
        str(args.model_dir),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    result["sps"] = result["n"] / result["seconds"]
    result["tps"] = result["sps"] * args.tokens
    print(
        f"  {one:7} beam {beam} batch {batch:3} budget {budget:5}: {result['sps']:.2f} sent/s",
        file=sys.stderr,
    )
    return result


def paired(args: argparse.Namespace) -> None:
    """Batched generate and the stage alternately in one process (fairer on a noisy machine)."""
    import torch

    torch.set_num_threads(args.threads)
    build_model(args.model_dir, args.tokens)
    texts = sentences(args.n)
    print(
        f"paired, threads {args.threads}, beam {args.beam}, n={len(texts)}, "
        f"{args.tokens} new tokens each, batch {args.batch_size}, budget {args.batch_tokens}"
    )
    for round_ in range(args.paired):
        b = run_direct(args.model_dir, texts, args.beam, args.tokens, args.batch_size)
        s = run_stage(
            args.model_dir, texts, args.beam, args.tokens, args.batch_size, args.batch_tokens
        )
        print(
            f"round {round_ + 1}: batched {len(texts) / b:.2f} sent/s, "
            f"stage {len(texts) / s:.2f} sent/s, stage/batched {b / s:.2f}",
            flush=True,
        )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="40 sentences, 8 naive, no sweep (overrides --n)"
    )
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--naive-n", type=int, default=30)
    parser.add_argument("--beams", default="1,6")  # greedy, and OPUS-MT's own 6 beams
    parser.add_argument("--tokens", type=int, default=32, help="new tokens per sentence")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--batch-tokens", type=int, default=4096)
    parser.add_argument(
        "--sweep",
        default="16:4096,64:4096,32:2048,64:8192",
        help="extra stage runs at beam 4, SIZE:BUDGET,...",
    )
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--model-dir", type=Path, default=ROOT / "bench-out" / "opus-random")
    parser.add_argument("--one", choices=["naive", "batched", "stage"], help=argparse.SUPPRESS)
    parser.add_argument("--beam", type=int, default=4, help="beam of --paired")
    parser.add_argument(
        "--paired",
        type=int,
        default=0,
        metavar="ROUNDS",
        help="only alternate batched generate and the stage, ROUNDS times",
    )
    return parser


def main() -> None:
    """Run every measurement (or one, in a child process) and print the table."""
    args = _parser().parse_args()
    if args.paired:
        paired(args)
        return
    if args.one:
        child(args)
        return
    if args.quick:
        args.n, args.naive_n, args.sweep = 40, 8, ""
    build_model(args.model_dir, args.tokens)
    rows = []
    for beam in (int(b) for b in args.beams.split(",")):
        naive = measure(args, "naive", beam, args.naive_n, 1, args.batch_tokens)
        batched = measure(args, "batched", beam, args.n, args.batch_size, args.batch_tokens)
        stage = measure(args, "stage", beam, args.n, args.batch_size, args.batch_tokens)
        rows.append((beam, naive, batched, stage))
    print(
        f"threads {args.threads}, {args.tokens} new tokens per sentence, n={args.n} "
        f"(naive n={args.naive_n}); peak = ru_maxrss of the measuring process\n"
    )
    print("| beam | contender | sent/s | tokens/s | peak RSS MB | stage/naive | stage/batched |")
    print("|---|---|---|---|---|---|---|")
    for beam, naive, batched, stage in rows:
        for name, r in (("naive loop", naive), ("batched generate", batched), ("stage", stage)):
            extra = (
                f"{stage['sps'] / naive['sps']:.1f}x | {stage['sps'] / batched['sps']:.2f}x"
                if name == "stage"
                else " | "
            )
            print(
                f"| {beam} | {name} | {r['sps']:.2f} | {r['tps']:.0f} | {r['peak_mb']:.0f} "
                f"| {extra} |"
            )
    for spec in filter(None, args.sweep.split(",")):
        size, budget = (int(x) for x in spec.split(":"))
        r = measure(args, "stage", 4, args.n, size, budget)
        print(
            f"| 4 | stage batch {size} budget {budget} | {r['sps']:.2f} | {r['tps']:.0f} "
            f"| {r['peak_mb']:.0f} | | |"
        )


if __name__ == "__main__":
    main()
