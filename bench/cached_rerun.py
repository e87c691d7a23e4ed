"""A fully cached rerun of the translate stage, as a whole command, this checkout against another.

"Fully cached" means what a user meets after an interrupted or repeated run: ``python -m
pipeline translate`` on the same segments with the same ``--cache``, into a fresh ``--out``, so
every translation is a cache hit and the stage has nothing for a model to do. The cache is
filled once, by ``--baseline`` when given (so the rerun of this checkout also shows that a
cache written before it still hits), with the OPUS-MT-shaped random model of
``tests/support/tiny_marian.py`` (77.9 M parameters, built into ``--model-dir`` once, and its
int8 CTranslate2 conversion) serving Vietnamese and Chinese, greedy with 16 new tokens (the
settings only shape the cache keys here; the reruns translate nothing).

Each contender (backend x checkout) runs in interleaved rounds (``bench.whole_command.rounds``);
figures are one child process's wall seconds, CPU seconds and peak RSS, medians of
``--rounds``, and ratios are taken round by round. Every rerun is checked to have translated
every segment with no text sent to a model (the manifest's counts). ``--first`` adds ct2 runs
on an empty cache (what the ct2 path saves by importing neither torch nor transformers).

Usage:
    python -m bench.cached_rerun [--baseline ../main] [--sentences 200] [--rounds 3]
        [--model-dir /tmp/opus-model] [--first]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bench.whole_command import child, median, paired_ratio, rounds, sentences
from pipeline.io.files import read_json

ROOT = Path(__file__).resolve().parents[1]
BACKENDS = ("ct2", "torch")
FIGURES = ("wall", "cpu", "peak")


def prepare(models: Path) -> Path:
    """The OPUS-shaped snapshot and its int8 conversion in ``models``, built once."""
    from pipeline.mt.ct2_convert import convert_models
    from tests.support.tiny_marian import build_tiny_marian

    snap = models / "opus-mt-vi-en"
    if not (snap / "pytorch_model.bin").is_file():
        build_tiny_marian(snap, seed=0, size="opus", pair="vi-en")
    for lang, message in convert_models(models, [f"vi={snap}"], ["vi"], "int8"):
        print(f"# {lang} int8: {message}", file=sys.stderr)
    return snap


def write_segments(path: Path, texts: list[str]) -> None:
    from pipeline.io.jsonl import write_records
    from pipeline.records import Segment

    rows = [
        Segment("d", f"s{i}", i, 0, "body", "zh" if i % 2 == 0 else "vi", 1.0, t)
        for i, t in enumerate(texts)
    ]
    write_records(path, rows)


def translate(
    checkout: Path, backend: str, args: argparse.Namespace, work: Path, cache: str = ""
) -> dict[str, Any]:
    """One ``translate`` command into a fresh folder on the shared cache; its figures and counts."""
    out = Path(tempfile.mkdtemp(dir=work))
    cache = cache or str(work / f"cache-{backend}.sqlite")
    shutil.copy(work / "segments.jsonl", out / "segments.jsonl")
    snap = args.model_dir / "opus-mt-vi-en"
    cmd = [sys.executable, "-m", "pipeline", "-q", "translate", "--out", str(out)]
    cmd += ["--cache", cache, "--models-dir", str(args.model_dir)]
    cmd += ["--model", f"vi={snap}", "--model", f"zh={snap}", "--backend", backend]
    cmd += ["--quantization", "int8", "--device", "cpu", "--beam-size", "1"]
    cmd += ["--max-new-tokens", "16"]
    result = child(cmd, checkout)
    result["counts"] = read_json(out / "manifest.json")["stages"]["translate"]["counts"]
    shutil.rmtree(out)
    return result


def rerun(checkout: Path, backend: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """A rerun that must find every translation in the cache."""
    result = translate(checkout, backend, args, work)
    counts = result["counts"]
    if counts.get("translated") != args.sentences or counts.get("model_texts", 0):
        raise SystemExit(f"{checkout} {backend}: not a fully cached rerun: {counts}")
    return result


def first_run(checkout: Path, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """A ct2 run on an empty cache: every segment translated (``--first``)."""
    cache = Path(tempfile.mkdtemp(dir=work)) / "cache.sqlite"
    result = translate(checkout, "ct2", args, work, str(cache))
    shutil.rmtree(cache.parent)
    if result["counts"].get("translated") != args.sentences or result["counts"].get("cached"):
        raise SystemExit(f"{checkout}: not a first run: {result['counts']}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    parser.add_argument("--sentences", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model-dir", type=Path, default=Path("/tmp/opus-model"))
    parser.add_argument("--first", action="store_true", help="also ct2 runs on an empty cache")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, {len(os.sched_getaffinity(0))} available to this process")
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} (a shared machine)")
    # in a child: loading the model to convert it would otherwise stay in this process's
    # peak RSS, which Linux hands down to every child it starts (ru_maxrss survives exec)
    code = "import sys; from pathlib import Path; from bench.cached_rerun import prepare; "
    code += "prepare(Path(sys.argv[1]))"
    subprocess.run([sys.executable, "-c", code, str(args.model_dir)], cwd=ROOT, check=True)
    checkouts = {"this": ROOT}
    if args.baseline is not None:
        checkouts["baseline"] = args.baseline.resolve()
    filler = checkouts.get("baseline", ROOT)
    with tempfile.TemporaryDirectory(prefix="parallax-cached-") as tmp:
        work = Path(tmp)
        write_segments(work / "segments.jsonl", sentences(args.data, args.sentences))
        for backend in BACKENDS:
            filled = translate(filler, backend, args, work)
            print(f"cache filled by {filler} ({backend}): {filled['counts']}", flush=True)
        contenders: dict[str, Callable[[], dict[str, Any]]] = {
            f"{backend} {name}": partial(rerun, c, backend, args, work)
            for backend in BACKENDS
            for name, c in checkouts.items()
        }
        if args.first:
            for name, c in checkouts.items():
                contenders[f"ct2 first {name}"] = partial(first_run, c, args, work)
        results = rounds(contenders, args.rounds)
    print(f"\ntranslate, {args.sentences} segments (zh + vi); cached unless 'first'; medians:")
    print(f"  {'contender':20} {'wall s':>7} {'CPU s':>7} {'peak MiB':>9}")
    for name, rows in results.items():
        wall, cpu, peak = (median(rows, k) for k in FIGURES)
        print(f"  {name:20} {wall:7.2f} {cpu:7.2f} {peak:9.0f}")
    if "baseline" in checkouts:
        print("  this / baseline, paired by round:")
        for backend in BACKENDS + (("ct2 first",) if args.first else ()):
            this, base = results[f"{backend} this"], results[f"{backend} baseline"]
            ratios = " ".join(f"{k} {paired_ratio(this, base, k):.2f}" for k in FIGURES)
            print(f"    {backend:9} {ratios}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
