"""The colleges plugin's own tables, tenant-owned: the registry of partner enterprises (предприятия-партнёры),
the link of a partner's representatives to their person in the college, and internships (практика) of the
pairs of the employer form.

A partner is not deleted while it has representatives or internships (``RESTRICT``): the service refuses
first, in Russian, and the database holds the line if a service forgot. A person or a pair removed in the
core takes its link or its internships with it (``CASCADE``).
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik import Base, TenantMixin, Timestamps, Versioned, new_id, tenant_fk


class Partner(TenantMixin, Versioned, Timestamps, Base):
    __tablename__ = "colleges_partner"
    __table_args__ = (
        UniqueConstraint("org_id", "inn", name="uq_colleges_partner_inn"),
        # An agreement is named by its number and date together, or not at all.
        CheckConstraint("(agreement_number IS NULL) = (agreement_date IS NULL)", name="agreement_whole"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id"), primary_key=True, sort_order=-100
    )
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(300))
    inn: Mapped[str] = mapped_column(String(12))
    activity: Mapped[str] = mapped_column(String(300))
    """Сфера деятельности."""
    agreement_number: Mapped[str | None] = mapped_column(String(50))
    agreement_date: Mapped[date | None] = mapped_column(Date)
    """The cooperation agreement (договор о сотрудничестве): a partner with one counts in the statistics."""
    contact: Mapped[str] = mapped_column(String(300), default="")
    """The enterprise's contact for the college (a department, a phone), as the curator writes it."""


class Representative(TenantMixin, Base):
    """A partner's specialist who mentors students: a person of the college, invited through the core."""

    __tablename__ = "colleges_representative"
    __table_args__ = (
        tenant_fk("person_id", "person"),
        tenant_fk("partner_id", "colleges_partner", ondelete="RESTRICT"),
        Index("ix_colleges_representative_partner", "org_id", "partner_id"),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    partner_id: Mapped[uuid.UUID]
    position: Mapped[str] = mapped_column(String(200))
    """Their post at the enterprise (должность)."""


class Internship(TenantMixin, Timestamps, Base):
    """A pair's internship (практика) at a partner enterprise."""

    __tablename__ = "colleges_internship"
    __table_args__ = (
        tenant_fk("group_id", "mentoring_group"),
        tenant_fk("partner_id", "colleges_partner", ondelete="RESTRICT"),
        CheckConstraint("ends_on > starts_on", name="ordered"),
        Index("ix_colleges_internship_partner", "org_id", "partner_id"),
        Index("ix_colleges_internship_group", "org_id", "group_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    group_id: Mapped[uuid.UUID]
    partner_id: Mapped[uuid.UUID]
    place: Mapped[str] = mapped_column(String(300))
    """Where and as whom (подразделение, должность практиканта)."""
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
