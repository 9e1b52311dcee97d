"""A teacher's attempts at a micro-credential: start, submit, withdraw, resubmit after "not yet", and the decision.

An attempt is bound to the version that was current when it began; a resubmission stays on the same version. The
attempt cap counts the attempts on one version that were not withdrawn.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ...storage.database import is_postgresql
from ...storage.models import Answer, Artifact, Assignment, Attempt, CriterionResult, User
from ..audit import Actor, record_event
from ..business_days import add_business_days
from ..catalog import microcredentials
from ..errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ..letters import emails, letterhead, queue_letter
from ..people.roles import ISSUER_ADMIN, TEACHER
from ..review import routing
from .evidence import MissingItem, missing_fields, submission_manifest
from .statuses import DRAFT, EARNED, IN_REVIEW, NOT_YET, OPEN_STATUSES, SUBMITTED, WITHDRAWN

# The submission's own fields, as a MissingItem names them.
ATTESTATION = "attest"
NOTE = "note"
STALE_MESSAGE = (
    "This attempt changed in another tab or window since you opened this page, so nothing was changed here. "
    "Reload the page to see its current state."
)


class StaleAttempt(Conflict):
    """The page the request came from showed an older state of the attempt."""

    def __init__(self):
        super().__init__(STALE_MESSAGE)


class IncompleteSubmission(InvalidInput):
    """Submission refused; ``problems`` lists everything still missing, one sentence each, and ``items`` the same
    with the prompt or field each is about."""

    def __init__(self, items: list[MissingItem]):
        problems = [item.text for item in items]
        super().__init__({"submit": " ".join(problems)}, "Your submission is not complete yet.")
        self.problems = problems
        self.items = items


class AlreadyEarned(Conflict):
    """The teacher already earned this micro-credential; ``attempt_id`` is the earned attempt."""

    def __init__(self, attempt: Attempt):
        super().__init__(f"You have already earned “{attempt.version.title}”.")
        self.attempt_id = attempt.id


@dataclass(frozen=True)
class CriterionDecision:
    """The decision on one criterion, as the review process hands it over."""

    criterion_key: str
    level_key: str | None
    met: bool
    feedback: str = ""


def get_attempt(session: Session, attempt_id: int, viewer: User) -> Attempt:
    """The attempt if ``viewer`` may see it (its teacher, or an issuer admin); otherwise NotFound."""
    attempt = session.get(Attempt, attempt_id)
    if attempt is None or not can_view(viewer, attempt):
        raise NotFound("There is no such attempt, or it is not yours to see.")
    return attempt


def can_view(viewer: User, attempt: Attempt) -> bool:
    """Teachers see their own attempts and issuer admins see all; reviewers see theirs through review routing."""
    return attempt.teacher_id == viewer.id or ISSUER_ADMIN in viewer.roles


def start_attempt(session: Session, teacher: User, slug: str, *, now: datetime) -> Attempt:
    """Begin (or return the open) attempt of ``teacher`` at a micro-credential.

    After "not yet" the new attempt is a resubmission: it stays on the same version and starts from a copy of the
    previous evidence. After a withdrawal it starts from a copy of the withdrawn evidence.
    """
    if TEACHER not in teacher.roles:
        raise PermissionDenied("Only teachers can start micro-credentials.")
    mc = microcredentials.get_microcredential(session, slug)
    attempts = list(
        session.scalars(
            select(Attempt)
            .where(Attempt.teacher_id == teacher.id, Attempt.microcredential_id == mc.id)
            .order_by(Attempt.number)
        )
    )
    open_attempt = next((a for a in attempts if a.status in OPEN_STATUSES), None)
    if open_attempt is not None:
        return open_attempt
    latest = attempts[-1] if attempts else None
    if latest is not None and latest.status == EARNED:
        raise AlreadyEarned(latest)
    if latest is not None and latest.status == NOT_YET:
        version = latest.version
    else:
        version = microcredentials.current_version(session, slug)
    used = sum(1 for a in attempts if a.version_id == version.id and a.status != WITHDRAWN)
    limit = version.definition["max_attempts"]
    if used >= limit:
        raise Conflict(attempts_used_up_message(limit))
    attempt = Attempt(
        teacher_id=teacher.id,
        microcredential_id=mc.id,
        version_id=version.id,
        number=(attempts[-1].number + 1) if attempts else 1,
        status=DRAFT,
        created_at=now,
        updated_at=now,
        previous_attempt_id=latest.id if latest is not None and latest.version_id == version.id else None,
    )
    if latest is not None and latest.version_id == version.id:
        _copy_evidence(latest, attempt, now=now)
        # What the teacher chose to share carries over too: a resubmission should not quietly make it private.
        attempt.share_reflection, attempt.share_evidence = latest.share_reflection, latest.share_evidence
    session.add(attempt)
    session.flush()
    record_event(
        session,
        actor=Actor.user(teacher),
        action="attempt.start",
        subject_type="attempt",
        subject_id=attempt.id,
        summary={
            "microcredential": slug,
            "version": version.number,
            "attempt": attempt.number,
            "resubmission_of": attempt.previous_attempt_id,
        },
        now=now,
    )
    return attempt


def is_resubmission(session: Session, attempt: Attempt) -> bool:
    """True when the attempt revises one that was decided "not yet" (not one that was withdrawn)."""
    if attempt.previous_attempt_id is None:
        return False
    return session.get(Attempt, attempt.previous_attempt_id).status == NOT_YET


def attempts_used_up_message(limit: int) -> str:
    """What a teacher who has used every attempt is told about what happens next."""
    return (
        f"You have used all {limit} attempts allowed on this version of the micro-credential. When the district "
        "publishes a new version you can start again on it; your district administrator can tell you when."
    )


def lock_for_change(session: Session, attempt: Attempt, *, expected_revision: int | None) -> None:
    """Take the attempt's row lock (PostgreSQL) and refuse the change if the page showed an older state."""
    if is_postgresql(session):
        session.execute(select(Attempt.id).where(Attempt.id == attempt.id).with_for_update())
        session.refresh(attempt)
    if expected_revision is not None and expected_revision != attempt.revision:
        raise StaleAttempt()


