"""gaps: pictures of ingested posts (item_image), tombstones of deleted contacts

Revision ID: 0010_gaps
Revises: 0006_channels
Create Date: 2026-11-30 12:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_gaps"
down_revision: str | Sequence[str] | None = "0009_ux"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "item_image",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("image_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_item_image_item_id_item"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["media_image.id"],
            name=op.f("fk_item_image_image_id_media_image"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("item_id", "image_id", name=op.f("pk_item_image")),
    )
    op.create_table(
        "contact_tombstone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_tombstone")),
        sa.UniqueConstraint("kind", "key", name="uq_contact_tombstone_kind_key"),
    )


def downgrade() -> None:
    op.drop_table("contact_tombstone")
    op.drop_table("item_image")
