"""The thread policy: cores available to the process, passive waiting, overrides, the manifest."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from pipeline import ConfigError, cli, threads


@pytest.fixture(autouse=True)
def _fresh_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts unconfigured, without the variables, and leaves them as they were."""
    monkeypatch.setattr(threads, "_configured", None)
    for name in (threads.ENV, threads.WAIT_ENV):
        monkeypatch.setenv(name, "")  # remembered, so the teardown restores the original
        monkeypatch.delenv(name)


def test_cores_are_those_the_process_may_run_on() -> None:
    assert threads.available_cores() == len(os.sched_getaffinity(0))
    policy = threads.configure()
    assert (policy.threads, policy.origin) == (policy.cores, "cores")


def test_configure_waits_passively_unless_the_user_chose(monkeypatch: pytest.MonkeyPatch) -> None:
    assert threads.configure().wait_policy == "PASSIVE"
    assert os.environ[threads.WAIT_ENV] == "PASSIVE"
    monkeypatch.setenv(threads.WAIT_ENV, "ACTIVE")
    assert threads.configure().wait_policy == "ACTIVE"
    assert os.environ[threads.WAIT_ENV] == "ACTIVE"


def test_flag_wins_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(threads.ENV, "3")
    assert (threads.configure().threads, threads.current().origin) == (3, threads.ENV)
    assert (threads.configure(1).threads, threads.current().origin) == (1, "--threads")


@pytest.mark.parametrize(("flag", "env", "message"), [(0, "", "give 1 or more"), (None, "x", "x")])
def test_bad_thread_counts_are_config_errors(
    monkeypatch: pytest.MonkeyPatch, flag: int | None, env: str, message: str
) -> None:
    monkeypatch.setenv(threads.ENV, env)
    with pytest.raises(ConfigError, match=message):
        threads.configure(flag)


def test_cli_records_the_policy_in_the_manifest(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Tiêu đề\n\nMột câu tiếng Việt đủ dài để đọc.\n", "utf-8")
    out = tmp_path / "out"
    argv = ["-q", "--threads", "1", "ingest", str(tmp_path / "a.txt"), "--out", str(out)]
    assert cli.main(argv) == 0
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["threads"]["threads"] == 1
    assert manifest["threads"]["origin"] == "--threads"
    assert manifest["threads"]["wait_policy"] == "PASSIVE"


def test_cli_bad_environment_exits_2(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    monkeypatch.setenv(threads.ENV, "many")
    assert cli.main(["segment", "--out", str(tmp_path)]) == 2
    assert "PARALLAX_THREADS='many'" in capsys.readouterr().err


def test_policy_is_set_before_torch_is_imported_and_reaches_it() -> None:
    # OpenMP reads OMP_WAIT_POLICY when torch is first imported: the CLI must set it first.
    code = (
        "import os, sys; from pipeline import cli, threads\n"
        "cli.main(['--threads', '1', 'models', 'list'])\n"
        "print('torch' in sys.modules, os.environ.get('OMP_WAIT_POLICY'))\n"
        "threads.apply_torch(); import torch; print(torch.get_num_threads())\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in (threads.ENV, threads.WAIT_ENV)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.split()[-3:] == ["False", "PASSIVE", "1"]


def test_a_worker_threads_torch_share_is_its_own() -> None:
    # OpenMP keeps a thread count per thread: a worker's share leaves the main thread's,
    # and threads started after it get the policy's count again.
    code = (
        "import threading; import torch; from pipeline import threads\n"
        "threads.configure(2); seen = []\n"
        "def work():\n"
        "    with threads.torch_threads_here(1): seen.append(torch.get_num_threads())\n"
        "def later(): seen.append(torch.get_num_threads())\n"
        "for target in (work, later):\n"
        "    t = threading.Thread(target=target); t.start(); t.join()\n"
        "print(*seen, torch.get_num_threads())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[-3:] == ["1", "2", "2"]


def test_shared_by_splits_the_budget_in_this_thread_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threads, "_configured", threads.ThreadPolicy(4, 4, "PASSIVE", "test"))
    seen: list[int] = []
    with threads.shared_by(2):
        inner = threads.budget()
        other = threading.Thread(target=lambda: seen.append(threads.budget()))
        other.start()
        other.join()
    assert (inner, seen, threads.budget()) == (2, [4], 4)
