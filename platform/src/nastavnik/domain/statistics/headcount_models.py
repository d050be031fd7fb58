"""An organisation's headcounts per academic year: the denominators of the regional indicators.

The region reads these (an explicit oversight policy) so that coverage can be
computed without any child's record leaving the organisation.
"""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.db.base import Base, TenantMixin, Timestamps


class Headcount(TenantMixin, Timestamps, Base):
    __tablename__ = "headcount"
    __table_args__ = (
        CheckConstraint(
            "learners_total >= 0 AND learners_10_18 >= 0 AND pedagogues >= 0 AND young_pedagogues >= 0",
            name="non_negative",
        ),
        CheckConstraint("learners_10_18 <= learners_total", name="learners_subset"),
        CheckConstraint("young_pedagogues <= pedagogues", name="young_subset"),
    )

    org_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id"), primary_key=True, sort_order=-100
    )
    academic_year: Mapped[int] = mapped_column(ForeignKey("academic_year.start_year"), primary_key=True)
    learners_total: Mapped[int] = mapped_column(default=0)
    learners_10_18: Mapped[int] = mapped_column(default=0)
    pedagogues: Mapped[int] = mapped_column(default=0)
    young_pedagogues: Mapped[int] = mapped_column(default=0)
