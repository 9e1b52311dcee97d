"""Growth plans: the district's school years, one plan per teacher per year, its goals (with their measure, learning
actions, check-ins and comment thread). The vocabulary is the domain's (credentials.domain.plans.vocabulary); the
CHECK constraints spell it out and tests/domain/plans/test_vocabulary.py keeps both in step."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base


class SchoolYear(Base):
    """A school year as the district names and dates it (first and last day, both included)."""

    __tablename__ = "school_years"
    __table_args__ = (CheckConstraint("ends_on > starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    created_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<SchoolYear {self.id} {self.name}>"


class GrowthPlan(Base):
    """One teacher's plan for one school year. ``revision`` goes up with every workflow step, so two coaches acting
    on the same plan at once cannot both succeed (the step is a conditional UPDATE on the revision they saw)."""

    __tablename__ = "growth_plans"
    __table_args__ = (
        UniqueConstraint("teacher_id", "school_year_id"),
        CheckConstraint("status IN ('draft', 'waiting_for_review', 'in_review', 'active', 'complete')", name="status"),
        Index("ix_growth_plans_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    school_year_id: Mapped[int] = mapped_column(ForeignKey("school_years.id"))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the coach reviewing it now
    review_requested_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: completed when the year ended
    template_id: Mapped[int | None] = mapped_column(ForeignKey("plan_templates.id"), index=True)  # started from it
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    school_year: Mapped[SchoolYear] = relationship(lazy="joined", innerjoin=True)
    goals: Mapped[list[Goal]] = relationship(
        back_populates="plan", order_by="Goal.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<GrowthPlan {self.id} teacher={self.teacher_id} {self.status}>"


class Goal(Base):
    """One of a plan's one to three goals: what the teacher will improve, the student-outcome measure, the plan to
    get there. ``focus`` holds catalog keys (``tag:<tag>`` or ``competency:<slug>``)."""

    __tablename__ = "goals"
    __table_args__ = (
        CheckConstraint("position BETWEEN 1 AND 3", name="position"),
        CheckConstraint("visibility IN ('private', 'school', 'district', 'public')", name="visibility"),
        CheckConstraint("target <> baseline", name="target_differs"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("growth_plans.id"), index=True)
    position: Mapped[int]
    statement: Mapped[str] = mapped_column(Text)
    focus: Mapped[list] = mapped_column(JSON)
    measure_what: Mapped[str] = mapped_column(String(300))
    measure_unit: Mapped[str] = mapped_column(String(40))
    baseline: Mapped[float] = mapped_column(Float)
    target: Mapped[float] = mapped_column(Float)
    how_measured: Mapped[str] = mapped_column(Text)
    target_date: Mapped[date]
    support_requested: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(10), default="school")
    share_progress: Mapped[bool] = mapped_column(default=False, server_default=false())
    end_value: Mapped[float | None] = mapped_column(Float)
    final_reflection: Mapped[str | None] = mapped_column(Text)
    # The template goal it was adopted from, so the idea is not offered again however the teacher rewrites it.
    template_goal_id: Mapped[int | None] = mapped_column(ForeignKey("plan_template_goals.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    plan: Mapped[GrowthPlan] = relationship(back_populates="goals")
    actions: Mapped[list[GoalAction]] = relationship(
        back_populates="goal", order_by="GoalAction.position", cascade="all, delete-orphan"
    )
    check_ins: Mapped[list[CheckIn]] = relationship(
        order_by="(CheckIn.checked_on, CheckIn.id)", cascade="all, delete-orphan"
    )
    comments: Mapped[list[GoalComment]] = relationship(order_by="GoalComment.id", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Goal {self.id} plan={self.plan_id} #{self.position}>"


class GoalAction(Base):
    """A learning action planned for a goal: a micro-credential to earn, or a described activity or collaboration."""

    __tablename__ = "goal_actions"
    __table_args__ = (
        CheckConstraint("kind IN ('microcredential', 'activity', 'collaboration')", name="kind"),
        CheckConstraint(
            "(kind = 'microcredential' AND microcredential_id IS NOT NULL)"
            " OR (kind <> 'microcredential' AND description IS NOT NULL)",
            name="what",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    microcredential_id: Mapped[int | None] = mapped_column(ForeignKey("microcredentials.id"), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]

    goal: Mapped[Goal] = relationship(back_populates="actions")

    def __repr__(self) -> str:
        return f"<GoalAction {self.id} {self.kind}>"


class CheckIn(Base):
    """A dated progress entry on a goal: the measure's value that day, a reflection, optional links."""

    __tablename__ = "goal_check_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id"), index=True)
    checked_on: Mapped[date]
    value: Mapped[float] = mapped_column(Float)
    reflection: Mapped[str] = mapped_column(Text, default="")
    links: Mapped[list] = mapped_column(JSON, default=list)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]

    files: Mapped[list[CheckInFile]] = relationship(order_by="CheckInFile.id", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<CheckIn {self.id} goal={self.goal_id} {self.checked_on}>"


class CheckInFile(Base):
    """A file of evidence on a check-in, kept in the evidence store (by its SHA-256) after the same checks as an
    attempt's files."""

    __tablename__ = "goal_check_in_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_in_id: Mapped[int] = mapped_column(ForeignKey("goal_check_ins.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    uploaded_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<CheckInFile {self.id} check_in={self.check_in_id}>"


class GoalComment(Base):
    """One entry of a goal's thread: a comment, or a workflow step with the words that came with it."""

    __tablename__ = "goal_comments"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('comment', 'review_requested', 'review_cancelled', 'review_started', 'approved', 'sent_back',"
            " 'completed', 'reopened', 'earned')",
            name="kind",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the service (a year that ended)
    kind: Mapped[str] = mapped_column(String(20), default="comment")
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]

    def __repr__(self) -> str:
        return f"<GoalComment {self.id} goal={self.goal_id} {self.kind}>"


class PlanTemplate(Base):
    """A plan an admin or coach writes once (goals with a focus and suggested actions) and applies to a school or a
    group of teachers; each gets a draft plan started from it, whose goals they then make their own."""

    __tablename__ = "plan_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    archived_at: Mapped[datetime | None]

    goals: Mapped[list[PlanTemplateGoal]] = relationship(
        back_populates="template", order_by="PlanTemplateGoal.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<PlanTemplate {self.id}>"


class PlanTemplateGoal(Base):
    """One goal of a template: the statement and focus, an example measure, and the learning actions suggested."""

    __tablename__ = "plan_template_goals"
    __table_args__ = (CheckConstraint("position BETWEEN 1 AND 3", name="position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("plan_templates.id"), index=True)
    position: Mapped[int]
    statement: Mapped[str] = mapped_column(Text)
    focus: Mapped[list] = mapped_column(JSON)
    measure_what: Mapped[str] = mapped_column(String(300), default="")
    measure_unit: Mapped[str] = mapped_column(String(40), default="")
    how_measured: Mapped[str] = mapped_column(Text, default="")

    template: Mapped[PlanTemplate] = relationship(back_populates="goals")
    actions: Mapped[list[PlanTemplateAction]] = relationship(
        order_by="PlanTemplateAction.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<PlanTemplateGoal {self.id} template={self.template_id} #{self.position}>"


class PlanTemplateAction(Base):
    """A learning action a template suggests for a goal (the same kinds as a goal's actions)."""

    __tablename__ = "plan_template_actions"
    __table_args__ = (
        CheckConstraint("kind IN ('microcredential', 'activity', 'collaboration')", name="kind"),
        CheckConstraint(
            "(kind = 'microcredential' AND microcredential_id IS NOT NULL)"
            " OR (kind <> 'microcredential' AND description IS NOT NULL)",
            name="what",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    template_goal_id: Mapped[int] = mapped_column(ForeignKey("plan_template_goals.id"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    microcredential_id: Mapped[int | None] = mapped_column(ForeignKey("microcredentials.id"))
    description: Mapped[str | None] = mapped_column(Text)

    def __repr__(self) -> str:
        return f"<PlanTemplateAction {self.id} {self.kind}>"
