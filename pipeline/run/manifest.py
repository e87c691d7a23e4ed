"""The run manifest, ``<run dir>/manifest.json``: what ran, on what, with what.

It records the tool version, Python and key library versions, each stage's
command line, settings, input hashes, outputs, counts, timings and failures,
and the status of every input file, so a run can be reproduced and audited.
"""

from __future__ import annotations

import datetime as dt
import logging
import platform
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline import __version__, threads
from pipeline.io.atomic import atomic_write_json
from pipeline.io.files import file_sha256, read_json
from pipeline.run.files import MANIFEST
from pipeline.run.stage import StageConfig, StageResult

log = logging.getLogger(__name__)

__all__ = ["Manifest", "hash_inputs", "package_versions", "recorded_outputs", "reuse", "up_to_date"]

_PACKAGES = ("langdetect", "sacrebleu", "torch", "transformers", "sentencepiece", "ctranslate2")


def package_versions() -> dict[str, str]:
    """Versions of the libraries that shape the output (without importing them)."""
    found = {}
    for name in _PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, tz=dt.UTC).isoformat(timespec="seconds")


class Manifest:
    """Read-modify-write access to a run directory's manifest.

    Args:
        run_dir: the run directory; the manifest is created there on save.
    """

    def __init__(self, run_dir: Path) -> None:
        self.path = run_dir / MANIFEST
        self.data: dict[str, Any] = read_json(self.path) if self.path.exists() else {}
        self.data.setdefault("tool", "parallax")
        self.data.setdefault("stages", {})
        self.data.setdefault("files", {})

    def stage(self, name: str) -> dict[str, Any]:
        """The recorded entry of one stage (empty when it never ran)."""
        entry: dict[str, Any] = self.data["stages"].get(name, {})
        return entry

    def record_stage(
        self, result: StageResult, arguments: list[str], started: float, finished: float
    ) -> None:
        """Store one stage's result, replacing the previous entry of that stage."""
        self.data["version"] = __version__
        self.data["python"] = platform.python_version()
        self.data["packages"] = package_versions()
        self.data["threads"] = threads.current().as_dict()
        self.data["updated"] = _iso(finished)
        previous = self.stage(result.stage)
        self.data["stages"][result.stage] = {
            "arguments": arguments,
            "settings": dict(result.settings) or previous.get("settings", {}),
            "inputs": dict(result.inputs) or previous.get("inputs", {}),
            "outputs": [str(p) for p in result.outputs],
            "counts": dict(result.counts),
            "failures": list(result.failures),
            "reused": result.reused,
            "started": _iso(started),
            "seconds": round(finished - started, 3),
        }
        models = dict(result.models) or previous.get("models")
        if models:  # what each language's model generated with, defaults and flags applied
            self.data["stages"][result.stage]["models"] = models
        runtime = dict(result.runtime) or previous.get("runtime")
        if runtime:
            self.data["stages"][result.stage]["runtime"] = runtime
        for key, status in result.files.items():
            self.data["files"][key] = dict(status)

    def save(self) -> None:
        """Write the manifest atomically."""
        atomic_write_json(self.path, self.data)


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


def recorded_outputs(run_dir: Path, stage: str) -> list[Path]:
    """The files the last run of a stage wrote, as its manifest entry lists them."""
    return [Path(p) for p in Manifest(run_dir).stage(stage).get("outputs", [])]


def hash_inputs(paths: Iterable[Path]) -> dict[str, str]:
    """Input path -> sha256, as the manifest records them."""
    return {str(p): file_sha256(p) for p in paths}


def reuse(
    config: StageConfig,
    stage: str,
    outputs: Sequence[Path] | None,
    inputs: Mapping[str, str],
    retry_failed: bool = False,
) -> StageResult | None:
    """The last run's result when its outputs are up to date, else None (redo the stage).

    The one freshness check of every stage: outputs present, made from the same
    input hashes and settings. The result keeps the last real counts and failures.

    Args:
        config: the stage's config (``overwrite`` forces a redo).
        stage: the stage name in the manifest.
        outputs: the files the stage writes (None: those the manifest recorded).
        inputs: input path -> sha256 of this run.
        retry_failed: redo a stage whose last run had failures (a model may have
            appeared since).
    """
    entry = Manifest(config.out).stage(stage)
    if outputs is None:
        outputs = recorded_outputs(config.out, stage)
    if not up_to_date(config, stage, outputs, inputs):
        return None
    if retry_failed and entry.get("failures"):
        return None
    return StageResult(
        stage,
        tuple(outputs),
        dict(entry.get("counts", {})),
        tuple(entry.get("failures", ())),
        reused=True,
        inputs=dict(inputs),
        settings=config.settings(),
    )
