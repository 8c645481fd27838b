"""tipline: status tokens, match feedback, reply outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 09:00:00

"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("tip") as batch:
        batch.add_column(sa.Column("status_token", sa.String(length=64), nullable=True))
    op.create_index(op.f("ix_tip_status_token"), "tip", ["status_token"], unique=True)
    # Tips from before this revision get a token too, so every tip has a status page.
    conn = op.get_bind()
    tip = sa.table("tip", sa.column("id", sa.Integer), sa.column("status_token", sa.String))
    for (tip_id,) in conn.execute(sa.select(tip.c.id).where(tip.c.status_token.is_(None))).all():
        conn.execute(
            tip.update().where(tip.c.id == tip_id).values(status_token=secrets.token_urlsafe(24))
        )

    op.create_table(
        "match_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tip_id", sa.Integer(), nullable=True),
        sa.Column("fact_check_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fact_check_id"],
            ["fact_check.id"],
            name=op.f("fk_match_feedback_fact_check_id_fact_check"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tip_id"], ["tip.id"], name=op.f("fk_match_feedback_tip_id_tip"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_match_feedback")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tip_id", sa.Integer(), nullable=False),
        sa.Column("fact_check_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "sent",
                "failed",
                "no_channel",
                name="outbox_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["fact_check_id"],
            ["fact_check.id"],
            name=op.f("fk_outbox_fact_check_id_fact_check"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["tip_id"], ["tip.id"], name=op.f("fk_outbox_tip_id_tip"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("tip_id", "fact_check_id", name="uq_outbox_tip_fact_check"),
    )
    op.create_index("ix_outbox_status_due", "outbox", ["status", "next_attempt_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbox_status_due", table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("match_feedback")
    op.drop_index(op.f("ix_tip_status_token"), table_name="tip")
    with op.batch_alter_table("tip") as batch:
        batch.drop_column("status_token")
