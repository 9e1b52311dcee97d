"""the coach role and coaches' schools

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 10:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

import credentials.storage.models.base

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_roles") as batch:
        batch.drop_constraint(op.f("ck_user_roles_role"), type_="check")
        batch.create_check_constraint(
            op.f("ck_user_roles_role"), "role IN ('teacher', 'reviewer', 'issuer_admin', 'coach')"
        )
    op.create_table(
        "coach_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coach_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("created_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["coach_id"], ["users.id"], name=op.f("fk_coach_assignments_coach_id_users")),
        sa.ForeignKeyConstraint(["school_id"], ["schools.id"], name=op.f("fk_coach_assignments_school_id_schools")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coach_assignments")),
        sa.UniqueConstraint("coach_id", "school_id", name=op.f("uq_coach_assignments_coach_id_school_id")),
    )
    op.create_index(op.f("ix_coach_assignments_coach_id"), "coach_assignments", ["coach_id"])
    op.create_index("ix_coach_assignments_school_id", "coach_assignments", ["school_id"])


def downgrade() -> None:
    op.drop_index("ix_coach_assignments_school_id", table_name="coach_assignments")
    op.drop_index(op.f("ix_coach_assignments_coach_id"), table_name="coach_assignments")
    op.drop_table("coach_assignments")
    op.execute("DELETE FROM user_roles WHERE role = 'coach'")
    with op.batch_alter_table("user_roles") as batch:
        batch.drop_constraint(op.f("ck_user_roles_role"), type_="check")
        batch.create_check_constraint(op.f("ck_user_roles_role"), "role IN ('teacher', 'reviewer', 'issuer_admin')")