def submit_attempt(
    session: Session,
    attempt: Attempt,
    teacher: User,
    *,
    attested: bool,
    note: str,
    expected_revision: int | None,
    holidays: Collection[date] = (),
    now: datetime,
) -> Attempt:
    """Lock the evidence and send it for review, after checking it is complete and the privacy attestation."""
    _require_owner(attempt, teacher)
    lock_for_change(session, attempt, expected_revision=expected_revision)
    if attempt.status != DRAFT:
        raise Conflict(_already(attempt))
    problems = missing_fields(attempt)
    if not attested:
        problems.append(
            MissingItem(
                None,
                "Confirm that your artifacts show no student names, and no student faces without consent.",
                field=ATTESTATION,
            )
        )
    note = (note or "").strip()
    if is_resubmission(session, attempt) and not note:
        problems.append(MissingItem(None, "Tell the reviewers what you changed since your last attempt.", field=NOTE))
    if len(note) > 5000:
        problems.append(MissingItem(None, "Keep the note to reviewers under 5,000 characters.", field=NOTE))
    if problems:
        raise IncompleteSubmission(problems)
    attempt.status, attempt.submitted_at, attempt.updated_at = SUBMITTED, now, now
    attempt.privacy_attested_at = now
    attempt.note_to_reviewers = note or None
    attempt.submission_manifest = submission_manifest(attempt)
    turnaround = attempt.version.definition["review_turnaround_days"]
    days = set(holidays) | routing.holidays(session)
    attempt.expected_decision_on = add_business_days(now.date(), turnaround, days)
    _flush(session)
    queue_letter(
        session,
        emails.submission_received(letterhead(session), attempt),
        kind="submission_received",
        recipient=teacher.email,
        now=now,
    )
    record_event(
        session,
        actor=Actor.user(teacher),
        action="attempt.submit",
        subject_type="attempt",
        subject_id=attempt.id,
        summary={
            "artifacts": [a["sha256"] for a in attempt.submission_manifest["artifacts"]],
            "expected_decision_on": attempt.expected_decision_on.isoformat(),
        },
        now=now,
    )
    routing.route_attempt(session, attempt, now=now, holidays_=days)
    return attempt


def withdraw_attempt(
    session: Session, attempt: Attempt, teacher: User, *, expected_revision: int | None, now: datetime
) -> Attempt:
    """Take a submission back before review begins. Its evidence is kept and copied into the next attempt."""
    _require_owner(attempt, teacher)
    lock_for_change(session, attempt, expected_revision=expected_revision)
    if attempt.status != SUBMITTED:
        if attempt.status == IN_REVIEW:
            raise Conflict("Review has already begun, so this submission can no longer be withdrawn.")
        raise Conflict(_already(attempt))
    attempt.status, attempt.withdrawn_at, attempt.updated_at = WITHDRAWN, now, now
    for assignment in session.scalars(
        select(Assignment).where(Assignment.attempt_id == attempt.id, Assignment.status == "assigned")
    ):
        # Nothing left to review: free the reviewer's capacity and keep the overdue sweep quiet.
        assignment.status, assignment.ended_at, assignment.end_reason = "cancelled", now, "Withdrawn by the teacher."
    _flush(session)
    record_event(
        session,
        actor=Actor.user(teacher),
        action="attempt.withdraw",
        subject_type="attempt",
        subject_id=attempt.id,
        summary={},
        now=now,
    )
    return attempt


