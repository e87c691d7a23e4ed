"""The report in a real browser: headless Debian Chromium driven by Playwright.

Skipped, with the reason, when /usr/bin/chromium or the playwright package is
missing. Playwright's own browser download is never used: it launches the
system Chromium (``executable_path``) with a fresh temporary profile.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.render.markup import anchor
from pipeline.report import Config, run
from tests.support.report_fixture import ODD_SEG, repeated_run, seed_run, small_run

CHROMIUM = Path("/usr/bin/chromium")
SEEDS = Path(__file__).resolve().parents[1] / "seeds"
# Flags the closed network of the CI machine needs (it refuses connections otherwise).
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Opened:
    """A page opened from a file, with what it logged and requested."""

    def __init__(self, browser: Any, path: Path, timeout_ms: int = 60_000) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))
        self.page.on("request", lambda req: self.requests.append(req.url))
        self.page.goto(path.as_uri(), timeout=timeout_ms)

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(f"{message.type}: {message.text}")

    def visible(self, element_id: str) -> bool:
        """True when the element is displayed and inside the viewport."""
        return bool(
            self.page.evaluate(
                """id => { const e = document.getElementById(id); if (!e) return false;
                   const r = e.getBoundingClientRect();
                   return e.offsetParent !== null && r.bottom > 0 && r.top < innerHeight; }""",
                element_id,
            )
        )


@pytest.fixture(scope="module")
def small_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = small_run(tmp_path_factory.mktemp("run"))
    run(Config(out=out))
    return out / "report.html"


@pytest.fixture
def opened(browser: Any, small_report: Path) -> Iterator[Opened]:
    page = Opened(browser, small_report)
    yield page
    page.page.close()


def test_loads_without_errors_or_network(opened: Opened, small_report: Path) -> None:
    assert opened.errors == []
    assert opened.requests == [small_report.as_uri()]
    assert opened.page.title() == "Parallax report"
    ids = opened.page.evaluate("[...document.querySelectorAll('section[id]')].map(s => s.id)")
    assert {"run", "clusters", "documents", "evaluation"} <= set(ids)


def test_cluster_member_link_goes_to_its_row(opened: Opened) -> None:
    target = anchor("seg", "vi-001", ODD_SEG)
    opened.page.click(f'a.seglink[href="#{target}"]')
    assert opened.page.evaluate("document.querySelector(':target').id") == target
    assert opened.visible(target)
    hrefs = opened.page.evaluate(
        "[...document.querySelectorAll('a[href^=\"#\"]')].map(a => a.hash.slice(1))"
    )
    missing = opened.page.evaluate("ids => ids.filter(i => !document.getElementById(i))", hrefs)
    assert missing == []


def test_boilerplate_is_closed_and_opens_for_its_anchor(opened: Opened) -> None:
    row = anchor("seg", "vi-001", "s2")
    assert opened.page.evaluate("document.querySelector('details.boiler').open") is False
    assert not opened.visible(row)
    opened.page.evaluate("id => { location.hash = id; }", row)
    opened.page.wait_for_function("document.querySelector('details.boiler').open")
    assert opened.visible(row)


def test_flagged_only_toggle_hides_clean_rows(opened: Opened) -> None:
    count = (
        "[...document.querySelectorAll('.rows .row:not(.head)')].filter(r => r.offsetParent).length"
    )
    before = opened.page.evaluate(count)
    opened.page.check("#only-flagged")
    assert opened.page.evaluate(count) == 2 < before  # the length-ratio row, the untranslated one
    assert opened.errors == []


def test_screenshot_renders(opened: Opened, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    opened.page.screenshot(path=str(shot), full_page=True)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 50_000  # a blank 1400-px page compresses to a few kB


@pytest.mark.slow
def test_seeds_times_200_open_and_scroll(browser: Any, tmp_path: Path) -> None:
    one = seed_run(SEEDS, tmp_path / "one")
    big = repeated_run(one, tmp_path / "big", 200)
    result = run(Config(out=big))
    assert result.counts["documents"] == 1000
    page = Opened(browser, big / "report.html", timeout_ms=180_000)
    assert page.errors == []
    height = page.page.evaluate("document.documentElement.scrollHeight")
    page.page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.page.wait_for_function("window.scrollY > 0")
    assert page.page.evaluate("window.scrollY + innerHeight") >= height * 0.99
    last = page.page.evaluate("[...document.querySelectorAll('section.doc')].at(-1).id")
    assert last == anchor("doc", "004_f6b301008ac512af~199")
    page.page.click(f'a.seglink[href^="#{anchor("seg", "000_1280a4e69ba20f9d~199")}"]')
    assert page.page.evaluate("document.querySelector(':target').closest('section').id") == (
        anchor("doc", "000_1280a4e69ba20f9d~199")
    )
    page.page.close()


@pytest.fixture(scope="module")
def events_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.support.event_fixture import event_run

    out = event_run(tmp_path_factory.mktemp("events"))
    run(Config(out=out))
    return out / "report.html"


def test_events_view_above_clusters_and_links_into_documents(
    browser: Any, events_report: Path
) -> None:
    page = Opened(browser, events_report)
    assert page.errors == []
    top = "id => document.getElementById(id).getBoundingClientRect().top + scrollY"
    assert page.page.evaluate(top, "events") < page.page.evaluate(top, "clusters")
    cards = page.page.locator("section.event")
    assert cards.count() >= 3  # the 13 May call, the 2022 line, the talks the US sought
    call = cards.filter(has_text="2022-05-13").first
    assert call.locator(".side").count() == 2  # VietNamNet and 观察者网 side by side
    boxes = [call.locator(".side").nth(i).bounding_box() for i in range(2)]
    assert boxes[0]["y"] == boxes[1]["y"] and boxes[0]["x"] < boxes[1]["x"]
    link = call.locator("a.seglink").first
    target = link.get_attribute("href")[1:]
    link.click()
    assert page.page.evaluate("document.querySelector(':target').id") == target
    assert page.visible(target)
    page.page.close()


def test_single_source_clusters_are_folded_until_asked(browser: Any, events_report: Path) -> None:
    page = Opened(browser, events_report)
    folded = page.page.locator("details.single-clusters")
    assert folded.evaluate("d => d.open") is False
    hidden = folded.locator("section.cluster").first.get_attribute("id")
    assert not page.visible(hidden)
    page.page.evaluate("id => { location.hash = id; }", hidden)
    page.page.wait_for_function("document.querySelector('details.single-clusters').open")
    assert page.visible(hidden)
    page.page.close()
