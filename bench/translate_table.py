"""The translate table: the stage against what a user would otherwise write, as whole commands.

Every contender is one child process, timed from its start to its exit (imports, model
loading, reading and writing included) with user + system CPU and peak resident memory from
``os.wait4`` (``bench.whole_command.child``). Contenders run in interleaved rounds, so a
shared machine's drift hits them alike; figures are medians of ``--rounds``, and each ratio is
taken round by round before its median. The same sentences (WMT23 zh and IWSLT15 vi lines of
../shared/data, mixed half and half), the OPUS-MT-shaped random model
(``tests/support/tiny_marian.py --size opus``: 77.9 M parameters, hub layout, real
sentencepiece models) and a forced output length (``--tokens`` new tokens: ``tokens - 1``
words and ``</s>``) for all:

- ``naive``: transformers ``generate`` on one sentence at a time, torch's thread defaults;
- ``batched``: ``generate`` on length-sorted batches of 32, torch's thread defaults;
- ``direct``: a CTranslate2 script as its documentation writes one for OPUS-MT (sentencepiece
  pieces in, ``translate_batch`` on all of them, pieces decoded), with its best settings on 2
  cores (2 batches in parallel x 1 thread, ``max_batch_size`` 32 examples, int8);
- ``torch`` / ``ct2``: ``python -m pipeline translate`` on the sentences as segments, fresh cache;
- ``cached torch`` / ``cached ct2``: the same command with a new run directory and the
  previous run's cache, which holds every translation (a fully cached rerun).

The ``in-proc`` column is the contender's own time for the work alone (the generation loop of a
script; the translate stage's seconds in its manifest, model loading included, since the stage
loads models only once there is something to translate). ``--busy N`` keeps N spinning
processes running through the rounds, a machine other programs are using too.

Usage::

    python -m bench.translate_table [--sizes 200,2000] [--beams 1,4,6] [--tokens 16]
        [--rounds 2] [--contenders naive,batched,direct,torch,ct2,cached]
        [--torch-sizes 200] [--naive-sizes 200] [--busy 0] [--work /tmp/ptable]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.ct2_bench import sentences
from bench.whole_command import ROOT, child, median, paired_ratio, rounds
from pipeline.io.atomic import atomic_write_text
from pipeline.io.files import read_json

# transformers' generate, naive (one sentence a call) or batched (32, length-sorted).
GENERATE = r"""
import json, sys, time
mode, model_dir, texts, beam, tokens, out = sys.argv[1:7]
beam, tokens = int(beam), int(tokens)
import torch
from transformers import MarianMTModel, MarianTokenizer
tok = MarianTokenizer.from_pretrained(model_dir)
model = MarianMTModel.from_pretrained(model_dir).eval()
lines = open(texts, encoding="utf-8").read().splitlines()
size = 1 if mode == "naive" else 32
order = sorted(range(len(lines)), key=lambda i: len(tok(lines[i]).input_ids))
done = [""] * len(lines)
started = time.perf_counter()
with torch.inference_mode():
    for k in range(0, len(order), size):
        ids = order[k:k + size]
        batch = tok([lines[i] for i in ids], return_tensors="pt", padding=True)
        gen = model.generate(**batch, num_beams=beam, do_sample=False,
                             max_new_tokens=tokens, min_new_tokens=tokens)
        for i, text in zip(ids, tok.batch_decode(gen, skip_special_tokens=True)):
            done[i] = text
work = time.perf_counter() - started
open(out, "w", encoding="utf-8").write("\n".join(done) + "\n")
print(json.dumps({"work": work}))
"""

# CTranslate2 as its documentation runs an OPUS-MT model: sentencepiece in and out.
DIRECT = r"""
import json, sys, time
model_dir, converted, texts, beam, tokens, out = sys.argv[1:7]
import ctranslate2, sentencepiece as spm
source = spm.SentencePieceProcessor(model_file=model_dir + "/source.spm")
target = spm.SentencePieceProcessor(model_file=model_dir + "/target.spm")
tr = ctranslate2.Translator(converted, device="cpu", inter_threads=2, intra_threads=1)
lines = open(texts, encoding="utf-8").read().splitlines()
started = time.perf_counter()
pieces = [source.encode(t, out_type=str) + ["</s>"] for t in lines]
words = int(tokens) - 1  # and </s>: the stage's forced end counts in its new tokens
results = tr.translate_batch(pieces, beam_size=int(beam), max_batch_size=32,
                             batch_type="examples", max_decoding_length=words,
                             min_decoding_length=words)
