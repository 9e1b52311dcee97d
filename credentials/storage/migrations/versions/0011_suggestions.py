"""dismissed suggestions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 10:45:00.000000
"""

import sqlalchemy as sa
from alembic import op

import credentials.storage.models.base

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "suggestion_dismissals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("microcredential_id", sa.Integer(), nullable=False),
        sa.Column("dismissed_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["microcredential_id"],
            ["microcredentials.id"],
            name=op.f("fk_suggestion_dismissals_microcredential_id_microcredentials"),
        ),
        sa.ForeignKeyConstraint(["teacher_id"], ["users.id"], name=op.f("fk_suggestion_dismissals_teacher_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestion_dismissals")),
        sa.UniqueConstraint(
            "teacher_id", "microcredential_id", name=op.f("uq_suggestion_dismissals_teacher_id_microcredential_id")
        ),
    )
    op.create_index(
        op.f("ix_suggestion_dismissals_microcredential_id"), "suggestion_dismissals", ["microcredential_id"]
    )
    op.create_index(
        "ix_issued_credentials_recipient_holding",
        "issued_credentials",
        ["recipient_id", "version_id", "revoked_at", "valid_until"],
    )


def downgrade() -> None:
    op.drop_index("ix_issued_credentials_recipient_holding", table_name="issued_credentials")
    op.drop_index(op.f("ix_suggestion_dismissals_microcredential_id"), table_name="suggestion_dismissals")
    op.drop_table("suggestion_dismissals")
