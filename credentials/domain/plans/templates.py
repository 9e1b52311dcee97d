"""Plan templates: a plan an admin or coach writes once (a title, a description, one to three goals, each with a
focus from the catalog, an example measure and suggested learning actions) and then applies to a school or a group of
teachers (see template_application). Admins and the template's author may change or archive it; an archived template
is no longer offered for applying, and the plans started from it keep working.

Bad input is refused with a sentence per field, keyed by where the form shows it (``goals-2-statement``), so the
form can be drawn again with everything as typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...storage.models import MicroCredential, MicroCredentialVersion, PlanTemplate, PlanTemplateAction, User
from ...storage.models import PlanTemplateGoal as TemplateGoal
from ..audit import Actor, record_event
from ..errors import Conflict, InvalidInput, NotFound, PermissionDenied
from ..people.roles import COACH, ISSUER_ADMIN
from .plans import MAX_ACTIONS, checked_focus, focus_options
from .vocabulary import ACTION_KINDS, MAX_GOALS, MICROCREDENTIAL

# The form offers this many rows of suggested actions under each goal (it works without JavaScript).
ACTION_ROWS = 3
MAX_TITLE = 200
MAX_DESCRIPTION = 4000


@dataclass
class TemplateActionInput:
    """One row of suggested action as typed: a kind, the micro-credential's slug or a description."""

    kind: str = ""
    slug: str = ""
    description: str = ""

    @property
    def is_blank(self) -> bool:
        return not (self.kind or "").strip() and not (self.slug or "").strip() and not (self.description or "").strip()


@dataclass
class TemplateGoalInput:
    """One goal block as typed."""

    statement: str = ""
    focus: list[str] = field(default_factory=list)
    measure_what: str = ""
    measure_unit: str = ""
    how_measured: str = ""
    actions: list[TemplateActionInput] = field(default_factory=list)

    @property
    def is_blank(self) -> bool:
        texts = (self.statement, self.measure_what, self.measure_unit, self.how_measured)
        return not any((t or "").strip() for t in texts) and not self.focus and all(a.is_blank for a in self.actions)


@dataclass
class TemplateInput:
    """The whole template as typed: blank goal blocks and blank action rows are left out."""

    title: str = ""
    description: str = ""
    goals: list[TemplateGoalInput] = field(default_factory=list)


def may_write_templates(user: User) -> bool:
    """Whether ``user`` may write and apply plan templates: admins and coaches."""
    return bool(user.roles & {ISSUER_ADMIN, COACH})


def may_change_template(user: User, template: PlanTemplate) -> bool:
    """Whether ``user`` may edit or archive ``template``: an admin, or the coach who wrote it."""
    return ISSUER_ADMIN in user.roles or (COACH in user.roles and template.author_id == user.id)


def get_template(session: Session, template_id: int) -> PlanTemplate:
    """The template with its goals and their actions, or NotFound."""
    template = session.scalar(
        select(PlanTemplate)
        .where(PlanTemplate.id == template_id)
        .options(selectinload(PlanTemplate.goals).selectinload(TemplateGoal.actions))
    )
    if template is None:
        raise NotFound("There is no such plan template.")
    return template


def template_for_editing(session: Session, template_id: int, user: User) -> TemplateInput:
    """The template as its form shows it, for an admin or its author (PermissionDenied for anyone else)."""
    template = get_template(session, template_id)
    if not may_change_template(user, template):
        raise PermissionDenied("Only an admin or the coach who wrote this template may change it. You can apply it.")
    return template_input(session, template)


def template_input(session: Session, template: PlanTemplate) -> TemplateInput:
    """A stored template as the form shows it (micro-credentials by slug), to edit."""
    slugs = _slugs_by_id(session, {a.microcredential_id for g in template.goals for a in g.actions})
    return TemplateInput(
        title=template.title,
        description=template.description,
        goals=[
            TemplateGoalInput(
                statement=goal.statement,
                focus=list(goal.focus or []),
                measure_what=goal.measure_what,
                measure_unit=goal.measure_unit,
                how_measured=goal.how_measured,
                actions=[
                    TemplateActionInput(
                        kind=a.kind, slug=slugs.get(a.microcredential_id, ""), description=a.description or ""
                    )
                    for a in goal.actions
                ],
            )
            for goal in template.goals
        ],
    )


