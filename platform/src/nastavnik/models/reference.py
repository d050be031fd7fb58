"""Shared reference data: regions, municipalities, organisations (the tenants), academic years.

Nothing here is personal data: names and INNs of organisations are public registry facts.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nastavnik import clock
from nastavnik.db.base import Base, Timestamps, new_id


class Region(Base):
    __tablename__ = "region"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")


class Municipality(Base):
    __tablename__ = "municipality"
    __table_args__ = (UniqueConstraint("region_id", "name"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the region's administrator retired it: hidden from pickers, its history kept."""

    region: Mapped[Region] = relationship(lazy="raise")


class OrgStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


class Organisation(Base, Timestamps):
    """An educational organisation: the tenant. Its ``type`` must be declared by a loaded plugin."""

    __tablename__ = "organisation"
    __table_args__ = (
        CheckConstraint("inn ~ '^[0-9]{10}$'", name="inn_format"),
        CheckConstraint("slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'", name="slug_format"),
        CheckConstraint("status IN ('active', 'inactive')", name="status_known"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    municipality_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("municipality.id"), index=True)
    type: Mapped[str] = mapped_column(String(32))
    full_name: Mapped[str] = mapped_column(String(500))
    short_name: Mapped[str] = mapped_column(String(200))
    inn: Mapped[str] = mapped_column(String(10), unique=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=OrgStatus.ACTIVE)

    municipality: Mapped[Municipality] = relationship(lazy="raise")


class AcademicYear(Base):
    """An academic year, 1 September to 31 August, keyed by the year it starts in."""

    __tablename__ = "academic_year"
    __table_args__ = (CheckConstraint("ends_on > starts_on", name="ordered"),)

    start_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)

    @property
    def title(self) -> str:
        return f"{self.start_year}/{self.start_year + 1}"

    @staticmethod
    def bounds(start_year: int) -> tuple[date, date]:
        return date(start_year, 9, 1), date(start_year + 1, 8, 31)

    @staticmethod
    def start_year_of(day: date) -> int:
        return day.year if day.month >= 9 else day.year - 1


def current_start_year(timezone: str | None) -> int:
    """The academic year under way on the region's local date."""
    return AcademicYear.start_year_of(clock.today_in(timezone))
