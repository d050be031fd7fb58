"""The schools plugin's own table: subject decades (предметные декады), tenant-owned."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik import Base, TenantMixin, Timestamps, new_id


class SubjectDecade(TenantMixin, Timestamps, Base):
    __tablename__ = "schools_subject_decade"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ordered"),)

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id"), primary_key=True, sort_order=-100
    )
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    subject_area: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
