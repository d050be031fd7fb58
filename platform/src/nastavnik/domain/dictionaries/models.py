"""A region's own wording of the mentoring dictionaries: shared reference data, not personal data.

The institution plugins offer the forms, role models, kinds and durations of mentoring; a region
renames an entry, hides it from new pairs, or adds one of its own (regions issue their own acts,
docs/dictionaries.md). One row per (region, dictionary, regime, code, organisation type); an empty
organisation type means every type of the region. Existing groups keep their codes whatever the
region does: a row is never deleted, a hidden entry still names the groups formed under it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from nastavnik.db.base import Base, new_id

CODE_PATTERN = "^[a-z0-9_]{2,64}$"


class RegionDictionaryEntry(Base):
    __tablename__ = "region_dictionary_entry"
    __table_args__ = (
        CheckConstraint("kind IN ('form', 'role_model', 'kind', 'duration')", name="kind_known"),
        CheckConstraint("regime IN ('learners', 'pedagogues')", name="regime_known"),
        CheckConstraint(f"code ~ '{CODE_PATTERN}'", name="code_format"),
        CheckConstraint("NOT added OR title IS NOT NULL", name="added_has_title"),
        # An organisation type left empty is one value, «every type»: NULLS NOT DISTINCT (PostgreSQL 15).
        # The index leads with region_id, so it also serves loading a region's rows.
        UniqueConstraint(
            "region_id", "kind", "regime", "code", "organisation_type", postgresql_nulls_not_distinct=True
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    region_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("region.id"))
    kind: Mapped[str] = mapped_column(String(16))
    regime: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(64))
    organisation_type: Mapped[str | None] = mapped_column(String(32))
    title: Mapped[str | None] = mapped_column(String(200))
    """The region's title; empty: the plugin's own."""
    hidden: Mapped[bool] = mapped_column(default=False)
    added: Mapped[bool] = mapped_column(default=False)
    """The region's own entry, not a plugin's."""
    description: Mapped[str] = mapped_column(Text, default="")
    mentor_categories: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=list)
    """For an added form: the person categories that may mentor under it; empty: anyone."""
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    __mapper_args__ = {"version_id_col": version}
