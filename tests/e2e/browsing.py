"""People in the browser: each has a browser context of their own (their own cookies), takes screenshots into a
shared album, and notes what the browser complained about (scripts failing, the Content-Security-Policy refusing
something the page asked for)."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from .accessibility import Scanner

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
# The two sizes every changed page is looked at in (issue 16): a laptop and a phone.
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000


@dataclass(frozen=True)
class Account:
    name: str
    email: str
    password: str


class Album:
    """Numbered full-page screenshots in one folder, in the order they were taken."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0
        folder.mkdir(parents=True, exist_ok=True)

    def next_path(self, label: str) -> Path:
        """The file of the next picture, numbered and named after ``label``."""
        self.count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        return self.folder / f"{self.count:02d}-{slug}.png"

    def shot(self, page: Page, label: str) -> Path:
        path = self.next_path(label)
        page.screenshot(path=path, full_page=True)
        return path

    def at_both_sizes(self, page: Page, label: str, *, strict: bool = False) -> tuple[Path, Path]:
        """Screenshots of the page at laptop and at phone width (``label laptop``, ``label phone``), each checked
        to fit its width: nothing may stick out sideways (a table cut off on a phone). ``strict``: not even inside
        a sideways-scrolling ``.table-wrap``. The page's size is restored."""
        before = page.viewport_size
        shots = []
        try:
            for name, size in (("laptop", LAPTOP), ("phone", PHONE)):
                page.set_viewport_size(size)
                assert_fits_width(page, f"{label} at {name} width", strict=strict)
                shots.append(self.shot(page, f"{label} {name}"))
        finally:
            if before:
                page.set_viewport_size(before)
        return shots[0], shots[1]


def assert_fits_width(page: Page, what: str, *, strict: bool = False) -> None:
    """Nothing on the page is wider than the window: the document does not scroll sideways, and no element's box
    reaches past the right edge. A wide admin table may scroll inside its ``.table-wrap``, unless ``strict``."""
    overflow = page.evaluate(
        """(strict) => {
            const width = document.documentElement.clientWidth;
            const out = [];
            const root = document.documentElement;
            if (root.scrollWidth > width + 1) out.push(`the page is ${root.scrollWidth}px wide`);
            for (const el of document.querySelectorAll('main *')) {
                const wrap = el.closest('.table-wrap');
                if (wrap) {
                    if (strict && wrap.scrollWidth > wrap.clientWidth + 1)
                        out.push(`a table scrolls: ${wrap.scrollWidth}px in ${wrap.clientWidth}px`);
                    continue;
                }
                const box = el.getBoundingClientRect();
                if (box.width && box.right > width + 1 && getComputedStyle(el).position !== 'fixed') {
                    const name = `<${el.tagName.toLowerCase()} class="${el.className}">`;
                    out.push(`${name} ends at ${Math.round(box.right)}px`);
                    if (out.length > 5) break;
                }
            }
            return [...new Set(out)];
        }""",
        strict,
    )
    assert not overflow, f"{what}: content is wider than the window: {overflow}"


class Person:
    """Someone using the service in their own browser context; ``account`` is None for an anonymous visitor."""

    def __init__(self, browser: Browser, base_url: str, album: Album, label: str, account: Account | None = None):
        self.label = label
        self.account = account
        self.album = album
        self.context = browser.new_context(base_url=base_url, viewport=VIEWPORT, accept_downloads=True)
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"{self.label}: script error: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.problems.append(f"{self.label} on {self.page.url}: {message.text}")

    def shot(self, label: str) -> Path:
        return self.album.shot(self.page, f"{self.label} {label}")

    def sign_in(self) -> None:
        """Sign in from the home page's Sign in link, as a person would."""
        self.page.goto("/")
        self.open_sign_in()
        self.submit_sign_in()

    def open_sign_in(self) -> None:
        self.page.get_by_role("banner").get_by_role("link", name="Sign in").click()
        expect(self.page.get_by_role("heading", name="Sign in")).to_be_visible()

    def submit_sign_in(self) -> None:
        assert self.account is not None, "an anonymous visitor has no account"
        page = self.page
        page.get_by_label("E-mail address").fill(self.account.email)
        page.get_by_label("Password").fill(self.account.password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name=f"Welcome, {self.account.name}")).to_be_visible()

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()
        expect(self.page.get_by_text("You are signed out.")).to_be_visible()

    def go_to(self, section: str) -> None:
        """Follow a link of the main navigation ("My reviews", "Manage catalog"…), opening first the menus that
        hold it: on a phone the "Menu", and an admin group ("Credentials", "District"…) at every width."""
        nav = self.page.get_by_role("navigation", name="Main")
        holding = self.page.get_by_role("link", name=section, exact=True, include_hidden=True)  # relative to a menu
        for menu in nav.locator("details").filter(has=holding).all():  # outermost first
            summary = menu.locator(":scope > summary")
            if menu.get_attribute("open") is None and summary.is_visible():
                summary.click()
        nav.get_by_role("link", name=section, exact=True).click()

    def flash(self, text: str) -> None:
        """The page shows a status message containing ``text``."""
        expect(self.page.locator(".flash").filter(has_text=text)).to_be_visible()

    def close(self) -> None:
        self.context.close()


class Stopwatch:
    """Wall-clock time of named steps, written as JSON for ``bench/e2e.py``."""

    def __init__(self, path: Path):
        self.path = path
        self.steps: list[dict] = []
        self.extra: dict[str, float] = {}

    def record(self, name: str, seconds: float, *, outcome: str) -> None:
        self.steps.append({"name": name, "seconds": round(seconds, 3), "outcome": outcome})

    def write(self) -> None:
        total = sum(step["seconds"] for step in self.steps)
        document = {"journey_seconds": round(total, 3), **self.extra, "steps": self.steps}
        self.path.write_text(json.dumps(document, indent=2) + "\n")


def scanners_at_both_sizes(browser: Browser, axe_script: Path, folder: Path, base_url: str) -> dict[str, Scanner]:
    """An axe scanner for the laptop and one for the phone, writing their reports under ``folder`` (emptied first)."""
    shutil.rmtree(folder, ignore_errors=True)
    return {
        size: Scanner(browser, axe_script, folder / size, base_url=base_url, viewport=viewport)
        for size, viewport in (("laptop", LAPTOP), ("phone", PHONE))
    }


def scan_both(scanners: dict[str, Scanner], name: str, page: Page, replay=None) -> None:
    """Scan what ``page`` shows at both sizes; fail on any serious or critical violation."""
    for size, scanner in scanners.items():
        scanner.scan(f"{name} ({size})", page, replay=replay)
        blocking = scanner.report()
        assert not blocking, f"serious or critical accessibility violations:\n{blocking}"
