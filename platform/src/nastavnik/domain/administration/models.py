"""Appointments of a region's staff: who was asked for, and how far the worker got with their account.

A staff member's grant (``staff_assignment``) names a login identity, which exists only once Keycloak has
made the account. Until then the appointment holds the name and work e-mail the administrator typed; the
worker creates the account, gives it the realm role, sends the invitation, and writes the grant under the
appointment's own id, so one id names the person on the staff list before and after.

A shared table (a region's staff belong to no organisation): adult officials' names and work e-mails,
needed to create their account and shown on their region's staff list only (forced RLS: the region's
administrators; the platform administrator sees the appointments they asked for).
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.db.base import Base, Timestamps, new_id


class AppointmentStatus(StrEnum):
    PENDING = "pending"
    RETRYING = "retrying"  # Keycloak was unreachable: the worker tries again by itself
    DONE = "done"
    FAILED = "failed"


class StaffAppointment(Timestamps, Base):
    __tablename__ = "staff_appointment"
    __table_args__ = (
        CheckConstraint("role IN ('region', 'municipality', 'auditor', 'admin')", name="role_known"),
        CheckConstraint("role <> 'municipality' OR municipality_id IS NOT NULL", name="municipality_bound"),
        CheckConstraint("status IN ('pending', 'retrying', 'done', 'failed')", name="status_known"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    """Also the id of the grant the worker writes (``staff_assignment.id``)."""
    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    municipality_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("municipality.id"))
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(16), default=AppointmentStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    keycloak_user_id: Mapped[str | None] = mapped_column(String(64))
    requested_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("identity.id"))
    """Who asked (empty: the command line that bootstrapped the region)."""
