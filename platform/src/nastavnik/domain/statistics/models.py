"""Regional statistics: snapshots of the indicators per organisation, municipality and region.

A snapshot is one (scope, scope id, academic year, snapshot date). Every indicator keeps its numerator
and denominator, never only the ratio, so that the sums over organisations are exact and a share can be
recomputed at any level. Organisation rows are tenant rows (``org_id`` leads the key; a curator reads
their own, the region and the municipality read them through the oversight policy). Municipality and
region rows are the region's aggregates: shared tables whose policies name who may read them (see the
migration 0007 and docs/statistics.md). Only the aggregator role writes any of them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.db.base import Base, new_id


class AreaScope(StrEnum):
    MUNICIPALITY = "municipality"
    REGION = "region"


class StatOrgSnapshot(Base):
    """That an organisation's figures were computed for (academic year, snapshot date), and when."""

    __tablename__ = "stat_org_snapshot"
    __table_args__ = (Index("ix_stat_org_snapshot_region", "region_id", "academic_year", "as_of"),)

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id"), primary_key=True, sort_order=-100
    )
    academic_year: Mapped[int] = mapped_column(ForeignKey("academic_year.start_year"), primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, primary_key=True)
    region_id: Mapped[uuid.UUID]
    municipality_id: Mapped[uuid.UUID]
    org_type: Mapped[str] = mapped_column(String(32))
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class StatOrgValue(Base):
    """One indicator (or one line of its breakdown) of an organisation's snapshot."""

    __tablename__ = "stat_org_value"
    # No foreign key to its snapshot: only the recompute writes both, in one transaction, and a cascade
    # would delete the old rows one snapshot at a time instead of in one statement.
    __table_args__ = (
        Index("ix_stat_org_value_indicator", "academic_year", "as_of", "indicator", "breakdown"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, sort_order=-100)
    academic_year: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, primary_key=True)
    indicator: Mapped[str] = mapped_column(String(64), primary_key=True)
    breakdown: Mapped[str] = mapped_column(String(128), primary_key=True, default="")
    numerator: Mapped[int] = mapped_column(BigInteger)
    denominator: Mapped[int | None] = mapped_column(BigInteger)
    """NULL: no denominator (a count, or an organisation that gave no headcount: «нет данных»)."""
    respondents: Mapped[int | None] = mapped_column(BigInteger)
    """For averages: how many people answered; an average over fewer than five is not shown."""


class StatAreaSnapshot(Base):
    """A municipality's or the region's snapshot, per organisation type ('' = all types)."""

    __tablename__ = "stat_area_snapshot"
    __table_args__ = (
        CheckConstraint("scope IN ('municipality', 'region')", name="scope_known"),
        Index("ix_stat_area_snapshot_region", "region_id", "academic_year", "as_of"),
    )

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    scope_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    org_type: Mapped[str] = mapped_column(String(32), primary_key=True, default="")
    academic_year: Mapped[int] = mapped_column(ForeignKey("academic_year.start_year"), primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, primary_key=True)
    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"))
    municipality_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("municipality.id"))
    organisations: Mapped[int]
    """Active organisations in the scope."""
    computed: Mapped[int]
    """Of them, those whose figures for this snapshot exist (all of them after a regional recompute)."""
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class StatAreaValue(Base):
    """Sums of the organisations' numerators and denominators over a municipality or the region."""

    __tablename__ = "stat_area_value"
    __table_args__ = (
        Index("ix_stat_area_value_region", "region_id", "academic_year", "as_of"),
        # The dashboards' trend (migration 0030): headline rows only, everything it and the policy read.
        Index(
            "ix_stat_area_value_trend",
            "scope",
            "scope_id",
            "org_type",
            "academic_year",
            "indicator",
            "as_of",
            postgresql_include=["numerator", "denominator", "respondents", "reporting", "region_id"],
            postgresql_where=text("breakdown = ''"),
        ),
    )

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    scope_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    org_type: Mapped[str] = mapped_column(String(32), primary_key=True, default="")
    academic_year: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date, primary_key=True)
    indicator: Mapped[str] = mapped_column(String(64), primary_key=True)
    breakdown: Mapped[str] = mapped_column(String(128), primary_key=True, default="")
    numerator: Mapped[int] = mapped_column(BigInteger)
    denominator: Mapped[int | None] = mapped_column(BigInteger)
    respondents: Mapped[int | None] = mapped_column(BigInteger)
    reporting: Mapped[int]
    """Organisations whose figures entered the sums (for shares: those that gave a denominator)."""
    region_id: Mapped[uuid.UUID]
    municipality_id: Mapped[uuid.UUID | None]


class StatTarget(Base):
    """A region's target for a share indicator, in percent (e.g. 70 for learners covered)."""

    __tablename__ = "stat_target"
    __table_args__ = (CheckConstraint("target >= 0 AND target <= 100", name="target_range"),)

    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(64), primary_key=True)
    target: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    updated_by: Mapped[uuid.UUID | None]
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class StatRun(Base):
    """One complete recompute: written in the recompute's own transaction, so a crashed one leaves none."""

    __tablename__ = "stat_run"
    __table_args__ = (Index("ix_stat_run_region", "region_id", "finished_at"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"))
    scope: Mapped[str] = mapped_column(String(16))
    scope_id: Mapped[uuid.UUID]
    academic_year: Mapped[int]
    as_of: Mapped[date] = mapped_column(Date)
    organisations: Mapped[int]
    job_try: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class StatReport(Base):
    """A regional monitoring report the worker produces: the .xlsx table and the .docx analytic note."""

    __tablename__ = "stat_report"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status_known"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),
        Index("ix_stat_report_region", "region_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"))
    academic_year: Mapped[int]
    org_type: Mapped[str] = mapped_column(String(32), default="")
    as_of: Mapped[date | None] = mapped_column(Date)
    requested_by: Mapped[uuid.UUID | None]
    status: Mapped[str] = mapped_column(String(16), default=ReportStatus.QUEUED)
    progress: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    xlsx: Mapped[bytes | None] = mapped_column(LargeBinary)
    docx: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
