"""The ordered stage registry and the runner.

The registry maps stage names to module paths and imports a module only when
its stage runs, so ``parallax --help`` and the light stages never import torch.
Stages are named here as strings: the orchestration wing never imports a stage
module statically.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from pipeline import ConfigError, PipelineError
from pipeline.io.atomic import remove_stale_temps
from pipeline.io.lock import run_dir_lock
from pipeline.run.files import EXPORT
from pipeline.run.manifest import Manifest
from pipeline.run.stage import StageResult

log = logging.getLogger(__name__)

# Stage name -> module, in pipeline order. ``parallax run`` runs them in this order.
STAGES: dict[str, str] = {
    "ingest": "pipeline.ingest",
    "detect": "pipeline.detect",
    "segment": "pipeline.segment",
    "translate": "pipeline.translate",
    "align": "pipeline.align",
    "export": "pipeline.export",
    "report": "pipeline.report",
}


def load_stage(name: str) -> ModuleType:
    """Import a stage module by stage name.

    Raises:
        ConfigError: no such stage.
    """
    try:
        module = STAGES[name]
    except KeyError:
        raise ConfigError(f"unknown stage {name!r} (stages: {', '.join(STAGES)})") from None
    return importlib.import_module(module)


def run_stage(name: str, options: Mapping[str, Any], arguments: Sequence[str] = ()) -> StageResult:
    """Build a stage's config from ``options``, run it, and record it in the manifest.

    Args:
        name: the stage.
        options: config values (``out`` is required).
        arguments: the command line, recorded in the manifest.

    Returns:
        The stage's result.

    Raises:
        BusyError: another process works in the run directory (its lock is held).
    """
    module = load_stage(name)
    config = module.Config.from_options(options)
    with run_dir_lock(config.out):
        _clean_temps(config.out)
        manifest = Manifest(config.out)
        started = time.time()
        log.info("stage %s: starting", name)
        result: StageResult = module.run(config)
        manifest.record_stage(result, list(arguments), started, time.time())
        manifest.save()
    log.debug(  # the CLI prints the one summary line of a stage; this is for library use
        "stage %s: %s %s",
        name,
        "up to date" if result.reused else "done",
        ", ".join(f"{k}={v}" for k, v in result.counts.items()),
    )
    return result


def run_pipeline(
    options: Mapping[str, Mapping[str, Any]],
    until: str | None = None,
    arguments: Sequence[str] = (),
    on_result: Callable[[StageResult], None] | None = None,
) -> list[StageResult]:
    """Run every stage in order, each on the previous stage's output.

    Args:
        options: stage name -> that stage's options (each must hold ``out``).
        until: stop after this stage.
        arguments: the command line, for the manifest.
        on_result: called after each stage (the CLI prints progress with it).

    Returns:
        The results of the stages that ran.
    """
    if until is not None and until not in STAGES:
        raise ConfigError(f"--until: unknown stage {until!r} (stages: {', '.join(STAGES)})")
    results = []
    with contextlib.ExitStack() as held:
        for out in dict.fromkeys(Path(o["out"]) for o in options.values() if "out" in o):
            held.enter_context(run_dir_lock(out))  # for the whole run, not stage by stage
        for name in STAGES:
            result = run_stage(name, options[name], arguments)
            results.append(result)
            if on_result is not None:
                on_result(result)
            if name == until:
                break
    return results


def setting_names(stage: str) -> list[str]:
    """The settings of a stage's Config (the keys its config-file table takes)."""
    return [f.name for f in dataclasses.fields(load_stage(stage).Config)]


def stage_options(
    name: str, given: Mapping[str, Any], tables: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """Options of one stage: its config-file table, overridden by the flags given.

    Args:
        name: the stage.
        given: the flags given on the command line (dest -> value), ``config`` included.
        tables: the config file's tables.
    """
    fields = set(setting_names(name))
    options: dict[str, Any] = dict(tables.get(name, {}))
    run_table = tables.get("run", {})
    options["out"] = given.get("out", run_table.get("out", "outputs"))
    if "overwrite" in given or "overwrite" in run_table:
        options["overwrite"] = given.get("overwrite", run_table.get("overwrite"))
    for key, value in given.items():
        if key in fields and key not in ("out", "overwrite", "input", "inputs"):
            options[key] = value
    if "models_dir" in fields:
        from pipeline.run.config import models_dir

        options["models_dir"] = models_dir(options.get("models_dir"), given.get("config"))
    return options


def check_configs(options: dict[str, dict[str, Any]], until: str | None) -> None:
    """Build every stage's config before the first runs: a bad value fails in a second."""
    for name in STAGES:
        try:
            load_stage(name).Config.from_options(options[name])
        except PipelineError as exc:
            raise type(exc)(f"[{name}]: {exc}") from exc
        if name == until:
            break
def _clean_temps(out: Path) -> None:
    """Remove the temporary files a killed run left (the lock says none is live)."""
    for folder in (out, out / EXPORT):
        for path in remove_stale_temps(folder):
            log.info("removed %s, left by a killed run", path)
