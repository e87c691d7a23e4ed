"""The review page written from an evaluation alone, and from a run with --review."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pipeline.cli import main
from pipeline.report import Config, run
from tests.support.report_fixture import HOSTILE, small_run

WMT = Path(__file__).parent / "data" / "wmt23"
SRC = WMT / "generaltest2023.zh-en.src.zh.head50"
REF = WMT / "generaltest2023.zh-en.ref.en.head50"
HYPS = [WMT / f"generaltest2023.zh-en.hyp.{n}.en.head50" for n in ("NLLB_Greedy", "GPT4-5shot")]


def _data(html: str) -> dict:
    block = re.search(
        r'<script type="application/json" id="review-data">(.*?)</script>', html, re.S
    )
    assert block is not None
    return json.loads(block.group(1))


def test_report_of_an_evaluation_alone(tmp_path: Path, capsys) -> None:
    argv = ["evaluate", "--src", str(SRC), "--ref", str(REF), "--out", str(tmp_path)]
    argv += ["--hyp", str(HYPS[0]), "--hyp", str(HYPS[1]), "--bootstrap", "50"]
    assert main(argv) == 0
    assert not (tmp_path / "documents.jsonl").exists()
    assert main(["report", "--out", str(tmp_path)]) == 0
    html = (tmp_path / "report.html").read_text("utf-8")
    data = _data(html)
    assert data["systems"] == [p.name for p in HYPS] and len(data["rows"]) == 50
    assert data["rows"][0]["src"] == SRC.read_text("utf-8").splitlines()[0]
    assert data["metrics"] == ["bleu", "chrf", "ter"]
    # the summary: GPT4 is best on all three; its p-values are shown under its scores
    summary = html.split('id="summary-table"')[1].split("</table>")[0]
    gpt4 = summary.split(HYPS[1].name)[1]
    assert gpt4.count("<b>") == 3 and "p = " in gpt4 and "μ " in gpt4
    capsys.readouterr()
    assert main(["report", "--out", str(tmp_path)]) == 0  # up to date: nothing redone
    assert "up to date" in capsys.readouterr().err


def test_review_of_a_run_keeps_hostile_text_out_of_the_markup(tmp_path: Path) -> None:
    out = small_run(tmp_path)
    run(Config(out=out, review=True))
    html = (out / "report.html").read_text("utf-8")
    data = _data(html)
    assert [row["l"] for row in data["rows"]] == [1, 2]
    assert data["rows"][1]["ref"] == ["LOOSE-REF " + HOSTILE]
    script = html.split('id="review-data">')[1].split("</script>")[0]
    assert "<" not in script  # escaped as \\u003c: no text can end the script block


def test_report_without_documents_or_evaluation_says_what_is_missing(
    tmp_path: Path, capsys
) -> None:
    assert main(["report", "--out", str(tmp_path)]) == 2
    assert "documents.jsonl: not found" in capsys.readouterr().err
