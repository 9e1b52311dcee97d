"""certificate settings per issuer

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 22:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

import credentials.storage.models.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "certificate_settings",
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("primary_colour", sa.String(length=7), nullable=False),
        sa.Column("accent_colour", sa.String(length=7), nullable=False),
        sa.Column("border_style", sa.String(length=10), nullable=False),
        sa.Column("paper", sa.String(length=10), nullable=False),
        sa.Column("signatory_name", sa.String(length=80), nullable=False),
        sa.Column("signatory_title", sa.String(length=120), nullable=False),
        sa.Column("signature_image", sa.LargeBinary(), nullable=True),
        sa.Column("signature_sha256", sa.String(length=64), nullable=True),
        sa.Column("updated_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["issuer_id"], ["issuers.id"], name=op.f("fk_certificate_settings_issuer_id_issuers")),
        sa.PrimaryKeyConstraint("issuer_id", name=op.f("pk_certificate_settings")),
    )


def downgrade() -> None:
    op.drop_table("certificate_settings")
