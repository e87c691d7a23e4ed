"""The ``parallax`` command line: one subcommand per stage, plus ``run``.

Each handler parses, builds options and calls one library function. Nothing
imports this module; the library never exits the process.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline import MachineError, PipelineError, __version__, threads
from pipeline.cli_options import (
    STAGE_HELP,
    STAGE_OPTIONS,
    SUPPRESS,
    KeyTableFormatter,
    evaluate_options,
    key_epilog,
    models_parsers,
    verbosity,
)
from pipeline.io.files import machine_error
from pipeline.run.runner import (
    STAGES,
    check_configs,
    run_pipeline,
    run_stage,
    setting_names,
    stage_options,
)
from pipeline.run.stage import StageResult

log = logging.getLogger("pipeline")


def _common(p: argparse.ArgumentParser, inputs: bool) -> None:
    if inputs:
        p.add_argument("inputs", nargs="+", type=Path, metavar="INPUT", help="files or folders")
    else:
        p.add_argument(
            "--input",
            type=Path,
            action="append",
            default=SUPPRESS,
            help="read this file instead of the run directory's",
        )
    p.add_argument("--out", type=Path, default=SUPPRESS, help="run directory (default outputs/)")
    p.add_argument("--overwrite", action="store_true", default=SUPPRESS, help="redo finished work")
    p.add_argument("--allow-empty", action="store_true", default=SUPPRESS, help="accept no records")
    p.add_argument("--config", type=Path, help="TOML config file, one table per stage")
    verbosity(p)


class _SharedFlags:
    """Adds every stage's flags to ``run``; a flag two stages share is added once.

    In ``run`` one flag sets that setting in every stage that has it (``--roles``
    reaches translate and export alike); a config-file table sets one stage alone.
    """

    def __init__(self, parser: argparse.ArgumentParser) -> None:
        self._parser = parser

    def add_argument(self, *args: Any, **kwargs: Any) -> None:
        with contextlib.suppress(argparse.ArgumentError):
            self._parser.add_argument(*args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="parallax",
        description="Translate Vietnamese and Chinese news to English and align their claims.",
    )
    parser.add_argument("--version", action="version", version=f"parallax {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    parser.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")
    parser.add_argument(
        "--threads", type=int, help=f"model threads (default ${threads.ENV}, else the cores)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in STAGES:
        p = sub.add_parser(name, help=STAGE_HELP.get(name, name), formatter_class=KeyTableFormatter)
        _common(p, inputs=name == "ingest")
        STAGE_OPTIONS[name](p)
        p.epilog = key_epilog(p, name)
        p.set_defaults(handler=_handle_stage, stage=name)
    p = sub.add_parser(
        "run",
        help="run every stage in order on INPUT files or folders",
        formatter_class=KeyTableFormatter,
        epilog=(
            "config file (--config): --out, --until and --overwrite are keys of [run]; every\n"
            "other flag sets the key of its stage's table named after it (--format -> [export]\n"
            "formats, --max-bytes -> [ingest] max_bytes); `parallax STAGE --help` lists them."
        ),
    )
    _common(p, inputs=True)
    p.add_argument("--until", choices=list(STAGES), help="stop after this stage")
    shared = _SharedFlags(p)
    for name in STAGES:
        STAGE_OPTIONS[name](shared)  # type: ignore[arg-type]
    p.set_defaults(handler=_handle_run)
    _add_evaluate(sub)
    _add_models(sub)
    return parser


def _add_evaluate(sub: Any) -> None:
    p = sub.add_parser(
        "evaluate", help="score translations against references (BLEU, chrF2, TER, significance)"
    )
    evaluate_options(p)
    p.set_defaults(handler=_handle_evaluate)


def _handle_evaluate(args: argparse.Namespace, argv: Sequence[str]) -> int:
    import json

    from pipeline import ConfigError
    from pipeline import evaluate as ev
    from pipeline.corpus.judgments import format_summary

    if args.judgments is not None:
        found = ev.judgments(args.judgments, args.out)
        print(
            json.dumps(found, indent=2, ensure_ascii=False) if args.json else format_summary(found)
        )
        return 0
    if not args.ref:
        raise ConfigError("evaluate: --ref is required (or --judgments FILE)")
    if not (args.verbose or args.sub_verbose):  # sacrebleu logs each paired-test step at INFO
        logging.getLogger("sacrebleu").setLevel(logging.WARNING)
    hyps = args.hyp or [ev.run_hypothesis(args.out)]
    result = ev.evaluate(
        args.ref,
        hyps,
        args.names,
        samples=args.bootstrap,
        source=args.src,
        tokenize=args.tokenize,
        metrics=args.metrics,
    )
    path = ev.write_evaluation(result, args.out)
    summary = ev.summary(result)
    print(
        json.dumps(summary, indent=2, ensure_ascii=False) if args.json else ev.format_table(result)
    )
    print(f"evaluate: wrote {path}", file=sys.stderr)
    return 0


def _models_dir(args: argparse.Namespace) -> Path:
    from pipeline.run.config import models_dir

    return models_dir(args.models_dir)


def _add_models(sub: Any) -> None:
    listing, fetch, convert = models_parsers(sub)
    listing.set_defaults(handler=_handle_models_list)
    fetch.set_defaults(handler=_handle_models_fetch)
    convert.set_defaults(handler=_handle_models_convert)


def _handle_models_list(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from pipeline.mt.registry import describe, model_specs

    folder = _models_dir(args)
    for row in describe(model_specs(folder, args.model), folder):
        model = f"{row['model']}@{row['revision']}" if row["revision"] else row["model"]
        print(f"{row['lang']:4} {model:45} {row['available']}")
    return 0


def _handle_models_fetch(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from pipeline import ModelError
    from pipeline.mt.registry import IDENTITY, fetch_model, model_specs

    folder = _models_dir(args)
    specs = model_specs(folder, args.model)
    langs = args.langs or [k for k, v in sorted(specs.items()) if v.model_id != IDENTITY]
    failed = 0
    for lang in langs:
        if lang not in specs:
            print(f"{lang}: no model in the registry (known: {', '.join(sorted(specs))})")
            failed += 1
            continue
        try:
            print(f"{lang}: {specs[lang].model_id} -> {fetch_model(specs[lang], folder)}")
        except ModelError as exc:
            print(f"{lang}: failed: {exc}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


def _handle_models_convert(args: argparse.Namespace, argv: Sequence[str]) -> int:
    from pipeline.mt.ct2_convert import convert_models

    rows = convert_models(
        _models_dir(args), args.model, args.langs, args.quantization, args.overwrite
    )
    for lang, message in rows:
        print(f"{lang}: {message}")
    return 1 if any(m.startswith("failed") for _, m in rows) else 0


def _file_config(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    if args.config is None:
        return {}
    from pipeline.run.config import load_config

    keys = {name: setting_names(name) for name in STAGES}
    return load_config(args.config, tuple(STAGES), keys)


def _handle_stage(args: argparse.Namespace, argv: Sequence[str]) -> int:
    options = stage_options(args.stage, vars(args), _file_config(args))
    if args.stage == "ingest":
        options["input"] = args.inputs
    elif "input" in vars(args):
        options["input"] = args.input
    result = run_stage(args.stage, options, argv)
    _print_result(result)
    return 0 if result.ok else 1


def _handle_run(args: argparse.Namespace, argv: Sequence[str]) -> int:
    tables = _file_config(args)
    options = {name: stage_options(name, vars(args), tables) for name in STAGES}
    options["ingest"]["input"] = args.inputs
    until = args.until or tables.get("run", {}).get("until")
    check_configs(options, until)
    results = run_pipeline(options, until=until, arguments=argv, on_result=_print_result)
    failed = [f for r in results for f in r.failures]
    print(f"run finished: {len(results)} stages, {len(failed)} failures", file=sys.stderr)
    return 1 if failed else 0


def _print_result(result: StageResult) -> None:
    counts = ", ".join(f"{k} {v}" for k, v in result.counts.items())
    state = "up to date" if result.reused else "done"
    outputs = ", ".join(str(p) for p in result.outputs)
    print(f"{result.stage}: {state}: {counts} -> {outputs}", file=sys.stderr)
    for failure in result.failures:
        print(f"  failed: {failure}", file=sys.stderr)


def _configure_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if not verbose:  # huggingface_hub's HTTP client logs every request at INFO
        logging.getLogger("httpx2").setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    Exit status (README, Exit status): 0 all succeeded, 1 some input failed, 2 a usage,
    config or input error or a busy run directory, 3 the machine refused (disk full...).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    _configure_logging(
        args.verbose + getattr(args, "sub_verbose", 0),
        args.quiet or getattr(args, "sub_quiet", False),
    )
    try:
        threads.configure(args.threads)  # before any model library is imported
        status: int = args.handler(args, argv)
    except (PipelineError, OSError) as exc:  # an OSError the library did not name: one line too
        error = machine_error(exc, "?", "use") if isinstance(exc, OSError) else exc
        print(f"parallax: error: {error}", file=sys.stderr)
        return 3 if isinstance(error, MachineError) else 2
    except KeyboardInterrupt:
        print("parallax: interrupted; rerun the same command to resume", file=sys.stderr)
        return 130
    return status
