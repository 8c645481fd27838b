"""jobs: dead-lettered background jobs, and the index version every process syncs to

Revision ID: 0007_jobs
Revises: 0006_channels
Create Date: 2026-11-30 12:00:00

"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0007_jobs"
down_revision: str | Sequence[str] | None = "0006_channels"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dead_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task", sa.String(length=100), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("retries", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "dead",
                "retried",
                "discarded",
                name="dead_job_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dead_job")),
    )
    op.create_index("ix_dead_job_status", "dead_job", ["status", "created_at"], unique=False)
    state = op.create_table(
        "index_state",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_index_state")),
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(state, [{"name": "fact_checks", "version": 0, "done": 0, "updated_at": now}])


def downgrade() -> None:
    op.drop_table("index_state")
    op.drop_index("ix_dead_job_status", table_name="dead_job")
    op.drop_table("dead_job")
