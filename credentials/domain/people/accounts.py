"""Accounts as admins manage them: creation, names, roles, schools, where coaches coach, deactivation; and
e-mail/name rules."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...storage.models import CoachAssignment, School, User, UserRole
from ..audit import Actor, record_event
from ..errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ..paging import Page, fetch_page
from . import coaching, one_time_tokens
from .passwords import PasswordPolicy
from .roles import COACH, ISSUER_ADMIN, REVIEWER, ROLE_LABELS, ROLES, TEACHER

MAX_NAME_LENGTH = 200

# What each role may do, in the words the People pages and the invitation use ("Coach: reviews the growth plans of
# teachers at their schools").
ROLE_DESCRIPTIONS = {
    TEACHER: "earns micro-credentials with evidence from their own classroom",
    REVIEWER: "scores teachers' evidence against the rubrics of the micro-credentials they are qualified for",
    ISSUER_ADMIN: "manages the micro-credentials, people and schools, and issues and revokes credentials",
    COACH: "reviews the growth plans of teachers at their schools (an instructional coach, mentor teacher, "
    "principal or assistant principal)",
}
ROLE_PLURALS = {TEACHER: "Teachers", REVIEWER: "Reviewers", ISSUER_ADMIN: "Issuer admins", COACH: "Coaches"}


def normalize_email(raw: str, *, field: str = "email") -> str:
    """The canonical (lower-case, syntax-checked) form of an address, or ``InvalidInput``."""
    raw = (raw or "").strip()
    if not raw:
        raise InvalidInput({field: "Enter an e-mail address."})
    if len(raw) > 254:
        raise InvalidInput({field: "An e-mail address has at most 254 characters."})
    try:
        checked = validate_email(raw, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput({field: f"Enter a valid e-mail address ({exc})."}) from exc
    return checked.normalized.lower()


def clean_name(raw: str, *, field: str = "name") -> str:
    """A person's display name, trimmed and length-checked."""
    name = " ".join((raw or "").split())
    if not name:
        raise InvalidInput({field: "Enter a name."})
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput({field: f"Use at most {MAX_NAME_LENGTH} characters."})
    return name


def clean_roles(raw: Iterable[str], *, field: str = "roles") -> frozenset[str]:
    """A non-empty set of known roles."""
    roles = frozenset(raw)
    unknown = roles - set(ROLES)
    if unknown:
        raise InvalidInput({field: f"Unknown role: {', '.join(sorted(unknown))}."})
    if not roles:
        raise InvalidInput({field: "Choose at least one role."})
    return roles


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("There is no such user.")
    return user


def user_for_session(session: Session, session_token: str) -> User | None:
    """The active user whose login cookie carries ``session_token``."""
    if not session_token:
        return None
    return session.scalar(select(User).where(User.session_token == session_token, User.is_active.is_(True)))


def create_user(
    session: Session,
    passwords: PasswordPolicy | None,
    *,
    email: str,
    name: str,
    roles: Iterable[str],
    school_id: int,
    password: str | None,
    actor: Actor,
    now: datetime,
) -> User:
    """Create an account (with a password, or none yet for an invitation)."""
    errors: dict[str, str] = {}
    cleaned = {}
    for key, clean in (("email", normalize_email), ("name", clean_name), ("roles", clean_roles)):
        try:
            cleaned[key] = clean({"email": email, "name": name, "roles": roles}[key])
        except InvalidInput as exc:
            errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors)
    address, display_name, role_set = cleaned["email"], cleaned["name"], cleaned["roles"]
    school = session.get(School, school_id) if school_id else None
    if school is None or not school.is_active:
        raise InvalidInput({"school": "Choose an active school or the district office."})
    if session.scalar(select(User.id).where(User.email == address)) is not None:
        raise InvalidInput({"email": "An account with this e-mail address already exists."})
    password_hash = None
    if password is not None:
        problem = passwords.problem(password, email=address, name=display_name)
        if problem:
            raise InvalidInput({"password": problem})
        password_hash = passwords.hash(password)
    user = User(
        email=address,
        name=display_name,
        password_hash=password_hash,
        school_id=school.id,
        is_active=True,
        session_token=new_session_token(),
        created_at=now,
    )
    user.role_rows = [UserRole(role=r) for r in sorted(role_set)]
    session.add(user)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="user.create",
        subject_type="user",
        subject_id=user.id,
        summary={"email": address, "name": display_name, "roles": sorted(role_set), "school": school.name},
        now=now,
    )
    return user


