"""The translate stage, local engine against the ray engine on this one machine (a script).

On one node Ray cannot be faster than the local engine, which already uses
every core through torch's threads: what this prints is the ray engine's
overhead (actor start and model loads, shipping texts and results, the
driver's cache work), as a throughput ratio. On a cluster the same code adds
nodes; that is the point of it.

Both runs translate the same segments with the same settings into fresh run
directories (fresh caches) and must write byte-identical ``translations.jsonl``.
Ray is started before the clock starts (its start, 6-8 s, is printed apart);
the ray run's time includes starting its actors and loading the model in each.

Usage: ``python -m bench.ray_bench [--n 400] [--size tiny|opus] [--tokens 8]``
(``opus``: an OPUS-MT-shaped random model, bench/translate_bench.py's; slower).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.translate_bench import WMT, build_model, sentences


def _run(out: Path, segments: Path, model: Path, args: argparse.Namespace, **extra: Any) -> float:
    from pipeline.translate import Config, run

    config = Config.from_options(
        {
            "out": out,
            "input": (segments,),
            "model": (f"vi={model}", f"zh={model}"),
            "beam_size": args.beam,
            "max_new_tokens": args.tokens,
            "device": "cpu",
            **extra,
        }
    )
    start = time.perf_counter()
    result = run(config)
    seconds = time.perf_counter() - start
    if result.counts.get("translated") != args.n:
        raise SystemExit(f"translated {result.counts} of {args.n}")
    return seconds


def _texts(n: int) -> list[str]:
    """Half WMT23 zh, half IWSLT15 vi where ../shared/data has them; else the seed lines."""
    if WMT.is_file():
        return sentences(n)
    from tests.support.tiny_marian import _training_lines

    lines = _training_lines()
    return [f"{lines[i % len(lines)]} ({i})" for i in range(n)]


def cache_cost(folder: Path, n: int = 50_000, unit: int = 256) -> tuple[float, float]:
    """The driver's cache work per text: (lookups/s, writes/s), in units as the engine does."""
    from pipeline.mt.cache import TranslationCache, cache_key

    settings = {"backend": "torch", "num_beams": 4, "max_new_tokens": 512}
    texts = [f"Câu thứ {i} của bài báo, đủ dài như một câu tin tức thật." for i in range(n)]
    keys = [cache_key("Helsinki-NLP/opus-mt-vi-en@main", settings, t) for t in texts]
    with TranslationCache(folder / "cost.sqlite") as cache:
        start = time.perf_counter()
        for i in range(0, n, unit):
            cache.put_many(
                "m", ((k, "an English sentence of about that length") for k in keys[i : i + unit])
            )
        wrote = time.perf_counter() - start
        start = time.perf_counter()
        for i in range(0, n, unit):
            cache.get_many(keys[i : i + unit])
        looked = time.perf_counter() - start
    return n / looked, n / wrote


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400, help="segments")
    parser.add_argument("--size", choices=("tiny", "opus"), default="tiny")
    parser.add_argument("--tokens", type=int, default=8, help="max new tokens")
    parser.add_argument("--beam", type=int, default=1)
    parser.add_argument("--actors", type=int, default=0, help="ray actors (0: fit the node)")
    args = parser.parse_args()

    import ray

    from pipeline.io.jsonl import write_records
    from pipeline.records import Segment

    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if args.size == "opus":
            model = build_model(root / "opus", args.tokens)
        else:
            from tests.support.tiny_marian import build_tiny_marian

            model = build_tiny_marian(root / "tiny", seed=0)
        texts = _texts(args.n)
        langs = ["zh", "vi"] * (args.n // 2 + 1)
        segs = [Segment("d", f"d:{i}", i, 0, "body", langs[i], 1.0, t) for i, t in enumerate(texts)]
        write_records(root / "segments.jsonl", segs)
        local = _run(root / "local", root / "segments.jsonl", model, args)
        start = time.perf_counter()
        ray.init(address="local", include_dashboard=False)
        started = time.perf_counter() - start
        distributed = _run(
            root / "ray",
            root / "segments.jsonl",
            model,
            args,
            executor="ray",
            ray_actors=args.actors,
        )
        same = (root / "local" / "translations.jsonl").read_bytes() == (
            root / "ray" / "translations.jsonl"
        ).read_bytes()
        cores = len(os.sched_getaffinity(0))
        print(f"{args.n} segments, {args.size} model, beam {args.beam}, {cores} cores")
        print(f"local engine: {local:6.1f} s  {args.n / local:7.1f} seg/s")
        print(f"ray engine:   {distributed:6.1f} s  {args.n / distributed:7.1f} seg/s")
        print(f"ray start (not counted): {started:.1f} s")
        print(f"throughput ratio ray/local: {local / distributed:.2f}")
        print(f"identical translations.jsonl: {same}")
        ray.shutdown()
        lookups, writes = cache_cost(root)
        print(
            f"driver cache (SQLite, units of 256): {lookups:,.0f} lookups/s, {writes:,.0f} writes/s"
        )


if __name__ == "__main__":
    main()
