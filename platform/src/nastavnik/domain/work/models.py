"""The work of a pair or group (stage 6): the mentee's development plan and the mentor's journal.

A plan belongs to one mentee inside one group: a mentee of a group with several mentees has a
plan of their own. The journal belongs to the group: one entry per meeting, whoever of its
mentors (or the curator) wrote it down.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import CheckConstraint, Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.db.base import Base, TenantMixin, Timestamps, Versioned, clearing_fk, new_id, tenant_fk


class PlanItem(TenantMixin, Versioned, Timestamps, Base):
    """A line of the individual development plan: цель, задача, срок, отметка о выполнении, результат."""

    __tablename__ = "plan_item"
    __table_args__ = (
        tenant_fk("group_id", "mentoring_group"),
        # The plan is the mentee's personal data: destroying the person destroys their plan.
        tenant_fk("mentee_id", "person"),
        CheckConstraint("done = (done_on IS NOT NULL)", name="done_dated"),
        Index("ix_plan_item_group_mentee", "org_id", "group_id", "mentee_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    group_id: Mapped[uuid.UUID]
    mentee_id: Mapped[uuid.UUID]
    goal: Mapped[str] = mapped_column(String(500))
    task: Mapped[str] = mapped_column(String(1000))
    due_on: Mapped[date] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(default=False)
    done_on: Mapped[date | None] = mapped_column(Date)
    result: Mapped[str] = mapped_column(String(2000), default="")


class JournalEntry(TenantMixin, Versioned, Timestamps, Base):
    """A meeting in the mentor's journal: дата, тема, содержание, результат, задание."""

    __tablename__ = "journal_entry"
    __table_args__ = (
        tenant_fk("group_id", "mentoring_group"),
        # The journal is the group's record and outlives its author's person record: deleting the
        # person clears author_id (migration 0029).
        clearing_fk("author_id", "person"),
        Index("ix_journal_entry_group", "org_id", "group_id", "met_on"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    group_id: Mapped[uuid.UUID]
    author_id: Mapped[uuid.UUID | None]
    met_on: Mapped[date] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(300))
    content: Mapped[str] = mapped_column(String(5000), default="")
    result: Mapped[str] = mapped_column(String(2000), default="")
    assignment: Mapped[str] = mapped_column(String(2000), default="")
