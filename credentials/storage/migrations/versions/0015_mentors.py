"""mentor offers and help requests

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 14:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

import credentials.storage.models.base

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mentor_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("microcredential_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("since", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["microcredential_id"],
            ["microcredentials.id"],
            name=op.f("fk_mentor_offers_microcredential_id_microcredentials"),
        ),
        sa.ForeignKeyConstraint(["teacher_id"], ["users.id"], name=op.f("fk_mentor_offers_teacher_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentor_offers")),
        sa.UniqueConstraint(
            "teacher_id", "microcredential_id", name=op.f("uq_mentor_offers_teacher_id_microcredential_id")
        ),
    )
    op.create_index(op.f("ix_mentor_offers_microcredential_id"), "mentor_offers", ["microcredential_id"])
    op.create_table(
        "help_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=False),
        sa.Column("asker_id", sa.Integer(), nullable=False),
        sa.Column("microcredential_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("answered_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('asked', 'accepted', 'declined')", name=op.f("ck_help_requests_status")),
        sa.ForeignKeyConstraint(["asker_id"], ["users.id"], name=op.f("fk_help_requests_asker_id_users")),
        sa.ForeignKeyConstraint(["mentor_id"], ["users.id"], name=op.f("fk_help_requests_mentor_id_users")),
        sa.ForeignKeyConstraint(
            ["microcredential_id"],
            ["microcredentials.id"],
            name=op.f("fk_help_requests_microcredential_id_microcredentials"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_requests")),
    )
    op.create_index("ix_help_requests_mentor_id_status", "help_requests", ["mentor_id", "status"])
    op.create_index("ix_help_requests_asker_id_created_at", "help_requests", ["asker_id", "created_at"])
    op.create_index(
        "uq_help_requests_one_open",
        "help_requests",
        ["asker_id", "mentor_id", "microcredential_id"],
        unique=True,
        sqlite_where=sa.text("status = 'asked'"),
        postgresql_where=sa.text("status = 'asked'"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_help_requests_one_open",
        table_name="help_requests",
        sqlite_where=sa.text("status = 'asked'"),
        postgresql_where=sa.text("status = 'asked'"),
    )
    op.drop_index("ix_help_requests_asker_id_created_at", table_name="help_requests")
    op.drop_index("ix_help_requests_mentor_id_status", table_name="help_requests")
    op.drop_table("help_requests")
    op.drop_index(op.f("ix_mentor_offers_microcredential_id"), table_name="mentor_offers")
    op.drop_table("mentor_offers")
