"""Builders for growth plans, through the domain functions (as tests/builders.py does for everything else)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import select

from credentials.domain.audit import Actor
from credentials.domain.people import coaching
from credentials.domain.plans import plans, school_years, workflow
from credentials.domain.plans.plans import GoalInput
from credentials.domain.plans.workflow import GoalEnding
from credentials.storage.database import transaction
from credentials.storage.models import (
    GrowthPlan,
    MicroCredential,
    PlanTemplate,
    PlanTemplateAction,
    PlanTemplateGoal,
    SchoolYear,
    User,
)

from .builders import Builders, definition

SYSTEM = Actor.system("test")
FOCUS = "tag:formative assessment"
_counter = itertools.count(1)


@contextmanager
def step(session) -> Iterator[None]:
    """One transaction of a test's session (like one request): what was read before is let go first."""
    if session.in_transaction():
        session.rollback()
    with session.begin():
        yield


def goal_input(**overrides) -> GoalInput:
    """A complete, valid goal for the 2026–27 school year (August 1, 2026 to June 30, 2027)."""
    values = {
        "statement": "More of my fourth graders show mastery of fractions at the end of each lesson.",
        "focus": [FOCUS],
        "measure_what": "Exit-ticket mastery on fractions",
        "measure_unit": "%",
        "baseline": "48",
        "target": "75",
        "how_measured": "Weekly exit tickets, scored with the team's rubric",
        "target_date": date(2027, 5, 28),
        "support_requested": "Observe one lesson in October and look at the tickets with me.",
    }
    return GoalInput(**{**values, **overrides})


class PlanBuilders:
    """School years, coaches and plans in any workflow status."""

    def __init__(self, build: Builders):
        self.build = build
        self.services = build.services
        self._catalog = None

    def school_year(self, name="2026–27", starts_on=date(2026, 8, 1), ends_on=date(2027, 6, 30)) -> SchoolYear:
        self.build.issuer()
        with transaction(self.services.session_factory) as session:
            return school_years.create_school_year(
                session, name=name, starts_on=starts_on, ends_on=ends_on, actor=SYSTEM, now=self.services.clock()
            )

    def catalog(self) -> str:
        """A published micro-credential tagged "formative assessment" (once per test); returns its slug."""
        if self._catalog is None:
            self._catalog = self.build.published()
        return self._catalog

    def other_microcredential(self) -> str:
        return self.build.published(definition(slug=f"talk-moves-{next(_counter)}", title="Talk moves"))

    def coach(self, school=None, **kwargs) -> User:
        """A coach assigned to ``school`` (the whole district when None)."""
        coach = self.build.user("coach", school=school, **kwargs)
        with transaction(self.services.session_factory) as session:
            coaching.assign_coach(
                session, coach.id, school.id if school else None, actor=SYSTEM, now=self.services.clock()
            )
        return coach

    def teacher_and_coach(self):
        """A teacher at a new school and a coach assigned to that school."""
        school = self.build.school()
        return self.build.user("teacher", school=school), self.coach(school)

    def plan(self, teacher: User, *, goals: int = 1, status: str = "draft", coach: User | None = None) -> GrowthPlan:
        """A plan for the current school year with ``goals`` goals, taken through the workflow to ``status``."""
        self.catalog()
        with self.services.session_factory() as session:
            has_year = session.scalar(select(SchoolYear.id).limit(1)) is not None
        if not has_year:
            self.school_year()
        now = self.services.clock
        with transaction(self.services.session_factory) as session:
            t = session.get(User, teacher.id)
            plan = plans.start_plan(session, t, now=now())
            for n in range(goals):
                plans.add_goal(session, plan.id, t, goal_input(statement=f"Goal number {n + 1}."), now=now())
            plan_id = plan.id
        steps = {
            "waiting_for_review": ["request"],
            "in_review": ["request", "start"],
            "active": ["request", "start", "approve"],
            "complete": ["request", "start", "approve", "complete"],
        }.get(status, [])
        for step in steps:
            with transaction(self.services.session_factory) as session:
                t, c = session.get(User, teacher.id), session.get(User, coach.id) if coach else None
                if step == "request":
                    workflow.request_review(session, plan_id, t, now=now())
                elif step == "start":
                    workflow.start_review(session, plan_id, c, now=now())
                elif step == "approve":
                    workflow.approve(session, plan_id, c, comments={}, now=now())
                else:
                    plan = session.get(GrowthPlan, plan_id)
                    endings = {g.id: GoalEnding("70", "Most students now show mastery.") for g in plan.goals}
                    workflow.complete(session, plan_id, t, endings=endings, now=now())
        with self.services.session_factory() as session:
            return session.get(GrowthPlan, plan_id)

    def template(self, goals: list[dict] | None = None, *, author: User | None = None) -> PlanTemplate:
        """A plan template made of ORM rows (its authoring pages are another part of issue 17). Each goal is a dict
        of PlanTemplateGoal's columns plus ``actions``: (kind, slug or description) pairs."""
        author = author or self.build.user("coach")
        goals = goals or [
            {
                "statement": "Students explain their reasoning in writing.",
                "focus": [FOCUS],
                "measure_what": "Written explanations scored 3 or 4",
                "measure_unit": "%",
                "how_measured": "Monthly writing prompts",
                "actions": [("microcredential", self.catalog()), ("activity", "Attend the writing institute")],
            }
        ]
        now = self.services.clock()
        with transaction(self.services.session_factory) as session:
            template = PlanTemplate(title="Reasoning in writing", author_id=author.id, created_at=now, updated_at=now)
            for position, values in enumerate(goals, start=1):
                values = dict(values)
                actions = values.pop("actions", [])
                goal = PlanTemplateGoal(position=position, **values)
                for n, (kind, what) in enumerate(actions, start=1):
                    if kind == "microcredential":
                        mc_id = session.scalar(select(MicroCredential.id).where(MicroCredential.slug == what))
                        goal.actions.append(PlanTemplateAction(position=n, kind=kind, microcredential_id=mc_id))
                    else:
                        goal.actions.append(PlanTemplateAction(position=n, kind=kind, description=what))
                template.goals.append(goal)
            session.add(template)
            session.flush()
            return template

    def from_template(self, plan: GrowthPlan, template: PlanTemplate) -> GrowthPlan:
        """Mark ``plan`` as started from ``template`` (as applying a template does)."""
        with transaction(self.services.session_factory) as session:
            session.get(GrowthPlan, plan.id).template_id = template.id
        with self.services.session_factory() as session:
            return session.get(GrowthPlan, plan.id)
