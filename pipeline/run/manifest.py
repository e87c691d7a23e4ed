"""The run manifest, ``<run dir>/manifest.json``: what ran, on what, with what.

It records the tool version, Python and key library versions, each stage's
command line, settings, input hashes, outputs, counts, timings and failures,
and the status of every input file, so a run can be reproduced and audited.
"""

from __future__ import annotations

import datetime as dt
import platform
from collections.abc import Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.io.atomic import atomic_write_json
from pipeline.io.files import read_json
from pipeline.run.stage import StageConfig, StageResult

__all__ = ["Manifest", "package_versions", "up_to_date"]

MANIFEST_NAME = "manifest.json"
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
        self.path = run_dir / MANIFEST_NAME
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
