"""What each person sees first after signing in."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...storage.models import OutboxMessage, School, User, UserRole
from ..outbox import FAILED
from .organizations import get_issuer
from .roles import ISSUER_ADMIN


@dataclass(frozen=True)
class AdminSummary:
    """Counts an issuer admin watches."""

    people_by_role: dict[str, int] = field(default_factory=dict)
    invited: int = 0
    deactivated: int = 0
    schools: int = 0
    failed_mail: int = 0


@dataclass(frozen=True)
class StartPage:
    issuer_name: str
    name: str
    school: str
    roles: list[str]
    admin: AdminSummary | None


def start_page(session: Session, user: User) -> StartPage:
    """The start page of ``user``: who they are and, for admins, the state of the district."""
    issuer = get_issuer(session)
    admin = _admin_summary(session) if ISSUER_ADMIN in user.roles else None
    return StartPage(
        issuer_name=issuer.name if issuer else "microcred",
        name=user.name,
        school=user.school.name,
        roles=sorted(user.roles),
        admin=admin,
    )


def _admin_summary(session: Session) -> AdminSummary:
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
    return AdminSummary(
        people_by_role=by_role, invited=invited, deactivated=deactivated, schools=schools, failed_mail=failed
    )