def create_template(session: Session, author: User, data: TemplateInput, *, now: datetime) -> PlanTemplate:
    """Write a new plan template (admins and coaches)."""
    if not may_write_templates(author):
        raise PermissionDenied("Only admins and coaches write plan templates.")
    title, description, goals = _checked(session, data)
    template = PlanTemplate(title=title, description=description, author_id=author.id, created_at=now, updated_at=now)
    session.add(template)
    _set_goals(template, goals)
    session.flush()
    _audit(session, author, template, now, action="plan_template.create", summary={"goals": len(goals)})
    return template


def edit_template(
    session: Session, template_id: int, editor: User, data: TemplateInput, *, now: datetime
) -> PlanTemplate:
    """Change a template (its admin or author). Goals keep their place and row (plans show them as ideas), so a
    goal that stays in position 1 is the same goal, changed."""
    template = get_template(session, template_id)
    if not may_change_template(editor, template):
        raise PermissionDenied("Only an admin or the coach who wrote this template may change it.")
    title, description, goals = _checked(session, data)
    template.title, template.description, template.updated_at = title, description, now
    _set_goals(template, goals)
    session.flush()
    _audit(session, editor, template, now, action="plan_template.edit", summary={"goals": len(goals)})
    return template


def archive_template(session: Session, template_id: int, user: User, *, now: datetime) -> PlanTemplate:
    """Archive a template: no longer offered for applying; plans started from it keep it."""
    template = get_template(session, template_id)
    if not may_change_template(user, template):
        raise PermissionDenied("Only an admin or the coach who wrote this template may archive it.")
    if template.archived_at is not None:
        raise Conflict("This template is already archived.")
    template.archived_at = now
    template.updated_at = now
    session.flush()
    _audit(session, user, template, now, action="plan_template.archive", summary={})
    return template


def published_microcredentials(session: Session) -> list[tuple[str, str]]:
    """The micro-credentials a template may suggest: the published catalog, as (slug, title) by title."""
    rows = session.execute(
        select(MicroCredential.slug, MicroCredentialVersion.title)
        .join(MicroCredentialVersion, MicroCredentialVersion.microcredential_id == MicroCredential.id)
        .where(MicroCredentialVersion.status == "published")
    ).all()
    return sorted(((slug, title) for slug, title in rows), key=lambda row: row[1].casefold())


