"""Builders for mentoring: a micro-credential, two schools and its holders, through the domain functions."""

from __future__ import annotations

from dataclasses import dataclass

from credentials.storage.models import School, User

from .builders import Builders


@dataclass
class World:
    slug: str
    oak: School
    elm: School
    mia: User
    ben: User
    tom: User


def mentoring_world(build: Builders) -> World:
    """Mia (Oak Valley, holds it), Ben (Elm Street, holds it) and Tom (Oak Valley, has not earned it)."""
    slug = build.published()
    oak, elm = build.school("Oak Valley Middle School"), build.school("Elm Street Elementary")
    ben = build.user("teacher", school=elm, name="Ben Baker", email="ben@riverside.example.org")
    mia = build.user("teacher", school=oak, name="Mia Moreno", email="mia@riverside.example.org")
    tom = build.user("teacher", school=oak, name="Tom Tran", email="tom@riverside.example.org")
    build.credential(slug, mia)
    build.credential(slug, ben)
    return World(slug, oak, elm, mia, ben, tom)
