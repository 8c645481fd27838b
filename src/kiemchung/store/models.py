"""SQLAlchemy 2 models: the relational store is the source of truth.

Claims, not people: no table has a column for who wrote a monitored post. ``Item.url`` is kept
only for items of a registered Source (a declared publisher or official channel).
"""

from __future__ import annotations

import enum
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from kiemchung.web.i18n import N_

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, list[str]: JSON}  # noqa: RUF012


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    # Stored as plain strings with a CHECK constraint, identical on SQLite and PostgreSQL.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class SourceKind(enum.StrEnum):
    publisher = "publisher"  # a news outlet or the desk itself
    official = "official"  # an official channel: bank, ministry, telco, e-wallet ...
    platform = "platform"  # an unregistered bucket of posts from a social platform export
    feed = "feed"  # an RSS/Atom feed
    tipline = "tipline"


class ItemKind(enum.StrEnum):
    post = "post"
    article = "article"
    comment = "comment"
    tip = "tip"


class ClaimStatus(enum.StrEnum):
    new = "new"
    triaged = "triaged"
    in_progress = "in_progress"
    checked = "checked"
    dismissed = "dismissed"


CLAIM_STATUS_LABELS = {
    ClaimStatus.new: N_("Mới"),
    ClaimStatus.triaged: N_("Đã phân loại"),
    ClaimStatus.in_progress: N_("Đang kiểm chứng"),
    ClaimStatus.checked: N_("Đã kiểm chứng"),
    ClaimStatus.dismissed: N_("Bỏ qua"),
}


class Verdict(enum.StrEnum):
    true = "true"
    mostly_true = "mostly_true"
    misleading = "misleading"
    false = "false"
    unproven = "unproven"
    scam = "scam"


VERDICT_LABELS_VI = {
    Verdict.true: N_("Đúng"),
    Verdict.mostly_true: N_("Đúng một phần"),
    Verdict.misleading: N_("Gây hiểu lầm"),
    Verdict.false: N_("Sai"),
    Verdict.unproven: N_("Chưa đủ căn cứ"),
    Verdict.scam: N_("Lừa đảo"),
}
VERDICT_LABELS_EN = {
    Verdict.true: "True",
    Verdict.mostly_true: "Partly true",
    Verdict.misleading: "Misleading",
    Verdict.false: "False",
    Verdict.unproven: "Unproven",
    Verdict.scam: "Scam",
}
# ClaimReview ratingValue on a 1 (worst) .. 5 (best) scale; scam and unproven are outside it.
VERDICT_RATING = {
    Verdict.true: 5,
    Verdict.mostly_true: 4,
    Verdict.misleading: 2,
    Verdict.false: 1,
    Verdict.unproven: 3,
    Verdict.scam: 1,
}


class FactCheckStatus(enum.StrEnum):
    draft = "draft"
    in_review = "in_review"
    approved = "approved"
    published = "published"
    retracted = "retracted"


# A proposed correction of a published fact-check: the status its revision records (the fact-check
# itself stays published while the correction waits for a reviewer).
CORRECTION_REVIEW = "correction_review"
# Message ids of every status a fact-check revision can record.
FC_STATUS_LABELS: dict[str, str] = {
    FactCheckStatus.draft: N_("Bản nháp"),
    FactCheckStatus.in_review: N_("Chờ duyệt"),
    FactCheckStatus.approved: N_("Đã duyệt"),
    FactCheckStatus.published: N_("Đã xuất bản"),
    FactCheckStatus.retracted: N_("Đã rút"),
    CORRECTION_REVIEW: N_("Đính chính chờ duyệt"),
}


class TipStatus(enum.StrEnum):
    received = "received"
    answered = "answered"
    warned = "warned"
    queued = "queued"
    closed = "closed"


class IndicatorKind(enum.StrEnum):
    url = "url"
    domain = "domain"
    phone = "phone"
    bank_account = "bank_account"
    ewallet = "ewallet"
    social_page = "social_page"


class ListKind(enum.StrEnum):
    block = "block"
    allow = "allow"


class Role(enum.StrEnum):
    admin = "admin"
    editor = "editor"
    reviewer = "reviewer"
    viewer = "viewer"


