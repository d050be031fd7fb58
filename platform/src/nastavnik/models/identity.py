"""Login identities (global) and the oversight assignments of regional staff.

An identity is only (issuer, subject) and a display name: personal data about a
person lives in their per-organisation ``person`` record.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.db.base import Base, new_id


class Identity(Base):
    __tablename__ = "identity"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class StaffRole(StrEnum):
    """Roles above the organisations. In production they come from Keycloak realm roles (issue 3)."""

    REGION = "region"
    MUNICIPALITY = "municipality"
    AUDITOR = "auditor"
    ADMIN = "admin"
    """A region's administrator: keeps its municipalities and appoints its staff (issue 13)."""


class StaffAssignment(Base):
    """Who oversees what: the region, one municipality, or the audit log; or who administers a region."""

    __tablename__ = "staff_assignment"
    __table_args__ = (
        CheckConstraint("role IN ('region', 'municipality', 'auditor', 'admin')", name="role_known"),
        CheckConstraint("role <> 'municipality' OR municipality_id IS NOT NULL", name="municipality_bound"),
        UniqueConstraint("identity_id", "role", "region_id", "municipality_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    identity_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("identity.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"))
    municipality_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("municipality.id"))
