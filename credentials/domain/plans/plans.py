"""A teacher's growth plan: starting it for the current school year, its one to three goals (statement, focus,
measure, target date, support asked for, who may see it) and each goal's learning actions.

Goals and actions change only while the plan is a draft or active: a plan waiting for review or in review waits for
its coach, and a complete plan is frozen. Bad input is refused with a sentence per field and nothing saved.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ...storage.models import CatalogFacet, Goal, GoalAction, GrowthPlan, MicroCredential, MicroCredentialVersion, User
from ...text.dates import us_date
from ..audit import Actor, record_event
from ..errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ..people import coaching
from .school_years import current_school_year
from .vocabulary import (
    ACTION_KINDS,
    COMPLETE,
    DEFAULT_VISIBILITY,
    EDITABLE_STATUSES,
    MAX_GOALS,
    MICROCREDENTIAL,
    PLAN_STATUS_LABELS,
    VISIBILITIES,
)

MAX_FOCUS = 5
MAX_ACTIONS = 10
TAG, COMPETENCY = "tag:", "competency:"


@dataclass
class GoalInput:
    """What a teacher writes for a goal, as typed (numbers and the date may still be text from a form)."""

    statement: str = ""
    focus: list[str] = field(default_factory=list)
    measure_what: str = ""
    measure_unit: str = ""
    baseline: float | str | None = None
    target: float | str | None = None
    how_measured: str = ""
    target_date: date | str | None = None
    support_requested: str = ""
    visibility: str = DEFAULT_VISIBILITY
    share_progress: bool = False


def start_plan(session: Session, teacher: User, *, now: datetime) -> GrowthPlan:
    """Start the teacher's plan for the current school year (one plan per teacher per year)."""
    year = current_school_year(session, now)
    if year is None:
        raise Conflict("The district has not set up this school year yet, so a plan cannot be started.")
    existing = session.scalar(
        select(GrowthPlan).where(GrowthPlan.teacher_id == teacher.id, GrowthPlan.school_year_id == year.id)
    )
    if existing is not None:
        raise Conflict(f"You already have a plan for the {year.name} school year.")
    plan = GrowthPlan(teacher_id=teacher.id, school_year_id=year.id, status="draft", created_at=now, updated_at=now)
    session.add(plan)
    session.flush()
    audit_plan(session, teacher, plan, now, action="plan.start", summary={"school_year": year.name})
    return plan


def get_plan(session: Session, plan_id: int) -> GrowthPlan:
    """The plan, or NotFound."""
    plan = session.get(GrowthPlan, plan_id)
    if plan is None:
        raise NotFound("There is no such plan.")
    return plan


def may_see_plan(session: Session, plan: GrowthPlan, viewer: User) -> bool:
    """Whether ``viewer`` may open the whole plan: its teacher, or one of the teacher's coaches."""
    if viewer.id == plan.teacher_id:
        return True
    teacher = session.get(User, plan.teacher_id)
    return teacher is not None and coaching.may_coach(session, viewer, teacher)


def focus_options(session: Session) -> list[tuple[str, str]]:
    """What a goal's focus may be chosen from: the published catalog's tags and competencies, as (key, label)."""
    published = MicroCredentialVersion.status == "published"
    tags = session.scalars(
        select(CatalogFacet.value)
        .join(MicroCredentialVersion, MicroCredentialVersion.id == CatalogFacet.version_id)
        .where(published, CatalogFacet.kind == "tag")
        .distinct()
    ).all()
    competencies = session.execute(
        select(MicroCredential.slug, MicroCredentialVersion.title)
        .join(MicroCredentialVersion, MicroCredentialVersion.microcredential_id == MicroCredential.id)
        .where(published)
    ).all()
    options = [(f"{TAG}{tag}", tag) for tag in sorted(tags, key=str.casefold)]
    options += [(f"{COMPETENCY}{slug}", title) for slug, title in sorted(competencies, key=lambda r: r[1].casefold())]
    return options


