"""growth plans: school years, plans, goals, learning actions, check-ins and each goal's comment thread

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 10:45:00.000000
"""

import sqlalchemy as sa
from alembic import op

import credentials.storage.models.base

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "school_years",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_on > starts_on", name=op.f("ck_school_years_ends_after_start")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school_years")),
        sa.UniqueConstraint("name", name=op.f("uq_school_years_name")),
    )
    op.create_table(
        "growth_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("school_year_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("review_requested_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("approved_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("completed_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_by_id", sa.Integer(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'waiting_for_review', 'in_review', 'active', 'complete')",
            name=op.f("ck_growth_plans_status"),
        ),
        sa.ForeignKeyConstraint(["approved_by_id"], ["users.id"], name=op.f("fk_growth_plans_approved_by_id_users")),
        sa.ForeignKeyConstraint(["completed_by_id"], ["users.id"], name=op.f("fk_growth_plans_completed_by_id_users")),
        sa.ForeignKeyConstraint(["reviewer_id"], ["users.id"], name=op.f("fk_growth_plans_reviewer_id_users")),
        sa.ForeignKeyConstraint(
            ["school_year_id"], ["school_years.id"], name=op.f("fk_growth_plans_school_year_id_school_years")
        ),
        sa.ForeignKeyConstraint(["teacher_id"], ["users.id"], name=op.f("fk_growth_plans_teacher_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_growth_plans")),
        sa.UniqueConstraint("teacher_id", "school_year_id", name=op.f("uq_growth_plans_teacher_id_school_year_id")),
    )
    op.create_index("ix_growth_plans_status", "growth_plans", ["status"], unique=False)
    op.create_index(op.f("ix_growth_plans_teacher_id"), "growth_plans", ["teacher_id"], unique=False)
    op.create_table(
        "goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("focus", sa.JSON(), nullable=False),
        sa.Column("measure_what", sa.String(length=300), nullable=False),
        sa.Column("measure_unit", sa.String(length=40), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("how_measured", sa.Text(), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=False),
        sa.Column("support_requested", sa.Text(), nullable=False),
        sa.Column("visibility", sa.String(length=10), nullable=False),
        sa.Column("share_progress", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("end_value", sa.Float(), nullable=True),
        sa.Column("final_reflection", sa.Text(), nullable=True),
        sa.Column("created_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "visibility IN ('private', 'school', 'district', 'public')", name=op.f("ck_goals_visibility")
        ),
        sa.CheckConstraint("position BETWEEN 1 AND 3", name=op.f("ck_goals_position")),
        sa.CheckConstraint("target <> baseline", name=op.f("ck_goals_target_differs")),
        sa.ForeignKeyConstraint(["plan_id"], ["growth_plans.id"], name=op.f("fk_goals_plan_id_growth_plans")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
    )
    op.create_index(op.f("ix_goals_plan_id"), "goals", ["plan_id"], unique=False)
    op.create_table(
        "goal_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("microcredential_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind = 'microcredential' AND microcredential_id IS NOT NULL) OR (kind <> 'microcredential' AND description IS NOT NULL)",
            name=op.f("ck_goal_actions_what"),
        ),
        sa.CheckConstraint(
            "kind IN ('microcredential', 'activity', 'collaboration')", name=op.f("ck_goal_actions_kind")
        ),
        sa.ForeignKeyConstraint(["goal_id"], ["goals.id"], name=op.f("fk_goal_actions_goal_id_goals")),
        sa.ForeignKeyConstraint(
            ["microcredential_id"],
            ["microcredentials.id"],
            name=op.f("fk_goal_actions_microcredential_id_microcredentials"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_actions")),
    )
    op.create_index(op.f("ix_goal_actions_goal_id"), "goal_actions", ["goal_id"], unique=False)
    op.create_index(op.f("ix_goal_actions_microcredential_id"), "goal_actions", ["microcredential_id"], unique=False)
    op.create_table(
        "goal_check_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("reflection", sa.Text(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_goal_check_ins_author_id_users")),
        sa.ForeignKeyConstraint(["goal_id"], ["goals.id"], name=op.f("fk_goal_check_ins_goal_id_goals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_check_ins")),
    )
    op.create_index(op.f("ix_goal_check_ins_goal_id"), "goal_check_ins", ["goal_id"], unique=False)
    op.create_table(
        "goal_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('comment', 'review_requested', 'review_cancelled', 'review_started', 'approved', 'sent_back', 'completed', 'reopened')",
            name=op.f("ck_goal_comments_kind"),
        ),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_goal_comments_author_id_users")),
        sa.ForeignKeyConstraint(["goal_id"], ["goals.id"], name=op.f("fk_goal_comments_goal_id_goals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_comments")),
    )
    op.create_index(op.f("ix_goal_comments_goal_id"), "goal_comments", ["goal_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_goal_comments_goal_id"), table_name="goal_comments")
    op.drop_table("goal_comments")
    op.drop_index(op.f("ix_goal_check_ins_goal_id"), table_name="goal_check_ins")
    op.drop_table("goal_check_ins")
    op.drop_index(op.f("ix_goal_actions_microcredential_id"), table_name="goal_actions")
    op.drop_index(op.f("ix_goal_actions_goal_id"), table_name="goal_actions")
    op.drop_table("goal_actions")
    op.drop_index(op.f("ix_goals_plan_id"), table_name="goals")
    op.drop_table("goals")
    op.drop_index(op.f("ix_growth_plans_teacher_id"), table_name="growth_plans")
    op.drop_index("ix_growth_plans_status", table_name="growth_plans")
    op.drop_table("growth_plans")
    op.drop_table("school_years")
