"""One process per run directory, errors of the machine, and temporary files of killed runs.

Issue 15: two ``translate`` on one ``--out`` wrote every record twice and one
crashed in ``os.replace``; a full disk, a read-only output directory or
``--out`` naming a file ended in a raw traceback with exit status 1; killed
``export`` and ``report`` left ``.corpus.*.tmp`` / ``.report.html.*.tmp`` files
that were never removed.

Root ignores permission bits, so read-only and full disks are simulated by
making the OS calls fail with the errno a real one gives (EROFS, ENOSPC).
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipeline import BusyError, MachineError
from pipeline.cli import main
from pipeline.io import atomic, jsonl
from pipeline.io.lock import run_dir_lock
from pipeline.mt.cache import TranslationCache, cache_key
from pipeline.run.runner import run_stage

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

HOLD = """
import sys, time
from pathlib import Path
from pipeline.io.lock import run_dir_lock
with run_dir_lock(Path(sys.argv[1])):
    print("holding", flush=True)
    time.sleep(120)
"""


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT))


@pytest.fixture
def holder(tmp_path: Path) -> Any:
    """A second process holding the run directory's lock (killed at the end)."""
    out = tmp_path / "run"
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out)], env=_env(), stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
    yield out, proc
    proc.kill()
    proc.wait()


