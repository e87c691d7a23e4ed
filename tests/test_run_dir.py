"""The run directory: one freshness check for every stage, and the counts it keeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.run.runner import run_stage

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.mark.parametrize("stage", ["ingest", "detect", "segment"])
def test_an_up_to_date_rerun_keeps_the_last_real_counts(tmp_path: Path, stage: str) -> None:
    # Regression: a reused stage wrote "counts": {} into the manifest, and the
    # report's stages table lost them.
    options = {"out": tmp_path}
    run_stage("ingest", {**options, "input": [SEEDS]})
    for name in ("detect", "segment")[: ("ingest", "detect", "segment").index(stage)]:
        run_stage(name, options)
    first = json.loads((tmp_path / "manifest.json").read_text())["stages"][stage]["counts"]
    again = run_stage(stage, {**options, "input": [SEEDS]} if stage == "ingest" else options)
    assert again.reused
    kept = json.loads((tmp_path / "manifest.json").read_text())["stages"][stage]["counts"]
    assert first and kept == first == dict(again.counts)


def test_a_changed_input_is_not_reused(tmp_path: Path) -> None:
    run_stage("ingest", {"out": tmp_path, "input": [SEEDS]})
    run_stage("detect", {"out": tmp_path})
    assert run_stage("segment", {"out": tmp_path}).reused is False
    assert run_stage("segment", {"out": tmp_path}).reused is True
    documents = tmp_path / "documents.jsonl"
    documents.write_text(documents.read_text() + "\n")  # same records, other bytes
    assert run_stage("segment", {"out": tmp_path}).reused is False
