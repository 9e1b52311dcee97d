"""What each issuer admin review page needs, in one call: the overview, one reviewer, the conflicts page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from ...storage.models import MicroCredential, MicroCredentialVersion, School, User, UserRole
from ...storage.models.accounts import REVIEWER, TEACHER
from ...storage.models.catalog import PUBLISHED
from ..errors import NotFound
from .reports import (
    ConflictRow,
    OpenAssignment,
    ReviewerLoad,
    WaitingAttempt,
    conflicts,
    open_assignments,
    reviewer_loads,
    unassigned_queue,
)


@dataclass(frozen=True)
class ReviewOverview:
    queue: list[WaitingAttempt]
    loads: list[ReviewerLoad]
    open_assignments: list[OpenAssignment]


@dataclass(frozen=True)
class ConflictsPage:
    rows: list[ConflictRow]
    reviewers: list[tuple[int, str]]
    teachers: list[tuple[int, str]]


@dataclass(frozen=True)
class ReviewerDetail:
    """The admin's page of one reviewer: load, qualifications, open work and conflicts, and what can be granted."""

    load: ReviewerLoad
    open_assignments: list[OpenAssignment]
    conflicts: list[ConflictRow]
    microcredential_choices: list[tuple[str, str]]


def overview(session: Session, today: date) -> ReviewOverview:
    """The admin's review overview: the unassigned queue, every reviewer's load and the open assignments."""
    return ReviewOverview(
        queue=unassigned_queue(session, today),
        loads=reviewer_loads(session, today),
        open_assignments=open_assignments(session, today),
    )


def reviewer_detail(session: Session, reviewer_id: int, today: date) -> ReviewerDetail:
    """One reviewer's load, open work and conflicts, and the published micro-credentials that can be granted."""
    loads = reviewer_loads(session, today, reviewer_id=reviewer_id)
    if not loads:
        raise NotFound("There is no such reviewer.")
    return ReviewerDetail(
        load=loads[0],
        open_assignments=open_assignments(session, today, reviewer_id=reviewer_id),
        conflicts=conflicts(session, reviewer_id=reviewer_id),
        microcredential_choices=published_choices(session),
    )


def conflicts_page(session: Session) -> ConflictsPage:
    """The conflicts list, and the active reviewers and teachers a new conflict can name."""
    return ConflictsPage(
        rows=conflicts(session),
        reviewers=_people_choices(session, REVIEWER),
        teachers=_people_choices(session, TEACHER),
    )


def published_choices(session: Session) -> list[tuple[str, str]]:
    """(slug, title) of every published micro-credential, by title."""
    rows = session.execute(
        select(MicroCredential.slug, MicroCredentialVersion.title)
        .join(MicroCredentialVersion, MicroCredentialVersion.microcredential_id == MicroCredential.id)
        .where(MicroCredentialVersion.status == PUBLISHED)
        .order_by(MicroCredentialVersion.title, MicroCredential.slug)
    ).all()
    return [(slug, title) for slug, title in rows]


def _people_choices(session: Session, role: str) -> list[tuple[int, str]]:
    rows = session.execute(
        select(User.id, User.name, School.name)
        .join(UserRole, and_(UserRole.user_id == User.id, UserRole.role == role))
        .join(School, School.id == User.school_id)
        .where(User.is_active.is_(True))
        .order_by(User.name, User.id)
    ).all()
    return [(uid, f"{name} ({school})") for uid, name, school in rows]
