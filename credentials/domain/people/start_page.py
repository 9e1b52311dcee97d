"""What each person sees first after signing in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ...storage.models import Assignment, Attempt, OutboxMessage, School, User, UserRole
from ...storage.models.attempts import EARNED, NOT_YET
from ...storage.models.issuance import IssuedCredential
from ...storage.models.reviews import ASSIGNED
from ...text.dates import DEFAULT_TIME_ZONE, zone
from ..outbox import FAILED
from ..plans.coach_queue import plans_waiting
from ..plans.plan_page import PlanCard, plan_card
from ..review.reports import unassigned_queue
from .accounts import ROLE_PLURALS
from .coaching import coaching_scope
from .organizations import get_issuer
from .roles import COACH, ISSUER_ADMIN, ROLES, TEACHER


@dataclass(frozen=True)
class AdminSummary:
    """Counts an issuer admin watches: the work in review, this month's decisions and credentials, the people."""

    people_by_role: dict[str, int] = field(default_factory=dict)
    invited: int = 0
    deactivated: int = 0
    schools: int = 0
    failed_mail: int = 0
    # Review and credentials; "this month" is the calendar month in the district's time zone.
    month_start: date = date(1970, 1, 1)
    waiting_for_reviewer: int = 0
    overdue_reviews: int = 0
    decided_this_month: int = 0
    earned_this_month: int = 0
    issued_this_month: int = 0
    issued_in_all: int = 0

    @property
    def month(self) -> str:
        """This month's name and year: "December 2026"."""
        return f"{self.month_start:%B} {self.month_start.year}"

    @property
    def not_yet_this_month(self) -> int:
        return self.decided_this_month - self.earned_this_month

    @property
    def people_counts(self) -> list[tuple[str, int]]:
        """("Teachers", 12), ("Coaches", 2), ...: the active people of each role, every role listed."""
        return [(ROLE_PLURALS[role], self.people_by_role.get(role, 0)) for role in ROLES]


@dataclass(frozen=True)
class CoachSummary:
    """Where a coach coaches, as one sentence ("You coach teachers at Oak Valley Middle School.")."""

    sentence: str
    assigned: bool


@dataclass(frozen=True)
class StartPage:
    issuer_name: str
    name: str
    school: str
    roles: list[str]
    admin: AdminSummary | None
    coach: CoachSummary | None = None
    plan: PlanCard | None = None  # a teacher's growth plan for this school year
    plans_waiting: int | None = None  # for a coach: plans of their teachers waiting for a review


def start_page(session: Session, user: User, *, now: datetime) -> StartPage:
    """The start page of ``user``: who they are and, for admins, the state of the district (a fixed number of
    queries, whatever the number of people, submissions or credentials)."""
    issuer = get_issuer(session)
    time_zone = issuer.time_zone if issuer else DEFAULT_TIME_ZONE
    admin = _admin_summary(session, now, time_zone) if ISSUER_ADMIN in user.roles else None
    return StartPage(
        issuer_name=issuer.name if issuer else "microcred",
        name=user.name,
        school=user.school.name,
        roles=sorted(user.roles),
        admin=admin,
        coach=_coach_summary(session, user) if COACH in user.roles else None,
        plan=plan_card(session, user, now=now) if TEACHER in user.roles else None,
        plans_waiting=plans_waiting(session, user) if COACH in user.roles else None,
    )


def _coach_summary(session: Session, user: User) -> CoachSummary:
    scope = coaching_scope(session, user.id)
    if scope.whole_district:
        return CoachSummary("You coach teachers across the whole district.", assigned=True)
    names = [name for _, name in scope.schools]
    if not names:
        return CoachSummary(
            "You are not assigned to a school yet: an issuer admin chooses where each coach coaches.", assigned=False
        )
    listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
    return CoachSummary(f"You coach teachers at {listed}.", assigned=True)


def month_bounds(now: datetime, time_zone: str) -> tuple[datetime, datetime]:
    """The first moment of ``now``'s calendar month in the district's zone and of the next one, in UTC."""
    local = now.astimezone(zone(time_zone))
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (
        start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    )
    # A ZoneInfo time takes the offset in force on its own day, so a month across a clock change is still exact.
    return start.astimezone(UTC), following.astimezone(UTC)


def _admin_summary(session: Session, now: datetime, time_zone: str) -> AdminSummary:
    by_role = dict(
        session.execute(
            select(UserRole.role, func.count())
            .join(User, User.id == UserRole.user_id)
            .where(User.is_active.is_(True), User.password_hash.is_not(None))
            .group_by(UserRole.role)
        ).all()
    )
    invited = (
        session.scalar(
            select(func.count()).select_from(User).where(User.is_active.is_(True), User.password_hash.is_(None))
        )
        or 0
    )
    deactivated = session.scalar(select(func.count()).select_from(User).where(User.is_active.is_(False))) or 0
    schools = session.scalar(select(func.count()).select_from(School).where(School.is_active.is_(True))) or 0
    failed = session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == FAILED)) or 0
    start, end = month_bounds(now, time_zone)
    today = now.date()  # as the review admin pages count "overdue"
    overdue = (
        session.scalar(
            select(func.count()).select_from(Assignment).where(Assignment.status == ASSIGNED, Assignment.due_on < today)
        )
        or 0
    )
    decided, earned = session.execute(
        select(func.count(), func.coalesce(func.sum(case((Attempt.status == EARNED, 1), else_=0)), 0)).where(
            Attempt.status.in_((EARNED, NOT_YET)), Attempt.decided_at >= start, Attempt.decided_at < end
        )
    ).one()
    issued_in_all, issued_this_month = session.execute(
        select(
            func.count(),
            func.coalesce(
                func.sum(
                    case(((IssuedCredential.issued_at >= start) & (IssuedCredential.issued_at < end), 1), else_=0)
                ),
                0,
            ),
        ).select_from(IssuedCredential)
    ).one()
    return AdminSummary(
        people_by_role=by_role,
        invited=invited,
        deactivated=deactivated,
        schools=schools,
        failed_mail=failed,
        month_start=start.astimezone(zone(time_zone)).date(),
        waiting_for_reviewer=len(unassigned_queue(session, today)),
        overdue_reviews=overdue,
        decided_this_month=int(decided),
        earned_this_month=int(earned),
        issued_this_month=int(issued_this_month),
        issued_in_all=int(issued_in_all),
    )
