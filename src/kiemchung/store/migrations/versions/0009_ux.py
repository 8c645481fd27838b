"""ux: corrections go through review (pending correction, minor flag), the reason for a return to draft

Revision ID: 0009_ux
Revises: 0006_channels
Create Date: 2026-11-30 12:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_ux"
down_revision: str | Sequence[str] | None = "0008_feedback"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("fact_check") as batch:
        batch.add_column(sa.Column("pending_correction", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("return_note", sa.Text(), nullable=True))
    with op.batch_alter_table("correction") as batch:
        batch.add_column(sa.Column("minor", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("correction") as batch:
        batch.drop_column("minor")
    with op.batch_alter_table("fact_check") as batch:
        batch.drop_column("return_note")
        batch.drop_column("pending_correction")
