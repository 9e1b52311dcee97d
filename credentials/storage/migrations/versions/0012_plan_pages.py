"""plan templates, check-in files, earned notes on goals, what teachers teach

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 12:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

import credentials.storage.models.base

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_KINDS = "'comment', 'review_requested', 'review_cancelled', 'review_started', 'approved', 'sent_back', 'completed'"
_ACTION_KIND = "kind IN ('microcredential', 'activity', 'collaboration')"
_ACTION_WHAT = (
    "(kind = 'microcredential' AND microcredential_id IS NOT NULL)"
    " OR (kind <> 'microcredential' AND description IS NOT NULL)"
)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("grade_band", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("subject", sa.String(length=40), nullable=True))
        batch.create_check_constraint(
            op.f("ck_users_grade_band"), "grade_band IN ('pre-k', 'k-2', '3-5', '6-8', '9-12', 'all')"
        )
        batch.create_check_constraint(
            op.f("ck_users_subject"),
            "subject IN ('ela', 'math', 'science', 'social_studies', 'arts', 'world_languages', 'pe_health',"
            " 'special_education', 'english_learners', 'cte', 'library', 'several')",
        )
    op.create_table(
        "plan_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("created_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("archived_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_plan_templates_author_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_templates")),
    )
    op.create_table(
        "plan_template_goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("focus", sa.JSON(), nullable=False),
        sa.Column("measure_what", sa.String(length=300), nullable=False),
        sa.Column("measure_unit", sa.String(length=40), nullable=False),
        sa.Column("how_measured", sa.Text(), nullable=False),
        sa.CheckConstraint("position BETWEEN 1 AND 3", name=op.f("ck_plan_template_goals_position")),
        sa.ForeignKeyConstraint(
            ["template_id"], ["plan_templates.id"], name=op.f("fk_plan_template_goals_template_id_plan_templates")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_template_goals")),
    )
    op.create_index(op.f("ix_plan_template_goals_template_id"), "plan_template_goals", ["template_id"])
    op.create_table(
        "plan_template_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_goal_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("microcredential_id", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.CheckConstraint(_ACTION_KIND, name=op.f("ck_plan_template_actions_kind")),
        sa.CheckConstraint(_ACTION_WHAT, name=op.f("ck_plan_template_actions_what")),
        sa.ForeignKeyConstraint(
            ["microcredential_id"],
            ["microcredentials.id"],
            name=op.f("fk_plan_template_actions_microcredential_id_microcredentials"),
        ),
        sa.ForeignKeyConstraint(
            ["template_goal_id"],
            ["plan_template_goals.id"],
            name=op.f("fk_plan_template_actions_template_goal_id_plan_template_goals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_template_actions")),
    )
    op.create_index(op.f("ix_plan_template_actions_template_goal_id"), "plan_template_actions", ["template_goal_id"])
    with op.batch_alter_table("growth_plans") as batch:
        batch.add_column(sa.Column("template_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_growth_plans_template_id_plan_templates"), "plan_templates", ["template_id"], ["id"]
        )
        batch.create_index(op.f("ix_growth_plans_template_id"), ["template_id"])
    op.create_table(
        "goal_check_in_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_in_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_in_id"], ["goal_check_ins.id"], name=op.f("fk_goal_check_in_files_check_in_id_goal_check_ins")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_check_in_files")),
    )
    op.create_index(op.f("ix_goal_check_in_files_check_in_id"), "goal_check_in_files", ["check_in_id"])
    op.create_index(op.f("ix_goal_check_in_files_sha256"), "goal_check_in_files", ["sha256"])
    with op.batch_alter_table("goal_comments") as batch:
        batch.drop_constraint(op.f("ck_goal_comments_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_goal_comments_kind"), f"kind IN ({_KINDS}, 'reopened', 'earned')")


def downgrade() -> None:
    op.execute("DELETE FROM goal_comments WHERE kind = 'earned'")
    with op.batch_alter_table("goal_comments") as batch:
        batch.drop_constraint(op.f("ck_goal_comments_kind"), type_="check")
        batch.create_check_constraint(op.f("ck_goal_comments_kind"), f"kind IN ({_KINDS}, 'reopened')")
    op.drop_index(op.f("ix_goal_check_in_files_sha256"), table_name="goal_check_in_files")
    op.drop_index(op.f("ix_goal_check_in_files_check_in_id"), table_name="goal_check_in_files")
    op.drop_table("goal_check_in_files")
    with op.batch_alter_table("growth_plans") as batch:
        batch.drop_index(op.f("ix_growth_plans_template_id"))
        batch.drop_constraint(op.f("fk_growth_plans_template_id_plan_templates"), type_="foreignkey")
        batch.drop_column("template_id")
    op.drop_index(op.f("ix_plan_template_actions_template_goal_id"), table_name="plan_template_actions")
    op.drop_table("plan_template_actions")
    op.drop_index(op.f("ix_plan_template_goals_template_id"), table_name="plan_template_goals")
    op.drop_table("plan_template_goals")
    op.drop_table("plan_templates")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("ck_users_subject"), type_="check")
        batch.drop_constraint(op.f("ck_users_grade_band"), type_="check")
        batch.drop_column("subject")
        batch.drop_column("grade_band")
