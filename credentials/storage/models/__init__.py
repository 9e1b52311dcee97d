"""Every model, imported so that ``Base.metadata`` knows the whole schema."""

from .accounts import OneTimeToken, User, UserRole
from .audit import AuditEvent, AuditHead
from .base import Base
from .login_throttle import FailedLogin
from .organizations import Issuer, School
from .outbox import OutboxMessage

__all__ = [
    "AuditEvent",
    "AuditHead",
    "Base",
    "FailedLogin",
    "Issuer",
    "OneTimeToken",
    "OutboxMessage",
    "School",
    "User",
    "UserRole",
]
