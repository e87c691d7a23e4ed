"""Configuration files: one TOML file, one table per stage.

Example::

    [run]
    out = "outputs"

    [translate]
    beam_size = 4
    model = ["vi=models/opus-mt-vi-en"]

Tables and keys are checked: an unknown table is an error naming it, and the
keys inside a table are checked against the stage's settings when the stage's
config is built (:meth:`pipeline.run.stage.StageConfig.from_options`).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pipeline import ConfigError
from pipeline.io.files import read_text

__all__ = ["load_config"]

RUN_KEYS = frozenset({"out", "until", "overwrite"})


def load_config(path: Path, stages: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Read a TOML config file and check its tables.

    Args:
        path: the file.
        stages: the stage names a table may be named after (``run`` is also allowed).

    Returns:
        table name -> its settings.

    Raises:
        ConfigError: invalid TOML, an unknown table, or a value that is not a table.
    """
    try:
        data = tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from exc
    allowed = {"run", *stages}
    tables: dict[str, dict[str, Any]] = {}
    for name, value in data.items():
        if name not in allowed:
            raise ConfigError(
                f"{path}: unknown table [{name}] (allowed: {', '.join(sorted(allowed))})"
            )
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: {name!r} must be a table, like [{name}]")
        tables[name] = value
    unknown = set(tables.get("run", {})) - RUN_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown key {sorted(unknown)[0]!r} in [run]")
    return tables