def add_goal(session: Session, plan_id: int, teacher: User, data: GoalInput, *, now: datetime) -> Goal:
    """Add a goal to the teacher's plan (at most three)."""
    plan = _editable_plan(session, plan_id, teacher)
    if len(plan.goals) >= MAX_GOALS:
        raise InvalidInput(
            {"goals": f"A plan has at most {MAX_GOALS} goals. Change or remove one of yours instead of adding another."}
        )
    values = _checked_goal(session, plan, data)
    bump(session, plan, now)
    goal = Goal(plan_id=plan.id, position=len(plan.goals) + 1, created_at=now, updated_at=now, **values)
    plan.goals.append(goal)
    session.flush()
    audit_plan(
        session, teacher, plan, now, action="plan.add_goal", summary={"goal": goal.id, "position": goal.position}
    )
    return goal


def edit_goal(session: Session, goal_id: int, teacher: User, data: GoalInput, *, now: datetime) -> Goal:
    """Change one of the goals of the teacher's plan."""
    goal = find_goal(session, goal_id)
    plan = _editable_plan(session, goal.plan_id, teacher)
    values = _checked_goal(session, plan, data)
    changed = sorted(name for name, value in values.items() if getattr(goal, name) != value)
    bump(session, plan, now)
    for name, value in values.items():
        setattr(goal, name, value)
    goal.updated_at = now
    session.flush()
    audit_plan(session, teacher, plan, now, action="plan.edit_goal", summary={"goal": goal.id, "changed": changed})
    return goal


def remove_goal(session: Session, goal_id: int, teacher: User, *, now: datetime) -> None:
    """Remove a goal (with its actions, check-ins and thread) from the teacher's plan; the others move up."""
    goal = find_goal(session, goal_id)
    plan = _editable_plan(session, goal.plan_id, teacher)
    bump(session, plan, now)
    plan.goals.remove(goal)
    session.flush()
    for position, other in enumerate(plan.goals, start=1):
        other.position = position
    session.flush()
    audit_plan(session, teacher, plan, now, action="plan.remove_goal", summary={"goal": goal_id})


def set_sharing(
    session: Session, goal_id: int, teacher: User, *, visibility: str, share_progress: bool, now: datetime
) -> Goal:
    """Who may see the goal, and whether its numbers and check-ins are shared too; the teacher may change this at
    any time, whatever the plan's status."""
    goal = find_goal(session, goal_id)
    plan = _own_plan(session, goal.plan_id, teacher)
    if visibility not in VISIBILITIES:
        raise InvalidInput({"visibility": "Choose who may see this goal."})
    goal.visibility, goal.share_progress, goal.updated_at = visibility, bool(share_progress), now
    session.flush()
    summary = {"goal": goal.id, "visibility": visibility, "share_progress": bool(share_progress)}
    audit_plan(session, teacher, plan, now, action="plan.share_goal", summary=summary)
    return goal


def add_action(
    session: Session,
    goal_id: int,
    teacher: User,
    *,
    kind: str,
    slug: str = "",
    description: str = "",
    now: datetime,
) -> GoalAction:
    """Plan a learning action for a goal: a micro-credential from the catalog (by slug), or a described learning
    activity or collaboration."""
    goal = find_goal(session, goal_id)
    plan = _editable_plan(session, goal.plan_id, teacher)
    description = (description or "").strip()
    microcredential_id = None
    if kind not in ACTION_KINDS:
        raise InvalidInput({"kind": "Choose a micro-credential, a learning activity or a collaboration."})
    if len(goal.actions) >= MAX_ACTIONS:
        raise InvalidInput({"kind": f"A goal has at most {MAX_ACTIONS} learning actions."})
    if kind == MICROCREDENTIAL:
        microcredential_id = session.scalar(
            select(MicroCredential.id)
            .join(MicroCredentialVersion, MicroCredentialVersion.microcredential_id == MicroCredential.id)
            .where(MicroCredential.slug == (slug or "").strip(), MicroCredentialVersion.status == "published")
        )
        if microcredential_id is None:
            raise InvalidInput({"microcredential": "Choose a micro-credential from the catalog."})
        if any(a.microcredential_id == microcredential_id for a in goal.actions):
            raise InvalidInput({"microcredential": "This micro-credential is already one of this goal's actions."})
        description = None  # type: ignore[assignment]
    elif not description:
        raise InvalidInput({"description": "Say what the activity or collaboration is."})
    elif len(description) > 1000:
        raise InvalidInput({"description": "Keep the description to 1,000 characters."})
    bump(session, plan, now)
    action = GoalAction(
        goal_id=goal.id,
        position=len(goal.actions) + 1,
        kind=kind,
        microcredential_id=microcredential_id,
        description=description,
        created_at=now,
    )
    goal.actions.append(action)
    session.flush()
    summary = {"goal": goal.id, "action": action.id, "kind": kind, "microcredential": slug or None}
    audit_plan(session, teacher, plan, now, action="plan.add_action", summary=summary)
    return action


