"""A micro-credential, two schools and its holders: Mia (Oak, same school as the asker), Ben (Elm), and Tom, a
teacher at Oak who has not earned it."""

from __future__ import annotations

import pytest

from credentials.storage.database import transaction
from credentials.storage.models import User
from tests.mentoring_builders import World, mentoring_world


@pytest.fixture
def world(build) -> World:
    return mentoring_world(build)


@pytest.fixture
def act(services):
    """Run ``fn(session, *users reloaded in the session)`` in one transaction, at the test clock's time."""

    def run(fn, *users, **kwargs):
        with transaction(services.session_factory) as session:
            loaded = [session.get(User, user.id) for user in users]
            return fn(session, *loaded, now=services.clock(), **kwargs)

    return run
