"""How long the review page takes to build and to use, on the full WMT23 zh-en set.

Scores the three WMT23 systems against the reference with ``parallax evaluate``
(BLEU and chrF by default: TER adds minutes and nothing to the page's speed; pass
``--metrics bleu,chrf,ter`` to time it too), writes the review page with
``parallax report``, then opens it in headless system Chromium through Playwright
and times, in the page: the load, sorting worst first, the A−B sort, a score
filter and a judgment.

Usage:
    python -m bench.review_bench [--data ../shared/data/wmt23-zh-en] [--metrics bleu,chrf]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from pipeline.cli import main
from tests.test_report_browser import ARGS, CHROMIUM

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "wmt23-zh-en"
SYSTEMS = ("NLLB_Greedy", "GPT4-5shot", "ONLINE-B")
TIMED = """async (action) => { const t0 = performance.now(); action && eval(action);
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - t0; }"""


def build(data: Path, out: Path, metrics: str) -> tuple[float, float]:
    """Evaluate and report; return the seconds each took."""
    argv = ["-q", "evaluate", "--out", str(out), "--metrics", metrics]
    argv += ["--src", str(data / "generaltest2023.zh-en.src.zh")]
    argv += ["--ref", str(data / "generaltest2023.zh-en.ref.en")]
    for name in SYSTEMS:
        argv += ["--hyp", str(data / f"generaltest2023.zh-en.hyp.{name}.en")]
    t0 = time.perf_counter()
    assert main([*argv, "--names", ",".join(SYSTEMS)]) == 0
    t1 = time.perf_counter()
    assert main(["-q", "report", "--out", str(out)]) == 0
    return t1 - t0, time.perf_counter() - t1


def use(report: Path) -> dict[str, float]:
    """Open the page and time what a reviewer does first (milliseconds)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        t0 = time.perf_counter()
        page.goto(report.as_uri())
        page.wait_for_selector(".rrow")
        found = {"open (load to first rows)": (time.perf_counter() - t0) * 1000}
        actions = {
            "sort worst first": "document.getElementById('worst').click()",
            "sort by A-B": "(s => { s.value = 'adv-asc';"
            " s.dispatchEvent(new Event('change', {bubbles: true})); })"
            "(document.getElementById('sort'))",
            "filter A <= 10": "(i => { i.value = '10';"
            " i.dispatchEvent(new Event('change', {bubbles: true})); })"
            "(document.getElementById('score-max'))",
            "judge one line": "document.querySelector('.rrow button.v-better').click()",
        }
        for label, action in actions.items():
            found[label] = page.evaluate(TIMED, action)
        found["rows in the DOM"] = page.evaluate("document.querySelectorAll('.rrow').length")
        browser.close()
    return found


def main_bench() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--metrics", default="bleu,chrf")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        evaluate_s, report_s = build(args.data, out, args.metrics)
        size = (out / "report.html").stat().st_size
        print(f"evaluate ({args.metrics}, 3 systems, 1976 lines): {evaluate_s:.1f} s")
        print(f"report: {report_s:.2f} s, {size / 1e6:.1f} MB")
        for label, value in use(out / "report.html").items():
            print(f"{label}: {value:.0f}" + ("" if label.startswith("rows") else " ms"))


if __name__ == "__main__":
    main_bench()
