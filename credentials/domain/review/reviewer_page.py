"""What a reviewer's pages need: their queue, and one submission's evidence beside the rubric to score it by.

Reviewers see an anonymous code, never the teacher's name, e-mail address or school: nothing here carries them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from ...storage.models import Artifact, Assignment, Attempt, MicroCredentialVersion, User
from ...storage.models.accounts import TEACHER
from ...storage.models.attempts import DRAFT, IN_REVIEW, NOT_YET, SUBMITTED, WITHDRAWN
from ...storage.models.reviews import ACTIVE_STATUSES, ASSIGNED, PRIMARY, TIEBREAK
from ...storage.models.reviews import SUBMITTED as REVIEW_SUBMITTED
from ...text.dates import local_day
from ..audit import Actor
from ..errors import InvalidInput, NotFound, PermissionDenied
from ..people.accounts import normalize_email
from ..people.organizations import district_time_zone
from ..portfolio.attempts import carried_forward_levels, is_resubmission
from ..portfolio.evidence import word_count
from . import admin
from .routing import anonymous_code
from .scoring import Scores, criteria_to_score, draft_fingerprint, get_assignment, submission_problems
from .tally import Tally, meets, rule_text, tally

RECENT_SUBMITTED = 20
ROLE_LABELS = {PRIMARY: "Primary", TIEBREAK: "Tie-breaker"}
# What each role means, in the words of the queue's legend and the review page.
ROLE_HINTS = {
    PRIMARY: (
        "Your review decides whether the teacher earns the micro-credential. Some micro-credentials ask for two "
        "reviewers: then a second primary reviewer scores the same evidence on their own, without seeing your "
        "scores, and if you two agree, that is the decision."
    ),
    TIEBREAK: (
        "The two primary reviewers disagreed (one found the evidence meets the rubric, the other found it not yet "
        "there). You score it on your own, and your review decides."
    ),
}
ROLE_LEGEND = [(ROLE_LABELS[role], ROLE_HINTS[role]) for role in (PRIMARY, TIEBREAK)]
# On a resubmission, whether a file is new since the attempt before, or kept from it (same bytes: same SHA-256).
NEW_FILE, KEPT_FILE = "new", "kept"
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
    due_label: str
    overdue: bool
    started: bool
    resubmission: bool
    submitted_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None


def reviewer_queue(session: Session, reviewer: User, *, now: datetime) -> list[QueueRow]:
    """The reviewer's open assignments by due date, then their last 20 submitted reviews; due dates are counted
    from today in the district's time zone."""
    today = local_day(now, district_time_zone(session))
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
        due_label=due_label(due_on, today),
        overdue=submitted_at is None and due_on < today,
        started=started_at is not None,
        resubmission=previous_status == NOT_YET,
        submitted_at=submitted_at,
    )


def due_label(due_on: date, today: date) -> str:
    """How far off a due date is, in words: Due today, Due tomorrow, Due in 3 days, Overdue by 2 days."""
    days = (due_on - today).days
    if days == 0:
        return "Due today"
    if days == 1:
        return "Due tomorrow"
    if days > 1:
        return f"Due in {days} days"
    return f"Overdue by {-days} day{'' if days == -1 else 's'}"


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
    since: str | None = None  # on a resubmission: NEW_FILE or KEPT_FILE


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
    meets: bool  # at or above the required level


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
    role: str
    role_label: str
    role_hint: str
    reviewers_required: int
    due_on: date
    submitted_at: datetime | None
    editable: bool
    resubmission: bool
    note_to_reviewers: str
    parts: list[ReviewPart]
    overall: str
    tally: Tally
    rule: str

    @property
    def criteria(self) -> list[ReviewCriterion]:
        return [c for part in self.parts for c in part.criteria]


@dataclass(frozen=True)
class SubmissionCheck:
    """The confirmation step: the page (with the saved draft's tally), what still stops it being submitted, and the
    fingerprint of the draft the reviewer is shown (see ``scoring.submit_draft``)."""

    page: ReviewPage
    problems: dict[str, str]
    fingerprint: str


def submission_check(session: Session, assignment: Assignment) -> SubmissionCheck:
    """What the reviewer confirms before their saved draft is submitted and locked."""
    return SubmissionCheck(
        page=review_page(session, assignment),
        problems=submission_problems(session, assignment) if assignment.status == ASSIGNED else {},
        fingerprint=draft_fingerprint(assignment),
    )


def review_page(session: Session, assignment: Assignment, posted: Scores | None = None) -> ReviewPage:
    """The submission's evidence part by part, each beside the criteria that score it, and the saved scores; the
    tally counts the ``posted`` levels when a form came back with errors (so the panel shows what the form shows)."""
    attempt = assignment.attempt
    doc = attempt.version.definition
    answers = {a.prompt_key: a for a in attempt.answers}
    resubmission = is_resubmission(session, attempt)
    earlier = _earlier_files(session, attempt) if resubmission else None
    files: dict[str, list[ReviewFile]] = {}
    for a in attempt.artifacts:
        since = None if earlier is None else (KEPT_FILE if a.sha256 in earlier else NEW_FILE)
        files.setdefault(a.prompt_key, []).append(
            ReviewFile(a.id, a.filename, a.kind, a.size, a.media_type, is_viewable(a.kind, a.media_type), since)
        )
    to_score = {c["key"] for c in criteria_to_score(session, assignment)}
    saved = {s.criterion_key: s for s in assignment.scores}
    carried_levels = carried_forward_levels(session, attempt)
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
    levels = posted.levels if posted else {key: s.level_key for key, s in saved.items()}
    return ReviewPage(
        assignment_id=assignment.id,
        code=anonymous_code(attempt.id),
        title=attempt.version.title,
        version=attempt.version.number,
        role=assignment.role,
        role_label=ROLE_LABELS.get(assignment.role, assignment.role),
        role_hint=ROLE_HINTS.get(assignment.role, ""),
        reviewers_required=doc["reviewers_required"],
        due_on=assignment.due_on,
        submitted_at=assignment.submitted_at,
        editable=assignment.status == ASSIGNED and attempt.status in (SUBMITTED, IN_REVIEW),
        resubmission=resubmission,
        note_to_reviewers=(attempt.note_to_reviewers or "") if resubmission else "",
        parts=parts,
        overall=assignment.overall_feedback or "",
        tally=tally(doc["rubric"], levels, carried_levels),
        rule=rule_text(doc["rubric"]["decision_rule"]),
    )


def _earlier_files(session: Session, attempt: Attempt) -> set[str]:
    """The SHA-256 of every file of the attempt this one resubmits."""
    return set(session.scalars(select(Artifact.sha256).where(Artifact.attempt_id == attempt.previous_attempt_id)))


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
            lv["key"],
            lv["name"],
            lv.get("description", ""),
            lv["points"],
            lv["key"] == criterion["required_level"],
            meets(criterion, lv["key"]),
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
