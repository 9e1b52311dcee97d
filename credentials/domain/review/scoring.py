"""Scoring against the rubric and turning reviews into a decision the teacher can trust.

One reviewer: their scores decide by the micro-credential's rule. Two: if they agree (earned / not yet) that
stands; if not, a third eligible reviewer is routed and decides. A credential follows an earned decision: the
decision writes a durable issuance request in the same transaction (so issuance is never lost and never done
twice) and names the step that issues the credential once that transaction has committed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ...storage.models import Assignment, Attempt, IssuanceRequest, ReviewScore, User
from ...storage.models.attempts import EARNED, IN_REVIEW, NOT_YET, SUBMITTED, WITHDRAWN
from ...storage.models.reviews import ASSIGNED, PRIMARY, TIEBREAK
from ...storage.models.reviews import SUBMITTED as REVIEW_SUBMITTED
from ..after_commit import follow_with
from ..audit import Actor, record_event
from ..credentials.issuance import IssueCredential
from ..errors import Conflict, InvalidInput, PermissionDenied
from ..letters import emails, letterhead, queue_letter
from ..portfolio.attempts import (
    CriterionDecision,
    attempts_used_up_message,
    carried_forward_keys,
    carried_forward_levels,
    record_decision,
)
from . import routing
from .tally import meets, tally


@dataclass(frozen=True)
class Scores:
    """What a reviewer entered: a level and feedback per criterion, and overall feedback."""

    levels: dict[str, str]
    feedback: dict[str, str]
    overall: str


def get_assignment(session: Session, assignment_id: int, reviewer: User) -> Assignment:
    """The reviewer's own assignment; anyone else's is refused (403) whatever their role."""
    assignment = session.get(Assignment, assignment_id)
    if assignment is None or assignment.reviewer_id != reviewer.id:
        raise PermissionDenied("This review is not assigned to you.")
    return assignment


def criteria_to_score(session: Session, assignment: Assignment) -> list[dict]:
    """The rubric criteria this review scores: all of them, except those met in the attempt it resubmits."""
    carried = carried_forward_keys(session, assignment.attempt)
    return [c for c in assignment.attempt.version.definition["rubric"]["criteria"] if c["key"] not in carried]


def save_scores(
    session: Session, assignment: Assignment, reviewer: User, scores: Scores, *, now: datetime
) -> Assignment:
    """Keep a draft of the review. Levels must come from each criterion's own levels."""
    _require_open(assignment, reviewer)
    criteria = {c["key"]: c for c in criteria_to_score(session, assignment)}
    errors = {}
    for key, level in scores.levels.items():
        criterion = criteria.get(key)
        if criterion is None:
            errors[f"level-{key}"] = "That criterion is not part of this review."
        elif level and level not in {lv["key"] for lv in criterion["levels"]}:
            errors[f"level-{key}"] = f"Choose one of the levels of “{criterion['name']}”."
    if len(scores.overall) > 10_000:
        errors["overall"] = "Keep the overall feedback under 10,000 characters."
    for key, text in scores.feedback.items():
        if len(text) > 10_000:
            errors[f"feedback-{key}"] = "Keep feedback under 10,000 characters per criterion."
    if errors:
        raise InvalidInput(errors, "Some scores cannot be saved.")
    existing = {s.criterion_key: s for s in assignment.scores}
    for key in criteria:
        score = existing.get(key) or ReviewScore(criterion_key=key)
        if key not in existing:
            assignment.scores.append(score)
        score.level_key = scores.levels.get(key) or None
        score.feedback = (scores.feedback.get(key) or "").strip()
    assignment.overall_feedback = scores.overall.strip()
    begin_review(assignment, now=now)
    _flush(session)
    return assignment


def begin_review(assignment: Assignment, *, now: datetime) -> None:
    """Mark that review has begun (the teacher can no longer withdraw)."""
    if assignment.started_at is None:
        assignment.started_at = now
    if assignment.attempt.status == SUBMITTED:
        assignment.attempt.status = IN_REVIEW


def submit_review(
    session: Session, assignment: Assignment, reviewer: User, scores: Scores, *, now: datetime
) -> Assignment:
    """Lock the review after checking every criterion has a level (and feedback where it is not yet met)."""
    save_scores(session, assignment, reviewer, scores, now=now)
    errors = submission_problems(session, assignment)
    if errors:
        raise InvalidInput(errors, "The review cannot be submitted yet; fix what is marked and submit again.")
    assignment.status, assignment.submitted_at = REVIEW_SUBMITTED, now
    assignment.outcome = outcome(session, assignment)
    _flush(session)
    record_event(
        session,
        actor=Actor.user(reviewer),
        action="review.submit",
        subject_type="attempt",
        subject_id=assignment.attempt_id,
        summary={
            "assignment": assignment.id,
            "outcome": assignment.outcome,
            "levels": {s.criterion_key: s.level_key for s in assignment.scores},
        },
        now=now,
    )
    decide(session, assignment.attempt, now=now)
    return assignment


