"""What a reviewer's pages need: their queue, and one submission's evidence beside the rubric to score it by.

Reviewers see an anonymous code, never the teacher's name, e-mail address or school: nothing here carries them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ...storage.models import Artifact, Assignment, Attempt, CriterionResult, MicroCredentialVersion, User
from ...storage.models.accounts import TEACHER
from ...storage.models.attempts import DRAFT, IN_REVIEW, NOT_YET, SUBMITTED, WITHDRAWN
from ...storage.models.reviews import ACTIVE_STATUSES, ASSIGNED, PRIMARY
from ...storage.models.reviews import SUBMITTED as REVIEW_SUBMITTED
from ..audit import Actor
from ..errors import InvalidInput, NotFound, PermissionDenied
from ..people.accounts import normalize_email
from ..portfolio.attempts import is_resubmission
from ..portfolio.evidence import word_count
from . import admin
from .routing import anonymous_code
from .scoring import criteria_to_score, get_assignment

RECENT_SUBMITTED = 20
ROLE_LABELS = {PRIMARY: "Primary", "tiebreak": "Tie-breaker"}
# Shown inside the page: PDFs, and the image types browsers display (HEIC, say, is offered as a download only).
VIEWABLE_MEDIA_TYPES = frozenset(
    {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"}
)
_HIDDEN_ATTEMPT_STATUSES = (DRAFT, WITHDRAWN)


@dataclass(frozen=True)
class QueueRow:
    """One line of a reviewer's queue."""

    assignment_id: int
    code: str
    title: str
    version: int
    role: str
    role_label: str
    due_on: date
    overdue: bool
    started: bool
    resubmission: bool
    submitted_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None


def reviewer_queue(session: Session, reviewer: User, *, today: date) -> list[QueueRow]:
    """The reviewer's open assignments by due date, then their last 20 submitted reviews; two queries."""
    previous = aliased(Attempt)
    columns = (
        Assignment.id,
        Assignment.attempt_id,
        Assignment.role,
        Assignment.due_on,
        Assignment.started_at,
        Assignment.submitted_at,
        MicroCredentialVersion.title,
        MicroCredentialVersion.number,
        previous.status,
    )
    base = (
        select(*columns)
        .join(Attempt, Attempt.id == Assignment.attempt_id)
        .join(MicroCredentialVersion, MicroCredentialVersion.id == Attempt.version_id)
        .outerjoin(previous, previous.id == Attempt.previous_attempt_id)
        .where(Assignment.reviewer_id == reviewer.id)
    )
    open_rows = session.execute(
        base.where(Assignment.status == ASSIGNED, Attempt.status.in_((SUBMITTED, IN_REVIEW))).order_by(
            Assignment.due_on, Assignment.assigned_at, Assignment.id
        )
    ).all()
    done_rows = session.execute(
        base.where(Assignment.status == REVIEW_SUBMITTED, Attempt.status.not_in(_HIDDEN_ATTEMPT_STATUSES))
        .order_by(Assignment.submitted_at.desc(), Assignment.id.desc())
        .limit(RECENT_SUBMITTED)
    ).all()
    return [_queue_row(row, today) for row in [*open_rows, *done_rows]]


def _queue_row(row, today: date) -> QueueRow:
    assignment_id, attempt_id, role, due_on, started_at, submitted_at, title, number, previous_status = row
    return QueueRow(
        assignment_id=assignment_id,
        code=anonymous_code(attempt_id),
        title=title,
        version=number,
        role=role,
        role_label=ROLE_LABELS.get(role, role),
        due_on=due_on,
        overdue=submitted_at is None and due_on < today,
        started=started_at is not None,
        resubmission=previous_status == NOT_YET,
        submitted_at=submitted_at,
    )


def reviewer_assignment(session: Session, assignment_id: int, reviewer: User) -> Assignment:
    """The reviewer's own assignment while it is theirs (open or submitted) and its evidence is under review."""
    assignment = get_assignment(session, assignment_id, reviewer)
    if assignment.status not in ACTIVE_STATUSES or assignment.attempt.status in _HIDDEN_ATTEMPT_STATUSES:
        raise PermissionDenied("This submission is no longer assigned to you.")
    return assignment


def review_artifact(assignment: Assignment, artifact_id: int, *, inline: bool = False) -> Artifact:
    """A file of the assignment's attempt (for ``inline``, only one the page can show); anything else is NotFound."""
    artifact = next((a for a in assignment.attempt.artifacts if a.id == artifact_id), None)
    if artifact is None or (inline and not is_viewable(artifact.kind, artifact.media_type)):
        raise NotFound("There is no such file in this submission.")
    return artifact


def is_viewable(kind: str, media_type: str) -> bool:
    """Whether the review page shows a file in place (PDFs and common images) rather than only offering it."""
    return kind in ("pdf", "image") and media_type in VIEWABLE_MEDIA_TYPES


@dataclass(frozen=True)
class ReviewFile:
    id: int
    filename: str
    kind: str
    size: int
    media_type: str
    viewable: bool


@dataclass(frozen=True)
class ReviewPrompt:
    key: str
    kind: str
    label: str
    help: str
    text: str
    words: int
    url: str
    files: list[ReviewFile]


@dataclass(frozen=True)
class ReviewLevel:
    key: str
    name: str
    description: str
    points: float
    required: bool


@dataclass(frozen=True)
class ReviewCriterion:
    """A criterion to score, with the reviewer's saved level and feedback."""

    key: str
    name: str
    description: str
    levels: list[ReviewLevel]
    required_level: str
    level: str | None
    feedback: str


