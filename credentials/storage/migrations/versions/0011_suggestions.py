"""dismissed suggestions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 10:45:00.000000
"""

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the issue 17 work that owns it


def downgrade() -> None:
    pass