def remove_action(session: Session, action_id: int, teacher: User, *, now: datetime) -> None:
    """Remove a learning action from a goal."""
    action = session.get(GoalAction, action_id)
    if action is None:
        raise NotFound("That learning action is no longer in the plan.")
    goal = action.goal
    plan = _editable_plan(session, goal.plan_id, teacher)
    bump(session, plan, now)
    goal.actions.remove(action)
    session.flush()
    for position, other in enumerate(goal.actions, start=1):
        other.position = position
    session.flush()
    audit_plan(session, teacher, plan, now, action="plan.remove_action", summary={"goal": goal.id, "action": action_id})


def bump(session: Session, plan: GrowthPlan, now: datetime, *, seen: int | None = None, **values) -> None:
    """Change the plan's row only if nobody else has since the caller read it (``seen``, or the revision loaded):
    a conditional UPDATE on the revision, so of two coaches approving at once exactly one succeeds."""
    seen = plan.revision if seen is None else seen
    result = session.execute(
        update(GrowthPlan)
        .where(GrowthPlan.id == plan.id, GrowthPlan.revision == seen)
        .values(revision=seen + 1, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.refresh(plan)
        raise changed_meanwhile(plan)
    session.expire(plan, ["revision", "updated_at", *values])


def changed_meanwhile(plan: GrowthPlan) -> Conflict:
    """The sentence for someone who acted on a plan that changed after they last saw it."""
    return Conflict(
        "Someone else changed this plan while you were looking at it; it is now "
        f"“{PLAN_STATUS_LABELS.get(plan.status, plan.status)}”. Nothing was changed by you: open the plan again to "
        "see where it stands."
    )


def _checked_goal(session: Session, plan: GrowthPlan, data: GoalInput) -> dict:
    errors: dict[str, str] = {}
    statement = (data.statement or "").strip()
    if not statement:
        errors["statement"] = "Write the goal: what you will improve, for which students."
    elif len(statement) > 1000:
        errors["statement"] = "Keep the goal to 1,000 characters."
    focus, focus_error = checked_focus(data.focus, {key for key, _ in focus_options(session)})
    errors.update({"focus": focus_error} if focus_error else {})
    measure_what = (data.measure_what or "").strip()
    if not measure_what:
        errors["measure_what"] = "Say what will be measured, such as exit-ticket mastery on fractions."
    elif len(measure_what) > 300:
        errors["measure_what"] = "Keep what is measured to 300 characters."
    unit = (data.measure_unit or "").strip()
    if not unit:
        errors["measure_unit"] = "Say what unit the measure is in, such as % or students."
    elif len(unit) > 40:
        errors["measure_unit"] = "Keep the unit to 40 characters."
    baseline = _number(data.baseline, "baseline", "the baseline (where students are now)", errors)
    target = _number(data.target, "target", "the target (where you aim them to be)", errors)
    if baseline is not None and target is not None and baseline == target:
        errors["target"] = (
            f"The target equals the baseline ({_format(baseline)} {unit}): set a target that would show a change."
        )
    how = (data.how_measured or "").strip()
    if not how:
        errors["how_measured"] = "Say how it is measured and how often, such as weekly exit tickets."
    year = plan.school_year
    target_date = _date(data.target_date)
    if target_date is None:
        errors["target_date"] = "Enter the date by which you aim to reach the target."
    elif not year.starts_on <= target_date <= year.ends_on:
        errors["target_date"] = (
            f"Choose a target date within the {year.name} school year: {us_date(year.starts_on)} to "
            f"{us_date(year.ends_on)}."
        )
    support = (data.support_requested or "").strip()
    if len(support) > 2000:
        errors["support_requested"] = "Keep the support you ask for to 2,000 characters."
    if data.visibility not in VISIBILITIES:
        errors["visibility"] = "Choose who may see this goal."
    if errors:
        raise InvalidInput(errors)
    return {
        "statement": statement,
        "focus": focus,
        "measure_what": measure_what,
        "measure_unit": unit,
        "baseline": baseline,
        "target": target,
        "how_measured": how,
        "target_date": target_date,
        "support_requested": support,
        "visibility": data.visibility,
        "share_progress": bool(data.share_progress),
    }


def checked_focus(keys: list[str] | None, known: set[str]) -> tuple[list[str], str | None]:
    """A goal's focus as chosen (blanks, repeats dropped) and why it is refused, if so: 1 to 5 keys from ``known``."""
    focus = list(dict.fromkeys(key.strip() for key in keys or [] if key and key.strip()))
    if not focus:
        return focus, "Choose at least one competency or tag from the catalog as the goal's focus."
    if len(focus) > MAX_FOCUS:
        return focus, f"Choose at most {MAX_FOCUS} competencies or tags."
    if unknown := [key for key in focus if key not in known]:
        return focus, f"Choose the focus from the catalog; {_key_label(unknown[0])} is not in it."
    return focus, None


def _number(value: float | str | None, name: str, words: str, errors: dict[str, str]) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        errors[name] = f"Enter {words} as a number."
        return None
    try:
        number = float(str(value).strip().replace(",", "").removesuffix("%").strip())
    except ValueError:
        errors[name] = f"Enter {words} as a number, such as 48."
        return None
    if not math.isfinite(number) or abs(number) > 1e9:
        errors[name] = f"Enter {words} as an ordinary number."
        return None
    return number


def _date(value: date | str | None) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _format(number: float) -> str:
    return f"{number:g}"


def _key_label(key: str) -> str:
    return f"“{key.removeprefix(TAG).removeprefix(COMPETENCY)}”"


def find_goal(session: Session, goal_id: int) -> Goal:
    """The goal, or NotFound."""
    goal = session.get(Goal, goal_id)
    if goal is None:
        raise NotFound("That goal is no longer in the plan.")
    return goal


def _own_plan(session: Session, plan_id: int, teacher: User) -> GrowthPlan:
    plan = get_plan(session, plan_id)
    if plan.teacher_id != teacher.id:
        raise PermissionDenied("Only the plan's teacher may change its goals.")
    return plan


def _editable_plan(session: Session, plan_id: int, teacher: User) -> GrowthPlan:
    plan = _own_plan(session, plan_id, teacher)
    if plan.status == COMPLETE:
        raise Conflict("This plan is complete, so it is kept as it was. Ask your coach to reopen it to change it.")
    if plan.status not in EDITABLE_STATUSES:
        raise Conflict(
            "Your plan is with your coach for review, so it cannot be changed now. Take back the request for a "
            "review to change it, or wait until your coach approves it or sends it back."
        )
    return plan


def audit_plan(
    session: Session, user: User | None, plan: GrowthPlan, now: datetime, *, action: str, summary: dict
) -> None:
    """Record a step on the plan in the audit trail (``user`` None: the service itself)."""
    actor = Actor.user(user) if user is not None else Actor.system("plans")
    summary = {"teacher": plan.teacher_id, **summary}
    record_event(
        session, actor=actor, action=action, subject_type="growth_plan", subject_id=plan.id, summary=summary, now=now
    )
