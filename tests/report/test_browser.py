"""The report in a real browser: headless Chromium (the system's, driven by playwright) opens the
page with every network request blocked, every chart must draw its SVG without a script error,
and a full-page screenshot is saved to ``out/report_screenshot.png`` to look at.

Skipped, with the reason shown, only when Chromium or playwright cannot be had.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.report.page import read_page
from waterfall.report.directory import read_results
from waterfall.report.html import build_report, write_report

SCREENSHOT = Path(__file__).resolve().parents[2] / "out" / "report_screenshot.png"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

pytestmark = [
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed: the browser test cannot run"),
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (.ci/run installs Debian's chromium)"),
]


def test_every_chart_renders_offline(full_dir: Path, tmp_path: Path) -> None:
    html = build_report(read_results(full_dir))
    expected = len(read_page(html).charts)
    page_file = write_report(html, tmp_path / "report.html")
    errors: list[str] = []
    blocked: list[str] = []
    assert sync_playwright is not None and CHROMIUM is not None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))

            def only_local(route) -> None:  # a report that fetched anything would not open offline
                if route.request.url.startswith("file://"):
                    route.continue_()
                else:
                    blocked.append(route.request.url)
                    route.abort()

            page.route("**/*", only_local)
            page.goto(page_file.as_uri(), wait_until="load")
            page.wait_for_function(
                f"document.querySelectorAll('figure.chart .js-plotly-plot svg.main-svg').length >= {expected}",
                timeout=30_000,
            )
            containers = page.locator("figure.chart")
            assert containers.count() == expected == 8
            for index in range(expected):
                chart = containers.nth(index)
                name = chart.get_attribute("data-chart")
                assert chart.locator("svg.main-svg").count() >= 1, f"chart {name} drew no SVG"
                box = chart.locator(".js-plotly-plot").bounding_box()
                assert box is not None and box["height"] > 200 and box["width"] > 400, f"chart {name} is {box}"
            # the bars, lines and heat-map cells are drawn, not only the axes
            assert page.locator("figure.chart g.point").count() > 50
            assert page.locator("figure.chart g.heatmaplayer image").count() == 2
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
        finally:
            browser.close()
    assert errors == []
    assert blocked == []
    assert SCREENSHOT.stat().st_size > 50_000
