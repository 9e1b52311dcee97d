"""A micro-credential, two schools and its holders: Mia (Oak, same school as the asker), Ben (Elm), and Tom, a
teacher at Oak who has not earned it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from credentials.storage.database import transaction
from credentials.storage.models import School, User


@dataclass
class World:
    slug: str
    oak: School
    elm: School
    mia: User
    ben: User
    tom: User


@pytest.fixture
def world(build) -> World:
    slug = build.published()
    oak, elm = build.school("Oak Valley Middle School"), build.school("Elm Street Elementary")
    ben = build.user("teacher", school=elm, name="Ben Baker", email="ben@riverside.example.org")
    mia = build.user("teacher", school=oak, name="Mia Moreno", email="mia@riverside.example.org")
    tom = build.user("teacher", school=oak, name="Tom Tran", email="tom@riverside.example.org")
    build.credential(slug, mia)
    build.credential(slug, ben)
    return World(slug, oak, elm, mia, ben, tom)


@pytest.fixture
def act(services):
    """Run ``fn(session, *users reloaded in the session)`` in one transaction, at the test clock's time."""

    def run(fn, *users, **kwargs):
        with transaction(services.session_factory) as session:
            loaded = [session.get(User, user.id) for user in users]
            return fn(session, *loaded, now=services.clock(), **kwargs)

    return run
