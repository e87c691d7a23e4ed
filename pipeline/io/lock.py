"""The run directory's lock: one process at a time writes a run directory.

``<run dir>/.lock`` is locked with ``flock`` while a stage (or ``run``) works
there and records the holder's pid, host and command. The kernel drops the
lock when its process ends, however it ends, so a lock left by a killed run is
stale by construction: the next process takes it (and says whose it was). A
second live process stops at once with :class:`~pipeline.BusyError`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

from pipeline import BusyError, ConfigError
from pipeline.io.files import machine_error

__all__ = ["LOCK_NAME", "run_dir_lock"]

log = logging.getLogger(__name__)

LOCK_NAME = ".lock"

# Resolved run directory -> how many nested holders in this process (run takes
# the lock, then each of its stages takes it again).
_HELD: dict[Path, int] = {}


def _holder() -> dict[str, object]:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "command": " ".join(sys.argv),
        "since": dt.datetime.now(tz=dt.UTC).isoformat(timespec="seconds"),
    }


def _describe(raw: bytes) -> str:
    try:
        info = json.loads(raw)
        return f"pid {info['pid']} on {info['host']}, since {info['since']}: {info['command']}"
    except (ValueError, KeyError, TypeError):
        return "another process"


def _open_lock(folder: Path) -> int:
    for place in (folder, *folder.parents):  # the nearest existing one must be a folder
        if place.exists():
            if not place.is_dir():
                raise ConfigError(
                    f"{place}: is a file, not a folder (--out must name a run directory)"
                )
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise machine_error(exc, folder / LOCK_NAME, "lock the run directory") from exc


@contextlib.contextmanager
def run_dir_lock(folder: Path) -> Iterator[None]:
    """Hold the run directory's lock for the block (re-entrant within one process).

    Raises:
        BusyError: another live process holds it.
        ConfigError: ``folder`` is a regular file.
        MachineError: the lock file cannot be created (read-only, full, no permission).
    """
    key = folder.resolve()
    if _HELD.get(key):
        _HELD[key] += 1
        try:
            yield
        finally:
            _HELD[key] -= 1
        return
    fd = _open_lock(folder)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _describe(os.pread(fd, 4096, 0))
            raise BusyError(
                f"{folder}: run directory in use by {holder}; wait for it to finish, "
                "or use another --out"
            ) from None
        previous = os.pread(fd, 4096, 0)
        if previous:
            log.info("%s: stale lock of %s (gone); taking it", folder, _describe(previous))
        with contextlib.suppress(OSError):  # the lock holds even if the note cannot be written
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(_holder()).encode("utf-8"), 0)
        _HELD[key] = 1
        try:
            yield
        finally:
            del _HELD[key]
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
    finally:
        os.close(fd)
