"""Every model, imported so that ``Base.metadata`` knows the whole schema."""

from .accounts import OneTimeToken, User, UserRole
from .attempts import Answer, Artifact, Attempt, CriterionResult
from .audit import AuditEvent, AuditHead
from .base import Base
from .catalog import BadgeImage, CatalogFacet, MicroCredential, MicroCredentialVersion
from .certificate_settings import CertificateSettings
from .coaching import CoachAssignment
from .issuance import IssuanceRequest, IssuedCredential, IssuerKey, StatusList
from .login_throttle import FailedLogin
from .mentoring import HelpRequest, MentorOffer
from .organizations import Issuer, School
from .outbox import OutboxMessage
from .plans import (
    CheckIn,
    CheckInFile,
    Goal,
    GoalAction,
    GoalComment,
    GrowthPlan,
    PlanTemplate,
    PlanTemplateAction,
    PlanTemplateGoal,
    SchoolYear,
)
from .reviews import (
    Assignment,
    Holiday,
    Qualification,
    ReviewConflict,
    ReviewerProfile,
    ReviewScore,
)
from .suggestions import SuggestionDismissal

__all__ = [
    "Answer",
    "Artifact",
    "Assignment",
    "Attempt",
    "AuditEvent",
    "AuditHead",
    "BadgeImage",
    "Base",
    "CatalogFacet",
    "CertificateSettings",
    "CheckIn",
    "CheckInFile",
    "CoachAssignment",
    "CriterionResult",
    "FailedLogin",
    "Goal",
    "GoalAction",
    "GoalComment",
    "GrowthPlan",
    "HelpRequest",
    "Holiday",
    "IssuanceRequest",
    "IssuedCredential",
    "Issuer",
    "IssuerKey",
    "MentorOffer",
    "MicroCredential",
    "MicroCredentialVersion",
    "OneTimeToken",
    "OutboxMessage",
    "PlanTemplate",
    "PlanTemplateAction",
    "PlanTemplateGoal",
    "Qualification",
    "ReviewConflict",
    "ReviewScore",
    "ReviewerProfile",
    "School",
    "SchoolYear",
    "StatusList",
    "SuggestionDismissal",
    "User",
    "UserRole",
]
