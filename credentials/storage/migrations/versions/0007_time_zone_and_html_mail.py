"""district time zone; HTML part of queued e-mail

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 09:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issuers") as batch:
        batch.add_column(sa.Column("time_zone", sa.String(length=64), nullable=False, server_default="America/Chicago"))
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("body_html", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("body_html")
    with op.batch_alter_table("issuers") as batch:
        batch.drop_column("time_zone")
