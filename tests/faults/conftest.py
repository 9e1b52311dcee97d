"""Fixtures of the fault drills: a private PostgreSQL cluster for the whole run, and for each drill a fresh database
copied from a migrated template, an SMTP server it can take down, and microcred served by gunicorn.

The drills are marked ``faults`` and deselected by default (pyproject's ``addopts``); ``make test-faults`` runs them.
Without the PostgreSQL server binaries they skip with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.e2e.live_service import free_port

from .cluster import ClusterUnavailable, PrivateCluster
from .mail_server import RestartableSmtp
from .service import DrillService


def unavailable(reason: str) -> None:
    """Skip the drill, or fail it under CI, where a drill that cannot run must not pass unnoticed."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"fault drills cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def cluster() -> Iterator[PrivateCluster]:
    """A PostgreSQL cluster of the drills' own on a free port (never the machine's shared server)."""
    try:
        private = PrivateCluster(free_port())
    except ClusterUnavailable as error:
        unavailable(f"no private PostgreSQL cluster: {error}")
    try:
        private.create()
        private.make_template()
        yield private
    finally:
        private.destroy()


@pytest.fixture
def smtp() -> Iterator[RestartableSmtp]:
    server = RestartableSmtp()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def database_url(request, cluster) -> str:
    """A fresh, migrated database for this drill."""
    return cluster.fresh_database(f"drill_{request.node.name.removeprefix('test_')}"[:60])


@pytest.fixture
def service(tmp_path, database_url, smtp) -> Iterator[DrillService]:
    """microcred served by gunicorn on this drill's database, with a district and signing keys."""
    with served(tmp_path, database_url, smtp) as drill:
        yield drill


@contextmanager
def served(tmp_path, database_url: str, smtp: RestartableSmtp, **kwargs) -> Iterator[DrillService]:
    """A ``DrillService`` set up with the district and signing keys, serving until the block ends."""
    drill = DrillService(tmp_path, database_url=database_url, smtp_port=smtp.port, **kwargs)
    try:
        drill.cli(
            "issuer", "setup", "--name", "Lakeside Unified School District",
            "--url", "https://lakeside.example.org", "--email", "credentials@lakeside.example.org",
        )  # fmt: skip
        drill.cli("keys", "generate")
        drill.start()
        yield drill
    finally:
        drill.stop()