def update_user(
    session: Session, user: User, *, name: str, roles: Iterable[str], school_id: int, actor: Actor, now: datetime
) -> None:
    """Change a person's name, roles and school."""
    errors: dict[str, str] = {}
    try:
        display_name = clean_name(name)
    except InvalidInput as exc:
        errors.update(exc.errors)
    try:
        role_set = clean_roles(roles)
    except InvalidInput as exc:
        errors.update(exc.errors)
    school = session.get(School, school_id) if school_id else None
    if school is None or (not school.is_active and school.id != user.school_id):
        errors["school"] = "Choose an active school or the district office."
    if errors:
        raise InvalidInput(errors)
    if ISSUER_ADMIN in user.roles and ISSUER_ADMIN not in role_set:
        _keep_an_admin(session, user)
    before = {"name": user.name, "roles": sorted(user.roles), "school": user.school.name}
    user.name, user.school_id = display_name, school.id
    user.role_rows = [row for row in user.role_rows if row.role in role_set] + [
        UserRole(role=r) for r in sorted(role_set - user.roles)
    ]
    session.flush()
    session.refresh(user)
    after = {"name": user.name, "roles": sorted(role_set), "school": school.name}
    changed = {k: {"from": before[k], "to": after[k]} for k in before if before[k] != after[k]}
    if changed:
        record_event(
            session,
            actor=actor,
            action="user.update",
            subject_type="user",
            subject_id=user.id,
            summary=changed,
            now=now,
        )


def deactivate_user(session: Session, user: User, *, actor: Actor, now: datetime) -> None:
    """Stop someone signing in or receiving work. Nothing is deleted; it can be undone."""
    if actor.id == user.id:
        raise PermissionDenied("You cannot deactivate your own account.")
    if not user.is_active:
        return
    if ISSUER_ADMIN in user.roles:
        _keep_an_admin(session, user)
    user.is_active, user.deactivated_at = False, now
    user.session_token = new_session_token()  # signs them out everywhere
    one_time_tokens.void_tokens(session, user=user, now=now)
    record_event(
        session,
        actor=actor,
        action="user.deactivate",
        subject_type="user",
        subject_id=user.id,
        summary={"email": user.email},
        now=now,
    )


def reactivate_user(session: Session, user: User, *, actor: Actor, now: datetime) -> None:
    """Let a deactivated person sign in again."""
    if user.is_active:
        return
    user.is_active, user.deactivated_at = True, None
    record_event(
        session,
        actor=actor,
        action="user.reactivate",
        subject_type="user",
        subject_id=user.id,
        summary={"email": user.email},
        now=now,
    )


@dataclass(frozen=True)
class UserFilter:
    """Criteria for the admin's user list."""

    query: str = ""
    role: str = ""
    school_id: int | None = None
    status: str = ""  # "", "active", "inactive", "invited"


def find_users(session: Session, criteria: UserFilter, *, page: int = 1, per_page: int = 50) -> Page[User]:
    """One page of users matching ``criteria``, by name, with roles and school loaded."""
    query = select(User)
    if criteria.query:
        needle = criteria.query.strip().lower()
        query = query.where(
            func.lower(User.name).contains(needle, autoescape=True) | User.email.contains(needle, autoescape=True)
        )
    if criteria.role:
        query = query.where(User.role_rows.any(UserRole.role == criteria.role))
    if criteria.school_id:
        query = query.where(User.school_id == criteria.school_id)
    if criteria.status == "active":
        query = query.where(User.is_active.is_(True), User.password_hash.is_not(None))
    elif criteria.status == "inactive":
        query = query.where(User.is_active.is_(False))
    elif criteria.status == "invited":
        query = query.where(User.is_active.is_(True), User.password_hash.is_(None))
    return fetch_page(session, query.order_by(User.name, User.id), page=page, per_page=per_page)


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


@dataclass(frozen=True)
class CoachingChange:
    """What an admin's change to a coach's assignments did, for the page to say: who, and where ("at Oak Valley
    Middle School", "across the whole district")."""

    coach_name: str
    where: str


def add_coaching(
    session: Session, coach_id: int, school_id: int | None, *, actor: Actor, now: datetime
) -> CoachingChange:
    """Assign a coach to a school, or to the whole district with ``school_id`` None; an assignment the coach already
    has is refused beside the school field."""
    coach = get_user(session, coach_id)
    try:
        assignment = coaching.assign_coach(session, coach.id, school_id, actor=actor, now=now)
    except Conflict as exc:
        raise InvalidInput({"school": exc.message}) from exc
    return CoachingChange(coach.name, _place(session, assignment.school_id))


def end_coaching(session: Session, coach_id: int, assignment_id: int, *, actor: Actor, now: datetime) -> CoachingChange:
    """End one of this coach's assignments (one of another coach's is not found here)."""
    coach = get_user(session, coach_id)
    assignment = session.get(CoachAssignment, assignment_id)
    if assignment is None or assignment.coach_id != coach.id:
        raise NotFound(f"{coach.name} has no such assignment; it may have ended already.")
    place = _place(session, assignment.school_id)
    coaching.unassign_coach(session, assignment.id, actor=actor, now=now)
    return CoachingChange(coach.name, place)


def _place(session: Session, school_id: int | None) -> str:
    if school_id is None:
        return "across the whole district"
    school = session.get(School, school_id)
    return f"at {school.name}" if school is not None else "at a school"


def _keep_an_admin(session: Session, user: User) -> None:
    others = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.id != user.id, User.is_active.is_(True), User.role_rows.any(UserRole.role == ISSUER_ADMIN))
    )
    if not others:
        raise Conflict("The district needs at least one active issuer admin; appoint another one first.")


def new_session_token() -> str:
    return secrets.token_urlsafe(32)
