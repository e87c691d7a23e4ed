"""The stage contract: a config, a result, the ordered registry, and the runner.

Each stage module (``pipeline.ingest``, ``pipeline.detect``...) defines a
``Config`` (a subclass of :class:`StageConfig`) and ``run(config) ->
StageResult``. The registry maps stage names to module paths and imports a
module only when its stage runs, so ``parallax --help`` and the light stages
never import torch.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import time
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Self

from pipeline import ConfigError, InputError
from pipeline.manifest import Manifest

__all__ = [
    "STAGES",
    "StageConfig",
    "StageResult",
    "load_stage",
    "run_pipeline",
    "run_stage",
    "stage_input",
    "up_to_date",
]

log = logging.getLogger(__name__)

# Stage name -> module, in pipeline order. ``parallax run`` runs them in this order.
STAGES: dict[str, str] = {
    "ingest": "pipeline.ingest",
    "detect": "pipeline.detect",
    "segment": "pipeline.segment",
    "translate": "pipeline.translate",
    "report": "pipeline.report",
}


@dataclass(frozen=True)
class StageConfig:
    """Settings every stage shares.

    Attributes:
        out: the run directory; inputs are read from it and outputs written to it.
        input: explicit input files, in place of the run directory's.
        overwrite: redo the stage even when its output is up to date.
    """

    out: Path
    input: tuple[Path, ...] = ()
    overwrite: bool = False

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Self:
        """Build a config from flags and config-file values, rejecting unknown keys.

        Raises:
            ConfigError: an unknown key, or a value of the wrong type.
        """
        names = {f.name: f for f in dataclasses.fields(cls)}
        hints = typing.get_type_hints(cls)
        kwargs: dict[str, Any] = {}
        for key, value in options.items():
            if key not in names:
                known = ", ".join(sorted(names))
                raise ConfigError(f"unknown setting {key!r} for {cls.__module__} (known: {known})")
            kwargs[key] = _convert(key, hints[key], value)
        try:
            return cls(**kwargs)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{cls.__module__}: {exc}") from exc

    def settings(self) -> dict[str, Any]:
        """The stage-specific settings, for the manifest and freshness checks."""
        skip = {"out", "input", "overwrite"}
        return {
            f.name: _jsonable(getattr(self, f.name))
            for f in dataclasses.fields(self)
            if f.name not in skip
        }


def _convert(key: str, hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    if hint is Path or hint == (Path | None):
        return None if value is None else Path(value)
    if origin is tuple:
        items = [value] if isinstance(value, str | Path) else list(value)
        args = typing.get_args(hint)
        if args and args[0] is Path:
            return tuple(Path(v) for v in items)
        return tuple(items)
    if hint is bool and not isinstance(value, bool):
        raise ConfigError(f"setting {key!r}: expected true or false, got {value!r}")
    if hint is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"setting {key!r}: expected a whole number, got {value!r}")
    if hint is float and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise ConfigError(f"setting {key!r}: expected a number, got {value!r}")
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class StageResult:
    """What a stage did.

    Attributes:
        stage: its name.
        outputs: files it wrote (or found up to date).
        counts: numbers worth reporting (documents, segments, errors...).
        failures: one line per input that failed, ``"name: reason"``.
        reused: the output was already up to date and nothing was recomputed.
        inputs: input file -> sha256, for the manifest.
        files: per-file status for the manifest (ingest only).
        settings: the settings that shaped the output.
    """

    stage: str
    outputs: tuple[Path, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)
    failures: tuple[str, ...] = ()
    reused: bool = False
    inputs: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when no input failed."""
        return not self.failures


def stage_input(config: StageConfig, default: str, producer: str) -> Path:
    """The one input file of a stage: ``--input`` if given, else ``<out>/<default>``.

    Args:
        config: the stage's config.
        default: file name in the run directory.
        producer: the stage that writes that file, named in the error.

    Raises:
        InputError: the file does not exist.
    """
    path = config.input[0] if config.input else config.out / default
    if not path.is_file():
        raise InputError(f"{path}: not found (run `parallax {producer}` first, or pass --input)")
    return path


def up_to_date(
    config: StageConfig, stage: str, outputs: Sequence[Path], inputs: Mapping[str, str]
) -> bool:
    """True when the outputs exist and were made from the same inputs and settings.

    Args:
        config: the stage's config (``overwrite`` forces False).
        stage: the stage name in the manifest.
        outputs: the files the stage writes.
        inputs: input path -> sha256 of this run.
    """
    if config.overwrite or not outputs or not all(p.exists() for p in outputs):
        return False
    entry = Manifest(config.out).stage(stage)
    return entry.get("inputs") == dict(inputs) and entry.get("settings") == config.settings()


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
    """
    module = load_stage(name)
    config = module.Config.from_options(options)
    manifest = Manifest(config.out)
    started = time.time()
    log.info("stage %s: starting", name)
    result: StageResult = module.run(config)
    manifest.record_stage(result, list(arguments), started, time.time())
    manifest.save()
    log.info(
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
    for name in STAGES:
        result = run_stage(name, options[name], arguments)
        results.append(result)
        if on_result is not None:
            on_result(result)
        if name == until:
            break
    return results
