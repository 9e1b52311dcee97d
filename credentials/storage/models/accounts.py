"""People who sign in: their roles, school and one-time tokens (password reset, invitation)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base
from .organizations import School

# The values user_roles.role and one_time_tokens.purpose hold. Roles and token purposes are the domain's vocabulary
# (credentials.domain.people.roles and .one_time_tokens); these names remain for code that still reads them here, and
# tests/storage/test_vocabulary.py keeps both in step with the CHECK constraints.
TEACHER = "teacher"
REVIEWER = "reviewer"
ISSUER_ADMIN = "issuer_admin"
COACH = "coach"
ROLES = (TEACHER, REVIEWER, ISSUER_ADMIN, COACH)

PASSWORD_RESET = "password_reset"  # noqa: S105 - a token purpose
INVITATION = "invitation"


class User(Base):
    """An account. Never deleted: deactivation keeps history and references intact."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("grade_band IN ('pre-k', 'k-2', '3-5', '6-8', '9-12', 'all')", name="grade_band"),
        CheckConstraint(
            "subject IN ('ela', 'math', 'science', 'social_studies', 'arts', 'world_languages', 'pe_health',"
            " 'special_education', 'english_learners', 'cte', 'library', 'several')",
            name="subject",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # None until an invited user chooses a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    # What a teacher teaches, so colleagues with like goals can find each other (credentials.domain.people.teaching).
    grade_band: Mapped[str | None] = mapped_column(String(10))
    subject: Mapped[str | None] = mapped_column(String(40))
    is_active: Mapped[bool] = mapped_column(default=True)
    # Part of the login cookie; rotating it signs out every session of this user.
    session_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]
    deactivated_at: Mapped[datetime | None]

    school: Mapped[School] = relationship(lazy="joined", innerjoin=True)
    role_rows: Mapped[list[UserRole]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="UserRole.role"
    )

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(r.role for r in self.role_rows)

    def has_role(self, role: str) -> bool:
        return role in self.roles

    # The three members Flask-Login expects (``is_active`` is the column above). The login cookie holds the
    # session token, not the id, so rotating the token signs the person out everywhere.
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return self.session_token

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class UserRole(Base):
    """One role held by one user; a person may hold several."""

    __tablename__ = "user_roles"
    __table_args__ = (CheckConstraint("role IN ('teacher', 'reviewer', 'issuer_admin', 'coach')", name="role"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class OneTimeToken(Base):
    """A password-reset or invitation token. Only its SHA-256 is stored; it works once, until it expires."""

    __tablename__ = "one_time_tokens"
    __table_args__ = (CheckConstraint("purpose IN ('password_reset', 'invitation')", name="purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<OneTimeToken {self.id} {self.purpose}>"
