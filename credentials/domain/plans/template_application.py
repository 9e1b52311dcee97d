"""Applying a plan template to a school or to a group of teachers, all in the caller's transaction.

Admins may apply a template to anyone; a coach only to the teachers they coach (coaching.teachers_coached_by). For
each teacher reached: without a plan for the current school year, a draft plan is started from the template; with a
plan that has no template yet, the template is added to it (its goals then show as ideas). A plan from a template
already, or a complete plan, is left as it is. Each teacher reached gets an e-mail (sent after the commit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...storage.models import GrowthPlan, School, User, UserRole
from ..audit import Actor, record_event
from ..errors import Conflict, InvalidInput, PermissionDenied
from ..letters import emails, letterhead, queue_letter
from ..people import coaching
from ..people.roles import ISSUER_ADMIN, TEACHER
from .plans import audit_plan
from .school_years import current_school_year
from .templates import get_template, may_write_templates
from .vocabulary import COMPLETE, DRAFT


@dataclass(frozen=True)
class ApplicationOutcome:
    """What applying a template did: plans started, plans the template was added to, and teachers left as they were
    (their plan came from this template or another one already, or is complete)."""

    template_title: str
    started: int = 0
    added_to: int = 0
    same_template: int = 0
    other_template: int = 0
    complete: int = 0

    @property
    def reached(self) -> int:
        return self.started + self.added_to

    @property
    def sentence(self) -> str:
        """The outcome in words, such as "Started 12 plans; 3 teachers already had a plan from another template."."""
        parts = []
        if self.started:
            parts.append(f"Started {_count(self.started, 'plan')}")
        if self.added_to:
            parts.append(f"added the template's goal ideas to {_count(self.added_to, 'plan')} teachers had started")
        if self.same_template:
            parts.append(f"{_teachers(self.same_template)} already had a plan from this template")
        if self.other_template:
            parts.append(f"{_teachers(self.other_template)} already had a plan from another template")
        if self.complete:
            parts.append(f"{_teachers(self.complete)} already completed this year's plan")
        if not parts:
            return "No teachers were reached: there are none to apply it to there yet."
        text = "; ".join(parts)
        return text[0].upper() + text[1:] + "."


def eligible_teachers(actor: User) -> Select:
    """A query of the ids of the teachers ``actor`` may apply a template to: every active teacher for an admin, the
    teachers they coach for a coach."""
    if ISSUER_ADMIN in actor.roles:
        return (
            select(User.id)
            .join(UserRole, and_(UserRole.user_id == User.id, UserRole.role == TEACHER))
            .where(User.deactivated_at.is_(None))
        )
    return coaching.teachers_coached_by(actor.id)


def may_apply_to_school(session: Session, actor: User, school_id: int) -> bool:
    """Whether ``actor`` may apply a template to a whole school: an admin, or a coach of that school (or the whole
    district)."""
    if ISSUER_ADMIN in actor.roles:
        return True
    scope = coaching.coaching_scope(session, actor.id)
    return scope.whole_district or any(sid == school_id for sid, _ in scope.schools)


def apply_template(
    session: Session,
    template_id: int,
    actor: User,
    *,
    school_id: int | None = None,
    teacher_ids: list[int] | None = None,
    now: datetime,
) -> ApplicationOutcome:
    """Apply a template to a school (``school_id``) or to the teachers chosen (``teacher_ids``)."""
    if not may_write_templates(actor):
        raise PermissionDenied("Only admins and coaches apply plan templates.")
    template = get_template(session, template_id)
    if template.archived_at is not None:
        raise Conflict("This template is archived, so it is no longer applied. Choose another one.")
    if school_id is not None:
        school = session.get(School, school_id)
        if school is None or not school.is_active:
            raise InvalidInput({"school": "Choose one of the district's open schools."})
        if not may_apply_to_school(session, actor, school_id):
            raise PermissionDenied("You may apply a template only to the schools you coach.")
        ids = set(
            session.scalars(select(User.id).where(User.school_id == school_id, User.id.in_(eligible_teachers(actor))))
        )
        target = {"school": school.name, "school_id": school.id}
    elif teacher_ids:
        ids = set(teacher_ids)
        allowed = set(session.scalars(select(User.id).where(User.id.in_(ids), User.id.in_(eligible_teachers(actor)))))
        if ids - allowed:
            if ISSUER_ADMIN not in actor.roles:
                raise PermissionDenied("You may apply a template only to teachers you coach.")
            raise InvalidInput({"teachers": "Choose the teachers from the list."})
        target = {"teachers": len(ids)}
    else:
        raise InvalidInput({"target": "Choose a school, or at least one teacher from the list."})
    year = current_school_year(session, now)
    if year is None:
        raise Conflict("The district has not set up this school year yet, so no plan can be started.")
    outcome = _apply(session, template, actor, ids, year, now=now)
    record_event(
        session, actor=Actor.user(actor), action="plan_template.apply", subject_type="plan_template",
        subject_id=template.id, now=now,
        summary={"title": template.title, "school_year": year.name, **target, "started": outcome.started,
                 "added_to": outcome.added_to,
                 "left": outcome.same_template + outcome.other_template + outcome.complete},
    )  # fmt: skip
    return outcome


def _apply(session: Session, template, actor: User, ids: set[int], year, *, now: datetime) -> ApplicationOutcome:
    teachers = list(session.scalars(select(User).where(User.id.in_(ids)).order_by(User.name, User.id))) if ids else []
    existing = {
        plan.teacher_id: plan
        for plan in session.scalars(
            select(GrowthPlan).where(GrowthPlan.teacher_id.in_(ids), GrowthPlan.school_year_id == year.id)
        )
    }
    counts = dict.fromkeys(("started", "added_to", "same_template", "other_template", "complete"), 0)
    reached: list[tuple[User, GrowthPlan, bool]] = []
    try:
        # Another coach applying a template to the same teacher at the same moment would start a second plan for the
        # year; the database refuses it and the whole application is undone with a sentence.
        with session.begin_nested():
            for teacher in teachers:
                plan = existing.get(teacher.id)
                if plan is None:
                    plan = GrowthPlan(
                        teacher_id=teacher.id, school_year_id=year.id, status=DRAFT, template_id=template.id,
                        created_at=now, updated_at=now,
                    )  # fmt: skip
                    session.add(plan)
                    session.flush()
                    summary = {"school_year": year.name, "template": template.id}
                    audit_plan(session, actor, plan, now, action="plan.start", summary=summary)
                    counts["started"] += 1
                    reached.append((teacher, plan, True))
                elif plan.status == COMPLETE:
                    counts["complete"] += 1
                elif plan.template_id == template.id:
                    counts["same_template"] += 1
                elif plan.template_id is not None:
                    counts["other_template"] += 1
                else:
                    plan.template_id, plan.updated_at = template.id, now
                    session.flush()
                    summary = {"template": template.id, "title": template.title}
                    audit_plan(session, actor, plan, now, action="plan.use_template", summary=summary)
                    counts["added_to"] += 1
                    reached.append((teacher, plan, False))
    except IntegrityError as exc:
        raise Conflict(
            "Someone else started plans for some of these teachers at the same moment, so nothing was changed. "
            "Apply the template again."
        ) from exc
    _tell_teachers(session, template.title, actor, year.name, reached, now=now)
    return ApplicationOutcome(template_title=template.title, **counts)


def _tell_teachers(
    session: Session, title: str, actor: User, year: str, reached: list[tuple[User, GrowthPlan, bool]], *, now
) -> None:
    if not reached:
        return
    head = letterhead(session)
    for teacher, _plan, started in reached:
        letter = emails.plan_from_template(head, teacher=teacher.name, by=actor.name, title=title, year=year,
                                           started=started)  # fmt: skip
        queue_letter(session, letter, kind="growth_plan", recipient=teacher.email, now=now)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _teachers(n: int) -> str:
    return "1 teacher" if n == 1 else f"{n:,} teachers"
