"""channels: chat contacts (encrypted), seen webhook events, chat replies in the outbox

Revision ID: 0006_channels
Revises: 0005_incidents
Create Date: 2026-11-30 10:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_channels"
down_revision: str | Sequence[str] | None = "0005_incidents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "channel_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("sender_key", sa.String(length=64), nullable=False),
        sa.Column("user_ref", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_contact")),
        sa.UniqueConstraint("platform", "sender_key", name="uq_channel_contact_sender"),
    )
    op.create_table(
        "channel_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("processed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["channel_contact.id"],
            name=op.f("fk_channel_event_contact_id_channel_contact"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_event")),
        sa.UniqueConstraint("platform", "event_id", name="uq_channel_event_platform_event"),
    )
    op.create_index("ix_channel_event_status", "channel_event", ["status", "received_at"], unique=False)
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("tip_id", existing_type=sa.Integer(), nullable=True)
        batch.alter_column("fact_check_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("contact_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("payload", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("dedupe_key", sa.String(length=200), nullable=True))
        batch.create_foreign_key(
            op.f("fk_outbox_contact_id_channel_contact"),
            "channel_contact",
            ["contact_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_unique_constraint(op.f("uq_outbox_dedupe_key"), ["dedupe_key"])
        batch.create_index(op.f("ix_outbox_contact_id"), ["contact_id"], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE tip_id IS NULL OR fact_check_id IS NULL")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index(op.f("ix_outbox_contact_id"))
        batch.drop_constraint(op.f("uq_outbox_dedupe_key"), type_="unique")
        batch.drop_constraint(op.f("fk_outbox_contact_id_channel_contact"), type_="foreignkey")
        batch.drop_column("dedupe_key")
        batch.drop_column("payload")
        batch.drop_column("contact_id")
        batch.alter_column("fact_check_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("tip_id", existing_type=sa.Integer(), nullable=False)
    op.drop_index("ix_channel_event_status", table_name="channel_event")
    op.drop_table("channel_event")
    op.drop_table("channel_contact")
