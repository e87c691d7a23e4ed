"""A pool of Ray actors for one model, and the cluster they run on.

Each :class:`ActorPool` starts ``actors`` :class:`~pipeline.mt.ray_worker.TranslatorWorker`
actors, each loading the model once, and hands them units of distinct texts:
two in flight per actor, the next one to whichever actor answers first, so a
slow unit never holds the others. An actor killed mid-unit is restarted by Ray
and the unit retried on it (``max_restarts``/``max_task_retries``); its result
comes back once, so the driver writes it once. ``ray`` is imported here only,
when the ray engine starts.
"""

from __future__ import annotations

import logging
import math
import os
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import ConfigError, ModelError, PipelineError
from pipeline.mt.registry import ResolvedModel
from pipeline.mt.texts import Batching
from pipeline.mt.translator import GenerationSettings, TranslatorFactory

__all__ = ["ActorPool", "RaySettings", "cluster_info", "connect", "require_ray"]

log = logging.getLogger(__name__)

IN_FLIGHT = 2  # units queued per actor: one running, one waiting, so none idles


@dataclass(frozen=True)
class RaySettings:
    """Where and how the ray engine runs.

    Attributes:
        address: ``""`` starts a local Ray; ``auto`` joins the running cluster;
            or a cluster address (``HOST:6379``, ``ray://HOST:10001``).
        actors: actors per model (0: as many as the cluster's CPUs allow).
        cpus_per_actor: CPUs Ray reserves for each actor; its threads follow.
        gpus_per_actor: GPUs per actor (fractions share one GPU).
        unit_size: most texts sent to an actor at a time (and written to the cache at once).
        ready_timeout: seconds to wait for a pool's actors to be placed and load the model.
        max_restarts: restarts of a dead actor (and retries of its unit) before the run stops.
    """

    address: str = ""
    actors: int = 0
    cpus_per_actor: float = 1.0
    gpus_per_actor: float = 0.0
    unit_size: int = 256
    ready_timeout: float = 300.0
    max_restarts: int = 3


def require_ray() -> Any:
    """Import ``ray``, or say how to install it."""
    try:
        import ray
    except ImportError as exc:
        raise ConfigError(
            "--engine ray needs Ray: pip install 'parallax-mt[ray]' (or pip install 'ray>=2.40')"
        ) from exc
    return ray


def connect(address: str) -> bool:
    """Start or join Ray unless it is already up; return whether this call started it."""
    ray = require_ray()
    if ray.is_initialized():
        return False
    if address in ("", "local"):
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # a local run phones no one
        ray.init(address="local", include_dashboard=False)
    else:
        try:
            ray.init(address=address)
        except ConnectionError as exc:
            message = f"--ray-address {address}: cannot join a Ray cluster ({exc})"
            raise ConfigError(message) from exc
    return True


def cluster_info() -> dict[str, Any]:
    """Ray's version and the cluster's live nodes, CPUs and GPUs."""
    ray = require_ray()
    resources = ray.cluster_resources()
    return {
        "ray": ray.__version__,
        "nodes": sum(1 for node in ray.nodes() if node.get("Alive")),
        "cpus": float(resources.get("CPU", 0)),
        "gpus": float(resources.get("GPU", 0)),
    }


