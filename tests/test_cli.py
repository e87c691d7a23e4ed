"""The command line: parsing, option routing to stages, exit codes."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from pipeline import cli


def _parse(argv: list[str]) -> argparse.Namespace:
    return cli.build_parser().parse_args(argv)


def test_help_does_not_import_torch() -> None:
    import subprocess
    import sys

    code = "import sys, pipeline.cli as c; c.build_parser(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_run_flag_shared_by_two_stages_reaches_both() -> None:
    # detect and segment both have a `seed` setting; `run --seed 7` sets it in each.
    args = _parse(["run", "seeds", "--seed", "7"])
    assert cli._stage_options("detect", args, {})["seed"] == 7
    assert cli._stage_options("segment", args, {})["seed"] == 7


def test_config_table_sets_one_stage_and_flags_win(tmp_path: Path) -> None:
    tables = {"detect": {"seed": 3}, "run": {"out": str(tmp_path)}}
    args = _parse(["run", "seeds"])
    assert cli._stage_options("detect", args, tables)["seed"] == 3
    assert "seed" not in cli._stage_options("segment", args, tables)
    assert cli._stage_options("segment", args, tables)["out"] == str(tmp_path)
    args = _parse(["run", "seeds", "--seed", "9"])
    assert cli._stage_options("detect", args, tables)["seed"] == 9


def test_unknown_config_key_exits_2_naming_it(tmp_path: Path, capsys) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[detect]\nseeed = 1\n", encoding="utf-8")
    status = cli.main(["detect", "--out", str(tmp_path), "--config", str(cfg)])
    assert status == 2
    assert "unknown setting 'seeed'" in capsys.readouterr().err


def test_missing_stage_input_is_a_clear_error(tmp_path: Path, capsys) -> None:
    assert cli.main(["segment", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "documents.jsonl" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("argv", [["--version"], ["run", "--help"]])
def test_version_and_help_exit_cleanly(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 0
