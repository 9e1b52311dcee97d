"""micro-credential drafts may be saved incomplete: a draft's credit hours may be empty

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_HOURS = sa.Numeric(precision=6, scale=2, asdecimal=False)


def upgrade() -> None:
    with op.batch_alter_table("microcredential_versions") as batch:
        batch.alter_column("credit_hours", existing_type=_HOURS, nullable=True)
        batch.create_check_constraint(
            op.f("ck_microcredential_versions_hours_once_published"), "status = 'draft' OR credit_hours IS NOT NULL"
        )


def downgrade() -> None:
    op.execute("UPDATE microcredential_versions SET credit_hours = 0 WHERE credit_hours IS NULL")
    with op.batch_alter_table("microcredential_versions") as batch:
        batch.drop_constraint(op.f("ck_microcredential_versions_hours_once_published"), type_="check")
        batch.alter_column("credit_hours", existing_type=_HOURS, nullable=False)
