"""The domain's vocabulary (roles, token purposes, attempt and outbox statuses) is exactly what the tables accept.

Storage may not import the domain, so its CHECK constraints spell the values out and its models keep named copies
for code that still reads them there; these tests keep all three in step.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import CheckConstraint, Table

from credentials.domain import outbox
from credentials.domain.people import one_time_tokens, roles, teaching
from credentials.domain.portfolio import statuses
from credentials.storage.models import Attempt, OneTimeToken, OutboxMessage, User, UserRole
from credentials.storage.models import accounts as stored_accounts
from credentials.storage.models import attempts as stored_attempts
from credentials.storage.models import outbox as stored_outbox


def listed(sql: str, column: str) -> tuple[str, ...]:
    """The values of ``column IN ('a', 'b', ...)`` in a piece of SQL, in order."""
    match = re.fullmatch(rf"{column} IN \(((?:'[a-z0-9_-]+'(?:, )?)+)\)", sql.strip())
    assert match, f"not a list of values for {column}: {sql}"
    return tuple(re.findall(r"'([a-z0-9_-]+)'", match.group(1)))


def accepted(table: Table, column: str) -> tuple[str, ...]:
    """The values the table's CHECK constraint on ``column`` accepts."""
    (check,) = (c for c in table.constraints if isinstance(c, CheckConstraint) and c.name.endswith(f"_{column}"))
    return listed(str(check.sqltext), column)


@pytest.mark.parametrize(
    ("vocabulary", "table", "column"),
    [
        (roles.ROLES, UserRole.__table__, "role"),
        (one_time_tokens.TOKEN_PURPOSES, OneTimeToken.__table__, "purpose"),
        (statuses.STATUSES, Attempt.__table__, "status"),
        (outbox.STATUSES, OutboxMessage.__table__, "status"),
        (teaching.GRADE_BANDS, User.__table__, "grade_band"),
        (teaching.SUBJECTS, User.__table__, "subject"),
    ],
    ids=["roles", "token purposes", "attempt statuses", "outbox statuses", "grade bands", "subjects"],
)
def test_the_tables_accept_exactly_the_domain_vocabulary(vocabulary, table, column):
    assert accepted(table, column) == vocabulary


def test_open_attempts_are_the_ones_the_one_open_attempt_index_covers():
    (index,) = (i for i in Attempt.__table__.indexes if i.name == "uq_attempts_one_open_per_teacher")
    for dialect in ("sqlite", "postgresql"):
        assert listed(str(index.dialect_options[dialect]["where"]), "status") == statuses.OPEN_STATUSES


@pytest.mark.parametrize(
    ("domain", "stored", "names"),
    [
        (roles, stored_accounts, ("TEACHER", "REVIEWER", "ISSUER_ADMIN", "COACH", "ROLES")),
        (one_time_tokens, stored_accounts, ("PASSWORD_RESET", "INVITATION")),
        (
            statuses,
            stored_attempts,
            ("DRAFT", "SUBMITTED", "IN_REVIEW", "NOT_YET", "EARNED", "WITHDRAWN", "STATUSES", "OPEN_STATUSES"),
        ),
        (outbox, stored_outbox, ("PENDING", "SENT", "LOGGED", "FAILED")),
    ],
    ids=["roles", "token purposes", "attempt statuses", "outbox statuses"],
)
def test_the_names_storage_still_exports_equal_the_domain_ones(domain, stored, names):
    for name in names:
        assert getattr(stored, name) == getattr(domain, name), name


def test_every_role_has_a_label():
    assert set(roles.ROLE_LABELS) == set(roles.ROLES)


def test_every_grade_band_and_subject_has_words():
    assert tuple(teaching.GRADE_BAND_LABELS) == teaching.GRADE_BANDS
    assert tuple(teaching.SUBJECT_LABELS) == teaching.SUBJECTS
