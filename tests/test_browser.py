"""The HTML report in a real browser: headless Chromium (Debian's ``/usr/bin/chromium``)
driven by Playwright (issue 6, point 6).

Opens the report of the fixtures plus a hostile article, picks reports, clicks segments,
checks the linked source stretch is highlighted, that no console error is logged, that none
of the hostile payloads runs, and saves a screenshot under the test's temporary folder.
``.ci/run`` installs ``chromium``; without it (or Playwright) these tests are skipped on a
developer's machine, but fail under CI (``CI`` set), where a skip would hide a missing install.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_report import HOSTILE_OUTLET, HOSTILE_TITLE, fixture_comparison

from coverage_cmp.report.html import render_compare_html

CHROMIUM = Path(os.environ.get("COVERAGE_CMP_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

if os.environ.get("CI"):
    from playwright import sync_api

    assert CHROMIUM.exists(), f"CI must install Debian's chromium at {CHROMIUM}"
else:
    sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no browser at {CHROMIUM}")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def opened(browser, tmp_path):
    """The report of the fixtures and the hostile article, open in a fresh page."""
    path = tmp_path / "report.html"
    path.write_text(render_compare_html(fixture_comparison(hostile=True)), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri())
    yield page, problems, requests
    page.close()


def highlighted_range(page, panel: str) -> tuple[int, int] | None:
    return page.evaluate(
        """(panel) => {
            const marks = [...document.querySelectorAll(panel + ' .src.hl')];
            if (!marks.length) return null;
            return [Math.min(...marks.map(m => +m.dataset.s)),
                    Math.max(...marks.map(m => +m.dataset.e))];
        }""", panel)


def test_clicking_a_segment_highlights_its_source(opened, tmp_path):
    page, problems, requests = opened
    comparison = fixture_comparison(hostile=True)
    for index, report in enumerate(comparison.reports):
        linked = [s for s in report.segments if s.reference_id]
        if not linked:
            continue
        page.select_option("#picker", str(index))
        panel = f"#report-{index}"
        assert page.is_visible(panel)
        segment = linked[len(linked) // 2]
        page.click(f'{panel} .seg[data-s="{segment.start}"]')
        assert page.is_visible(f"{panel} .src.hl")
        low, high = highlighted_range(page, panel)
        # The marked stretch is the segment's source, cut at the reference's boundaries.
        assert low <= segment.reference_start < segment.reference_end <= high
        source = page.inner_text(f"{panel} .src.hl >> nth=0")
        reference = comparison.references[0].text
        assert source.strip() and source.strip() in reference[low:high]
    page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert problems == []
    assert all(url.startswith("file:") for url in requests), requests


def test_hostile_payloads_do_not_run(opened, tmp_path):
    page, problems, requests = opened
    comparison = fixture_comparison(hostile=True)
    hostile = len(comparison.reports) - 1
    page.select_option("#picker", str(hostile))
    panel = f"#report-{hostile}"
    for segment in page.query_selector_all(f"{panel} .seg"):
        segment.click()
    for link in page.query_selector_all(f"{panel} a"):
        link.click()
    page.wait_for_timeout(200)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('img, iframe').length") == 0
    text = page.inner_text(panel)
    assert HOSTILE_TITLE in text and "Evil Echo" in text
    assert "onerror=\"window.__pwned='text'\"" in text
    assert HOSTILE_OUTLET in page.inner_text("table.summary")
    page.screenshot(path=str(tmp_path / "hostile.png"))
    assert problems == []
    assert all(url.startswith("file:") for url in requests), requests