class Source(Base):
    """A registered publisher/official channel, or an unregistered bucket of imported posts."""

    __tablename__ = "source"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[SourceKind] = mapped_column(_enum(SourceKind, "source_kind"), default=SourceKind.platform)
    category: Mapped[str] = mapped_column(String(40), default="other")  # bank, ewallet, telco, ministry ...
    registered: Mapped[bool] = mapped_column(Boolean, default=False)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    domains: Mapped[list[str]] = mapped_column(JSON, default=list)
    page_urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    page_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Item(Base):
    """One ingested post, article, comment or tip. Never any author identity."""

    __tablename__ = "item"
    __table_args__ = (
        UniqueConstraint("source_id", "content_hash", name="uq_item_source_hash"),
        CheckConstraint("likes >= 0 AND comments >= 0 AND shares >= 0 AND reactions >= 0", name="engagement"),
        Index("ix_item_published_at", "published_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    kind: Mapped[ItemKind] = mapped_column(_enum(ItemKind, "item_kind"), default=ItemKind.post)
    platform: Mapped[str | None] = mapped_column(String(40))
    external_id: Mapped[str | None] = mapped_column(String(120))
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    norm_text: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(2000))  # only for registered sources
    lang: Mapped[str] = mapped_column(String(8), default="vi")
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    ingested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    likes: Mapped[int] = mapped_column(Integer, default=0)
    comments: Mapped[int] = mapped_column(Integer, default=0)
    shares: Mapped[int] = mapped_column(Integer, default=0)
    reactions: Mapped[int] = mapped_column(Integer, default=0)
    content_hash: Mapped[str] = mapped_column(String(64))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("item.id", ondelete="SET NULL"))
    processed: Mapped[bool] = mapped_column(Boolean, default=False)

    source: Mapped[Source] = relationship()

    @property
    def engagement(self) -> int:
        return self.likes + self.comments + self.shares + self.reactions


class Claim(Base):
    """A checkable statement, clustered across items."""

    __tablename__ = "claim"
    __table_args__ = (
        CheckConstraint("checkworthiness >= 0 AND checkworthiness <= 1", name="checkworthiness_range"),
        Index("ix_claim_status_last_seen", "status", "last_seen"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    norm_text: Mapped[str] = mapped_column(Text, default="")
    checkworthiness: Mapped[float] = mapped_column(Float, default=0.0)
    features: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[ClaimStatus] = mapped_column(_enum(ClaimStatus, "claim_status"), default=ClaimStatus.new)
    topic: Mapped[str | None] = mapped_column(String(80))
    first_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    engagement: Mapped[int] = mapped_column(Integer, default=0)
    # Derived from the search index (rebuildable), so no foreign key: it would also form a
    # claim <-> fact_check cycle that SQLite migrations cannot order.
    best_match_id: Mapped[int | None] = mapped_column(Integer)
    best_match_score: Mapped[float | None] = mapped_column(Float)
    best_match_level: Mapped[str | None] = mapped_column(String(12))  # "answer" | "suggest"
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    items: Mapped[list[ClaimItem]] = relationship(back_populates="claim", cascade="all, delete-orphan")


class ClaimItem(Base):
    """Link: this item states this claim (with the sentence that stated it)."""

    __tablename__ = "claim_item"
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), primary_key=True)
    sentence: Mapped[str] = mapped_column(Text, default="")
    similarity: Mapped[float] = mapped_column(Float, default=1.0)
    linked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    claim: Mapped[Claim] = relationship(back_populates="items")
    item: Mapped[Item] = relationship()


