"""The stage contract: the settings every stage shares, its result, and its input.

Each stage module (``pipeline.ingest``, ``pipeline.detect``...) defines a
``Config`` (a subclass of :class:`StageConfig`) and ``run(config) ->
StageResult``; :mod:`pipeline.run.runner` runs them in order.
"""

from __future__ import annotations

import dataclasses
import logging
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

from pipeline import ConfigError, InputError
from pipeline.io.jsonl import has_records

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StageConfig:
    """Settings every stage shares.

    Attributes:
        out: the run directory; inputs are read from it and outputs written to it.
        input: explicit input files, in place of the run directory's.
        overwrite: redo the stage even when its output is up to date.
        allow_empty: accept an input with no records (by default an error, so an
            empty file never silently replaces good output with nothing).
    """

    out: Path
    input: tuple[Path, ...] = ()
    overwrite: bool = False
    allow_empty: bool = False

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
        skip = {"out", "input", "overwrite", "allow_empty"}
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
        models: per language, the model that ran and the settings it used (translate).
        runtime: how the stage ran (engine, cluster, workers): recorded in the
            manifest, but not part of the freshness check.
    """

    stage: str
    outputs: tuple[Path, ...] = ()
    counts: Mapping[str, int] = field(default_factory=dict)
    failures: tuple[str, ...] = ()
    reused: bool = False
    inputs: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)
    models: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    runtime: Mapping[str, Any] = field(default_factory=dict)

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
        InputError: the file does not exist, or holds no records and
            ``allow_empty`` is not set.
    """
    path = config.input[0] if config.input else config.out / default
    if not path.is_file():
        raise InputError(f"{path}: not found (run `parallax {producer}` first, or pass --input)")
    check_not_empty(config, path, producer)
    return path


def check_not_empty(config: StageConfig, path: Path, producer: str) -> None:
    """Refuse an input without records (or bytes) unless ``allow_empty``; warn when allowed.

    Raises:
        InputError: the file is empty and ``allow_empty`` is not set.
    """
    # a JSONL input needs a record; another file (evaluation.json, say) needs a byte
    if has_records(path) if path.suffix == ".jsonl" else path.stat().st_size > 0:
        return
    if not config.allow_empty:
        raise InputError(
            f"{path}: empty (no records); check `parallax {producer}`, "
            "or pass --allow-empty to accept an empty input"
        )
    log.warning("%s: empty input (--allow-empty): this stage's output will be empty", path)
