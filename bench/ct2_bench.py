"""Translation speed: naive and batched torch ``generate``, CTranslate2, and our stage.

One run prints, for an OPUS-MT-shaped random MarianMT (d_model 512, 6+6 layers,
8 heads, FFN 2048, 65,001 vocabulary rows; ``tests/support/tiny_marian.py --size opus``),
the same sentences (WMT23 zh + IWSLT15 vi lines from ../shared/data) and a
forced output length (min = max new tokens), at each beam size:

  (a) naive: ``generate`` on one sentence at a time (on a subset);
  (b) batched ``generate``: length-sorted batches of 32, called directly;
  (c) ``ctranslate2.Translator.translate_batch`` called directly on pre-tokenized
      input, all sentences in one call (the engine's ceiling);
  (d) our translate stage with the torch backend;
  (e) our translate stage with the ct2 backend.

Each contender runs in its own process (so its peak memory is its own), after
its model is loaded and warmed up on a few sentences; the stage contenders time
the stage's loop (cache lookups, deduplication, splitting, batching, decoding,
quality flags, JSONL writing) with the model loaded, as ``parallax translate``
runs it. ``--explore`` first times CTranslate2 settings on a subset and picks the
fastest for (c) and (e).

Usage::

    python -m bench.ct2_bench [--sentences 300] [--naive 20] [--new-tokens 32] \\
        [--beams 1,6] [--explore] [--work /tmp/parallax-bench]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

DATA = ROOT.parent / "shared" / "data"  # --data: elsewhere
ZH = Path("wmt23-zh-en") / "generaltest2023.zh-en.src.zh"
VI = Path("iwslt15-en-vi") / "tst2013.vi"


def sentences(n: int, data: Path = DATA) -> list[tuple[str, str]]:
    """Half WMT23 zh, half IWSLT15 vi lines, (lang, text), non-empty and under 300 chars."""

    def lines(path: Path, k: int) -> list[str]:
        rows = [ln.strip() for ln in (data / path).read_text(encoding="utf-8").splitlines()]
        return [r for r in rows if 0 < len(r) < 300][:k]

    zh, vi = lines(ZH, n // 2), lines(VI, n - n // 2)
    mixed = [("zh", t) for t in zh] + [("vi", t) for t in vi]
    return mixed


def prepare(work: Path) -> Path:
    """Build the OPUS-MT-shaped model once and convert it (float32, int8).

    A copy of it (``opus-mt-bench-zh``, int8) stands for the zh model, so that a mixed
    input loads two models as real runs do.
    """
    from pipeline.mt.ct2_convert import convert_models
    from tests.support.tiny_marian import build_tiny_marian

    snap = work / "opus-mt-bench"
    if not any((snap / name).is_file() for name in ("model.safetensors", "pytorch_model.bin")):
        build_tiny_marian(snap, seed=0, size="opus", pair="zh-en")
    second = _second(snap)
    if not second.is_dir():
        shutil.copytree(snap, second)
    for q, lang, folder in (("float32", "vi", snap), ("int8", "vi", snap), ("int8", "zh", second)):
        for done, message in convert_models(work, [f"{lang}={folder}"], [lang], q):
            print(f"# {done} {q}: {message}", file=sys.stderr)
    return snap


def _second(snap: Path) -> Path:
    return snap.with_name(f"{snap.name}-zh")


# ---------------------------------------------------------------- contenders (child process)


def _torch(snap: Path) -> tuple[Any, Any]:
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    torch.manual_seed(0)
    return MarianTokenizer.from_pretrained(snap), MarianMTModel.from_pretrained(snap).eval()


def _generate(tok: Any, model: Any, texts: list[str], beam: int, new: int) -> int:
    import torch

    batch = tok(texts, return_tensors="pt", padding=True)
    with torch.inference_mode():
        out = model.generate(
            **batch, num_beams=beam, do_sample=False, max_new_tokens=new, min_new_tokens=new
        )
    tok.batch_decode(out, skip_special_tokens=True)
    return int((out[:, 1:] != model.config.pad_token_id).sum())


def naive(snap: Path, texts: list[str], beam: int, new: int, **_: Any) -> dict[str, Any]:
    """(a) one sentence per generate call."""
    tok, model = _torch(snap)
    _generate(tok, model, texts[:2], beam, new)
    start = time.perf_counter()
    tokens = sum(_generate(tok, model, [t], beam, new) for t in texts)
    return {"seconds": time.perf_counter() - start, "tokens": tokens}


def batched(
    snap: Path, texts: list[str], beam: int, new: int, batch: int = 32, **_: Any
) -> dict[str, Any]:
    """(b) length-sorted batches of ``batch`` sentences per generate call."""
    tok, model = _torch(snap)
    _generate(tok, model, texts[:4], beam, new)
    order = sorted(texts, key=lambda t: len(tok(t).input_ids))
    start = time.perf_counter()
    tokens = sum(
        _generate(tok, model, order[i : i + batch], beam, new) for i in range(0, len(order), batch)
    )
    return {"seconds": time.perf_counter() - start, "tokens": tokens}


def direct(
    snap: Path,
    texts: list[str],
    beam: int,
    new: int,
    quantization: str = "int8",
    intra: int = 2,
    inter: int = 1,
    max_batch: int = 1024,
    batch_type: str = "tokens",
    **_: Any,
) -> dict[str, Any]:
    """(c) ctranslate2.Translator.translate_batch on pre-tokenized input, one call."""
    import ctranslate2
    from transformers import MarianTokenizer

    tok = MarianTokenizer.from_pretrained(snap)
    conv = snap.with_name(f"{snap.name}-ct2-{quantization}")
    tr = ctranslate2.Translator(str(conv), device="cpu", intra_threads=intra, inter_threads=inter)
    source = [tok.convert_ids_to_tokens(ids) for ids in tok(texts).input_ids]
    kw = {
        "beam_size": beam,
        "max_decoding_length": new,
        "min_decoding_length": new,
        "max_batch_size": max_batch,
        "batch_type": batch_type,
    }
    tr.translate_batch(source[:4], **kw)
    ready = _rss_mib()
    start = time.perf_counter()
    results = tr.translate_batch(source, **kw)
    seconds = time.perf_counter() - start
    tokens = sum(len(r.hypotheses[0]) for r in results)
    return {"seconds": seconds, "tokens": tokens, "ready_mib": ready}


def stage(
    snap: Path,
    texts: list[str],
    beam: int,
    new: int,
    backend: str = "torch",
    quantization: str = "int8",
    intra: int = 0,
    inter: int = 1,
    langs: list[str] | None = None,
    batch_size: int = 32,
    two_models: bool = False,
    at_once: int | None = None,
    tokens_per_call: int = 0,
    max_batch: int = 0,
    batch_type: str = "",
    **_: Any,
) -> dict[str, Any]:
    """(d)/(e) the translate stage's loop, model loaded, fresh cache and output.

    ``two_models``: zh gets its own model (a copy); ``at_once``: languages translated at
    once (None: the engine's default); ``tokens_per_call``, ``max_batch``, ``batch_type``:
    the ct2 options (0 or empty: their defaults).
    """
    from pipeline.io.jsonl import ResumableJsonlWriter, read_records, write_records
    from pipeline.mt.cache import TranslationCache
    from pipeline.records import Segment
    from pipeline.translate import Config, Translating, translate_segments

    out = snap.parent / f"stage-{backend}-{beam}-{os.getpid()}"
    shutil.rmtree(out, ignore_errors=True)
    langs = langs or ["vi"] * len(texts)
    segs = [
        Segment("b", f"b:{i}", i, i, "body", lg, 0.9, t)
        for i, (lg, t) in enumerate(zip(langs, texts, strict=True))
    ]
    write_records(out / "segments.jsonl", segs)
    config = Config(
        out=out,
        model=(f"vi={snap}", f"zh={_second(snap) if two_models else snap}"),
        models_dir=snap.parent,
        device="cpu",
        beam_size=beam,
        # CTranslate2 leaves the forced </s> out of its length (decoding_options): one more,
        # so it decodes ``new`` words as the direct script does
        max_new_tokens=new + (backend == "ct2"),
        min_new_tokens=new + (backend == "ct2"),
        no_repeat_ngram_size=0,
        batch_size=batch_size,
        backend=backend,
        quantization=quantization,
        intra_threads=intra,
        inter_threads=inter,
    )
    with TranslationCache(out / "cache.sqlite") as cache:
        engine = Translating(
            config.engine(), cache, _factory(config, tokens_per_call, max_batch, batch_type)
        )
        engine.languages_at_once = at_once
        for lang in sorted(set(langs)):  # load and warm up every model before timing
            translator = engine.translator(lang)
            assert not isinstance(translator, str), translator
            translator.translate_batch(texts[:2])
        ready = _rss_mib()
        start = time.perf_counter()
        with ResumableJsonlWriter(out / "translations.jsonl", lambda o: o["seg_id"]) as writer:
            for record in translate_segments(read_records(out / "segments.jsonl", Segment), engine):
                writer.write(record)
            writer.commit()
        seconds = time.perf_counter() - start
    assert engine.counts.get("translated") == len(texts), engine.counts
    digest = hashlib.sha256((out / "translations.jsonl").read_bytes()).hexdigest()[:12]
    shutil.rmtree(out, ignore_errors=True)
    return {
        "seconds": seconds,
        "tokens": len(texts) * new,
        "backend": translator.backend,
        "output": digest,
        "ready_mib": ready,
    }


def _factory(config: Any, tokens_per_call: int, max_batch: int, batch_type: str) -> Any:
    """The config's translator factory, with the ct2 call and batch options changed."""
    import dataclasses

    from pipeline.mt.backends import backend_factory
    from pipeline.mt.ct2_translator import Ct2Options

    options = Ct2Options(config.quantization, config.intra_threads, config.inter_threads)
    changes = {"tokens_per_call": tokens_per_call, "max_batch_size": max_batch}
    options = dataclasses.replace(
        options,
        **{k: v for k, v in changes.items() if v},
        batch_type=batch_type or options.batch_type,
    )
    return backend_factory(config.backend, config.models_dir, options)


CONTENDERS = {"naive": naive, "batched": batched, "direct": direct, "stage": stage}


def child(spec: dict[str, Any]) -> None:
    """Run one contender and print its figures as one JSON line."""
    if spec["contender"] == "stage":
        from pipeline import threads

        threads.configure()  # as the command line does first: passive OpenMP waiting
    pairs = sentences(spec.pop("sentences"), Path(spec.pop("data", DATA)))[
        : spec.pop("limit", None)
    ]
    spec["langs"] = [lg for lg, _ in pairs] if spec["contender"] == "stage" else None
    texts = [t for _, t in pairs]
    result = CONTENDERS[spec["contender"]](Path(spec.pop("snap")), texts, **spec)
    result["sentences"] = len(texts)
    result["peak_mib"] = _peak_mib()
    print(json.dumps(result))


def _peak_mib() -> float:
    """This process's peak resident memory (VmHWM; ru_maxrss would include the parent's)."""
    return _status_mib("VmHWM:") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mib() -> float:
    """This process's resident memory now (VmRSS), 0 where /proc has no such line."""
    return _status_mib("VmRSS:")


def _status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return 0.0


# ---------------------------------------------------------------- parent


def measure(spec: dict[str, Any]) -> dict[str, Any]:
    """Run a contender in a fresh process; return its figures."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.ct2_bench", "--child", json.dumps(spec)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    output = proc.stdout.read()
    if proc.wait() != 0:
        raise RuntimeError(f"contender {spec} failed (status {proc.returncode})")
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def explore(base: dict[str, Any], beam: int) -> dict[str, Any]:
    """Time CTranslate2 settings on a subset; return the fastest keyword set."""
    variants = [
        {"quantization": "float32", "intra": 2, "inter": 1, "max_batch": 2048},
        {"quantization": "int8", "intra": 2, "inter": 1, "max_batch": 2048},
        {"quantization": "int8", "intra": 1, "inter": 2, "max_batch": 1024},
        {"quantization": "int8", "intra": 2, "inter": 1, "max_batch": 32, "batch_type": "examples"},
    ]
    best: tuple[float, dict[str, Any]] = (0.0, variants[1])
    for variant in variants:
        r = measure({**base, "contender": "direct", "beam": beam, **variant})
        rate = r["sentences"] / r["seconds"]
        print(f"# explore beam {beam} {variant}: {rate:.2f} sent/s", file=sys.stderr)
        best = max(best, (rate, variant), key=lambda x: x[0])
    return best[1]


def table(rows: list[tuple[str, dict[str, Any]]], beam: int) -> None:
    """Print one beam's table and the ratios of (e) to (c), (b), (a)."""
    print(f"\nbeam {beam}")
    print(f"{'contender':44} {'sent':>5} {'sent/s':>8} {'tok/s':>8} {'peak MiB':>9}")
    rates = {}
    for label, r in rows:
        rate = r["sentences"] / r["seconds"]
        rates[label[:3]] = rate
        tps = r["tokens"] / r["seconds"]
        print(f"{label:44} {r['sentences']:5d} {rate:8.2f} {tps:8.0f} {r['peak_mib']:9.0f}")
    e = rates["(e)"]
    print(
        f"(e)/(c) {e / rates['(c)']:.2f}   (e)/(b) {e / rates['(b)']:.2f}   "
        f"(e)/(a) {e / rates['(a)']:.1f}   (d)/(b) {rates['(d)'] / rates['(b)']:.2f}"
    )


def concurrency(base: dict[str, Any], beams: list[int], rounds: int) -> None:
    """Languages in turn against at once, per backend: the stage on vi + zh, two models."""
    stage = {**base, "contender": "stage", "two_models": True}
    torch, ct2 = "torch, in turn", "ct2, in turn (2 x 1 each)"
    variants = {  # name: (the variant it is compared with, its settings)
        torch: (torch, {"backend": "torch", "at_once": 1}),
        "torch, at once (1 thread each)": (torch, {"backend": "torch", "at_once": 2}),
        ct2: (ct2, {"backend": "ct2", "at_once": 1, "intra": 1, "inter": 2}),
        "ct2, at once (2 x 1 each)": (
            ct2,
            {"backend": "ct2", "at_once": 2, "intra": 1, "inter": 2},
        ),
        "ct2, at once (1 x 1 each)": (
            ct2,
            {"backend": "ct2", "at_once": 2, "intra": 1, "inter": 1},
        ),
    }
    for beam in beams:
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in variants}
        for _ in range(rounds):  # interleaved, so a shared machine's drift hits all alike
            for name, (_, variant) in variants.items():
                runs[name].append(measure({**stage, "beam": beam, **variant}))
        print(f"\nbeam {beam}, {base['sentences']} sentences vi + zh; medians of {rounds} rounds")
        print(f"  {'stage':32} {'sent/s':>7} {'vs in turn':>10} {'peak MiB':>9}  output")
        for name, rows in runs.items():
            rate = [r["sentences"] / r["seconds"] for r in rows]
            base_rows = runs[variants[name][0]]
            ratio = statistics.median(
                a / (b["sentences"] / b["seconds"]) for a, b in zip(rate, base_rows, strict=True)
            )
            peak = statistics.median(r["peak_mib"] for r in rows)
            median = statistics.median(rate)
            print(f"  {name:32} {median:7.2f} {ratio:10.2f} {peak:9.0f}  {rows[0]['output']}")


