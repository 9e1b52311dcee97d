"""evidence portfolios: attempts, answers, artifacts, criterion results

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

import credentials.storage.models.base

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Integer(), nullable=False),
        sa.Column("microcredential_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("previous_attempt_id", sa.Integer(), nullable=True),
        sa.Column("note_to_reviewers", sa.Text(), nullable=True),
        sa.Column("privacy_attested_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("submission_manifest", sa.JSON(), nullable=True),
        sa.Column("overall_feedback", sa.Text(), nullable=True),
        sa.Column("created_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expected_decision_on", sa.Date(), nullable=True),
        sa.Column("withdrawn_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'in_review', 'not_yet', 'earned', 'withdrawn')",
            name=op.f("ck_attempts_status"),
        ),
        sa.ForeignKeyConstraint(
            ["microcredential_id"],
            ["microcredentials.id"],
            name=op.f("fk_attempts_microcredential_id_microcredentials"),
        ),
        sa.ForeignKeyConstraint(
            ["previous_attempt_id"], ["attempts.id"], name=op.f("fk_attempts_previous_attempt_id_attempts")
        ),
        sa.ForeignKeyConstraint(["teacher_id"], ["users.id"], name=op.f("fk_attempts_teacher_id_users")),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["microcredential_versions.id"],
            name=op.f("fk_attempts_version_id_microcredential_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempts")),
        sa.UniqueConstraint(
            "teacher_id", "microcredential_id", "number", name=op.f("uq_attempts_teacher_id_microcredential_id_number")
        ),
    )
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attempts_microcredential_id"), ["microcredential_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_attempts_teacher_id"), ["teacher_id"], unique=False)
        batch_op.create_index(
            "uq_attempts_one_open_per_teacher",
            ["teacher_id", "microcredential_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('draft', 'submitted', 'in_review')"),
            postgresql_where=sa.text("status IN ('draft', 'submitted', 'in_review')"),
        )

    op.create_table(
        "attempt_answers",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("prompt_key", sa.String(length=60), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("updated_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempts.id"], name=op.f("fk_attempt_answers_attempt_id_attempts")),
        sa.PrimaryKeyConstraint("attempt_id", "prompt_key", name=op.f("pk_attempt_answers")),
    )
    op.create_table(
        "attempt_artifacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("prompt_key", sa.String(length=60), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempts.id"], name=op.f("fk_attempt_artifacts_attempt_id_attempts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempt_artifacts")),
    )
    with op.batch_alter_table("attempt_artifacts", schema=None) as batch_op:
        batch_op.create_index("ix_attempt_artifacts_attempt_id_prompt_key", ["attempt_id", "prompt_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_attempt_artifacts_sha256"), ["sha256"], unique=False)

    op.create_table(
        "attempt_criterion_results",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("criterion_key", sa.String(length=60), nullable=False),
        sa.Column("level_key", sa.String(length=60), nullable=True),
        sa.Column("met", sa.Boolean(), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("carried_forward", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name=op.f("fk_attempt_criterion_results_attempt_id_attempts")
        ),
        sa.PrimaryKeyConstraint("attempt_id", "criterion_key", name=op.f("pk_attempt_criterion_results")),
    )


def downgrade() -> None:
    op.drop_table("attempt_criterion_results")
    with op.batch_alter_table("attempt_artifacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attempt_artifacts_sha256"))
        batch_op.drop_index("ix_attempt_artifacts_attempt_id_prompt_key")

    op.drop_table("attempt_artifacts")
    op.drop_table("attempt_answers")
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_attempts_one_open_per_teacher",
            sqlite_where=sa.text("status IN ('draft', 'submitted', 'in_review')"),
            postgresql_where=sa.text("status IN ('draft', 'submitted', 'in_review')"),
        )
        batch_op.drop_index(batch_op.f("ix_attempts_teacher_id"))
        batch_op.drop_index(batch_op.f("ix_attempts_microcredential_id"))

    op.drop_table("attempts")
