"""A mentoring programme: one per organisation, academic year and regime, run through seven stages.

The organisation's Положение and Программа are recorded here with their status, order number and
date: the region counts the organisations that have introduced the model from them.
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.db.base import Base, TenantMixin, Timestamps, Versioned, new_id, tenant_fk

STAGES = (
    "Подготовка условий для запуска программы",
    "Формирование базы наставляемых",
    "Формирование базы наставников",
    "Отбор и обучение наставников",
    "Формирование наставнических пар или групп",
    "Организация работы пар или групп",
    "Завершение наставничества",
)


class DocumentStatus(StrEnum):
    ABSENT = "absent"
    DRAFT = "draft"
    APPROVED = "approved"


class Programme(TenantMixin, Versioned, Timestamps, Base):
    __tablename__ = "programme"
    __table_args__ = (
        UniqueConstraint("org_id", "academic_year", "regime"),
        CheckConstraint("regime IN ('learners', 'pedagogues')", name="regime_known"),
        CheckConstraint("status IN ('open', 'closed')", name="status_known"),
        CheckConstraint("stage BETWEEN 1 AND 7", name="stage_range"),
        CheckConstraint("polozhenie_status IN ('absent', 'draft', 'approved')", name="polozhenie_known"),
        CheckConstraint("programma_status IN ('absent', 'draft', 'approved')", name="programma_known"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id"), primary_key=True, sort_order=-100
    )
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    academic_year: Mapped[int] = mapped_column(ForeignKey("academic_year.start_year"))
    regime: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")
    stage: Mapped[int] = mapped_column(default=1)
    polozhenie_status: Mapped[str] = mapped_column(String(16), default=DocumentStatus.ABSENT)
    polozhenie_order_no: Mapped[str | None] = mapped_column(String(50))
    polozhenie_order_date: Mapped[date | None] = mapped_column(Date)
    programma_status: Mapped[str] = mapped_column(String(16), default=DocumentStatus.ABSENT)
    programma_order_no: Mapped[str | None] = mapped_column(String(50))
    programma_order_date: Mapped[date | None] = mapped_column(Date)


class RoadmapItem(TenantMixin, Versioned, Timestamps, Base):
    """A line of the programme's roadmap: мероприятие, срок, ответственный, результат / вид документа.

    Edited under optimistic locking (migration 0025 added the version): a stale edit is refused.
    """

    __tablename__ = "roadmap_item"
    __table_args__ = (
        tenant_fk("programme_id", "programme"),
        CheckConstraint("stage BETWEEN 1 AND 7", name="stage_range"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    programme_id: Mapped[uuid.UUID]
    stage: Mapped[int]
    title: Mapped[str] = mapped_column(String(500))
    due_on: Mapped[date] = mapped_column(Date)
    responsible: Mapped[str] = mapped_column(String(200))
    result: Mapped[str] = mapped_column(String(500), default="")
    done: Mapped[bool] = mapped_column(default=False)


class RegionRoadmapItem(Base):
    """A line of a region's own default roadmap for one regime: shared reference data, no personal data.

    The due date is relative, so the same list serves every academic year: ``month`` of the academic
    year (1 is September, 12 is August) and ``day`` of that month (a day the month lacks means its last).
    A region with any line for a regime replaces the platform's default for that regime as a whole.
    """

    __tablename__ = "region_roadmap_item"
    __table_args__ = (
        CheckConstraint("regime IN ('learners', 'pedagogues')", name="regime_known"),
        CheckConstraint("stage BETWEEN 1 AND 7", name="stage_range"),
        CheckConstraint("month BETWEEN 1 AND 12", name="month_range"),
        CheckConstraint("day BETWEEN 1 AND 31", name="day_range"),
    )

    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"), primary_key=True)
    regime: Mapped[str] = mapped_column(String(16), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    stage: Mapped[int]
    month: Mapped[int]
    day: Mapped[int]
    title: Mapped[str] = mapped_column(String(500))
    responsible: Mapped[str] = mapped_column(String(200))
    result: Mapped[str] = mapped_column(String(500), default="")
