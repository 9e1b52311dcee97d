"""the template goal a goal was adopted from

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 14:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("goals") as batch:
        batch.add_column(sa.Column("template_goal_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_goals_template_goal_id_plan_template_goals"),
            "plan_template_goals",
            ["template_goal_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("goals") as batch:
        batch.drop_constraint(op.f("fk_goals_template_goal_id_plan_template_goals"), type_="foreignkey")
        batch.drop_column("template_goal_id")
