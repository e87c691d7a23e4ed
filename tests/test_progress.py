"""Progress: totals and ETA, a log line at least every interval when stderr is no terminal."""

from __future__ import annotations

import io
import logging

import pytest

from pipeline.run.progress import Progress, format_seconds


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_non_terminal_stderr_gets_a_line_per_interval(caplog: pytest.LogCaptureFixture) -> None:
    # Issue 14: ten minutes of translating wrote nothing to a log file.
    clock = _Clock()
    caplog.set_level(logging.INFO, logger="pipeline.run.progress")
    with Progress("translate", 6000, "seg", interval=30, stream=io.StringIO(), clock=clock) as p:
        for _ in range(600):  # one batch of 10 segments a second for ten minutes
            clock.now += 1
            p.advance(10)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 20 + 1  # one every 30 s, and the last
    assert lines[0] == "translate: 300/6000 seg (5.0 %), 10.0 seg/s, ETA 9m30s"
    assert lines[-1] == "translate: 6000/6000 seg (100.0 %), 10.0 seg/s"


def test_fractions_add_up_and_a_short_run_stays_quiet(caplog: pytest.LogCaptureFixture) -> None:
    clock = _Clock()
    caplog.set_level(logging.INFO, logger="pipeline.run.progress")
    p = Progress("translate", 10, "seg", stream=io.StringIO(), clock=clock)
    for _ in range(8):
        p.advance(0.5)
    p.update_to(3)  # never goes back
    assert p.done == 4.0
    clock.now = 2
    p.close()
    assert caplog.records == []


def test_iterate_counts_each_item() -> None:
    p = Progress("detect", 3, "doc", stream=io.StringIO())
    assert list(p.iterate("abc")) == ["a", "b", "c"]
    assert p.done == 3


@pytest.mark.parametrize(("seconds", "text"), [(5, "5s"), (75, "1m15s"), (3725, "1h02m")])
def test_format_seconds(seconds: float, text: str) -> None:
    assert format_seconds(seconds) == text
