"""channel tokens: a chat platform's renewed credentials, encrypted (Zalo's rotating tokens)

Revision ID: 0011_channel_tokens
Revises: 0010_gaps
Create Date: 2026-12-10 12:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_channel_tokens"
down_revision: str | Sequence[str] | None = "0010_gaps"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_token",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_channel_token")),
    )


def downgrade() -> None:
    op.drop_table("channel_token")
