"""Accessibility scans with axe-core (pinned in ``package-lock.json``; ``npm ci`` once into ``node_modules``).

The app's Content-Security-Policy forbids the script axe injects, so each scan opens the page again in a browser
context of its own that bypasses CSP and carries the same person's cookies; the journey's own pages keep the real
policy. A page reached by a form post is reached again by ``replay``, which submits the same form.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, Page

from tests.npm import INSTALL_TIMEOUT, NpmUnavailable, npm_ci

HERE = Path(__file__).resolve().parent
AXE_SCRIPT = HERE / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
BLOCKING_IMPACTS = ("serious", "critical")
RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations;
}"""


class AxeUnavailable(RuntimeError):
    """npm is missing, or axe-core could not be installed."""


def install_axe(timeout: float = INSTALL_TIMEOUT) -> Path:
    """The path of ``axe.min.js``, after ``npm ci`` unless an install at least as new as the lock file is there."""
    try:
        npm_ci(HERE, "the accessibility scans (axe-core)", timeout)
    except NpmUnavailable as error:
        raise AxeUnavailable(str(error)) from error
    return AXE_SCRIPT


@dataclass
class Scan:
    """What axe found on one page."""

    name: str
    url: str
    violations: list[dict] = field(default_factory=list)

    @property
    def blocking(self) -> list[dict]:
        return [v for v in self.violations if v.get("impact") in BLOCKING_IMPACTS]


class Scanner:
    """Runs axe on pages as their person sees them and keeps every result (also as JSON under ``out_dir``)."""

    def __init__(self, browser: Browser, script: Path, out_dir: Path, *, base_url: str, viewport: dict):
        self.browser = browser
        self.base_url = base_url
        self.script = script
        self.out_dir = out_dir
        self.viewport = viewport
        self.scans: list[Scan] = []
        self.seconds = 0.0  # spent scanning, all scans together
        out_dir.mkdir(parents=True, exist_ok=True)

    def scan(self, name: str, page: Page, *, replay: Callable[[Page], None] | None = None) -> Scan:
        """Scan what ``page`` shows (its URL loaded again, or ``replay`` run on a fresh page)."""
        started = time.perf_counter()
        context = self.browser.new_context(
            base_url=self.base_url, storage_state=page.context.storage_state(), bypass_csp=True, viewport=self.viewport
        )
        try:
            scanned = context.new_page()
            if replay is None:
                scanned.goto(page.url)
            else:
                replay(scanned)
                # A replay that ends with a click may leave the next page still loading: axe needs its document.
                scanned.wait_for_load_state("load")
            scanned.add_script_tag(path=str(self.script))
            violations = scanned.evaluate(RUN_AXE, list(WCAG_TAGS))
            scan = Scan(name, scanned.url, violations)
        finally:
            context.close()
            self.seconds += time.perf_counter() - started
        self.scans.append(scan)
        slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
        (self.out_dir / f"{len(self.scans):02d}-{slug}.json").write_text(json.dumps(scan.__dict__, indent=2))
        return scan

    def report(self, *, blocking_only: bool = True) -> str:
        """A readable list of the violations found (only serious and critical ones by default)."""
        lines = []
        for scan in self.scans:
            found = scan.blocking if blocking_only else scan.violations
            if not found:
                continue
            lines.append(f"{scan.name} ({scan.url}):")
            for violation in found:
                impact, rule = violation["impact"], violation["id"]
                lines.append(f"  [{impact}] {rule}: {violation['help']} ({violation['helpUrl']})")
                for node in violation["nodes"][:5]:
                    summary = " ".join((node.get("failureSummary") or "").split())
                    lines.append(f"      {' '.join(map(str, node['target']))} -> {summary[:300]}")
                if len(violation["nodes"]) > 5:
                    lines.append(f"      … and {len(violation['nodes']) - 5} more elements")
        return "\n".join(lines)
