"""Builders for test data. They go through the domain functions, so test rows are rows the service could make."""

from __future__ import annotations

import itertools

from credentials.domain import accounts, organizations
from credentials.domain.audit import Actor
from credentials.storage.database import transaction
from credentials.storage.models import School, User

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


class Builders:
    def __init__(self, services):
        self.services = services

    def issuer(self, name="Riverside Unified School District"):
        with transaction(self.services.session_factory) as session:
            existing = organizations.get_issuer(session)
            if existing:
                return existing
            details = organizations.IssuerDetails(
                name=name, url="https://riverside.example.org", email="credentials@riverside.example.org"
            )
            return organizations.set_up_issuer(session, details, actor=Actor.system("test"), now=self.services.clock())

    def school(self, name=None) -> School:
        self.issuer()
        with transaction(self.services.session_factory) as session:
            return organizations.create_school(
                session, name=name or f"School {next(_counter)}", actor=Actor.system("test"), now=self.services.clock()
            )

    def user(self, *roles, email=None, name=None, school=None, password=PASSWORD, active=True) -> User:
        self.issuer()
        with transaction(self.services.session_factory) as session:
            school_id = school.id if school else organizations.district_office(session).id
            n = next(_counter)
            user = accounts.create_user(
                session,
                self.services.passwords,
                email=email or f"person{n}@riverside.example.org",
                name=name or f"Person {n}",
                roles=roles or ("teacher",),
                school_id=school_id,
                password=password,
                actor=Actor.system("test"),
                now=self.services.clock(),
            )
            if not active:
                user.is_active = False
            return user

    def admin(self, **kwargs) -> User:
        return self.user("issuer_admin", **kwargs)