done = [target.decode(r.hypotheses[0]) for r in results]
work = time.perf_counter() - started
open(out, "w", encoding="utf-8").write("\n".join(done) + "\n")
print(json.dumps({"work": work}))
"""


def prepare(work: Path) -> Path:
    """The OPUS-shaped model and its int8 conversion, built once into ``work``."""
    from pipeline.mt.ct2_convert import convert_models
    from tests.support.tiny_marian import build_tiny_marian

    snap = work / "opus"
    if not (snap / "config.json").is_file():
        build_tiny_marian(snap, seed=0, size="opus", pair="zh-en")
    for lang, message in convert_models(work, [f"vi={snap}", f"zh={snap}"], ["vi"], "int8"):
        print(f"# {lang}: {message}", file=sys.stderr)
    return snap


PREPARE = "import sys; from pathlib import Path; from bench.translate_table import prepare; "
PREPARE += "prepare(Path(sys.argv[1]))"


def write_inputs(folder: Path, n: int) -> tuple[Path, Path]:
    """The sentences as a text file (scripts) and as segments (the stage)."""
    from pipeline.io.jsonl import write_records
    from pipeline.records import Segment

    pairs = sentences(n)
    texts, segments = folder / f"sentences-{n}.txt", folder / f"segments-{n}.jsonl"
    atomic_write_text(texts, "\n".join(t for _, t in pairs) + "\n")
    rows = [
        Segment(f"d{i // 20}", f"d{i // 20}:{i}", i, 0, "body", lang, 1.0, text)
        for i, (lang, text) in enumerate(pairs)
    ]
    write_records(segments, rows)
    return texts, segments


class Contenders:
    """The commands of one size and beam; each call runs one contender once."""

    def __init__(self, args: argparse.Namespace, snap: Path, n: int, beam: int) -> None:
        self.args, self.snap, self.n, self.beam = args, snap, n, beam
        self.tmp = Path(tempfile.mkdtemp(prefix="parallax-table-"))
        self.texts, self.segments = write_inputs(self.tmp, n)
        self.caches: dict[str, Path] = {}

    def script(self, source: str, *argv: str) -> dict[str, Any]:
        out = self.tmp / "out.txt"
        result = child([sys.executable, "-c", source, *argv, str(out)], ROOT)
        result.update(json.loads(result.pop("stdout").strip().splitlines()[-1]))
        lines = out.read_text(encoding="utf-8").splitlines()
        if len(lines) != self.n:
            raise SystemExit(f"a script wrote {len(lines)} lines for {self.n} sentences")
        return result

    def generate(self, mode: str) -> dict[str, Any]:
        beam, tokens = str(self.beam), str(self.args.tokens)
        return self.script(GENERATE, mode, str(self.snap), str(self.texts), beam, tokens)

    def direct(self) -> dict[str, Any]:
        converted = str(self.snap.with_name("opus-ct2-int8"))
        argv = (str(self.snap), converted, str(self.texts), str(self.beam), str(self.args.tokens))
        return self.script(DIRECT, *argv)

    def stage(self, backend: str, cached: bool = False) -> dict[str, Any]:
        """The translate command; ``cached``: a new run directory, the last run's cache."""
        out = Path(tempfile.mkdtemp(dir=self.tmp))
        cache = self.caches.get(backend) if cached else out / "cache.sqlite"
        if cache is None:
            raise SystemExit(f"cached {backend}: run the {backend} contender first")
        cmd = [sys.executable, "-m", "pipeline", "-q", "translate", "--input", str(self.segments)]
        cmd += ["--out", str(out), "--models-dir", str(self.snap.parent), "--cache", str(cache)]
        cmd += ["--model", f"vi={self.snap}", "--model", f"zh={self.snap}"]
        cmd += ["--backend", backend, "--device", "cpu", "--beam-size", str(self.beam)]
        tokens = str(self.args.tokens)
        cmd += ["--max-new-tokens", tokens, "--min-new-tokens", tokens]
        cmd += ["--no-repeat-ngram-size", "0"]
        result = child(cmd, ROOT)
        stage = read_json(out / "manifest.json")["stages"]["translate"]
        counts = stage["counts"]
        done = counts.get("translated", 0)
        if done != self.n or (cached and counts.get("model_texts", 0)):
            raise SystemExit(f"{backend} stage: {counts} for {self.n} sentences (cached={cached})")
        result["work"] = stage["seconds"]
        if not cached:
            self.caches[backend] = cache
        return result

    def table(self, names: list[str]) -> dict[str, Callable[[], dict[str, Any]]]:
        every: dict[str, Callable[[], dict[str, Any]]] = {
            "naive generate": lambda: self.generate("naive"),
            "batched generate": lambda: self.generate("batched"),
            "direct ct2": self.direct,
            "stage torch": lambda: self.stage("torch"),
            "stage ct2": lambda: self.stage("ct2"),
            "cached torch": lambda: self.stage("torch", cached=True),
            "cached ct2": lambda: self.stage("ct2", cached=True),
        }
        return {k: v for k, v in every.items() if k in names}


