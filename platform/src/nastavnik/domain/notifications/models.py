"""The notifications' tables: the outbox (tenant), people's preferences (tenant), the region's settings
and wording (shared, one region's rows read only inside it).

A notification is one row per (organisation, ``dedup_key``): the producer names the event, so writing it
twice (a retried request, a scanner run twice a day) leaves one row. The row carries both channels: the
in-app list (``read_at``) and the e-mail (``email_state`` and what the delivery job recorded).
"""

from __future__ import annotations

import uuid
from datetime import datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.db.base import Base, TenantMixin, Timestamps, new_id, tenant_fk


class EmailState(StrEnum):
    """Where a notification's e-mail stands."""

    PENDING = "pending"
    """Waiting for the delivery job (perhaps for the end of quiet hours, a retry's time or the digest)."""
    SENDING = "sending"
    """Claimed by a delivery and committed before the SMTP conversation: never picked up again."""
    SENT = "sent"
    FAILED = "failed"
    """Refused for good (a malformed address, a 5xx answer, too many temporary failures): see the reason."""
    SKIPPED = "skipped"
    """No e-mail for it: the kind switched off, no address, a learner under 14, the person left."""


EMAIL_STATES = tuple(s.value for s in EmailState)


class DeliveryMode(StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"


KEY_MAX = 200
LINK_MAX = 500


class Notification(TenantMixin, Base):
    __tablename__ = "notification"
    __table_args__ = (
        tenant_fk("person_id", "person"),
        UniqueConstraint("org_id", "dedup_key"),
        CheckConstraint(f"email_state IN {EMAIL_STATES}", name="email_state_known"),
        CheckConstraint("email_attempts >= 0", name="attempts_positive"),
        # The in-app list, newest first, and the unread count of the page header (one index-only count).
        Index("ix_notification_person_created", "org_id", "person_id", "created_at"),
        Index("ix_notification_unread", "org_id", "person_id", postgresql_where="read_at IS NULL"),
        # What the delivery job looks for: a small partial index, the delivered rows leave it.
        Index(
            "ix_notification_email_due",
            "email_due_at",
            postgresql_where="email_state IN ('pending', 'sending')",
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(48))
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    """The template's placeholders (strings), filled in when the notification is shown or sent."""
    link: Mapped[str | None] = mapped_column(String(LINK_MAX))
    """A path inside the platform (``/o/<slug>/…``) the notification leads to."""
    dedup_key: Mapped[str] = mapped_column(String(KEY_MAX))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    email_state: Mapped[str] = mapped_column(String(16), default=EmailState.PENDING)
    email_due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    """Not before: the creation, then the end of quiet hours, a retry's backoff or the digest hour."""
    email_attempts: Mapped[int] = mapped_column(default=0)
    email_digest: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Waits for the person's daily digest (their preference for the kind when it was first due)."""
    email_error: Mapped[str | None] = mapped_column(Text)
    """Why the e-mail was not sent (Russian), or the last temporary failure."""
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    message_id: Mapped[str | None] = mapped_column(String(200))
    """The Message-ID it went out with (deterministic: the notification's or the digest's id)."""


class NotificationPreference(TenantMixin, Timestamps, Base):
    """A person's choice for one kind; without a row the kind's default applies (on, immediately)."""

    __tablename__ = "notification_preference"
    __table_args__ = (
        tenant_fk("person_id", "person"),
        CheckConstraint("mode IN ('immediate', 'digest')", name="mode_known"),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(48), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    mode: Mapped[str] = mapped_column(String(16), default=DeliveryMode.IMMEDIATE)


class NotificationQuietHours(TenantMixin, Timestamps, Base):
    """A person's own quiet hours (region-local); without a row the region's default applies."""

    __tablename__ = "notification_quiet_hours"
    __table_args__ = (tenant_fk("person_id", "person"),)

    person_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    starts: Mapped[time | None] = mapped_column(Time)
    """None with ``ends`` None: no quiet hours at all."""
    ends: Mapped[time | None] = mapped_column(Time)


class RegionNotificationSettings(Base):
    """A region's defaults: quiet hours and the hour of the daily digest, in the region's time."""

    __tablename__ = "region_notification_settings"
    __table_args__ = (CheckConstraint("digest_hour BETWEEN 0 AND 23", name="digest_hour_range"),)

    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"), primary_key=True)
    quiet_starts: Mapped[time | None] = mapped_column(Time)
    quiet_ends: Mapped[time | None] = mapped_column(Time)
    digest_hour: Mapped[int] = mapped_column(default=17)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RegionNotificationTemplate(Base):
    """A region's own subject and body of one kind (placeholders checked against the kind's)."""

    __tablename__ = "region_notification_template"
    __table_args__ = (UniqueConstraint("region_id", "kind"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"))
    kind: Mapped[str] = mapped_column(String(48))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