def record_decision(
    session: Session,
    attempt: Attempt,
    decisions: list[CriterionDecision],
    *,
    earned: bool,
    overall_feedback: str,
    actor: Actor,
    now: datetime,
) -> Attempt:
    """Store the outcome of review: earned or "not yet", with the level and feedback per criterion."""
    if attempt.status not in (SUBMITTED, IN_REVIEW):
        raise Conflict(_already(attempt))
    keys = {c["key"] for c in attempt.version.definition["rubric"]["criteria"]}
    given = {d.criterion_key for d in decisions}
    carried = carried_forward_keys(session, attempt)
    if given | carried != keys or given & carried:
        raise InvalidInput({"decisions": "Give one decision for every criterion not already met."})
    attempt.results = [
        CriterionResult(criterion_key=d.criterion_key, level_key=d.level_key, met=d.met, feedback=d.feedback)
        for d in decisions
    ] + [_carried_result(session, attempt, key) for key in sorted(carried)]
    attempt.status = EARNED if earned else NOT_YET
    attempt.decided_at, attempt.updated_at, attempt.overall_feedback = now, now, overall_feedback
    _flush(session)
    record_event(
        session,
        actor=actor,
        action="attempt.decide",
        subject_type="attempt",
        subject_id=attempt.id,
        summary={
            "outcome": attempt.status,
            "met": sorted(k for k in keys if k in carried or any(d.met for d in decisions if d.criterion_key == k)),
        },
        now=now,
    )
    return attempt


def carried_forward_levels(session: Session, attempt: Attempt) -> dict[str, str | None]:
    """Criteria met in the attempt this one resubmits (and so not scored again), with the level they reached."""
    if attempt.previous_attempt_id is None:
        return {}
    return dict(
        session.execute(
            select(CriterionResult.criterion_key, CriterionResult.level_key).where(
                CriterionResult.attempt_id == attempt.previous_attempt_id, CriterionResult.met.is_(True)
            )
        ).all()
    )


def carried_forward_keys(session: Session, attempt: Attempt) -> set[str]:
    """The keys of the criteria carried forward (see ``carried_forward_levels``)."""
    return set(carried_forward_levels(session, attempt))


def attempts_on_version(session: Session, teacher_id: int, version_id: int) -> int:
    """How many attempts (not withdrawn) a teacher has made on one version."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Attempt)
            .where(Attempt.teacher_id == teacher_id, Attempt.version_id == version_id, Attempt.status != WITHDRAWN)
        )
        or 0
    )


def _carried_result(session: Session, attempt: Attempt, key: str) -> CriterionResult:
    earlier = session.get(CriterionResult, (attempt.previous_attempt_id, key))
    return CriterionResult(
        criterion_key=key, level_key=earlier.level_key, met=True, feedback=earlier.feedback, carried_forward=True
    )


def _copy_evidence(source: Attempt, target: Attempt, *, now: datetime) -> None:
    target.answers = [Answer(prompt_key=a.prompt_key, text=a.text, url=a.url, updated_at=now) for a in source.answers]
    target.artifacts = [
        Artifact(
            prompt_key=a.prompt_key,
            sha256=a.sha256,
            filename=a.filename,
            kind=a.kind,
            media_type=a.media_type,
            size=a.size,
            uploaded_at=a.uploaded_at,
        )
        for a in source.artifacts
    ]


def _require_owner(attempt: Attempt, teacher: User) -> None:
    if attempt.teacher_id != teacher.id:
        raise NotFound("There is no such attempt, or it is not yours to see.")


def _already(attempt: Attempt) -> str:
    return {
        SUBMITTED: "This attempt has already been submitted; nothing was changed.",
        IN_REVIEW: "This attempt is being reviewed; nothing was changed.",
        WITHDRAWN: "This attempt was withdrawn; start a new one from the micro-credential's page.",
        NOT_YET: "This attempt has been decided (not yet); resubmit from your dashboard.",
        EARNED: "This attempt has been decided: the micro-credential is earned.",
        DRAFT: "This attempt is still a draft.",
    }[attempt.status]


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as exc:  # another transaction changed the row between our read and our write
        raise StaleAttempt() from exc
