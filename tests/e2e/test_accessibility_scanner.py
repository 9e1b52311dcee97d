"""The accessibility scanner itself: axe-core really runs in the page and reports what it finds, so a journey
without violations means the pages passed, not that nothing was checked."""

from __future__ import annotations

import pytest

from .accessibility import Scanner
from .browsing import VIEWPORT

pytestmark = pytest.mark.e2e

FLAWED_PAGE = """<!doctype html><html lang="en"><head><title>Flawed</title></head><body><main>
<h1>A flawed page</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<form><input type="text" name="unlabelled"></form>
<p style="color: #bbb; background: #fff">Pale grey text on white.</p>
</main></body></html>"""


def test_the_scanner_reports_serious_and_critical_violations(browser, axe_script, tmp_path):
    scanner = Scanner(browser, axe_script, tmp_path, base_url="http://127.0.0.1", viewport=VIEWPORT)
    context = browser.new_context()
    try:
        page = context.new_page()
        scan = scanner.scan("flawed page", page, replay=lambda on: on.set_content(FLAWED_PAGE))
    finally:
        context.close()

    found = {violation["id"]: violation["impact"] for violation in scan.blocking}
    assert found == {"image-alt": "critical", "label": "critical", "color-contrast": "serious"}
    report = scanner.report()
    assert "flawed page" in report
    assert "[critical] image-alt" in report
    assert (tmp_path / "01-flawed-page.json").exists()
