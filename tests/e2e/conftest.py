"""Fixtures of the end-to-end tests: Debian's Chromium driven by Playwright, microcred served by gunicorn with a
fresh database for each test module, a real SMTP server, axe-core, and a folder for screenshots and reports.

These tests are marked ``e2e`` and deselected by default (pyproject's ``addopts``); ``make e2e`` runs them. Without
Chromium (or npm, for axe-core) they skip with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from tests.smtp import SmtpServer, running_smtp_server

from .accessibility import AxeUnavailable, install_axe
from .browsing import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS
from .live_service import HOST, LiveService

DEFAULT_ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
# Assertions wait as long as actions do (Playwright's default of 5 s is tight on a busy 2-core CI machine).
expect.set_options(timeout=TIMEOUT_MS)


def unavailable(reason: str) -> None:
    """Skip the test, or fail it under CI, where a missing browser must not pass unnoticed."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"end-to-end tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots, accessibility reports, step timings and the server log go (``E2E_ARTIFACTS``)."""
    folder = Path(os.environ.get("E2E_ARTIFACTS") or DEFAULT_ARTIFACTS).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def axe_script() -> Path:
    try:
        return install_axe()
    except AxeUnavailable as error:
        unavailable(f"axe-core is not available: {error}")


@pytest.fixture(scope="module")
def mail_server() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) for the whole module; it keeps every message the service sends."""
    with running_smtp_server(HOST) as server:
        yield server


@pytest.fixture(scope="module")
def live(request, tmp_path_factory, artifacts, mail_server, browser) -> Iterator[LiveService]:
    """microcred with a fresh, migrated database, a district and signing keys, served by gunicorn.

    Depends on ``browser`` so that nothing is set up or served when the tests will skip for want of Chromium.
    """
    module = request.module.__name__.rsplit(".", 1)[-1]
    service = LiveService(
        tmp_path_factory.mktemp(module), smtp_port=mail_server.port, log_path=artifacts / f"gunicorn-{module}.log"
    )
    try:
        service.cli("db", "upgrade")
        service.cli(
            "issuer", "setup", "--name", "Lakeside Unified School District",
            "--url", "https://lakeside.example.org", "--email", "credentials@lakeside.example.org",
        )  # fmt: skip
        service.cli("keys", "generate")
        service.start()
        yield service
    finally:
        service.stop()
