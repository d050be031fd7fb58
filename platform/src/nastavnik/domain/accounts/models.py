"""Accounts for the people of the bases: what a curator asked for, and how far the worker got per person.

A batch is one request of a curator («Создать учётные записи» for the people ticked); each entry is
one person's account in it. The one-time passwords themselves are never stored here: they live
encrypted in Redis for a short while (``nastavnik.domain.accounts.one_time_passwords``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.db.base import Base, TenantMixin, Timestamps, new_id, tenant_fk


class AccountStatus(StrEnum):
    PENDING = "pending"
    RETRYING = "retrying"  # Keycloak was unreachable: the worker tries again by itself
    CREATED = "created"  # account with a one-time password, handed out on the access sheet
    INVITED = "invited"  # account with an invitation e-mail to set a password
    LINKED = "linked"  # the person's e-mail already had an account in the realm: that one was linked
    FAILED = "failed"

    @property
    def open(self) -> bool:
        """Work on the entry remains."""
        return self in (AccountStatus.PENDING, AccountStatus.RETRYING)


class Delivery(StrEnum):
    EMAIL = "email"
    PASSWORD = "password"  # noqa: S105 - the way in (a one-time password on the access sheet), not one


class AccountBatch(TenantMixin, Timestamps, Base):
    __tablename__ = "account_batch"

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id"), primary_key=True, sort_order=-100
    )
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    requested_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("identity.id"))
    attempts: Mapped[int] = mapped_column(default=0)


class AccountEntry(TenantMixin, Timestamps, Base):
    __tablename__ = "account_entry"
    __table_args__ = (
        tenant_fk("batch_id", "account_batch"),
        tenant_fk("person_id", "person"),
        CheckConstraint(
            "status IN ('pending', 'retrying', 'created', 'invited', 'linked', 'failed')", name="status_known"
        ),
        CheckConstraint("delivery IS NULL OR delivery IN ('email', 'password')", name="delivery_known"),
        Index("ix_account_entry_person", "org_id", "person_id"),
    )

    batch_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=AccountStatus.PENDING)
    delivery: Mapped[str | None] = mapped_column(String(16))
    username: Mapped[str | None] = mapped_column(String(100))
    """Chosen and saved before the user is created, so that a rerun finds that user instead of another."""
    keycloak_user_id: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the invitation was sent or the one-time password set; empty: (again) to do."""
    password_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """Until when the one-time password can still be printed (it is kept no longer)."""
