"""one whole-district assignment per coach

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 12:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Keep the oldest of any duplicate whole-district rows (the unique constraint let them through: NULLs differ).
    op.execute(
        "DELETE FROM coach_assignments WHERE school_id IS NULL AND id NOT IN "
        "(SELECT MIN(id) FROM coach_assignments WHERE school_id IS NULL GROUP BY coach_id)"
    )
    op.create_index(
        "uq_coach_assignments_whole_district",
        "coach_assignments",
        ["coach_id"],
        unique=True,
        sqlite_where=sa.text("school_id IS NULL"),
        postgresql_where=sa.text("school_id IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_coach_assignments_whole_district", table_name="coach_assignments")
