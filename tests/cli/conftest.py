"""Operator commands, run through Flask's CLI runner against the test app and a real database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from credentials.cli import microcred


@pytest.fixture
def run(app):
    """Run ``microcred`` with the given arguments; returns click's result."""
    runner = app.test_cli_runner()

    def invoke(*args, **kwargs):
        return runner.invoke(microcred, args=list(args), **kwargs)

    return invoke


@pytest.fixture
def count(services):
    """How many rows of a model the database holds (read in a session of its own)."""

    def counting(model) -> int:
        with services.session_factory() as session:
            return session.scalar(select(func.count()).select_from(model))

    return counting