@dataclass(frozen=True)
class CarriedCriterion:
    """A criterion met in the attempt this one resubmits: shown as met, not scored again."""

    key: str
    name: str
    level: str | None


@dataclass(frozen=True)
class ReviewPart:
    key: str
    title: str
    instructions: str
    prompts: list[ReviewPrompt]
    criteria: list[ReviewCriterion]
    carried: list[CarriedCriterion]


@dataclass(frozen=True)
class ReviewPage:
    """Everything the review page shows. It holds no teacher's name, e-mail address or school."""

    assignment_id: int
    code: str
    title: str
    version: int
    role_label: str
    due_on: date
    submitted_at: datetime | None
    editable: bool
    resubmission: bool
    note_to_reviewers: str
    parts: list[ReviewPart]
    overall: str

    @property
    def criteria(self) -> list[ReviewCriterion]:
        return [c for part in self.parts for c in part.criteria]


def review_page(session: Session, assignment: Assignment) -> ReviewPage:
    """The submission's evidence part by part, each beside the criteria that score it, and the saved scores."""
    attempt = assignment.attempt
    doc = attempt.version.definition
    answers = {a.prompt_key: a for a in attempt.answers}
    files: dict[str, list[ReviewFile]] = {}
    for a in attempt.artifacts:
        files.setdefault(a.prompt_key, []).append(
            ReviewFile(a.id, a.filename, a.kind, a.size, a.media_type, is_viewable(a.kind, a.media_type))
        )
    to_score = {c["key"] for c in criteria_to_score(session, assignment)}
    saved = {s.criterion_key: s for s in assignment.scores}
    carried_levels = _carried_levels(session, attempt)
    parts = []
    for part in doc["template"]["parts"]:
        prompts = [_prompt(p, answers.get(p["key"]), files.get(p["key"], [])) for p in part["prompts"]]
        criteria, carried = [], []
        for c in doc["rubric"]["criteria"]:
            if c["part"] != part["key"]:
                continue
            if c["key"] in to_score:
                criteria.append(_criterion(c, saved.get(c["key"])))
            else:
                level = carried_levels.get(c["key"])
                carried.append(
                    CarriedCriterion(
                        c["key"], c["name"], next((v["name"] for v in c["levels"] if v["key"] == level), None)
                    )
                )
        parts.append(ReviewPart(part["key"], part["title"], part.get("instructions", ""), prompts, criteria, carried))
    resubmission = is_resubmission(session, attempt)
    return ReviewPage(
        assignment_id=assignment.id,
        code=anonymous_code(attempt.id),
        title=attempt.version.title,
        version=attempt.version.number,
        role_label=ROLE_LABELS.get(assignment.role, assignment.role),
        due_on=assignment.due_on,
        submitted_at=assignment.submitted_at,
        editable=assignment.status == ASSIGNED and attempt.status in (SUBMITTED, IN_REVIEW),
        resubmission=resubmission,
        note_to_reviewers=(attempt.note_to_reviewers or "") if resubmission else "",
        parts=parts,
        overall=assignment.overall_feedback or "",
    )


def _prompt(prompt: dict, answer, files: list[ReviewFile]) -> ReviewPrompt:
    text = (answer.text or "") if answer else ""
    return ReviewPrompt(
        key=prompt["key"],
        kind=prompt["kind"],
        label=prompt["label"],
        help=prompt.get("help", ""),
        text=text,
        words=word_count(text),
        url=(answer.url or "") if answer else "",
        files=files,
    )


def _criterion(criterion: dict, score) -> ReviewCriterion:
    levels = [
        ReviewLevel(
            lv["key"], lv["name"], lv.get("description", ""), lv["points"], lv["key"] == criterion["required_level"]
        )
        for lv in criterion["levels"]
    ]
    required = next((lv.name for lv in levels if lv.required), criterion["required_level"])
    return ReviewCriterion(
        key=criterion["key"],
        name=criterion["name"],
        description=criterion.get("description", ""),
        levels=levels,
        required_level=required,
        level=score.level_key if score else None,
        feedback=score.feedback if score else "",
    )


def _carried_levels(session: Session, attempt: Attempt) -> dict[str, str | None]:
    if attempt.previous_attempt_id is None:
        return {}
    rows = session.execute(
        select(CriterionResult.criterion_key, CriterionResult.level_key).where(
            CriterionResult.attempt_id == attempt.previous_attempt_id, CriterionResult.met.is_(True)
        )
    )
    return dict(rows.all())


def declare_conflict_by_email(session: Session, reviewer: User, *, email: str, reason: str, now: datetime) -> None:
    """A reviewer declares a conflict with a teacher by e-mail address. Whether the address belongs to a teacher is
    never revealed: an unknown address is answered exactly like a known one, and nothing is recorded for it."""
    errors = {}
    try:
        address = normalize_email(email)
    except InvalidInput as exc:
        errors.update(exc.errors)
        address = None
    if not " ".join((reason or "").split()):
        errors["reason"] = "Say what the conflict is (for example: relative, direct supervisor)."
    if errors:
        raise InvalidInput(errors)
    teacher = session.scalar(select(User).where(User.email == address))
    if teacher is None or teacher.id == reviewer.id or TEACHER not in teacher.roles:
        return
    admin.declare_conflict(session, reviewer.id, teacher.id, reason=reason, actor=Actor.user(reviewer), now=now)
