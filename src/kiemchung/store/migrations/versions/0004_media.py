"""media: stored images (metadata-free, by content hash), PDQ hashes, OCR text; links to fact-checks and tips

Revision ID: 0004_media
Revises: 0002
Create Date: 2026-11-30 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_media"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "media_image",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("ext", sa.String(length=8), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("pdq", sa.String(length=64), nullable=False),
        sa.Column("pdq_quality", sa.Integer(), nullable=False),
        sa.Column("ocr_text", sa.Text(), nullable=True),
        sa.Column("ocr_confidence", sa.Float(), nullable=True),
        sa.Column("ocr_edited", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_image")),
        sa.UniqueConstraint("sha256", name=op.f("uq_media_image_sha256")),
    )
    op.create_index(op.f("ix_media_image_pdq"), "media_image", ["pdq"], unique=False)
    op.create_table(
        "fact_check_image",
        sa.Column("fact_check_id", sa.Integer(), nullable=False),
        sa.Column("image_id", sa.Integer(), nullable=False),
        sa.Column("alt_text", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["fact_check_id"],
            ["fact_check.id"],
            name=op.f("fk_fact_check_image_fact_check_id_fact_check"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["media_image.id"],
            name=op.f("fk_fact_check_image_image_id_media_image"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("fact_check_id", "image_id", name=op.f("pk_fact_check_image")),
    )
    op.create_table(
        "tip_image",
        sa.Column("tip_id", sa.Integer(), nullable=False),
        sa.Column("image_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tip_id"], ["tip.id"], name=op.f("fk_tip_image_tip_id_tip"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["media_image.id"],
            name=op.f("fk_tip_image_image_id_media_image"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tip_id", "image_id", name=op.f("pk_tip_image")),
    )


def downgrade() -> None:
    op.drop_table("tip_image")
    op.drop_table("fact_check_image")
    op.drop_index(op.f("ix_media_image_pdq"), table_name="media_image")
    op.drop_table("media_image")
