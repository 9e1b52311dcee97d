"""Builders for plan templates, through the domain functions (as tests/plans_builders.py does for plans)."""

from __future__ import annotations

from credentials.domain.plans import templates
from credentials.domain.plans.templates import TemplateActionInput, TemplateGoalInput, TemplateInput
from credentials.storage.database import transaction
from credentials.storage.models import PlanTemplate, User

from .plans_builders import FOCUS, PlanBuilders


def template_goal(**overrides) -> TemplateGoalInput:
    """A complete goal block: a statement, the catalog's "formative assessment" tag, an example measure, and the
    exit-tickets micro-credential plus a collaboration as suggested actions."""
    values = {
        "statement": "More students show mastery at the end of each lesson.",
        "focus": [FOCUS],
        "measure_what": "Exit-ticket mastery",
        "measure_unit": "%",
        "how_measured": "Weekly exit tickets",
        "actions": [
            TemplateActionInput(kind="microcredential", slug="exit-tickets"),
            TemplateActionInput(kind="collaboration", description="Look at a week of tickets with a colleague."),
        ],
    }
    return TemplateGoalInput(**{**values, **overrides})


def template_input(
    title: str = "Checking for understanding", goals: int | list[TemplateGoalInput] = 1, **overrides
) -> TemplateInput:
    """A complete template with ``goals`` goal blocks (a number of complete ones, or the blocks themselves)."""
    blocks = (
        goals
        if isinstance(goals, list)
        else [template_goal(statement=f"Template goal {n}.") for n in range(1, goals + 1)]
    )
    return TemplateInput(**{"title": title, "description": "For every grade.", "goals": blocks, **overrides})


class TemplateBuilders:
    """Plan templates written by an admin or coach (the catalog's exit-tickets micro-credential is published)."""

    def __init__(self, grow: PlanBuilders):
        self.grow = grow
        self.services = grow.services

    def template(self, author: User, *, title: str = "Checking for understanding", goals: int = 1) -> PlanTemplate:
        self.grow.catalog()
        with transaction(self.services.session_factory) as session:
            return templates.create_template(
                session, session.get(User, author.id), template_input(title, goals), now=self.services.clock()
            )

    def archived(self, author: User, **kwargs) -> PlanTemplate:
        template = self.template(author, **kwargs)
        with transaction(self.services.session_factory) as session:
            return templates.archive_template(
                session, template.id, session.get(User, author.id), now=self.services.clock()
            )