def _checked(session: Session, data: TemplateInput) -> tuple[str, str, list[dict]]:
    errors: dict[str, str] = {}
    title = (data.title or "").strip()
    if not title:
        errors["title"] = "Give the template a title, such as “Checking for understanding”."
    elif len(title) > MAX_TITLE:
        errors["title"] = f"Keep the title to {MAX_TITLE} characters."
    description = (data.description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = f"Keep the description to {MAX_DESCRIPTION:,} characters."
    known_focus = {key for key, _ in focus_options(session)}
    catalog = _published_ids(session)
    goals: list[dict] = []
    typed = [(n, goal) for n, goal in enumerate(data.goals, start=1) if not goal.is_blank]
    if not typed:
        errors["goals-1-statement"] = "Write at least one goal."
    elif len(typed) > MAX_GOALS:
        errors[f"goals-{typed[MAX_GOALS][0]}-statement"] = f"A template has at most {MAX_GOALS} goals."
    for n, goal in typed[:MAX_GOALS]:
        goals.append(_checked_goal(goal, f"goals-{n}-", known_focus, catalog, errors))
    if errors:
        raise InvalidInput(errors)
    return title, description, goals


def _checked_goal(
    goal: TemplateGoalInput, at: str, known_focus: set[str], catalog: dict[str, int], errors: dict[str, str]
) -> dict:
    statement = (goal.statement or "").strip()
    if not statement:
        errors[f"{at}statement"] = "Write the goal: what teachers will improve, for which students."
    elif len(statement) > 1000:
        errors[f"{at}statement"] = "Keep the goal to 1,000 characters."
    focus, focus_error = checked_focus(goal.focus, known_focus)
    if focus_error:
        errors[f"{at}focus"] = focus_error
    # The example measure is optional: each teacher sets their own baseline and target.
    measure_what = (goal.measure_what or "").strip()
    if len(measure_what) > 300:
        errors[f"{at}measure_what"] = "Keep what is measured to 300 characters."
    unit = (goal.measure_unit or "").strip()
    if len(unit) > 40:
        errors[f"{at}measure_unit"] = "Keep the unit to 40 characters."
    how = (goal.how_measured or "").strip()
    if len(how) > 2000:
        errors[f"{at}how_measured"] = "Keep how it is measured to 2,000 characters."
    actions: list[dict] = []
    rows = [(n, a) for n, a in enumerate(goal.actions, start=1) if not a.is_blank]
    for n, action in rows[:MAX_ACTIONS]:
        checked = _checked_action(action, f"{at}actions-{n}-", catalog, errors)
        if checked is None:
            continue
        if checked["microcredential_id"] and any(
            a["microcredential_id"] == checked["microcredential_id"] for a in actions
        ):
            errors[f"{at}actions-{n}-slug"] = "This micro-credential is already suggested for this goal."
        actions.append(checked)
    return {
        "statement": statement,
        "focus": focus,
        "measure_what": measure_what,
        "measure_unit": unit,
        "how_measured": how,
        "actions": actions,
    }


def _checked_action(action: TemplateActionInput, at: str, catalog: dict[str, int], errors: dict) -> dict | None:
    kind = (action.kind or "").strip()
    slug = (action.slug or "").strip()
    description = (action.description or "").strip()
    if kind not in ACTION_KINDS:
        errors[f"{at}kind"] = "Choose a micro-credential, a learning activity or a collaboration."
        return None
    if kind == MICROCREDENTIAL:
        if slug not in catalog:
            errors[f"{at}slug"] = "Choose a micro-credential from the catalog."
            return None
        return {"kind": kind, "microcredential_id": catalog[slug], "description": None}
    if not description:
        errors[f"{at}description"] = "Say what the activity or collaboration is."
        return None
    if len(description) > 1000:
        errors[f"{at}description"] = "Keep the description to 1,000 characters."
        return None
    return {"kind": kind, "microcredential_id": None, "description": description}


def _set_goals(template: PlanTemplate, goals: list[dict]) -> None:
    """Write the checked goals over the template's, position by position (extra old goals are removed)."""
    for position, values in enumerate(goals, start=1):
        values = dict(values)
        actions = values.pop("actions")
        if position <= len(template.goals):
            goal = template.goals[position - 1]
            for name, value in values.items():
                setattr(goal, name, value)
            goal.actions.clear()
        else:
            goal = TemplateGoal(position=position, **values)
            template.goals.append(goal)
        for number, action in enumerate(actions, start=1):
            goal.actions.append(PlanTemplateAction(position=number, **action))
    del template.goals[len(goals) :]


def _published_ids(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(MicroCredential.slug, MicroCredential.id)
        .join(MicroCredentialVersion, MicroCredentialVersion.microcredential_id == MicroCredential.id)
        .where(MicroCredentialVersion.status == "published")
    ).all()
    return dict(rows)


def _slugs_by_id(session: Session, ids: set[int | None]) -> dict[int, str]:
    ids.discard(None)
    if not ids:
        return {}
    rows = session.execute(select(MicroCredential.id, MicroCredential.slug).where(MicroCredential.id.in_(ids))).all()
    return {mc_id: slug for mc_id, slug in rows}


def _audit(session: Session, user: User, template: PlanTemplate, now: datetime, *, action: str, summary: dict) -> None:
    record_event(
        session, actor=Actor.user(user), action=action, subject_type="plan_template", subject_id=template.id,
        summary={"title": template.title, **summary}, now=now,
    )  # fmt: skip