def calls(base: dict[str, Any], beams: list[int], bounds: list[int], rounds: int) -> None:
    """The ct2 stage's call bound (``tokens_per_call``) against the direct script.

    The direct script runs CTranslate2's best settings here (2 batches in parallel x 1
    thread, batches of 32 sentences); the stage runs the same threads and batches with
    calls of each bound. ``ready``: RSS with the model loaded and warmed up; ``growth``:
    peak minus ready, what the work itself took (the stage's ``ready`` still includes
    torch, which transformers imports).
    """
    best = {"intra": 1, "inter": 2, "max_batch": 32, "batch_type": "examples"}
    variants: dict[str, dict[str, Any]] = {"direct 2 x 1, batches of 32": {"contender": "direct"}}
    stage = {"contender": "stage", "backend": "ct2", "at_once": 1}  # one model, as direct
    for bound in bounds:
        variants[f"stage, {bound} tokens per call"] = {**stage, "tokens_per_call": bound}
    variants[f"stage, {bounds[-1]}/call, 1024-token batches"] = {
        **stage,
        "tokens_per_call": bounds[-1],
        "max_batch": 1024,
        "batch_type": "tokens",
    }
    for beam in beams:
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in variants}
        for _ in range(rounds):
            for name, variant in variants.items():
                runs[name].append(measure({**base, **best, "beam": beam, **variant}))
        direct_rows = runs["direct 2 x 1, batches of 32"]
        print(f"\nbeam {beam}, {base['sentences']} sentences vi + zh; medians of {rounds} rounds")
        print(
            f"  {'contender':32} {'sent/s':>7} {'vs direct':>9} {'peak MiB':>9} "
            f"{'ready MiB':>9} {'growth':>7}"
        )
        for name, rows in runs.items():
            rate = statistics.median(r["sentences"] / r["seconds"] for r in rows)
            ratio = statistics.median(
                d["seconds"] / r["seconds"] for r, d in zip(rows, direct_rows, strict=True)
            )
            peak = statistics.median(r["peak_mib"] for r in rows)
            ready = statistics.median(r["ready_mib"] for r in rows)
            print(
                f"  {name:32} {rate:7.2f} {ratio:9.2f} {peak:9.0f} {ready:9.0f} {peak - ready:7.0f}"
            )