def chosen(args: argparse.Namespace, n: int) -> list[str]:
    """The contenders of this size (torch ones only at ``--torch-sizes``)."""
    picked = set(args.contenders.split(","))
    names = []
    if "naive" in picked and n in args.naive_sizes:
        names.append("naive generate")
    if "batched" in picked and n in args.torch_sizes:
        names.append("batched generate")
    if "direct" in picked:
        names.append("direct ct2")
    if "torch" in picked and n in args.torch_sizes:
        names.append("stage torch")
    if "ct2" in picked:
        names.append("stage ct2")
    if "cached" in picked:
        names += [f"cached {b}" for b in ("torch", "ct2") if f"stage {b}" in names]
    return names


def print_table(n: int, beam: int, results: dict[str, list[dict[str, Any]]]) -> None:
    """One size and beam: figures per contender and paired ratios of sentences/s."""
    print(f"\n{n} sentences, beam {beam}: medians of {len(next(iter(results.values())))} rounds")
    head = f"  {'contender':17} {'wall s':>7} {'sent/s':>7} {'CPU ms/sent':>11} {'peak MiB':>8}"
    print(f"{head} {'in-proc sent/s':>14} {'vs direct':>9} {'vs batched':>10}")
    for row in (row for rows in results.values() for row in rows):
        row["rate"] = n / row["wall"]
        row["cpu_per"] = 1000 * row["cpu"] / n
    for name, rows in results.items():
        inproc = n / median(rows, "work") if median(rows, "work") else float("nan")
        ratios = [
            f"{paired_ratio(rows, results[ref], 'rate'):.2f}" if ref in results else "-"
            for ref in ("direct ct2", "batched generate")
        ]
        print(
            f"  {name:17} {median(rows, 'wall'):7.2f} {median(rows, 'rate'):7.2f} "
            f"{median(rows, 'cpu_per'):11.1f} {median(rows, 'peak'):8.0f} {inproc:14.2f} "
            f"{ratios[0]:>9} {ratios[1]:>10}"
        )


@contextmanager
def busy(n: int) -> Iterator[None]:
    """N processes spinning on the CPU for the duration (a machine in use)."""
    spin = [sys.executable, "-c", "while True: pass"]
    procs = [subprocess.Popen(spin) for _ in range(n)]
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def _own_peak() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _sizes(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_sizes, default=[200, 2000])
    parser.add_argument("--beams", type=_sizes, default=[1, 4, 6])
    parser.add_argument("--tokens", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--contenders", default="naive,batched,direct,torch,ct2,cached")
    parser.add_argument("--torch-sizes", type=_sizes, default=[200], help="sizes torch runs at")
    parser.add_argument("--naive-sizes", type=_sizes, default=[200], help="sizes naive runs at")
    parser.add_argument("--busy", type=int, default=0, help="spinning processes alongside")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "ptable")
    args = parser.parse_args()
    snap = args.work / "opus"
    # in a child: a peak resident size survives fork and exec, so a parent that loaded the
    # model would lend its peak to every contender's figure
    subprocess.run([sys.executable, "-c", PREPARE, str(args.work)], cwd=ROOT, check=True)
    print(f"{os.cpu_count()} CPUs, {len(os.sched_getaffinity(0))} available to this process")
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}; busy: {args.busy}")
    print(f"{args.tokens} forced new tokens; OPUS-shaped random model {snap}")
    print(f"this process's peak resident memory {_own_peak():.0f} MiB (the floor of every peak)")
    with busy(args.busy):
        for n in args.sizes:
            for beam in args.beams:
                contenders = Contenders(args, snap, n, beam)
                try:
                    results = rounds(contenders.table(chosen(args, n)), args.rounds)
                finally:
                    shutil.rmtree(contenders.tmp, ignore_errors=True)
                print_table(n, beam, results)
                sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