class ActorPool:
    """One model's actors; to the engine it looks like a translator of that model.

    Args:
        model: the model as resolved on the driver.
        generation: generation settings.
        factory: builds the translator inside each actor.
        settings: resources and retries.
        actors: how many actors.
        models_dir: the registry folder (each actor checks the model's identity).
    """

    def __init__(
        self,
        model: ResolvedModel,
        generation: GenerationSettings,
        factory: TranslatorFactory,
        settings: RaySettings,
        actors: int,
        models_dir: Path,
    ) -> None:
        from pipeline.mt.ray_worker import TranslatorWorker

        ray = require_ray()
        self._ray = ray
        self.settings_ = settings
        remote = ray.remote(TranslatorWorker).options(
            num_cpus=settings.cpus_per_actor,
            num_gpus=settings.gpus_per_actor,
            max_restarts=settings.max_restarts,
            max_task_retries=settings.max_restarts,
        )
        args = (model, generation, factory, settings.cpus_per_actor, models_dir)
        self.actors = [remote.remote(i, *args) for i in range(actors)]
        self.info = self._describe(model.name)
        first = self.info[0]
        self.name, self.model_id = str(first["name"]), str(first["model_id"])
        self.revision, self.backend = str(first["revision"]), str(first["backend"])
        self.max_tokens = int(first["max_tokens"])
        self._settings: dict[str, Any] = dict(first["settings"])

    def _describe(self, name: str) -> list[dict[str, Any]]:
        ray = self._ray
        try:
            info: list[dict[str, Any]] = ray.get(
                [a.describe.remote() for a in self.actors], timeout=self.settings_.ready_timeout
            )
        except ray.exceptions.GetTimeoutError:
            self.close()
            s = self.settings_
            raise ConfigError(
                f"ray: {len(self.actors)} actors for {name} ({s.cpus_per_actor} CPU, "
                f"{s.gpus_per_actor} GPU each) not ready within {s.ready_timeout:.0f} s "
                f"(cluster: {cluster_info()}); lower --ray-actors or --ray-cpus-per-actor"
            ) from None
        except ModelError as exc:
            self.close()
            raise _plain(exc) from None
        keys = ("name", "backend", "settings", "max_tokens")
        if any(tuple(i[k] for k in keys) != tuple(info[0][k] for k in keys) for i in info):
            self.close()
            raise ModelError(f"ray: the actors of {name} disagree on the model: {info}")
        return info

    def settings(self) -> dict[str, Any]:
        """The model's generation settings, as its actors report them (cache keys)."""
        return dict(self._settings)

    def count_tokens(self, texts: list[str]) -> list[int]:
        """Token counts, from one actor."""
        counts: list[int] = self._call(self.actors[0].count_tokens.remote(texts))
        return counts

    def translate_batch(self, texts: list[str]) -> list[str]:
        """Translate one batch as it is, on one actor."""
        out: list[str] = self._call(self.actors[0].translate_batch.remote(texts))
        return out

    def _call(self, ref: Any) -> Any:
        try:
            return self._ray.get(ref)
        except ModelError as exc:
            raise _plain(exc) from None
        except self._ray.exceptions.RayActorError as exc:
            raise PipelineError(
                f"ray: a worker of {self.name} died and could not be restarted "
                f"({type(exc).__name__}); rerun the same command to resume"
            ) from exc

    def run(
        self,
        texts: list[str],
        batching: Batching,
        on_unit: Callable[[list[str], dict[str, Any]], None],
    ) -> dict[str, list[Any]]:
        """Translate distinct texts across the actors.

        Args:
            texts: distinct texts the cache lacks.
            batching: batch bounds and split limit.
            on_unit: called on the driver with each unit and its reply, as it returns.

        Returns:
            text -> ``[translation, pieces, flags, quality]`` (see
            :meth:`~pipeline.mt.ray_worker.TranslatorWorker.translate`).
        """
        if not texts:
            return {}
        # Longest first by characters, so each unit holds texts of like length.
        order = sorted(texts, key=len, reverse=True)
        size = max(1, min(self.settings_.unit_size, math.ceil(len(order) / len(self.actors))))
        units = deque(order[i : i + size] for i in range(0, len(order), size))
        inflight: dict[Any, tuple[list[str], int]] = {}

        def submit(actor: int) -> None:
            unit = units.popleft()
            ref = self.actors[actor].translate.remote(unit, batching)
            inflight[ref] = (unit, actor)

        for _ in range(IN_FLIGHT):
            for actor in range(len(self.actors)):
                if units:
                    submit(actor)
        results: dict[str, list[Any]] = {}
        while inflight:
            ready, _ = self._ray.wait(list(inflight), num_returns=1)
            unit, actor = inflight.pop(ready[0])
            reply = self._call(ready[0])
            on_unit(unit, reply)
            results.update(zip(unit, reply["results"], strict=True))
            if units:
                submit(actor)
        return results

    def close(self) -> None:
        """Stop the actors."""
        for actor in self.actors:
            self._ray.kill(actor)
        self.actors = []


def _plain(exc: ModelError) -> ModelError:
    """The actor's own error, without the traceback Ray wraps around it."""
    cause = getattr(exc, "cause", None)
    return ModelError(str(cause if isinstance(cause, ModelError) else exc))
