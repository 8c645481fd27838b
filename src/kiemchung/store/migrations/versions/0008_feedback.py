"""feedback: citizens feedback threads, items, events, answers, support counts; feedback contacts in tip_contact

Revision ID: 0008_feedback
Revises: 0006_channels
Create Date: 2026-11-30 11:45:00

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = "0008_feedback"
down_revision: Union[str, Sequence[str], None] = "0007_jobs"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "feedback_salt",
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_feedback_salt")),
    )
    op.create_table(
        "feedback_thread",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "issue",
                "idea",
                "report",
                name="feedback_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("topic", sa.String(length=80), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=True),
        sa.Column("ward_code", sa.Integer(), nullable=True),
        sa.Column("area_name", sa.String(length=300), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "received",
                "forwarded",
                "handling",
                "answered",
                "declined",
                name="feedback_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("decline_reason", sa.Text(), nullable=True),
        sa.Column("department", sa.String(length=80), nullable=True),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("support_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_item_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_thread")),
        sa.UniqueConstraint("slug", name=op.f("uq_feedback_thread_slug")),
    )
    with op.batch_alter_table("feedback_thread", schema=None) as batch_op:
        batch_op.create_index("ix_feedback_thread_status", ["status", "last_item_at"], unique=False)

    op.create_table(
        "feedback_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("department", sa.String(length=80), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "in_review",
                "approved",
                "published",
                "retracted",
                name="feedback_answer_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("approver_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["approver_id"],
            ["user_account.id"],
            name=op.f("fk_feedback_answer_approver_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["user_account.id"],
            name=op.f("fk_feedback_answer_author_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["feedback_thread.id"],
            name=op.f("fk_feedback_answer_thread_id_feedback_thread"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_answer")),
    )
    with op.batch_alter_table("feedback_answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_answer_thread_id"), ["thread_id"], unique=False)

    op.create_table(
        "feedback_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["feedback_thread.id"],
            name=op.f("fk_feedback_event_thread_id_feedback_thread"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_feedback_event_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_event")),
    )
    with op.batch_alter_table("feedback_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_event_thread_id"), ["thread_id"], unique=False)

    op.create_table(
        "feedback_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("suggested_thread_id", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "issue",
                "idea",
                "report",
                name="feedback_item_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("topic", sa.String(length=80), nullable=False),
        sa.Column("province_code", sa.Integer(), nullable=True),
        sa.Column("ward_code", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("image_id", sa.Integer(), nullable=True),
        sa.Column("flag_terms", sa.JSON(), nullable=False),
        sa.Column("moderation", sa.String(length=20), nullable=False),
        sa.Column("embedding", sa.JSON(), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("status_token", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["image_id"],
            ["media_image.id"],
            name=op.f("fk_feedback_item_image_id_media_image"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["suggested_thread_id"],
            ["feedback_thread.id"],
            name=op.f("fk_feedback_item_suggested_thread_id_feedback_thread"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["feedback_thread.id"],
            name=op.f("fk_feedback_item_thread_id_feedback_thread"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_item")),
        sa.UniqueConstraint("status_token", name=op.f("uq_feedback_item_status_token")),
    )
    with op.batch_alter_table("feedback_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_item_thread_id"), ["thread_id"], unique=False)

    op.create_table(
        "feedback_support",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("visitor", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["feedback_thread.id"],
            name=op.f("fk_feedback_support_thread_id_feedback_thread"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_support")),
        sa.UniqueConstraint("thread_id", "day", "visitor", name="uq_feedback_support_visit"),
    )
    with op.batch_alter_table("tip_contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("feedback_id", sa.Integer(), nullable=True))
        batch_op.alter_column("tip_id", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_unique_constraint(batch_op.f("uq_tip_contact_feedback_id"), ["feedback_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_tip_contact_feedback_id_feedback_item"),
            "feedback_item",
            ["feedback_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_check_constraint(
            op.f("ck_tip_contact_one_owner"), "(tip_id IS NULL) <> (feedback_id IS NULL)"
        )


def downgrade() -> None:
    """Downgrade schema."""
    op.execute("DELETE FROM tip_contact WHERE tip_id IS NULL")
    with op.batch_alter_table("tip_contact", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_tip_contact_one_owner"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_tip_contact_feedback_id_feedback_item"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_tip_contact_feedback_id"), type_="unique")
        batch_op.alter_column("tip_id", existing_type=sa.INTEGER(), nullable=False)
        batch_op.drop_column("feedback_id")

    op.drop_table("feedback_support")
    with op.batch_alter_table("feedback_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_item_thread_id"))

    op.drop_table("feedback_item")
    with op.batch_alter_table("feedback_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_event_thread_id"))

    op.drop_table("feedback_event")
    with op.batch_alter_table("feedback_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_answer_thread_id"))

    op.drop_table("feedback_answer")
    with op.batch_alter_table("feedback_thread", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_thread_status")

    op.drop_table("feedback_thread")
    op.drop_table("feedback_salt")
