"""The ray engine: the translate stage's work on a Ray cluster, with the same records.

:class:`RayTranslating` is :class:`~pipeline.mt.engine.Translating` with each
model's work sent to a pool of Ray actors (:mod:`pipeline.mt.ray_pool`).
The driver keeps what needs one place: it reads the segments, routes them by
language (English, ``und`` and languages without a model never leave it),
dedupes each chunk, and owns the SQLite cache. It looks every text up before
dispatching, so only new text reaches the cluster, and writes each unit the
actors return at once, so a run killed at any point (driver or worker)
resumes without redoing a finished unit. The actors split, batch by length,
translate, join and flag (:func:`pipeline.mt.engine.translate_texts`, the
local engine's own code); the records are built and written on the driver in
input order, byte for byte what the local engine writes.

The cache holds one row per text sent to the model, as the local engine
writes them, so the two engines share a cache. A text the actors split gets
one more row, keyed with the split limit, listing its pieces (JSON); the
driver, which has no tokenizer, finds a split text's pieces through it, and
looks the pieces up as the local engine does.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

from pipeline.mt.batching import unique
from pipeline.mt.cache import TranslationCache, cache_key, model_identity
from pipeline.mt.engine import EngineSettings, Translating, _record, assessed
from pipeline.mt.pieces import join_pieces
from pipeline.mt.ray_pool import ActorPool, RaySettings, cluster_info, connect, require_ray
from pipeline.mt.registry import IDENTITY, ResolvedModel
from pipeline.mt.texts import Batching
from pipeline.mt.translator import GenerationSettings, Translator, TranslatorFactory, settings_of
from pipeline.records import Segment, Translation

__all__ = ["RaySettings", "RayTranslating"]

log = logging.getLogger(__name__)

Result = list[Any]  # [translation, pieces, flags, quality]


class RayTranslating(Translating):
    """Translates chunks of segments on a Ray cluster; a context manager.

    Args:
        config: the engine's settings.
        cache: an open translation cache (the driver is its one writer).
        factory: builds a translator inside each actor (the backend).
        ray: address and per-actor resources.
    """

    def __init__(
        self,
        config: EngineSettings,
        cache: TranslationCache,
        factory: TranslatorFactory,
        ray: RaySettings,
    ) -> None:
        super().__init__(config, cache, self._start_pool)
        self.ray = ray
        self._backend = factory
        self._started = False
        self._pools: dict[str, ActorPool] = {}
        self.workers: dict[str, dict[str, Any]] = {}
        self.cluster: dict[str, Any] = {}
        self._per_model = 0

    def __enter__(self) -> RayTranslating:
        self._started = connect(self.ray.address)
        self.cluster = cluster_info()
        models = {s.model_id for s in self.specs.values() if s.model_id != IDENTITY}
        self._per_model = self._actors_per_model(max(1, len(models)))
        log.info("ray: %s; %d actors per model", self.cluster, self._per_model)
        return self

    def _actors_per_model(self, models: int) -> int:
        """The actors of each pool: as asked, or as many as the cluster's CPUs allow.

        Every model's pool can be busy at once (a chunk holds every language), so
        the pools together must fit the cluster, or the last one would wait forever.

        Raises:
            ConfigError: the asked actors do not fit the cluster's CPUs or GPUs.
        """
        from pipeline import ConfigError

        cpus, gpus = self.cluster["cpus"], self.cluster["gpus"]
        per_cpu, per_gpu = self.ray.cpus_per_actor, self.ray.gpus_per_actor
        actors = self.ray.actors or max(1, int(cpus // (models * per_cpu)) if per_cpu else 1)
        if not self.ray.actors and per_gpu:
            actors = max(1, min(actors, int(gpus // (models * per_gpu))))
        need_cpu, need_gpu = models * actors * per_cpu, models * actors * per_gpu
        if need_cpu > cpus or need_gpu > gpus:
            raise ConfigError(
                f"ray: {models} models x {actors} actors need {need_cpu:g} CPUs and "
                f"{need_gpu:g} GPUs; the cluster has {cpus:g} and {gpus:g} "
                "(lower --ray-actors or --ray-cpus-per-actor / --ray-gpus-per-actor)"
            )
        return actors

    def _start_pool(self, model: ResolvedModel, generation: GenerationSettings) -> Translator:
        pool = ActorPool(
            model, generation, self._backend, self.ray, self._per_model, self.config.models_dir
        )
        self._pools[model.name] = pool
        return pool

    def __exit__(self, *exc: object) -> None:
        for pool in self._pools.values():
            pool.close()
        self._pools.clear()
        if self._started:
            require_ray().shutdown()

    def _translate_lang(self, lang: str, segments: list[Segment]) -> list[Translation]:
        pool = self.translator(lang)
        if not isinstance(pool, ActorPool):
            return super()._translate_lang(lang, segments)
        from pipeline import ModelError

        try:
            done = self._distributed(pool, [s.text for s in segments])
        except ModelError as exc:
            return self._untranslated(segments, self._fail(lang, str(exc)))
        self._count("translated", len(segments))
        self._count(f"translated_by_{pool.backend}", len(segments))
        records = []
        for seg in segments:
            text, pieces, flags, quality = done[seg.text]
            records.append(
                _record(
                    seg, text, pool.name, "translated", len(pieces), None, (tuple(flags), quality)
                )
            )
        return records

    def _distributed(self, pool: ActorPool, texts: Sequence[str]) -> dict[str, Result]:
        """text -> result: from the cache where it can, from the actors otherwise.

        Round one sends the texts the cache lacks; the actors translate those that
        fit and return the others split. Round two sends the pieces of split texts
        that the cache lacks (a piece can be cached from another text), as the
        local engine looks pieces up.
        """
        distinct, _ = unique(texts)
        settings = settings_of(pool)
        batching = Batching(
            self.config.batch_size, self.config.batch_tokens, self.config.max_input_tokens
        )
        limit = batching.limit(pool.max_tokens)
        memo_settings = {**settings, "pieces_within": limit}
        model = model_identity(pool.name, pool.revision)
        whole = {t: cache_key(model, settings, t) for t in distinct}
        memo = {t: cache_key(model, memo_settings, t) for t in distinct}
        hits = self.cache.get_many([*whole.values(), *memo.values()])
        done = {t: _result(t, hits[whole[t]], [t]) for t in distinct if whole[t] in hits}
        rest = [t for t in distinct if t not in done]
        split = {t: json.loads(hits[memo[t]]) for t in rest if memo[t] in hits}
        todo = [t for t in rest if t not in split]
        self._count("cached", len(done))

        def store(unit: list[str], reply: dict[str, Any]) -> None:
            rows = [(cache_key(model, settings, p), out) for p, out in reply["new"]]
            for t, (_, pieces, _, _) in zip(unit, reply["results"], strict=True):
                if len(pieces) > 1 and t in memo:
                    rows.append((memo[t], json.dumps(pieces, ensure_ascii=False)))
            self.cache.put_many(pool.name, rows)
            self._record_unit(pool, reply)

        self._count("ray_texts", len(todo))
        for t, result in pool.run(todo, batching, store).items():
            if result[0] is None:
                split[t] = result[1]
            else:
                done[t] = result
        known = self._pieces(pool, split, lambda missing: pool.run(missing, batching, store))
        for t, parts in split.items():
            done[t] = _result(t, join_pieces([known[p] for p in parts]), parts)
        return done

    def _pieces(
        self,
        pool: ActorPool,
        split: dict[str, list[str]],
        translate: Callable[[list[str]], dict[str, Result]],
    ) -> dict[str, str]:
        """Round two: piece -> translation for every piece of the split texts."""
        pieces, _ = unique([p for parts in split.values() for p in parts])
        settings = settings_of(pool)
        keys = {p: cache_key(model_identity(pool.name, pool.revision), settings, p) for p in pieces}
        found = self.cache.get_many(list(keys.values()))
        known = {p: found[keys[p]] for p in pieces if keys[p] in found}
        missing = [p for p in pieces if p not in known]
        self._count("ray_texts", len(missing))
        known.update((p, r[0]) for p, r in translate(missing).items())
        return known

    def _record_unit(self, pool: ActorPool, reply: dict[str, Any]) -> None:
        counts = reply["counts"]
        self._count("ray_units")
        for name in ("split", "model_texts"):
            self._count(name, counts.get(name, 0))
        key = f"{pool.name}#{reply['worker']}"
        entry = self.workers.setdefault(key, {"units": 0, "texts": 0, "batches": 0, "pids": []})
        entry.update(node=reply["node"], host=reply["host"])
        entry["units"] += 1
        entry["texts"] += counts.get("texts", 0)
        entry["batches"] += counts.get("batches", 0)
        if reply["pid"] not in entry["pids"]:  # a restarted actor runs in a new process
            entry["pids"].append(reply["pid"])

    def runtime(self) -> dict[str, Any]:
        """How the stage ran, for the manifest: engine, cluster, pools, per-worker counts."""
        return {
            "engine": "ray",
            "address": self.ray.address or "local",
            **self.cluster,
            "cpus_per_actor": self.ray.cpus_per_actor,
            "gpus_per_actor": self.ray.gpus_per_actor,
            "actors_per_model": self._per_model,
            "pools": {
                name: [f"{i['host']}:{i['pid']}" for i in pool.info]
                for name, pool in self._pools.items()
            },
            "workers": self.workers,
        }


def _result(source: str, text: str, pieces: list[str]) -> Result:
    flags, quality = assessed(source, text, len(pieces))
    return [text, pieces, list(flags), quality]
