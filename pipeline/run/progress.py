"""Progress of a stage: a bar on a terminal, log lines with counts, rate and ETA elsewhere.

On a terminal, :class:`Progress` draws a tqdm bar on stderr with the total and
the ETA. When stderr is not a terminal (a log file, a CI job, ``nohup``), it logs
one line at most every ``interval`` seconds (30), and one at the end of a run
that lasted that long, such as
``translate: 1200/6000 seg (20.0 %), 40.1 seg/s, ETA 2m00s``, so a long run is
never silent. Progress can advance by fractions (a share of a chunk's segments
as its batches finish); what is shown is rounded down.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, TypeVar

__all__ = ["Progress", "format_seconds"]

log = logging.getLogger(__name__)
T = TypeVar("T")


def format_seconds(seconds: float) -> str:
    """``75`` -> ``1m15s``; ``3725`` -> ``1h02m``."""
    seconds = max(int(seconds), 0)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


class Progress:
    """Counts work done against a total, and shows it.

    Args:
        desc: the stage's name.
        total: the work to do (None when unknown).
        unit: what is counted (``seg``, ``doc``, ``file``).
        interval: seconds between log lines when stderr is not a terminal.
        stream: where the bar goes (stderr).
        clock: a monotonic clock (tests pass their own).
    """

    def __init__(
        self,
        desc: str,
        total: int | None,
        unit: str,
        interval: float = 30.0,
        stream: IO[str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.desc, self.total, self.unit, self.interval = desc, total, unit, interval
        self.clock = clock
        self.done = 0.0
        self._lock = threading.Lock()  # the translate engine advances from several threads
        self._start = self._last = clock()
        stream = stream or sys.stderr
        self._bar: Any = None
        if stream.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=desc, unit=unit, file=stream, dynamic_ncols=True)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def iterate(self, items: Iterable[T]) -> Iterator[T]:
        """Yield ``items``, counting one unit for each, and close at the end."""
        try:
            for item in items:
                yield item
                self.advance()
        finally:
            self.close()

    def advance(self, n: float = 1.0) -> None:
        """Add ``n`` (possibly fractional) units of work done (from any thread)."""
        with self._lock:
            self.update_to(self.done + n)

    def update_to(self, done: float) -> None:
        """Set the work done (it never goes back)."""
        if done <= self.done:
            return
        shown = int(self.done)
        self.done = done
        if self._bar is not None:
            if int(done) > shown:
                self._bar.update(int(done) - shown)
        elif self.clock() - self._last >= self.interval:
            self._log()

    def line(self) -> str:
        """The progress as one line of text."""
        elapsed = self.clock() - self._start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        done = int(self.done)
        if not self.total:
            return f"{self.desc}: {done} {self.unit}, {rate:.1f} {self.unit}/s"
        share = 100 * self.done / self.total
        eta = (self.total - self.done) / rate if rate > 0 else None
        left = f", ETA {format_seconds(eta)}" if eta is not None and done < self.total else ""
        counted = f"{done}/{self.total} {self.unit} ({share:.1f} %)"
        return f"{self.desc}: {counted}, {rate:.1f} {self.unit}/s{left}"

    def _log(self) -> None:
        self._last = self.clock()
        log.info("%s", self.line())

    def close(self) -> None:
        """Close the bar, or log the last line of a run that lasted an interval or more."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self.done and self.clock() - self._start >= self.interval:
            self._log()
