"""growth plans, goals, check-ins, comments, templates and school years

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 10:45:00.000000
"""

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled in by the issue 17 work that owns it


def downgrade() -> None:
    pass
