"""The review page in headless Chromium: sort, filter, judge, download, lazy rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.cli import main
from pipeline.corpus.judgments import read_judgments, summarize
from tests.test_report_browser import Opened, browser, pytestmark  # noqa: F401

WMT = Path(__file__).parent / "data" / "wmt23"
SRC = WMT / "generaltest2023.zh-en.src.zh.head50"
REF = WMT / "generaltest2023.zh-en.ref.en.head50"
HYPS = [WMT / f"generaltest2023.zh-en.hyp.{n}.en.head50" for n in ("NLLB_Greedy", "GPT4-5shot")]
HYPS.append(WMT / "generaltest2023.zh-en.hyp.ONLINE-B.en.head50")
LINES = "[...document.querySelectorAll('.rrow')].map(r => Number(r.dataset.line))"


def _review(out: Path, src: Path, ref: Path, hyps: list[Path], *extra: str) -> Path:
    argv = ["-q", "evaluate", "--src", str(src), "--ref", str(ref), "--out", str(out)]
    argv += [a for h in hyps for a in ("--hyp", str(h))]
    assert main([*argv, "--names", "NLLB,GPT4,ONLINE-B", *extra]) == 0
    assert main(["-q", "report", "--out", str(out)]) == 0
    return out / "report.html"


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _review(tmp_path_factory.mktemp("review"), SRC, REF, HYPS, "--bootstrap", "100")


@pytest.fixture
def page(browser: Any, review: Path) -> Iterator[Opened]:  # noqa: F811
    opened = Opened(browser, review)
    opened.page.evaluate("localStorage.clear()")
    opened.page.reload()
    yield opened
    opened.page.close()


def _segments(review: Path) -> list[dict[str, Any]]:
    return json.loads((review.parent / "evaluation.json").read_text("utf-8"))["segments"]


def test_opens_with_the_summary_on_top(page: Opened, review: Path) -> None:
    assert page.errors == []
    assert set(page.requests) == {review.as_uri()}
    top = page.page.evaluate("document.getElementById('summary-table').getBoundingClientRect().top")
    first = page.page.evaluate("document.querySelector('.rrow').getBoundingClientRect().top")
    assert top < first
    # best per metric in bold: ONLINE-B leads BLEU and chrF, and has the lowest TER
    bold = page.page.evaluate(
        "[...document.querySelectorAll('#summary-table td b')]"
        ".map(b => b.closest('tr').querySelector('th').textContent)"
    )
    assert bold == ["ONLINE-B"] * 3
    assert page.page.evaluate(LINES) == list(range(1, 51))


def test_sort_worst_first_and_by_difference(page: Opened, review: Path) -> None:
    segs = _segments(review)
    page.page.click("#worst")
    worst = sorted(segs, key=lambda s: (s["scores"]["NLLB"]["bleu"], s["line"]))
    assert page.page.evaluate(LINES) == [s["line"] for s in worst]
    page.page.select_option("#sys-b", "2")  # ONLINE-B
    page.page.select_option("#metric", "2")  # TER: lower is better, so A's advantage is B - A
    page.page.select_option("#sort", "adv-desc")

    def advantage(s: dict[str, Any]) -> float:
        return s["scores"]["ONLINE-B"]["ter"] - s["scores"]["NLLB"]["ter"]

    expected = sorted(segs, key=lambda s: (-advantage(s), s["line"]))
    assert page.page.evaluate(LINES) == [s["line"] for s in expected]


def test_filters_by_score_difference_length_flag_and_text(page: Opened, review: Path) -> None:
    segs = _segments(review)
    page.page.fill("#score-max", "10")
    page.page.dispatch_event("#score-max", "change")
    low = [s["line"] for s in segs if s["scores"]["NLLB"]["bleu"] <= 10]
    assert page.page.evaluate(LINES) == low and 0 < len(low) < 50
    page.page.fill("#score-max", "")
    page.page.fill("#diff-max", "-20")  # GPT4 ahead of NLLB by 20 BLEU or more
    page.page.dispatch_event("#diff-max", "change")
    behind = [
        s["line"] for s in segs if s["scores"]["NLLB"]["bleu"] - s["scores"]["GPT4"]["bleu"] <= -20
    ]
    assert page.page.evaluate(LINES) == behind and behind
    page.page.fill("#diff-max", "")
    page.page.fill("#len-min", "40")
    page.page.dispatch_event("#len-min", "change")
    long = [s["line"] for s in segs if len(s["reference"].split()) >= 40]
    assert page.page.evaluate(LINES) == long and long
    page.page.fill("#len-min", "")
    page.page.select_option("#flag", "any")
    flagged = [s["line"] for s in segs if s["flags"]["NLLB"] or not s["hypotheses"]["NLLB"]]
    assert page.page.evaluate(LINES) == flagged
    page.page.select_option("#flag", "")
    page.page.fill("#q", "Chilean")
    assert page.page.evaluate(LINES) == [
        s["line"]
        for s in segs
        if "chilean"
        in (
            s["reference"] + s["hypotheses"]["NLLB"] + s["hypotheses"]["GPT4"] + s["source"]
        ).lower()
    ]


def test_differences_are_marked_against_the_reference(page: Opened) -> None:
    row = page.page.locator('.rrow[data-line="1"]')
    # every word of A is marked in or not in the reference; some only A has
    assert row.locator(".txt.sa .tok").count() > 5
    assert row.locator(".txt.sa .tok.u").count() > 0
    assert row.locator(".txt.ref .tok.ao, .txt.ref .tok.bo").count() > 0


def _judge(page: Opened) -> None:
    first = page.page.locator('.rrow[data-line="1"]')
    first.locator("button.v-better").click()
    first = page.page.locator('.rrow[data-line="1"]')
    first.locator("select.score").select_option("4")
    page.page.locator('.rrow[data-line="2"] button.v-worse').click()
    note = page.page.locator('.rrow[data-line="2"] textarea.note')
    note.fill('needs "work", badly\nsecond line')
    note.dispatch_event("change")
    page.page.select_option("#sys-b", "2")
    page.page.locator('.rrow[data-line="3"] button.v-equal').click()


def test_judge_persist_and_download_jsonl_and_csv(
    page: Opened, review: Path, tmp_path: Path, capsys
) -> None:
    _judge(page)
    assert page.page.inner_text("#judged").startswith("3 judged")
    page.page.reload()  # judgments stay in the browser
    assert page.page.inner_text("#judged").startswith("3 judged")
    assert (
        page.page.locator('.rrow[data-line="1"] button.v-better').get_attribute("aria-pressed")
        == "true"
    )
    files = {}
    for kind in ("jsonl", "csv"):
        with page.page.expect_download() as info:
            page.page.click(f"#dl-{kind}")
        files[kind] = tmp_path / f"judgments.{kind}"
        info.value.save_as(files[kind])
        assert info.value.suggested_filename == f"judgments.{kind}"
    assert read_judgments(files["jsonl"]) == read_judgments(files["csv"])
    summary = summarize(read_judgments(files["jsonl"]))
    assert summary["pairs"] == [
        {"system": "GPT4", "other": "NLLB", "better": 1, "worse": 1, "equal": 0},
        {"system": "NLLB", "other": "ONLINE-B", "better": 0, "worse": 0, "equal": 1},
    ]
    assert summary["scores"]["NLLB"]["mean"] == 4.0
    assert summary["notes"][0]["note"] == 'needs "work", badly\nsecond line'
    capsys.readouterr()
    argv = ["evaluate", "--judgments", str(files["csv"]), "--out", str(review.parent)]
    assert main(argv) == 0
    assert "GPT4 vs NLLB: better 1, worse 1, equal 0" in capsys.readouterr().out
    assert page.errors == []


def test_hostile_text_stays_text(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    hostile = '</script><img src=x onerror="window.pwned=1"> <b>bold</b>'
    ref = tmp_path / "ref.en"
    ref.write_text(f"{hostile}\nplain line\n", "utf-8")
    hyp = tmp_path / "hyp.en"
    hyp.write_text(f"{hostile}\nplain\n", "utf-8")
    src = tmp_path / "src.zh"
    src.write_text(f"{hostile}\n源\n", "utf-8")
    report = _review(tmp_path / "out", src, ref, [hyp, ref, src], "--bootstrap", "0")
    opened = Opened(browser, report)
    assert opened.page.evaluate("window.pwned") is None
    assert opened.page.locator(".rrow img, .rrow b").count() == 0
    assert hostile in opened.page.inner_text('.rrow[data-line="1"] .txt.ref')
    assert opened.errors == [] and set(opened.requests) == {report.as_uri()}
    opened.page.close()


@pytest.mark.slow
def test_two_thousand_lines_render_lazily(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    times = 40  # 2,000 lines, about the 1,976 of the full WMT23 set
    files = []
    for path in (SRC, REF, *HYPS):
        copy = tmp_path / path.name
        copy.write_text(path.read_text("utf-8") * times, "utf-8")
        files.append(copy)
    report = _review(
        tmp_path / "out",
        files[0],
        files[1],
        files[2:],
        "--bootstrap",
        "0",
        "--metrics",
        "bleu,chrf",
    )
    opened = Opened(browser, report)
    assert opened.page.locator(".rrow").count() == 100
    assert "2000 of 2000 lines" in opened.page.inner_text("#status")
    opened.page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    opened.page.wait_for_function("document.querySelectorAll('.rrow').length >= 200")
    opened.page.click("#worst")
    assert opened.page.locator(".rrow").count() == 100
    opened.page.select_option("#flag", "differ")
    assert opened.errors == []
    opened.page.close()
