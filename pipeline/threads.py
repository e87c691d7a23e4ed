"""The thread policy: how many threads the models run on, chosen once for the machine.

Torch (MarianMT and the sentence-embedding model) and CTranslate2 each keep a
pool of worker threads. Their defaults are slow where users run: on machines
other programs are using too.

* They size the pool by the machine's cores (``os.cpu_count``), not by the
  cores this process may run on (a container's CPU set, ``taskset``, a CI
  runner): :func:`available_cores` asks ``os.sched_getaffinity``.
* Torch's OpenMP workers spin while they wait for work (libgomp's default
  ``OMP_WAIT_POLICY=ACTIVE``) and so take the cores the other workers need:
  batched greedy ``generate`` on 32 sentences ran at 0.90-1.12 sentences/s
  with the defaults and 3.46-3.78 with ``PASSIVE`` on a busy 2-core machine
  (``python -m bench.whole_command`` measures it).

The policy: one thread per available core, waiting passively. ``parallax
--threads N`` or the ``PARALLAX_THREADS`` environment variable set the count;
an ``OMP_WAIT_POLICY`` the user exported is kept. OpenMP reads that variable
once, when torch is first imported, so the command line calls :func:`configure`
before anything heavy is imported; the model loaders call :func:`apply_torch`.
The manifest records the policy (:meth:`ThreadPolicy.as_dict`).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from pipeline import ConfigError

__all__ = [
    "ENV",
    "ThreadPolicy",
    "apply_torch",
    "available_cores",
    "budget",
    "configure",
    "current",
    "shared_by",
    "torch_threads_here",
]

log = logging.getLogger(__name__)

ENV = "PARALLAX_THREADS"
WAIT_ENV = "OMP_WAIT_POLICY"
WAIT_POLICY = "PASSIVE"


@dataclass(frozen=True)
class ThreadPolicy:
    """The threads this process gives the models.

    Attributes:
        cores: CPUs the process may run on.
        threads: threads for torch's intra-op pool, and the CTranslate2 budget
            (its batches in parallel times threads per batch).
        wait_policy: ``OMP_WAIT_POLICY`` as the process has it (``default``: unset).
        origin: where ``threads`` came from: ``cores``, ``PARALLAX_THREADS`` or ``--threads``.
    """

    cores: int
    threads: int
    wait_policy: str
    origin: str

    def as_dict(self) -> dict[str, Any]:
        """The policy as JSON-ready data, for the manifest."""
        return asdict(self)


_configured: ThreadPolicy | None = None
_torch_threads: int | None = None
_share = threading.local()  # .threads: this thread's share while models share the cores


def available_cores() -> int:
    """The number of CPUs this process may run on (its affinity mask, not the machine)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _decide(threads: int | None) -> ThreadPolicy:
    cores = available_cores()
    origin = "--threads"
    if threads is None:
        raw = os.environ.get(ENV, "").strip()
        origin = ENV
        try:
            threads = int(raw) if raw else None
        except ValueError:
            raise ConfigError(f"{ENV}={raw!r}: expected a whole number of threads") from None
    if threads is None:
        threads, origin = cores, "cores"
    if threads < 1:
        raise ConfigError(f"{origin}: {threads} threads; give 1 or more")
    return ThreadPolicy(cores, threads, os.environ.get(WAIT_ENV, "default"), origin)


def configure(threads: int | None = None) -> ThreadPolicy:
    """Choose the policy for this process and set ``OMP_WAIT_POLICY`` unless the user did.

    Call it before torch is imported (the command line does, first thing).

    Args:
        threads: the thread count asked for (None: ``PARALLAX_THREADS``, else the cores).

    Raises:
        ConfigError: a thread count below 1, or ``PARALLAX_THREADS`` not a number.
    """
    global _configured
    if WAIT_ENV not in os.environ:
        if "torch" in sys.modules:
            log.debug("torch is already imported: %s=%s comes too late", WAIT_ENV, WAIT_POLICY)
        os.environ[WAIT_ENV] = WAIT_POLICY
    _configured = _decide(threads)
    return _configured


def current() -> ThreadPolicy:
    """The configured policy, or (for library use without :func:`configure`) the default one."""
    return _configured or _decide(None)


def apply_torch() -> None:
    """Give torch the policy's thread count (once; call it where a model is loaded)."""
    global _torch_threads
    threads = current().threads
    if _torch_threads != threads:
        import torch

        torch.set_num_threads(threads)
        _torch_threads = threads
        log.debug("torch: %d threads", threads)


@contextmanager
def torch_threads_here(threads: int) -> Iterator[None]:
    """Within it, torch runs ``threads`` intra-op threads in the calling thread (if loaded).

    OpenMP keeps its thread count per thread: ``torch.set_num_threads`` in a worker
    thread sets that worker's, and the count of threads torch has not yet started
    using, not the main thread's. So workers sharing the cores take their share
    here, and hand the policy's count back at the end for the threads to come.
    """
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(threads)
    try:
        yield
    finally:
        if torch is not None:
            torch.set_num_threads(current().threads)


@contextmanager
def shared_by(workers: int) -> Iterator[None]:
    """Within it, :func:`budget` in this thread is the policy's threads split ``workers`` ways."""
    _share.threads = max(1, current().threads // workers)
    try:
        yield
    finally:
        _share.threads = None


def budget() -> int:
    """The threads a CTranslate2 model loaded now may use: the policy's, or a share of it."""
    return getattr(_share, "threads", None) or current().threads
