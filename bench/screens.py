"""How the demo district's pages look and measure, at laptop and phone width, in Debian's Chromium.

Serves a throw-away demo (``microcred db upgrade``, ``keys generate``, ``demo load``; gunicorn with one worker, as
``live_server.served`` does), signs in as each kind of demo user, and opens the pages people use: the public catalog,
a micro-credential, credential pages (earned through review, issued from a district record, revoked), /verify, each
dashboard, the evidence form of a draft, a "not yet" attempt, the review form, the queue, and the admin pages. For
every page it saves a full-page screenshot at 1366x768 and at 390x844 into ``--out`` and prints a table: the page's
height at each width (how far people scroll) and how far anything sticks out past the phone's right edge (0 when the
page fits). Run it from any checkout to compare two versions of the product:

    .venv/bin/python bench/screens.py --out /tmp/screens-after
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from live_server import HOST, served

PASSWORD = "riverside-demo-2026"  # noqa: S105 - the demo accounts' published password
CHROMIUM = "/usr/bin/chromium"
SIZES = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    let furthest = document.documentElement.scrollWidth;
    const culprits = [];
    const clipped = (el) => {
        for (let at = el; at; at = at.parentElement) {
            const style = getComputedStyle(at);
            if (style.clip !== 'auto' || style.clipPath !== 'none') return true;
        }
        return false;
    };
    // Inside a sideways-scrolling table too: what needs scrolling to be read is cut off on a phone. Visually hidden
    // text (a 1-pixel clipped box for screen readers) is not seen, so it does not count.
    for (const el of document.querySelectorAll('main *')) {
        const box = el.getBoundingClientRect();
        if (box.width <= 1 || box.right <= width || clipped(el)) continue;
        furthest = Math.max(furthest, box.right);
        if (culprits.length < 3) culprits.push(`<${el.tagName.toLowerCase()} class="${el.className}">`);
    }
    return [Math.max(0, Math.round(furthest - width)), culprits];
}"""


def first_link(page: Page, pattern: str) -> str | None:
    """The first link on the page whose address matches ``pattern``."""
    for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
        if re.search(pattern, href):
            return href
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, int, int, int]] = []
    with (
        tempfile.TemporaryDirectory(prefix="microcred-screens-") as tmp,
        served(Path(tmp), signing_keys=True) as server,
    ):
        base = f"http://{HOST}:{server.port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])

            def visit(who: str | None, pages: list[tuple[str, str | None]]) -> None:
                context = browser.new_context(base_url=base, viewport=SIZES["laptop"])
                page = context.new_page()
                if who:
                    page.goto("/login")
                    page.get_by_label("E-mail address").fill(f"{who}@riverside.example.org")
                    page.get_by_label("Password").fill(PASSWORD)
                    page.get_by_role("button", name="Sign in").click()
                    page.wait_for_load_state()
                for name, path in pages:
                    if path is None:
                        print(f"{name}: not found in the demo, skipped", file=sys.stderr)
                        continue
                    page.goto(path)
                    heights = {}
                    for size_name, size in SIZES.items():
                        page.set_viewport_size(size)
                        page.wait_for_timeout(100)
                        heights[size_name] = page.evaluate("document.documentElement.scrollHeight")
                        if size_name == "phone":
                            overflow, culprits = page.evaluate(OVERFLOW)
                            if overflow:
                                print(f"{name}: sticks out on a phone: {', '.join(culprits)}", file=sys.stderr)
                        page.screenshot(path=args.out / f"{name}-{size_name}.png", full_page=True)
                    page.set_viewport_size(SIZES["laptop"])
                    rows.append((name, heights["laptop"], heights["phone"], overflow))
                context.close()

            def discover(who: str, start: str, pattern: str) -> str | None:
                context = browser.new_context(base_url=base)
                page = context.new_page()
                page.goto("/login")
                page.get_by_label("E-mail address").fill(f"{who}@riverside.example.org")
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_load_state()
                page.goto(start)
                found = first_link(page, pattern)
                context.close()
                return found

            earned = discover("maria.lopez", "/my/microcredentials", r"^(/c/|.*/c/)[0-9a-f-]{36}$")
            listed = "/admin/credentials"
            revoked = discover("admin", f"{listed}?status=revoked", r"/admin/credentials/[0-9a-f-]{36}$")
            from_record = discover("admin", f"{listed}?q=Sam", r"/admin/credentials/[0-9a-f-]{36}$")
            public = lambda admin_path: admin_path and "/c/" + admin_path.rsplit("/", 1)[-1]  # noqa: E731
            james_attempt = discover("james.chen", "/my/microcredentials", r"/attempts/\d+$")
            priya_attempt = discover("priya.natarajan", "/my/microcredentials", r"/attempts/\d+$")
            reviewer = next(
                (who, link)
                for who in ("grace.kim", "luis.romero", "helen.park")
                if (link := discover(who, "/reviews", r"/reviews/\d+$"))
            )
            visit(
                None,
                [
                    ("visitor-home", "/"),
                    ("catalog", "/microcredentials"),
                    ("microcredential", "/microcredentials/exit-tickets"),
                    ("credential-earned", earned),
                    ("credential-from-record", public(from_record)),
                    ("credential-revoked", public(revoked)),
                    ("verify", "/verify"),
                ],
            )
            visit("maria.lopez", [("teacher-home", "/"), ("teacher-dashboard-earned", "/my/microcredentials")])
            visit(
                "james.chen",
                [("teacher-dashboard-not-yet", "/my/microcredentials"), ("attempt-not-yet", james_attempt)],
            )
            visit("priya.natarajan", [("evidence-form-draft", priya_attempt)])
            visit(reviewer[0], [("review-queue", "/reviews"), ("review-form", reviewer[1])])
            visit(
                "admin",
                [
                    ("admin-home", "/"),
                    ("admin-catalog", "/admin/microcredentials"),
                    ("admin-new-microcredential", "/admin/microcredentials/new"),
                    ("admin-credentials", listed),
                    ("admin-credential-revoke", from_record),
                    ("admin-audit", "/admin/audit"),
                    ("admin-outbox", "/admin/outbox"),
                ],
            )
            browser.close()
    print(f"{'page':<28} {'laptop height':>14} {'phone height':>13} {'phone overflow':>15}")
    for name, laptop, phone, overflow in rows:
        print(f"{name:<28} {laptop:>12} px {phone:>10} px {overflow:>12} px")
    print(f"screenshots: {args.out}")


if __name__ == "__main__":
    main()
