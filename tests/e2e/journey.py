"""What the journey's steps share (``test_journey.py``): the people in the browser, mail as it arrives, screenshots,
accessibility scans and timings, and running the steps in order; and what a reviewer does on their pages.

A step is a function of the ``Journey``. ``reach(step)`` runs every step before it that has not run yet, so one
test can be selected alone; the first failure stops the journey and the later tests skip, naming the step.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.smtp import SmtpServer

from .accessibility import Scanner
from .browsing import VIEWPORT, Account, Album, Person, Stopwatch
from .live_service import LiveService

Step = Callable[["Journey"], None]


class Journey:
    """The browser, the people in it, what the steps learn for later steps, screenshots, scans and timings."""

    def __init__(
        self,
        steps: Sequence[Step],
        accounts: dict[str, Account],
        *,
        browser: Browser,
        live: LiveService,
        mail_server: SmtpServer,
        artifacts: Path,
        axe_script: Path,
        files: dict[str, Path],
    ):
        self.steps = steps
        self.accounts = accounts
        self.browser = browser
        self.live = live
        self.mail_server = mail_server
        self.artifacts = artifacts
        self.files = files
        for stale in ("journey", "accessibility"):
            shutil.rmtree(artifacts / stale, ignore_errors=True)
        self.album = Album(artifacts / "journey")
        self.scanner = Scanner(browser, axe_script, artifacts / "accessibility", base_url=live.url, viewport=VIEWPORT)
        self.stopwatch = Stopwatch(artifacts / "journey-timings.json")
        self.people: dict[str, Person] = {}
        self.done: list[str] = []
        self.failed: str | None = None
        self.credential_url = ""

    def person(self, label: str) -> Person:
        """The person called ``label`` (a key of ``accounts``, or anyone else as an anonymous visitor)."""
        if label not in self.people:
            self.people[label] = Person(self.browser, self.live.url, self.album, label, self.accounts.get(label))
        return self.people[label]

    def reach(self, target: Step) -> None:
        """Run every step up to and including ``target`` that has not run yet, timing each."""
        for function in self.steps[: self.steps.index(target) + 1]:
            name = function.__name__
            if name in self.done:
                continue
            if self.failed:
                pytest.skip(f"the journey stopped at step {self.failed}")
            started = time.perf_counter()
            try:
                function(self)
            except BaseException:
                self.failed = name
                self.stopwatch.record(name, time.perf_counter() - started, outcome="failed")
                for person in self.people.values():
                    self.album.shot(person.page, f"failed {name} {person.label}")
                raise
            self.stopwatch.record(name, time.perf_counter() - started, outcome="passed")
            self.done.append(name)

    def scan(self, name: str, page: Page, *, replay: Callable[[Page], None] | None = None) -> None:
        """Check the page ``page`` shows for accessibility (see ``accessibility.Scanner``)."""
        self.scanner.scan(name, page, replay=replay)

    def wait_for_mail(self, recipient: str, subject_start: str, timeout: float = 20.0) -> EmailMessage:
        """The first message to ``recipient`` whose subject starts so; waits for it to arrive."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in list(self.mail_server.messages):
                if recipient in message["To"] and message["Subject"].startswith(subject_start):
                    return message
            time.sleep(0.1)
        seen = [f"{m['To']}: {m['Subject']}" for m in self.mail_server.messages]
        raise AssertionError(f"no e-mail “{subject_start}…” to {recipient} within {timeout} s; received: {seen}")

    def finish(self) -> None:
        """Close every browser context and write the timings."""
        for person in self.people.values():
            person.close()
        self.stopwatch.extra["accessibility_scan_seconds"] = round(self.scanner.seconds, 3)
        self.stopwatch.write()


# ---- What a reviewer does on their pages -----------------------------------------------------------------------


def open_review(reviewer: Person, title: str, *, role: str, scan: Journey | None = None) -> None:
    """From the review queue, open the one submission of ``title`` waiting for ``reviewer`` in ``role`` (scanning
    the queue and the scoring page when ``scan`` is given)."""
    page = reviewer.page
    reviewer.go_to("My reviews")
    waiting = page.get_by_role("table", name="Waiting for your review").get_by_role("row").filter(has_text=title)
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text(role)
    if scan:
        scan.scan("reviewer queue", page)
    waiting.get_by_role("link").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Review S-"))).to_be_visible()
    if scan:
        scan.scan("review scoring page", page)


def score(page: Page, levels: dict[str, str], feedback: dict[str, str], *, overall: str) -> None:
    """Choose a level for each criterion, write feedback where asked, and the overall feedback."""
    for criterion, level in levels.items():
        page.get_by_role("group", name=criterion).get_by_role("radio", name=re.compile(f"^{level}")).check()
    for criterion, text in feedback.items():
        page.get_by_label(f"Feedback on “{criterion}”").fill(text)
    page.get_by_label("Overall feedback for the teacher").fill(overall)


def submit_review(reviewer: Person) -> None:
    """Check and submit: the confirmation step shows the summary, and "Submit review" locks the review."""
    page = reviewer.page
    page.get_by_role("button", name="Check and submit").click()
    expect(page.get_by_role("heading", name="Check your review before you submit")).to_be_visible()
    page.get_by_role("button", name="Submit review").click()
    reviewer.flash("submitted. Thank you.")