def submission_problems(session: Session, assignment: Assignment) -> dict[str, str]:
    """What the saved draft still lacks before it can be submitted, by field: a level for every criterion, feedback
    where a level is below the required one, and overall feedback. Empty when it is ready."""
    criteria = {c["key"]: c for c in criteria_to_score(session, assignment)}
    saved = {s.criterion_key: s for s in assignment.scores}
    errors = {}
    for key, criterion in criteria.items():
        score = saved.get(key)
        if score is None or not score.level_key:
            errors[f"level-{key}"] = f"Choose a level for “{criterion['name']}”."
        elif not _meets(criterion, score.level_key) and not score.feedback:
            errors[f"feedback-{key}"] = (
                f"Tell the teacher what “{criterion['name']}” still needs: it is below the required level."
            )
    if not assignment.overall_feedback:
        errors["overall"] = "Write overall feedback for the teacher."
    return errors


def saved_scores(assignment: Assignment) -> Scores:
    """The reviewer's saved draft as ``Scores``."""
    return Scores(
        levels={s.criterion_key: s.level_key or "" for s in assignment.scores},
        feedback={s.criterion_key: s.feedback or "" for s in assignment.scores},
        overall=assignment.overall_feedback or "",
    )


def draft_fingerprint(assignment: Assignment) -> str:
    """A short digest of the saved draft: the confirmation step submits only the draft the reviewer was shown."""
    draft = saved_scores(assignment)
    text = json.dumps([draft.levels, draft.feedback, draft.overall], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class DraftChanged(Conflict):
    """The draft changed (in another tab or window) after the reviewer was shown its summary."""


def submit_draft(
    session: Session, assignment: Assignment, reviewer: User, *, fingerprint: str, now: datetime
) -> Assignment:
    """Submit the saved draft the reviewer confirmed (``fingerprint`` of the summary they saw), and lock it."""
    _require_open(assignment, reviewer)
    if fingerprint != draft_fingerprint(assignment):
        raise DraftChanged(
            "Your draft changed in another tab or window after you saw its summary; nothing was submitted. "
            "Check the summary again, then submit."
        )
    errors = submission_problems(session, assignment)
    if errors:
        raise InvalidInput(errors, "The review cannot be submitted yet; fix what is marked and submit again.")
    return submit_review(session, assignment, reviewer, saved_scores(assignment), now=now)


def outcome(session: Session, assignment: Assignment) -> str:
    """Earned or not yet, by the micro-credential's rule, counting criteria carried forward as met."""
    rubric = assignment.attempt.version.definition["rubric"]
    levels = {s.criterion_key: s.level_key for s in assignment.scores}
    counted = tally(rubric, levels, carried_forward_levels(session, assignment.attempt))
    return EARNED if counted.earned else NOT_YET


def decide(session: Session, attempt: Attempt, *, now: datetime) -> str | None:
    """Decide the attempt if its submitted reviews allow; route a tie-breaker when two reviewers disagree."""
    reviews = session.scalars(
        select(Assignment)
        .where(Assignment.attempt_id == attempt.id, Assignment.status == REVIEW_SUBMITTED)
        .order_by(Assignment.submitted_at, Assignment.id)
    ).all()
    primaries = [r for r in reviews if r.role == PRIMARY]
    tiebreak = next((r for r in reviews if r.role == TIEBREAK), None)
    required = attempt.version.definition["reviewers_required"]
    if tiebreak is not None:
        deciding = [tiebreak]
    elif len(primaries) < required:
        return None
    elif len({r.outcome for r in primaries[:required]}) == 1:
        deciding = primaries[:required]
    else:
        routing.route_attempt(session, attempt, now=now, role=TIEBREAK)
        record_event(
            session,
            actor=routing.ROUTER,
            action="review.disagreement",
            subject_type="attempt",
            subject_id=attempt.id,
            summary={"outcomes": [r.outcome for r in primaries]},
            now=now,
        )
        return None
    result = deciding[0].outcome
    finish(session, attempt, deciding, result, actor=routing.ROUTER, now=now)
    return result


def finish(
    session: Session, attempt: Attempt, deciding: list[Assignment], result: str, *, actor: Actor, now: datetime
) -> None:
    """Record the decision from the deciding reviews, notify the teacher, and queue issuance when earned."""
    carried = carried_forward_keys(session, attempt)
    criteria = {c["key"]: c for c in attempt.version.definition["rubric"]["criteria"]}
    decisions = []
    for key, criterion in criteria.items():
        if key in carried:
            continue
        scored = [s for r in deciding for s in r.scores if s.criterion_key == key and s.level_key]
        # Two agreeing reviewers: record the lower of their levels, and both their feedback.
        lowest = min(scored, key=lambda s: _points(criterion, s.level_key)) if scored else None
        feedback = "\n\n".join(s.feedback for s in scored if s.feedback)
        level = lowest.level_key if lowest else None
        decisions.append(CriterionDecision(key, level, bool(level and _meets(criterion, level)), feedback))
    overall = "\n\n".join(r.overall_feedback for r in deciding if r.overall_feedback)
    if attempt.status == SUBMITTED:
        attempt.status = IN_REVIEW
    record_decision(
        session, attempt, decisions, earned=result == EARNED, overall_feedback=overall, actor=actor, now=now
    )
    for open_assignment in session.scalars(
        select(Assignment).where(Assignment.attempt_id == attempt.id, Assignment.status == ASSIGNED)
    ):
        open_assignment.status, open_assignment.ended_at = "cancelled", now
        open_assignment.end_reason = "The attempt was decided."
    if result == EARNED:
        request_issuance(session, attempt, now=now)
    notify_decision(session, attempt, now=now)


def request_issuance(session: Session, attempt: Attempt, *, now: datetime) -> None:
    """Ask for the earned attempt's credential: a durable request (once per attempt; the unique key makes a second
    one impossible), and the credential follows as soon as the decision commits."""
    if session.scalar(select(IssuanceRequest.id).where(IssuanceRequest.attempt_id == attempt.id)) is None:
        session.add(IssuanceRequest(attempt_id=attempt.id, created_at=now))
        session.flush()
        # If issuing fails after the commit, the request stays pending for `microcred credentials process`.
        follow_with(session, IssueCredential(attempt.id))


def notify_decision(session: Session, attempt: Attempt, *, now: datetime) -> None:
    """E-mail the teacher the decision on their attempt, with a link to the reviewers' feedback."""
    earned = attempt.status == EARNED
    next_step = "" if earned else _resubmission_note(session, attempt)
    queue_letter(
        session,
        emails.decision(letterhead(session), attempt, earned=earned, next_step=next_step),
        kind="decision",
        recipient=attempt.teacher.email,
        now=now,
    )


def _resubmission_note(session: Session, attempt: Attempt) -> str:
    limit = attempt.version.definition["max_attempts"]
    used = session.scalar(
        select(func.count())
        .select_from(Attempt)
        .where(Attempt.teacher_id == attempt.teacher_id, Attempt.version_id == attempt.version_id)
        .where(Attempt.status != WITHDRAWN)
    )
    left = limit - (used or 0)
    if left <= 0:
        return attempts_used_up_message(limit)
    return f"You can revise your evidence and submit it again ({left} attempt{'s' if left != 1 else ''} left)."


def recuse(session: Session, assignment: Assignment, reviewer: User, *, reason: str, now: datetime) -> None:
    """Step back from an assignment, saying why; the attempt is routed again to someone else."""
    _require_open(assignment, reviewer)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput({"reason": "Say why you cannot review this submission."})
    assignment.status, assignment.ended_at, assignment.end_reason = "recused", now, reason[:2000]
    session.flush()
    record_event(
        session,
        actor=Actor.user(reviewer),
        action="review.recuse",
        subject_type="attempt",
        subject_id=assignment.attempt_id,
        summary={"assignment": assignment.id, "reason": reason},
        now=now,
    )
    routing.route_attempt(
        session, assignment.attempt, now=now, role=assignment.role, needed=1 if assignment.role == TIEBREAK else None
    )


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as exc:  # the assignment or its attempt changed in another request meanwhile
        raise Conflict(
            "This review or its submission changed in another tab or window meanwhile; nothing was "
            "changed here. Reload the page."
        ) from exc


def _require_open(assignment: Assignment, reviewer: User) -> None:
    if assignment.reviewer_id != reviewer.id:
        raise PermissionDenied("This review is not assigned to you.")
    if assignment.status != ASSIGNED:
        raise Conflict("This review is already submitted or closed; nothing was changed.")
    if assignment.attempt.status not in (SUBMITTED, IN_REVIEW):
        raise Conflict("This attempt is no longer waiting for review; nothing was changed.")


def _points(criterion: dict, level_key: str) -> float:
    return next(lv["points"] for lv in criterion["levels"] if lv["key"] == level_key)


def _meets(criterion: dict, level_key: str) -> bool:
    return meets(criterion, level_key)
