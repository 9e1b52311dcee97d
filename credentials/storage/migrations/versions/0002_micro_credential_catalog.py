"""micro-credential catalog

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

import credentials.storage.models.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "badge_images",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=20), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_badge_images")),
    )
    op.create_table(
        "microcredentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("created_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_microcredentials")),
        sa.UniqueConstraint("slug", name=op.f("uq_microcredentials_slug")),
    )
    op.create_table(
        "microcredential_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("microcredential_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("credit_hours", sa.Numeric(precision=6, scale=2, asdecimal=False), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("image_sha256", sa.String(length=64), nullable=True),
        sa.Column("created_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("retired_at", credentials.storage.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'published', 'retired')", name=op.f("ck_microcredential_versions_status")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_microcredential_versions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["image_sha256"],
            ["badge_images.sha256"],
            name=op.f("fk_microcredential_versions_image_sha256_badge_images"),
        ),
        sa.ForeignKeyConstraint(
            ["microcredential_id"],
            ["microcredentials.id"],
            name=op.f("fk_microcredential_versions_microcredential_id_microcredentials"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_microcredential_versions")),
        sa.UniqueConstraint(
            "microcredential_id", "number", name=op.f("uq_microcredential_versions_microcredential_id_number")
        ),
    )
    with op.batch_alter_table("microcredential_versions", schema=None) as batch_op:
        batch_op.create_index("ix_microcredential_versions_status_title", ["status", "title"], unique=False)
        batch_op.create_index(
            "uq_microcredential_versions_one_draft",
            ["microcredential_id"],
            unique=True,
            sqlite_where=sa.text("status = 'draft'"),
            postgresql_where=sa.text("status = 'draft'"),
        )
        batch_op.create_index(
            "uq_microcredential_versions_one_published",
            ["microcredential_id"],
            unique=True,
            sqlite_where=sa.text("status = 'published'"),
            postgresql_where=sa.text("status = 'published'"),
        )

    op.create_table(
        "catalog_facets",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("value", sa.String(length=60), nullable=False),
        sa.CheckConstraint("kind IN ('tag', 'subject', 'grade_band')", name=op.f("ck_catalog_facets_kind")),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["microcredential_versions.id"],
            name=op.f("fk_catalog_facets_version_id_microcredential_versions"),
        ),
        sa.PrimaryKeyConstraint("version_id", "kind", "value", name=op.f("pk_catalog_facets")),
    )
    with op.batch_alter_table("catalog_facets", schema=None) as batch_op:
        batch_op.create_index("ix_catalog_facets_kind_value", ["kind", "value"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("catalog_facets", schema=None) as batch_op:
        batch_op.drop_index("ix_catalog_facets_kind_value")

    op.drop_table("catalog_facets")
    with op.batch_alter_table("microcredential_versions", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_microcredential_versions_one_published",
            sqlite_where=sa.text("status = 'published'"),
            postgresql_where=sa.text("status = 'published'"),
        )
        batch_op.drop_index(
            "uq_microcredential_versions_one_draft",
            sqlite_where=sa.text("status = 'draft'"),
            postgresql_where=sa.text("status = 'draft'"),
        )
        batch_op.drop_index("ix_microcredential_versions_status_title")

    op.drop_table("microcredential_versions")
    op.drop_table("microcredentials")
    op.drop_table("badge_images")