def test_a_second_process_stops_at_once_with_exit_2(
    holder: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    out, proc = holder
    status = main(["-q", "ingest", str(SEEDS), "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2
    assert f"run directory in use by pid {proc.pid} on " in err and "use another --out" in err
    assert not (out / "documents.jsonl").exists() and not (out / "manifest.json").exists()
    with pytest.raises(BusyError):
        run_stage("detect", {"out": out})


def test_a_killed_holder_leaves_a_stale_lock_that_the_next_run_takes(
    holder: Any, caplog: pytest.LogCaptureFixture
) -> None:
    out, proc = holder
    proc.kill()
    proc.wait()
    assert json.loads((out / ".lock").read_text())["pid"] == proc.pid  # its note stays
    caplog.set_level("INFO")
    result = run_stage("ingest", {"out": out, "input": [SEEDS]})
    assert result.counts["ok"] > 0
    assert f"stale lock of pid {proc.pid}" in caplog.text
    assert (out / ".lock").read_text() == ""  # released when the stage ended


def test_the_lock_is_reentrant_in_one_process(tmp_path: Path) -> None:
    with run_dir_lock(tmp_path), run_dir_lock(tmp_path):
        run_stage("ingest", {"out": tmp_path, "input": [SEEDS]})
    with run_dir_lock(tmp_path):  # and free again afterwards
        pass


def test_out_naming_a_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "file"
    out.write_text("mine\n")
    assert main(["-q", "ingest", str(SEEDS), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert (
        err == f"parallax: error: {out}: is a file, not a folder (--out must name a run directory)"
    )
    assert out.read_text() == "mine\n"


def _failing(call: Callable[..., Any], number: int, after: int = 0) -> Callable[..., Any]:
    """``call`` that raises OSError(number) from its ``after``-th use on."""
    calls = {"n": 0}

    def fake(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] > after:
            raise OSError(number, os.strerror(number))
        return call(*args, **kwargs)

    return fake


class _FullFile:
    """A file on a disk that fills up: the first ``room`` bytes go in, then ENOSPC."""

    def __init__(self, real: Any, room: int) -> None:
        self._real, self._room = real, room

    def write(self, data: Any) -> int:
        if len(data) > self._room:
            self._real.write(data[: self._room])
            self._real.flush()
            self._room = 0
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._room -= len(data)
        return int(self._real.write(data))

    def __enter__(self) -> _FullFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self._real.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def _full_disk(monkeypatch: pytest.MonkeyPatch, room: int = 2000) -> None:
    """Every file opened for writing from now on runs out of space after ``room`` bytes."""
    real_fdopen, real_open = os.fdopen, Path.open

    def fdopen(fd: int, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_fdopen(fd, mode, *args, **kwargs)
        return _FullFile(handle, room) if set(mode) & set("wa+") else handle

    def path_open(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(self, mode, *args, **kwargs)
        return _FullFile(handle, room) if set(mode) & set("wa+") else handle

    monkeypatch.setattr(os, "fdopen", fdopen)
    monkeypatch.setattr(Path, "open", path_open)


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("parallax: error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_a_read_only_run_directory_is_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    assert main(["-q", "run", str(SEEDS), "--out", str(out), "--until", "segment"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    real_open = os.open

    def read_only(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    status = main(["-q", "run", str(SEEDS), "--out", str(out), "--until", "segment"])
    line = _one_line(capsys.readouterr().err)
    assert status == 3
    assert f"cannot lock the run directory {out / '.lock'}: Read-only file system" in line
    assert "choose a writable --out" in line
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


@pytest.mark.parametrize(
    ("stage", "target", "patch"),
    [
        ("ingest", "documents.jsonl", "write"),  # the resumable writer's partial
        ("detect", "documents.jsonl", "write"),  # an atomic rewrite
        ("segment", "segments.jsonl", "write"),
        ("report", "report.html", "write"),
        ("segment", "manifest.json", "replace"),  # the manifest, after the stage's output
    ],
)
def test_a_full_disk_is_exit_3_and_keeps_what_was_written(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stage: str,
    target: str,
    patch: str,
) -> None:
    out = tmp_path / "run"
    order = ["ingest", "detect", "segment", "report"]
    for name in order[: order.index(stage) + 1]:  # a complete run: good output to keep
        run_stage(name, {"out": out, "input": [SEEDS]} if name == "ingest" else {"out": out})
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p.name != ".lock"}
    if patch == "write":
        _full_disk(monkeypatch)
    else:
        real = os.replace
        monkeypatch.setattr(
            os,
            "replace",
            lambda a, b: (
                _failing(real, errno.ENOSPC)(a, b)
                if str(b).endswith("manifest.json")
                else real(a, b)
            ),
        )
    argv = ["-q", stage, "--out", str(out), "--overwrite"]
    status = main([*argv[:2], str(SEEDS), *argv[2:]] if stage == "ingest" else argv)
    line = _one_line(capsys.readouterr().err)
    monkeypatch.undo()
    assert status == 3, line
    assert "No space left on device" in line and "free some space and rerun" in line
    assert str(out) in line
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file() and p.name != ".lock"}
    for name in before:  # every JSONL file there before is still whole lines
        if name in after and name.endswith(".jsonl"):
            for raw in after[name].splitlines():
                json.loads(raw)
    assert after[target] == before[target]  # the finished output is untouched
    assert not [n for n in after if n.endswith(".tmp")]  # no temporary file left
    json.loads(after.get("manifest.json", b"{}"))  # the manifest stays valid JSON


def test_a_full_disk_in_the_translation_cache_is_a_machine_error(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    with TranslationCache(path) as cache:
        cache.put_many("m", [(cache_key("m", {}, "a"), "A")])
        real = cache._db
        assert real is not None

        class Full:
            in_transaction = False

            def execute(self, sql: str, *args: Any) -> Any:
                if sql.startswith("BEGIN"):
                    error = sqlite3.OperationalError("database or disk is full")
                    error.sqlite_errorcode = sqlite3.SQLITE_FULL  # type: ignore[attr-defined]
                    raise error
                return real.execute(sql, *args)

        cache._db = Full()  # type: ignore[assignment]
        with pytest.raises(MachineError) as caught:
            cache.put_many("m", [(cache_key("m", {}, "b"), "B")])
        cache._db = real
        assert len(cache) == 1  # what was committed stays
    message = str(caught.value)
    assert message.startswith(
        f"cannot write the translation cache {path}: database or disk is full"
    )
    assert caught.value.errno == errno.ENOSPC and isinstance(caught.value, OSError)


def test_a_rerun_removes_the_temporary_files_of_a_killed_run(tmp_path: Path) -> None:
    out = tmp_path / "run"
    run_stage("ingest", {"out": out, "input": [SEEDS]})
    (out / "export").mkdir()
    orphans = [
        out / "export" / ".corpus.jsonl.k2j4_x9a.tmp",
        out / "export" / ".corpus.vi-en.tmx.abcdefgh.tmp",
        out / ".report.html.0a1b2c3d.tmp",
    ]
    for path in orphans:
        path.write_text("half a file")
    kept = [out / ".notes.txt", out / "export" / "my.tmp", out / ".corpus.jsonl.short.tmp"]
    for path in kept:  # not atomic.py's naming: not ours to delete
        path.write_text("user file")
    run_stage("detect", {"out": out})
    assert [p for p in orphans if p.exists()] == []
    assert all(p.exists() for p in kept)


def test_an_interrupted_atomic_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt), atomic.atomic_open(target) as handle:
        handle.write("new")
        raise KeyboardInterrupt
    assert target.read_text() == "old" and sorted(tmp_path.iterdir()) == [target]


def test_the_resumable_writer_names_its_file_on_a_full_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = jsonl.ResumableJsonlWriter(tmp_path / "x.jsonl", key=lambda o: str(o["k"]))
    with writer:
        writer.write({"k": 1})
        writer._handle = _FullFile(writer._handle, 100)
        with pytest.raises(MachineError, match=r"x\.jsonl\.partial: No space left on device"):
            writer.write({"k": 2, "pad": "x" * 10000})
        monkeypatch.undo()
    with writer:  # the next run resumes after the last whole line
        assert writer.done == {"1"}
