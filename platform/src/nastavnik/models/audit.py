"""The audit log (152-FZ): who read, exported, changed or deleted whose personal data.

Global: ``org_id`` is empty for events outside any organisation (a failed sign-in).
The application role may only insert; the auditor role reads the rows of the regions it audits.
``region_id`` is set by the database on insert (migration 0017): the organisation's region, else the
acting person's (their staff assignment, else an organisation they belong to); empty only where no
region can be told, and such rows are the whole deployment's (every auditor reads them).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, FetchedValue, Index, String, func
from sqlalchemy.dialects.postgresql import INET, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.db.base import Base

AUDIT_ACTIONS = ("read", "export", "create", "update", "delete", "login", "logout")
AUDIT_OUTCOMES = ("success", "denied", "failed")


class AuditEvent(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint(f"action IN {AUDIT_ACTIONS!r}".replace('"', "'"), name="action_known"),
        CheckConstraint(f"outcome IN {AUDIT_OUTCOMES!r}".replace('"', "'"), name="outcome_known"),
        Index("ix_audit_log_at", "at"),
        Index("ix_audit_log_org_at", "org_id", "at"),
        Index("ix_audit_log_region_at", "region_id", "at"),
        # The application role may insert but never read the log, so no RETURNING on insert.
        {"implicit_returning": False},
    )

    # The database numbers events (an identity column, see migration 0001). Declared as a fetched value so
    # that an insert neither asks for the id back (the app may not read the log) nor pre-fetches it.
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, server_default=FetchedValue())
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # No foreign keys: the log outlives what it names (a person destroyed under 152-FZ stays logged).
    org_id: Mapped[uuid.UUID | None]
    actor_identity_id: Mapped[uuid.UUID | None]
    region_id: Mapped[uuid.UUID | None]
    """Set by the trigger ``audit_region`` whatever the writer sends: never forged, never forgotten."""
    action: Mapped[str] = mapped_column(String(16))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(200))
    subject_person_id: Mapped[uuid.UUID | None]
    outcome: Mapped[str] = mapped_column(String(16), default="success")
    client_ip: Mapped[str | None] = mapped_column(INET)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