class FactCheck(Base):
    """A fact-check; ``version`` is the optimistic-locking counter."""

    __tablename__ = "fact_check"
    __table_args__ = (CheckConstraint("version >= 1", name="version_positive"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id", ondelete="SET NULL"))
    claim_reviewed: Mapped[str] = mapped_column(String(200))  # ≤ 75 chars enforced by the editor
    claim_text: Mapped[str] = mapped_column(Text, default="")
    verdict: Mapped[Verdict] = mapped_column(_enum(Verdict, "verdict"))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[FactCheckStatus] = mapped_column(
        _enum(FactCheckStatus, "fact_check_status"), default=FactCheckStatus.draft
    )
    claim_source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id", ondelete="SET NULL"))
    claim_appearance_url: Mapped[str | None] = mapped_column(String(2000))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, default=1)
    views: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    retracted_at: Mapped[datetime | None] = mapped_column(DateTime)
    retraction_note: Mapped[str | None] = mapped_column(Text)
    # A correction of a published fact-check waits here for its reviewer while the public page keeps
    # the published text: {"form": {...}, "note", "minor", "user_id", "submitted_at"}.
    pending_correction: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    return_note: Mapped[str | None] = mapped_column(Text)  # why the reviewer sent it back to draft

    citations: Mapped[list[Citation]] = relationship(
        back_populates="fact_check", cascade="all, delete-orphan", order_by="Citation.position"
    )
    revisions: Mapped[list[FactCheckRevision]] = relationship(
        back_populates="fact_check", cascade="all, delete-orphan", order_by="FactCheckRevision.version"
    )
    corrections: Mapped[list[Correction]] = relationship(
        back_populates="fact_check", cascade="all, delete-orphan", order_by="Correction.created_at"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class FactCheckRevision(Base):
    """Snapshot of a fact-check at one version (history, diffs, conflict resolution)."""

    __tablename__ = "fact_check_revision"
    __table_args__ = (UniqueConstraint("fact_check_id", "version", name="uq_revision_version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    fact_check_id: Mapped[int] = mapped_column(ForeignKey("fact_check.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    fact_check: Mapped[FactCheck] = relationship(back_populates="revisions")


class Correction(Base):
    """A public correction note on a published fact-check."""

    __tablename__ = "correction"
    id: Mapped[int] = mapped_column(primary_key=True)
    fact_check_id: Mapped[int] = mapped_column(ForeignKey("fact_check.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    minor: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    fact_check: Mapped[FactCheck] = relationship(back_populates="corrections")


class Document(Base):
    """A reference document (official text, article, data) in the evidence library."""

    __tablename__ = "document"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    url: Mapped[str | None] = mapped_column(String(2000))
    publisher: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), default="article")
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    text: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    passages: Mapped[list[Passage]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Passage.position"
    )


class Passage(Base):
    __tablename__ = "passage"
    __table_args__ = (UniqueConstraint("document_id", "position", name="uq_passage_position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)

    document: Mapped[Document] = relationship(back_populates="passages")


class Citation(Base):
    __tablename__ = "citation"
    __table_args__ = (CheckConstraint("document_id IS NOT NULL OR url IS NOT NULL", name="has_target"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    fact_check_id: Mapped[int] = mapped_column(ForeignKey("fact_check.id", ondelete="CASCADE"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="SET NULL"))
    passage_id: Mapped[int | None] = mapped_column(ForeignKey("passage.id", ondelete="SET NULL"))
    url: Mapped[str | None] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(String(500), default="")
    quote: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    fact_check: Mapped[FactCheck] = relationship(back_populates="citations")
    document: Mapped[Document | None] = relationship()


class Tip(Base):
    """A citizen's submission. Contact details live apart, in TipContact, only when asked for."""

    __tablename__ = "tip"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(40), default="web")
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    status: Mapped[TipStatus] = mapped_column(_enum(TipStatus, "tip_status"), default=TipStatus.received)
    answer: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    fact_check_id: Mapped[int | None] = mapped_column(ForeignKey("fact_check.id", ondelete="SET NULL"))
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id", ondelete="SET NULL"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("item.id", ondelete="SET NULL"))
    # Secret handle of the tip's public status page and of its "not what I asked" button.
    status_token: Mapped[str | None] = mapped_column(
        String(64), unique=True, index=True, default=lambda: secrets.token_urlsafe(24)
    )


class MatchFeedback(Base):
    """A tipster said an automatic answer was not what they asked: calibration data for the matcher.

    Keeps the tip's text (a citizen's question, no contact details) so the case survives the tip.
    """

    __tablename__ = "match_feedback"
    id: Mapped[int] = mapped_column(primary_key=True)
    tip_id: Mapped[int | None] = mapped_column(ForeignKey("tip.id", ondelete="SET NULL"))
    fact_check_id: Mapped[int | None] = mapped_column(ForeignKey("fact_check.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(30), default="not_my_question")
    text: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class OutboxStatus(enum.StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"  # gave up after the last attempt
    no_channel = "no_channel"  # the contact is not an address we can send to; the status page answers


class Outbox(Base):
    """One reply owed to a tipster for one fact-check: durable, retried with backoff, sent at most once."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("tip_id", "fact_check_id", name="uq_outbox_tip_fact_check"),
        Index("ix_outbox_status_due", "status", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    # A chat reply to a message (menu, answer, warning) has no fact-check, and a menu no tip either.
    tip_id: Mapped[int | None] = mapped_column(ForeignKey("tip.id", ondelete="CASCADE"))
    fact_check_id: Mapped[int | None] = mapped_column(ForeignKey("fact_check.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20), default="email")
    # Chat channels: who (a ChannelContact, never the platform id itself) and what (the rendered
    # message); ``dedupe_key`` makes "one reply per incoming event" a database fact.
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("channel_contact.id", ondelete="SET NULL"), index=True
    )
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(
        _enum(OutboxStatus, "outbox_status"), default=OutboxStatus.pending
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)


class TipContact(Base):
    """Reply address of a tipster (or of a citizen's feedback) who asked for a reply; deleted via its token.

    Exactly one of ``tip_id`` and ``feedback_id`` is set: feedback contacts live in the same table,
    apart from the text, with the same deletion link and retention purge.
    """

    __tablename__ = "tip_contact"
    __table_args__ = (CheckConstraint("(tip_id IS NULL) <> (feedback_id IS NULL)", name="one_owner"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tip_id: Mapped[int | None] = mapped_column(ForeignKey("tip.id", ondelete="CASCADE"), unique=True)
    feedback_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_item.id", ondelete="CASCADE"), unique=True
    )
    contact: Mapped[str] = mapped_column(String(300))
    delete_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ChannelContact(Base):
    """The one place a chat platform's user id lives: Fernet-encrypted, only while a reply is owed.

    ``sender_key`` is a keyed hash of (platform, user id): tips and events point here through it or
    the row id, never through the platform id.
    """

    __tablename__ = "channel_contact"
    __table_args__ = (UniqueConstraint("platform", "sender_key", name="uq_channel_contact_sender"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    sender_key: Mapped[str] = mapped_column(String(64))
    user_ref: Mapped[str] = mapped_column(Text)  # Fernet token of the platform user id
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ChannelEvent(Base):
    """A webhook event seen once (idempotency on the platform's id) and its processing state."""

    __tablename__ = "channel_event"
    __table_args__ = (
        UniqueConstraint("platform", "event_id", name="uq_channel_event_platform_event"),
        Index("ix_channel_event_status", "status", "received_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # text | image | postback | follow | unfollow | other
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("channel_contact.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # images, quick-reply payload
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | processing | done
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime)


class ChannelToken(Base):
    """A chat platform's renewed credentials (Zalo's rotating access and refresh tokens).

    ``value`` is Fernet-encrypted with the contact key; kept here so that every process and a
    restart use the latest pair (a Zalo refresh token works once).
    """

    __tablename__ = "channel_token"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Feed(Base):
    """Provenance of an indicator list (blocklist/allow-list feed)."""

    __tablename__ = "feed"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    list_kind: Mapped[ListKind] = mapped_column(_enum(ListKind, "list_kind"), default=ListKind.block)
    url: Mapped[str | None] = mapped_column(String(2000))
    path: Mapped[str | None] = mapped_column(String(1000))
    format: Mapped[str] = mapped_column(String(20), default="domains")
    licence: Mapped[str | None] = mapped_column(String(120))
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime)
    entry_count: Mapped[int] = mapped_column(Integer, default=0)
    expected_interval_hours: Mapped[int] = mapped_column(Integer, default=24 * 7)


class Indicator(Base):
    """A scam signal (or an allow-listed value) with provenance."""

    __tablename__ = "indicator"
    __table_args__ = (
        UniqueConstraint("kind", "value", "list_kind", "feed_id", name="uq_indicator_value"),
        Index("ix_indicator_kind_value", "kind", "value"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[IndicatorKind] = mapped_column(_enum(IndicatorKind, "indicator_kind"))
    value: Mapped[str] = mapped_column(String(500))
    list_kind: Mapped[ListKind] = mapped_column(_enum(ListKind, "list_kind"), default=ListKind.block)
    category: Mapped[str | None] = mapped_column(String(60))
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feed.id", ondelete="CASCADE"))
    reason: Mapped[str | None] = mapped_column(Text)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    first_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    feed: Mapped[Feed | None] = relationship()


class User(Base):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), default=Role.viewer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AuditEvent(Base):
    """Who did what, when — every change to a FactCheck, Claim status, Indicator or User."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_entity", "entity_type", "entity_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ChannelPost(Base):
    """The desk's own publication on a declared channel, and its reach."""

    __tablename__ = "channel_post"
    id: Mapped[int] = mapped_column(primary_key=True)
    fact_check_id: Mapped[int] = mapped_column(ForeignKey("fact_check.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(60))
    url: Mapped[str | None] = mapped_column(String(2000))
    posted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    reach: Mapped[int] = mapped_column(Integer, default=0)
    clicks: Mapped[int] = mapped_column(Integer, default=0)


class MediaImage(Base):
    """A stored picture: re-encoded without metadata, under ``<data_dir>/media`` by content hash.

    ``ocr_text`` is what Tesseract read (or an editor's correction, ``ocr_edited``); ``pdq`` is the
    perceptual hash used to recognise re-shared copies.
    """

    __tablename__ = "media_image"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    ext: Mapped[str] = mapped_column(String(8))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    pdq: Mapped[str] = mapped_column(String(64), index=True)
    pdq_quality: Mapped[int] = mapped_column(Integer, default=0)
    ocr_text: Mapped[str | None] = mapped_column(Text)
    ocr_confidence: Mapped[float | None] = mapped_column(Float)
    ocr_edited: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class FactCheckImage(Base):
    """An image a fact-check is about (the viral picture itself); new copies of it match the check."""

    __tablename__ = "fact_check_image"
    fact_check_id: Mapped[int] = mapped_column(
        ForeignKey("fact_check.id", ondelete="CASCADE"), primary_key=True
    )
    image_id: Mapped[int] = mapped_column(ForeignKey("media_image.id", ondelete="CASCADE"), primary_key=True)
    alt_text: Mapped[str] = mapped_column(String(500), default="")
    image: Mapped[MediaImage] = relationship()


class TipImage(Base):
    """The picture a citizen sent with a tip."""

    __tablename__ = "tip_image"
    tip_id: Mapped[int] = mapped_column(ForeignKey("tip.id", ondelete="CASCADE"), primary_key=True)
    image_id: Mapped[int] = mapped_column(ForeignKey("media_image.id", ondelete="CASCADE"), primary_key=True)
    image: Mapped[MediaImage] = relationship()


class ItemImage(Base):
    """The picture an ingested post is (a screenshot, a status card); its OCR text is the item's text."""

    __tablename__ = "item_image"
    item_id: Mapped[int] = mapped_column(ForeignKey("item.id", ondelete="CASCADE"), primary_key=True)
    image_id: Mapped[int] = mapped_column(ForeignKey("media_image.id", ondelete="CASCADE"), primary_key=True)
    image: Mapped[MediaImage] = relationship()


class ContactTombstone(Base):
    """A deleted contact, remembered without personal data so that restoring an older backup does
    not bring it back: ``key`` is a SHA-256 of the contact's own key (see ``store.backup``)."""

    __tablename__ = "contact_tombstone"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_contact_tombstone_kind_key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # tip_contact | channel_contact
    key: Mapped[str] = mapped_column(String(64))
    deleted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class IncidentSeverity(enum.StrEnum):
    minor = "minor"
    major = "major"
    critical = "critical"


class IncidentStatus(enum.StrEnum):
    open = "open"
    closed = "closed"


class Incident(Base):
    """A sudden event run in incident mode: a holding statement, then verified timestamped updates.

    The area is a province/city and optionally a ward/commune of Vietnam's administrative units in
    force since 1 July 2025 (codes of ``kiemchung.areas``); names are copied for stable display.
    """

    __tablename__ = "incident"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    topic: Mapped[str | None] = mapped_column(String(80))
    province_code: Mapped[int | None] = mapped_column(Integer)
    ward_code: Mapped[int | None] = mapped_column(Integer)
    area_name: Mapped[str] = mapped_column(String(300), default="")
    severity: Mapped[IncidentSeverity] = mapped_column(
        _enum(IncidentSeverity, "incident_severity"), default=IncidentSeverity.major
    )
    status: Mapped[IncidentStatus] = mapped_column(
        _enum(IncidentStatus, "incident_status"), default=IncidentStatus.open
    )
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    opened_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    first_statement_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_update_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Missed SLA targets already flagged (so each miss is logged once): [{"kind", "due", "at"}].
    sla_misses: Mapped[list[Any]] = mapped_column(JSON, default=list)
    report_md: Mapped[str | None] = mapped_column(Text)
    report_html: Mapped[str | None] = mapped_column(Text)

    updates: Mapped[list[IncidentUpdate]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="IncidentUpdate.id"
    )
    links: Mapped[list[IncidentLink]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", order_by="IncidentLink.id"
    )


class IncidentUpdate(Base):
    """The holding statement (``kind="statement"``) or a later update, with its cited sources.

    Goes through the fact-check review: draft → in_review → approved → published, the approver
    being a second editor, never the author.
    """

    __tablename__ = "incident_update"
    __table_args__ = (Index("ix_incident_update_incident_status", "incident_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20), default="update")  # statement | update
    body: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [{"title", "url"}]
    status: Mapped[FactCheckStatus] = mapped_column(
        _enum(FactCheckStatus, "incident_update_status"), default=FactCheckStatus.draft
    )
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)

    incident: Mapped[Incident] = relationship(back_populates="updates")


class IncidentLink(Base):
    """A claim or a tip an editor confirmed as part of an incident (suggestions are not stored)."""

    __tablename__ = "incident_link"
    __table_args__ = (
        CheckConstraint("claim_id IS NOT NULL OR tip_id IS NOT NULL", name="has_target"),
        UniqueConstraint("incident_id", "claim_id", "tip_id", name="uq_incident_link_target"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"))
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"))
    tip_id: Mapped[int | None] = mapped_column(ForeignKey("tip.id", ondelete="CASCADE"))
    score: Mapped[float | None] = mapped_column(Float)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    incident: Mapped[Incident] = relationship(back_populates="links")


class FeedbackKind(enum.StrEnum):
    issue = "issue"  # góp ý về một vấn đề
    idea = "idea"  # hiến kế một giải pháp
    report = "report"  # phản ánh sự việc


class FeedbackStatus(enum.StrEnum):
    received = "received"
    forwarded = "forwarded"
    handling = "handling"
    answered = "answered"
    declined = "declined"


class FeedbackThread(Base):
    """One issue in one place, as the desk sees it: near-identical feedback items clustered together.

    Public only once ``published_at`` is set; the text shown publicly is masked (``feedback.mask``).
    ``support_count`` is the "tôi cũng quan tâm" count (one per browser per day, see FeedbackSupport).
    """

    __tablename__ = "feedback_thread"
    __table_args__ = (Index("ix_feedback_thread_status", "status", "last_item_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[FeedbackKind] = mapped_column(_enum(FeedbackKind, "feedback_kind"))
    topic: Mapped[str] = mapped_column(String(80), default="")
    province_code: Mapped[int | None] = mapped_column(Integer)
    ward_code: Mapped[int | None] = mapped_column(Integer)
    area_name: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[FeedbackStatus] = mapped_column(
        _enum(FeedbackStatus, "feedback_status"), default=FeedbackStatus.received
    )
    decline_reason: Mapped[str | None] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(String(80))  # a slug of the departments file
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    support_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_item_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)

    items: Mapped[list[FeedbackItem]] = relationship(
        back_populates="thread", order_by="FeedbackItem.id", foreign_keys="FeedbackItem.thread_id"
    )
    events: Mapped[list[FeedbackEvent]] = relationship(
        back_populates="thread", cascade="all, delete-orphan", order_by="FeedbackEvent.id"
    )
    answers: Mapped[list[FeedbackAnswer]] = relationship(
        back_populates="thread", cascade="all, delete-orphan", order_by="FeedbackAnswer.id"
    )


class FeedbackItem(Base):
    """One citizen's feedback as sent: no name, no address; a contact only in TipContact, apart.

    ``thread_id`` is set when the item joined a thread (automatically above the calibrated
    similarity, or by an editor); ``suggested_thread_id`` is the engine's suggestion below it.
    ``flag_terms`` lists abuse-list words found: the item is held for moderation, never deleted.
    """

    __tablename__ = "feedback_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_thread.id", ondelete="SET NULL"), index=True
    )
    suggested_thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_thread.id", ondelete="SET NULL")
    )
    score: Mapped[float | None] = mapped_column(Float)
    kind: Mapped[FeedbackKind] = mapped_column(_enum(FeedbackKind, "feedback_item_kind"))
    topic: Mapped[str] = mapped_column(String(80), default="")
    province_code: Mapped[int | None] = mapped_column(Integer)
    ward_code: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(40), default="web")
    image_id: Mapped[int | None] = mapped_column(ForeignKey("media_image.id", ondelete="SET NULL"))
    flag_terms: Mapped[list[str]] = mapped_column(JSON, default=list)
    moderation: Mapped[str] = mapped_column(String(20), default="ok")  # ok | held | hidden
    embedding: Mapped[list[Any] | None] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    status_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=lambda: secrets.token_urlsafe(24)
    )

    thread: Mapped[FeedbackThread | None] = relationship(back_populates="items", foreign_keys=[thread_id])


class FeedbackEvent(Base):
    """The thread's history: status changes (public), routing, internal notes (desk only)."""

    __tablename__ = "feedback_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("feedback_thread.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # status | note | route
    status: Mapped[str | None] = mapped_column(String(24))
    text: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    thread: Mapped[FeedbackThread] = relationship(back_populates="events")


class FeedbackAnswer(Base):
    """The official answer of a thread: written by one editor, approved by a second (two-person rule)."""

    __tablename__ = "feedback_answer"
    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("feedback_thread.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    department: Mapped[str | None] = mapped_column(String(80))
    status: Mapped[FactCheckStatus] = mapped_column(
        _enum(FactCheckStatus, "feedback_answer_status"), default=FactCheckStatus.draft
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)

    thread: Mapped[FeedbackThread] = relationship(back_populates="answers")


class FeedbackSupport(Base):
    """One "tôi cũng quan tâm" per browser per thread per day, as a salted hash (never the address).

    The salt (``FeedbackSalt``) is random per day and deleted with that day's rows, so yesterday's
    hashes can no longer be linked to anyone, not even by us.
    """

    __tablename__ = "feedback_support"
    __table_args__ = (UniqueConstraint("thread_id", "day", "visitor", name="uq_feedback_support_visit"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("feedback_thread.id", ondelete="CASCADE"))
    day: Mapped[str] = mapped_column(String(10))
    visitor: Mapped[str] = mapped_column(String(64))


class FeedbackSalt(Base):
    """Today's random salt for the support hashes; older ones are deleted."""

    __tablename__ = "feedback_salt"
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))


class DeadJobStatus(enum.StrEnum):
    dead = "dead"  # exhausted its retries; waiting for an editor
    retried = "retried"  # sent back to the queue from the desk
    discarded = "discarded"  # dropped from the desk


class DeadJob(Base):
    """A background job that failed every retry: what it was, with which arguments, and why."""

    __tablename__ = "dead_job"
    __table_args__ = (Index("ix_dead_job_status", "status", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(100))
    args: Mapped[list[Any]] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(Text, default="")
    retries: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[DeadJobStatus] = mapped_column(
        _enum(DeadJobStatus, "dead_job_status"), default=DeadJobStatus.dead
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)


class IndexState(Base):
    """Version of the published fact-check set the search index must serve.

    ``version`` is bumped in the same transaction as a publication, correction or retraction; every
    process compares it with the version its in-memory index last synced. ``done`` is the version the
    durable reindex job last wrote to the persisted index.
    """

    __tablename__ = "index_state"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
