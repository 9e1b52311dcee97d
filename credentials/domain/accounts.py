"""Accounts: sign-in, passwords, password reset, invitations, roles and deactivation."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..storage.models import School, User, UserRole
from ..storage.models.accounts import INVITATION, ISSUER_ADMIN, PASSWORD_RESET, ROLE_LABELS, ROLES
from . import one_time_tokens
from .audit import Actor, record_event
from .errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from .login_throttle import check_login_allowed, record_failed_login
from .outbox import queue_email
from .passwords import PasswordPolicy

MAX_NAME_LENGTH = 200
RESET_EMAILS_PER_HOUR = 3

# Builds the absolute URL of a one-time link: (purpose, token) -> URL. The web layer supplies it.
LinkMaker = Callable[[str, str], str]


class SignInFailed(DomainError):
    """Wrong e-mail or password, or an inactive account; deliberately the same message for each."""

    status = 401

    def __init__(self):
        super().__init__("That e-mail address and password do not match an active account.")


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


def authenticate(
    session: Session, passwords: PasswordPolicy, *, email: str, password: str, client_address: str, now: datetime
) -> User:
    """Check a sign-in. Raises ``TooManyAttempts`` or ``SignInFailed``; the caller records failures durably."""
    address = (email or "").strip().lower()[:254]
    check_login_allowed(session, email=address, client_address=client_address, now=now)
    user = session.scalar(select(User).where(User.email == address))
    password_ok = passwords.verify(user.password_hash if user else None, password or "")
    if user is None or not password_ok or not user.is_active:
        raise SignInFailed()
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash(password)
    user.last_login_at = now
    record_event(
        session,
        actor=Actor.user(user),
        action="user.sign_in",
        subject_type="user",
        subject_id=user.id,
        summary={"client_address": client_address},
        now=now,
    )
    return user


def note_failed_sign_in(session: Session, *, email: str, client_address: str, now: datetime) -> None:
    """Count a failed sign-in toward the throttle (call it in a transaction of its own)."""
    record_failed_login(session, email=(email or "").strip().lower(), client_address=client_address, now=now)


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
        session_token=_new_session_token(),
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


def change_password(
    session: Session, passwords: PasswordPolicy, user: User, *, current_password: str, new_password: str, now: datetime
) -> None:
    """Replace the password after checking the current one; signs out every other session."""
    if not passwords.verify(user.password_hash, current_password or ""):
        raise InvalidInput({"current_password": "That is not your current password."})
    if current_password == new_password:
        raise InvalidInput({"new_password": "Choose a password different from the current one."})
    _set_password(session, passwords, user, new_password, now=now, field="new_password")
    record_event(
        session,
        actor=Actor.user(user),
        action="user.change_password",
        subject_type="user",
        subject_id=user.id,
        summary={},
        now=now,
    )


def request_password_reset(session: Session, *, email: str, link_for: LinkMaker, now: datetime) -> None:
    """E-mail a reset link if the address belongs to an active account. Says nothing either way."""
    try:
        address = normalize_email(email)
    except InvalidInput:
        return
    user = session.scalar(select(User).where(User.email == address, User.is_active.is_(True)))
    if user is None:
        return
    recent = one_time_tokens.count_recent(session, user=user, purpose=PASSWORD_RESET, since=now - timedelta(hours=1))
    if recent >= RESET_EMAILS_PER_HOUR:
        return  # a flood of resets would only fill the person's inbox
    token = one_time_tokens.issue_token(session, user=user, purpose=PASSWORD_RESET, now=now)
    lifetime = one_time_tokens.LIFETIMES[PASSWORD_RESET]
    queue_email(
        session,
        kind="password_reset",
        recipient=user.email,
        now=now,
        subject="Reset your microcred password",
        body=(
            f"Hello {user.name},\n\n"
            "Someone (we hope you) asked to reset the password of your microcred account.\n"
            f"To choose a new password, open this link within {int(lifetime.total_seconds() // 60)} minutes:\n\n"
            f"{link_for(PASSWORD_RESET, token)}\n\n"
            "The link works once. If you did not ask for it, ignore this message; your password stays as it is.\n"
        ),
    )
    record_event(
        session,
        actor=Actor.system("password-reset"),
        action="user.request_password_reset",
        subject_type="user",
        subject_id=user.id,
        summary={},
        now=now,
    )


def check_one_time_link(session: Session, *, purpose: str, token: str, now: datetime) -> User:
    """The user a live reset or invitation link belongs to, or ``TokenRejected`` saying why not."""
    return one_time_tokens.redeem_token(session, value=token, purpose=purpose, now=now, consume=False).user


def reset_password(
    session: Session, passwords: PasswordPolicy, *, token: str, new_password: str, now: datetime
) -> User:
    """Set a new password through a reset link; the link and every other open reset link stop working."""
    user = check_one_time_link(session, purpose=PASSWORD_RESET, token=token, now=now)
    problem = passwords.problem(new_password, email=user.email, name=user.name)
    if problem:
        raise InvalidInput({"password": problem})
    one_time_tokens.redeem_token(session, value=token, purpose=PASSWORD_RESET, now=now, consume=True)
    one_time_tokens.void_tokens(session, user=user, purpose=PASSWORD_RESET, now=now)
    _set_password(session, passwords, user, new_password, now=now)
    record_event(
        session,
        actor=Actor.user(user),
        action="user.reset_password",
        subject_type="user",
        subject_id=user.id,
        summary={},
        now=now,
    )
    return user


def invite_user(
    session: Session,
    *,
    email: str,
    name: str,
    roles: Iterable[str],
    school_id: int,
    actor: Actor,
    issuer_name: str,
    link_for: LinkMaker,
    now: datetime,
) -> User:
    """Create an account without a password and e-mail a link that lets the person choose one."""
    user = create_user(
        session, None, email=email, name=name, roles=roles, school_id=school_id, password=None, actor=actor, now=now
    )
    _send_invitation(session, user, issuer_name=issuer_name, link_for=link_for, now=now)
    record_event(
        session,
        actor=actor,
        action="user.invite",
        subject_type="user",
        subject_id=user.id,
        summary={"email": user.email},
        now=now,
    )
    return user


def resend_invitation(
    session: Session, user: User, *, actor: Actor, issuer_name: str, link_for: LinkMaker, now: datetime
) -> None:
    """Send a fresh invitation link to someone who has not set a password; earlier links stop working."""
    if user.password_hash is not None:
        raise Conflict(f"{user.name} has already accepted the invitation.")
    if not user.is_active:
        raise Conflict(f"{user.name} is deactivated; reactivate the account first.")
    one_time_tokens.void_tokens(session, user=user, purpose=INVITATION, now=now)
    _send_invitation(session, user, issuer_name=issuer_name, link_for=link_for, now=now)
    record_event(
        session,
        actor=actor,
        action="user.resend_invitation",
        subject_type="user",
        subject_id=user.id,
        summary={"email": user.email},
        now=now,
    )


def accept_invitation(
    session: Session, passwords: PasswordPolicy, *, token: str, new_password: str, now: datetime
) -> User:
    """Choose the first password through an invitation link."""
    user = check_one_time_link(session, purpose=INVITATION, token=token, now=now)
    problem = passwords.problem(new_password, email=user.email, name=user.name)
    if problem:
        raise InvalidInput({"password": problem})
    one_time_tokens.redeem_token(session, value=token, purpose=INVITATION, now=now, consume=True)
    _set_password(session, passwords, user, new_password, now=now)
    record_event(
        session,
        actor=Actor.user(user),
        action="user.accept_invitation",
        subject_type="user",
        subject_id=user.id,
        summary={},
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
    user.session_token = _new_session_token()  # signs them out everywhere
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


@dataclass(frozen=True)
class UserPage:
    users: list[User]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def find_users(session: Session, criteria: UserFilter, *, page: int = 1, per_page: int = 50) -> UserPage:
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
    page = max(1, page)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    users = session.scalars(query.order_by(User.name, User.id).offset((page - 1) * per_page).limit(per_page)).all()
    return UserPage(list(users), page, per_page, total)


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def _set_password(
    session: Session, passwords: PasswordPolicy, user: User, password: str, *, now: datetime, field: str = "password"
) -> None:
    problem = passwords.problem(password, email=user.email, name=user.name)
    if problem:
        raise InvalidInput({field: problem})
    user.password_hash = passwords.hash(password)
    user.session_token = _new_session_token()
    session.flush()


def _send_invitation(session: Session, user: User, *, issuer_name: str, link_for: LinkMaker, now: datetime) -> None:
    token = one_time_tokens.issue_token(session, user=user, purpose=INVITATION, now=now)
    days = one_time_tokens.LIFETIMES[INVITATION].days
    roles = ", ".join(role_label(r).lower() for r in sorted(user.roles))
    queue_email(
        session,
        kind="invitation",
        recipient=user.email,
        now=now,
        subject=f"You are invited to microcred by {issuer_name}",
        body=(
            f"Hello {user.name},\n\n"
            f"{issuer_name} has invited you to microcred, where teachers earn micro-credentials for their "
            f"professional learning. Your role: {roles}.\n\n"
            f"To accept, choose your password within {days} days at:\n\n"
            f"{link_for(INVITATION, token)}\n\n"
            "If you did not expect this invitation, you can ignore this message.\n"
        ),
    )


def _keep_an_admin(session: Session, user: User) -> None:
    others = session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.id != user.id, User.is_active.is_(True), User.role_rows.any(UserRole.role == ISSUER_ADMIN))
    )
    if not others:
        raise Conflict("The district needs at least one active issuer admin; appoint another one first.")


def _new_session_token() -> str:
    return secrets.token_urlsafe(32)