def main() -> None:
    """Prepare the model, then run every contender at every beam size."""
    from pipeline import threads
    from pipeline.mt.ct2_translator import _threads

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--sentences", type=int, default=300)
    parser.add_argument("--naive", type=int, default=20, help="sentences for (a)")
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--beams", default="1,6")  # greedy, and OPUS-MT's own 6 beams
    parser.add_argument("--explore", action="store_true", help="pick ct2 settings first")
    parser.add_argument("--work", type=Path, default=Path("/tmp/parallax-bench"))
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder")
    parser.add_argument(
        "--part",
        choices=("table", "concurrency", "calls"),
        default="table",
        help="table: every contender; concurrency: languages in turn or at once; "
        "calls: the ct2 stage's tokens per call against the direct script",
    )
    parser.add_argument("--bounds", default="1024,4096,16384", help="tokens per call (calls)")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds (--part)")
    args = parser.parse_args()
    if args.child:
        child(json.loads(args.child))
        return
    snap = prepare(args.work)
    base = {
        "snap": str(snap),
        "sentences": args.sentences,
        "new": args.new_tokens,
        "data": str(args.data),
    }
    beams = [int(b) for b in args.beams.split(",")]
    if args.part == "concurrency":
        concurrency(base, beams, args.rounds)
        return
    if args.part == "calls":
        calls(base, beams, [int(b) for b in args.bounds.split(",")], args.rounds)
        return
    print(f"# {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; {args.sentences} sentences")
    for beam in beams:
        best = explore({**base, "limit": 64}, beam) if args.explore else {"quantization": "int8"}
        # without --explore: the threads the ct2 backend picks for this machine by default
        auto_intra, auto_inter = _threads("cpu", 0, 0, threads.budget())
        ct2 = {
            **best,
            "intra": best.get("intra", auto_intra),
            "inter": best.get("inter", auto_inter),
        }
        rows = [
            (
                "(a) naive generate, 1 at a time",
                measure({**base, "contender": "naive", "beam": beam, "limit": args.naive}),
            ),
            (
                "(b) batched generate (32, length-sorted)",
                measure({**base, "contender": "batched", "beam": beam}),
            ),
            (
                f"(c) ct2 translate_batch {best.get('quantization')}",
                measure({**base, "contender": "direct", "beam": beam, **ct2}),
            ),
            (
                "(d) stage, torch backend",
                measure({**base, "contender": "stage", "beam": beam, "backend": "torch"}),
            ),
            (
                f"(e) stage, ct2 backend {best.get('quantization')}",
                measure({**base, "contender": "stage", "beam": beam, "backend": "ct2", **ct2}),
            ),
        ]
        table(rows, beam)
        print(f"# ct2 settings: {ct2}; load now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
