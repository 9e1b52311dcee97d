"""signed credentials, issuer keys and status lists

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 20:59:56.894385
"""

import sqlalchemy as sa
from alembic import op

import credentials.storage.models.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issuer_keys",
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("algorithm", sa.String(length=10), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("public_multibase", sa.String(length=120), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_issuer_keys")),
    )
    with op.batch_alter_table("issuer_keys", schema=None) as batch_op:
        batch_op.create_index(
            "uq_issuer_keys_active_algorithm",
            ["algorithm"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )

    op.create_table(
        "status_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=12), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("bits", sa.LargeBinary(), nullable=False),
        sa.Column("document", sa.Text(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("signed_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_lists")),
    )
    op.create_table(
        "issued_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("record_key", sa.String(length=64), nullable=True),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("recipient_email", sa.String(length=254), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("awarded_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("valid_until", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("rsa_key_id", sa.String(length=64), nullable=True),
        sa.Column("status_list_id", sa.Integer(), nullable=False),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("jwt_eddsa", sa.Text(), nullable=False),
        sa.Column("jwt_rs256", sa.Text(), nullable=True),
        sa.Column("revoked_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_category", sa.String(length=40), nullable=True),
        sa.Column("revoked_reason", sa.Text(), nullable=True),
        sa.Column("suspended_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("suspended_reason", sa.Text(), nullable=True),
        sa.Column("reminded_60_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reminded_14_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["attempts.id"], name=op.f("fk_issued_credentials_attempt_id_attempts")
        ),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"], name=op.f("fk_issued_credentials_issued_by_id_users")),
        sa.ForeignKeyConstraint(["key_id"], ["issuer_keys.kid"], name=op.f("fk_issued_credentials_key_id_issuer_keys")),
        sa.ForeignKeyConstraint(["recipient_id"], ["users.id"], name=op.f("fk_issued_credentials_recipient_id_users")),
        sa.ForeignKeyConstraint(
            ["rsa_key_id"], ["issuer_keys.kid"], name=op.f("fk_issued_credentials_rsa_key_id_issuer_keys")
        ),
        sa.ForeignKeyConstraint(
            ["status_list_id"], ["status_lists.id"], name=op.f("fk_issued_credentials_status_list_id_status_lists")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["microcredential_versions.id"],
            name=op.f("fk_issued_credentials_version_id_microcredential_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_credentials")),
        sa.UniqueConstraint("attempt_id", name=op.f("uq_issued_credentials_attempt_id")),
        sa.UniqueConstraint("record_key", name=op.f("uq_issued_credentials_record_key")),
        sa.UniqueConstraint(
            "status_list_id", "status_index", name=op.f("uq_issued_credentials_status_list_id_status_index")
        ),
        sa.UniqueConstraint("uuid", name=op.f("uq_issued_credentials_uuid")),
    )
    with op.batch_alter_table("issued_credentials", schema=None) as batch_op:
        batch_op.create_index("ix_issued_credentials_recipient_email", ["recipient_email"], unique=False)
        batch_op.create_index(batch_op.f("ix_issued_credentials_recipient_id"), ["recipient_id"], unique=False)

    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("share_reflection", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("share_evidence", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.drop_column("share_evidence")
        batch_op.drop_column("share_reflection")

    with op.batch_alter_table("issued_credentials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issued_credentials_recipient_id"))
        batch_op.drop_index("ix_issued_credentials_recipient_email")

    op.drop_table("issued_credentials")
    op.drop_table("status_lists")
    with op.batch_alter_table("issuer_keys", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_issuer_keys_active_algorithm",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )

    op.drop_table("issuer_keys")
