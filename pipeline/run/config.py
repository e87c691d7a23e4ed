"""Configuration files: one TOML file, one table per stage; and the models folder.

Example::

    [run]
    out = "outputs"

    [translate]
    beam_size = 4
    model = ["vi=models/opus-mt-vi-en"]

Every table and every key is checked when the file is read, before the first
stage runs: an unknown table or key is an error naming the table (``[export]``)
and the nearest valid name. Values are checked when the stages' configs are
built, which the CLI also does for every stage before running the first.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pipeline import ConfigError
from pipeline.io.files import read_text

__all__ = ["MODELS_ENV", "RUN_KEYS", "load_config", "models_dir", "unknown_key"]

RUN_KEYS = frozenset({"out", "until", "overwrite"})
MODELS_ENV = "PARALLAX_MODELS"


def unknown_key(kind: str, name: str, known: Iterable[str]) -> str:
    """The message for an unknown name: the nearest valid one, then all of them."""
    known = sorted(known)
    near = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f"did you mean {near[0]!r}? " if near else ""
    return f"unknown {kind} {name!r} ({hint}known: {', '.join(known)})"


def load_config(
    path: Path,
    stages: Iterable[str],
    keys: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, dict[str, Any]]:
    """Read a TOML config file and check its tables and keys.

    Args:
        path: the file.
        stages: the stage names a table may be named after (``run`` is also allowed).
        keys: stage name -> its valid keys; a stage left out is not checked here.

    Returns:
        table name -> its settings.

    Raises:
        ConfigError: invalid TOML, an unknown table or key, or a value that is not a table.
    """
    try:
        data = tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML ({exc})") from exc
    allowed = {"run", *stages}
    valid = {"run": RUN_KEYS, **{k: frozenset(v) for k, v in (keys or {}).items()}}
    tables: dict[str, dict[str, Any]] = {}
    for name, value in data.items():
        if name not in allowed:
            near = difflib.get_close_matches(name, sorted(allowed), n=1, cutoff=0.6)
            hint = f"did you mean [{near[0]}]? " if near else ""
            raise ConfigError(
                f"{path}: unknown table [{name}] ({hint}allowed: {', '.join(sorted(allowed))})"
            )
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: {name!r} must be a table, like [{name}]")
        for key in value:
            if name in valid and key not in valid[name]:
                kind = "key" if name == "run" else "setting"
                raise ConfigError(f"{path}: [{name}]: " + unknown_key(kind, key, valid[name]))
        tables[name] = value
    return tables


def models_dir(
    explicit: Path | str | None = None,
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Path:
    """The one models folder (registry, snapshots, converted models) every command uses.

    Order: ``explicit`` (``--models-dir`` or ``models_dir`` in the config file),
    then the ``PARALLAX_MODELS`` environment variable, then ``models/`` beside
    the config file when that folder exists, then ``models/`` in the current directory.
    The result is absolute, so a later change of directory cannot change it.

    Args:
        explicit: the folder given by flag or config file, if any.
        config_file: the ``--config`` file, if any.
        environ: the environment (default ``os.environ``).
    """
    env = os.environ if environ is None else environ
    if explicit:
        return Path(explicit).expanduser().absolute()
    if env.get(MODELS_ENV):
        return Path(env[MODELS_ENV]).expanduser().absolute()
    if config_file is not None:
        beside = config_file.expanduser().absolute().parent / "models"
        if beside.is_dir():
            return beside
    return Path("models").absolute()
