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


def test_bad_key_in_export_table_fails_before_any_stage(tmp_path: Path, capsys) -> None:
    # Issue 14: `[export] format = [...]` was found only at export, after translating.
    cfg = tmp_path / "c.toml"
    cfg.write_text('[export]\nformat = ["jsonl"]\n', encoding="utf-8")
    out = tmp_path / "run"
    status = cli.main(["run", "seeds", "--out", str(out), "--config", str(cfg)])
    err = capsys.readouterr().err
    assert status == 2
    assert "[export]" in err and "did you mean 'formats'" in err
    assert not out.exists()


def test_bad_value_in_a_later_stage_fails_before_the_first(tmp_path: Path, capsys) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('[translate]\nbackend = "fast"\n', encoding="utf-8")
    out = tmp_path / "run"
    assert cli.main(["run", "seeds", "--out", str(out), "--config", str(cfg)]) == 2
    assert "[translate]" in capsys.readouterr().err
    assert not (out / "documents.jsonl").exists()


def test_verbosity_flags_after_the_subcommand() -> None:
    args = _parse(["run", "seeds", "-q"])
    assert args.sub_quiet and not args.quiet
    args = _parse(["-v", "export", "-v"])
    assert args.verbose + args.sub_verbose == 2


def test_help_maps_flags_to_config_keys(capsys) -> None:
    with pytest.raises(SystemExit):
        cli.main(["export", "--help"])
    assert "--format                 [export] formats" in capsys.readouterr().out


def test_models_dir_from_flag_env_config_or_cwd(tmp_path: Path, monkeypatch) -> None:
    from pipeline.run.config import MODELS_ENV, models_dir

    monkeypatch.chdir(tmp_path)
    assert models_dir(None, None, {}) == tmp_path / "models"
    assert models_dir(None, None, {MODELS_ENV: "/srv/m"}) == Path("/srv/m")
    assert models_dir("x", None, {MODELS_ENV: "/srv/m"}) == tmp_path / "x"
    conf = tmp_path / "proj" / "parallax.toml"
    (conf.parent / "models").mkdir(parents=True)
    assert models_dir(None, conf, {}) == conf.parent / "models"
    # the stages get the same folder as `parallax models`, from any directory
    args = _parse(["run", "seeds", "--config", str(conf)])
    assert cli._stage_options("translate", args, {})["models_dir"] == conf.parent / "models"


def test_no_line_is_printed_twice_at_the_default_level(tmp_path: Path) -> None:
    # Issue 14: every stage line came twice, from the runner's logger and the CLI summary.
    import os
    import subprocess
    import sys

    bad = tmp_path / "in" / "bad.bin"
    bad.parent.mkdir()
    bad.write_bytes(b"\x00\x01\x02" * 100)
    argv = ["run", "seeds", str(bad), "--out", str(tmp_path / "run"), "--until", "segment"]
    env = {**os.environ, "PYTHONPATH": "."}
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", *argv], capture_output=True, text=True, env=env
    )
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert any(line.startswith("ingest: done:") for line in lines)
    assert sum("bad.bin" in line for line in lines) == 1, done.stderr
    assert not any("stage ingest: done" in line for line in lines)
