"""How long the report takes to generate and to open, on the seed articles repeated.

Builds a run from the seed articles without any model (tests/support/report_fixture.py:
``seed_run``, then ``repeated_run`` under new doc_ids), times ``parallax report``
on it (wall and CPU), then opens the page in headless system Chromium through
Playwright and reads the navigation timing (DOMContentLoaded, load event), the
time to scroll to the bottom and to follow a cluster link to the last document.

Usage:
    python -m bench.report_bench [--times 200] [--seeds seeds] [--screenshot shot.png]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from pipeline.io.jsonl import read_jsonl
from pipeline.report import Config, run
from tests.support.report_fixture import repeated_run, seed_run
from tests.test_report_browser import ARGS, CHROMIUM

OPEN_TIMING = """() => { const n = performance.getEntriesByType('navigation')[0];
  return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd}; }"""
SCROLL = """() => new Promise(done => { const t0 = performance.now();
  window.scrollTo(0, document.documentElement.scrollHeight);
  requestAnimationFrame(() => requestAnimationFrame(() =>
    done({ms: performance.now() - t0, y: scrollY, height: document.documentElement.scrollHeight})));
});"""


def generate(out: Path) -> tuple[float, float, int]:
    """Run the report stage; return wall seconds, CPU seconds and file size."""
    wall, cpu = time.perf_counter(), time.process_time()
    run(Config(out=out, overwrite=True))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall, cpu, (out / "report.html").stat().st_size


def open_page(report: Path, screenshot: Path | None) -> dict[str, float]:
    """Open the report in Chromium and measure it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        wall = time.perf_counter()
        page.goto(report.as_uri(), timeout=600_000)
        figures = {"goto_s": time.perf_counter() - wall, **page.evaluate(OPEN_TIMING)}
        if screenshot is not None:
            page.screenshot(path=str(screenshot))
        scroll = page.evaluate(SCROLL)
        figures.update(scroll_ms=scroll["ms"], page_height_px=scroll["height"])
        last_link = page.locator("a.seglink").last
        wall = time.perf_counter()
        last_link.click()
        page.wait_for_function("document.querySelector(':target') !== null")
        figures["link_jump_s"] = time.perf_counter() - wall
        figures["console_errors"] = len(errors)
        browser.close()
    return figures


def main() -> None:
    """Build the repeated run, generate, open, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--times", type=int, default=200)
    parser.add_argument("--seeds", type=Path, default=Path("seeds"))
    parser.add_argument("--screenshot", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        one = seed_run(args.seeds, Path(tmp) / "one")
        big = repeated_run(one, Path(tmp) / "big", args.times)
        wall, cpu, size = generate(big)
        docs = sum(1 for _ in read_jsonl(big / "documents.jsonl"))
        segs = sum(1 for _ in read_jsonl(big / "segments.jsonl"))
        print(f"run: seeds x{args.times}: {docs} documents, {segs} segments")
        print(f"generate: {wall:.2f} s wall, {cpu:.2f} s CPU, report.html {size / 1e6:.1f} MB")
        figures = open_page(big / "report.html", args.screenshot)
    print(
        f"open: DOMContentLoaded {figures['dcl']:.0f} ms, load event {figures['load']:.0f} ms, "
        f"goto {figures['goto_s']:.2f} s"
    )
    print(
        f"scroll to bottom: {figures['scroll_ms']:.0f} ms"
        f" (page {figures['page_height_px']:.0f} px);"
        f" cluster link to last document: {figures['link_jump_s']:.2f} s;"
        f" console errors: {figures['console_errors']:.0f}"
    )


if __name__ == "__main__":
    main()
