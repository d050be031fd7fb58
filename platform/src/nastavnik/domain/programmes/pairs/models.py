"""Mentoring pairs and groups (stage 5) and the orders that make them active.

A pair is a group with one mentor and one mentee; a group may have several mentees, or several
mentors with a group. A group is formed as a draft, becomes active with a «Приказ о формировании
наставнических пар (групп)», and ends completed or early with a reason.
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.db.base import Base, TenantMixin, Timestamps, Versioned, new_id, tenant_fk


class GroupStatus(StrEnum):
    DRAFT = "draft"
    """Formed by the curator; waits for its order."""
    ACTIVE = "active"
    COMPLETED = "completed"
    ENDED_EARLY = "ended_early"


class MemberRole(StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"


class MentoringGroup(TenantMixin, Versioned, Timestamps, Base):
    __tablename__ = "mentoring_group"
    __table_args__ = (
        tenant_fk("programme_id", "programme"),
        CheckConstraint("status IN ('draft', 'active', 'completed', 'ended_early')", name="status_known"),
        CheckConstraint("ends_on >= starts_on", name="term_ordered"),
        Index("ix_mentoring_group_programme", "org_id", "programme_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    programme_id: Mapped[uuid.UUID]
    form_code: Mapped[str] = mapped_column(String(64))
    role_model_code: Mapped[str | None] = mapped_column(String(64))
    kind_code: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=GroupStatus.DRAFT)
    score: Mapped[float | None]
    """The matching score when the group came from a suggestion the curator accepted."""
    reasons: Mapped[list[Any]] = mapped_column(JSONB, default=list)
    """Why matching suggested it, in Russian, kept beside the group for the curator."""
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(Text)
    result: Mapped[str] = mapped_column(Text, default="")


class GroupMember(TenantMixin, Base):
    __tablename__ = "group_member"
    __table_args__ = (
        tenant_fk("group_id", "mentoring_group"),
        tenant_fk("person_id", "person"),
        CheckConstraint("role IN ('mentor', 'mentee')", name="role_known"),
        Index("ix_group_member_person", "org_id", "person_id"),
    )

    group_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(16))


class MentoringOrder(TenantMixin, Timestamps, Base):
    """An order issued by the organisation, with the number and date it was signed under."""

    __tablename__ = "mentoring_order"
    __table_args__ = (
        tenant_fk("programme_id", "programme"),
        CheckConstraint("kind IN ('mentor_assignment', 'pairs_formation')", name="kind_known"),
        UniqueConstraint("org_id", "kind", "number", "issued_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    programme_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(32))
    number: Mapped[str] = mapped_column(String(50))
    issued_on: Mapped[date] = mapped_column(Date)


class OrderGroup(TenantMixin, Base):
    """A group listed in an order."""

    __tablename__ = "order_group"
    __table_args__ = (
        tenant_fk("order_id", "mentoring_order"),
        tenant_fk("group_id", "mentoring_group"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    group_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
