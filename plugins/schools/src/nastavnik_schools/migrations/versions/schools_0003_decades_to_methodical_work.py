"""schools: subject decades move into the methodical work's building block

Revision ID: schools_0003
Revises: schools_0002
Create Date: 2026-12-06

A school's subject decades were this plugin's own table (a subject area, a title and dates). The core's
building block (migration 0018) holds them now, with their events, responsible teachers and results, as
associations of the shape «decade»: each row moves there under its own id, titled by its old title, in
the academic year its first day falls in (1 September – 31 August), and the old table goes. The
downgrade recreates the table and moves every dated decade back; the old table has no events, members
or notes, so those of a moved decade go with it, and a subject area longer than the old 200 characters
is cut there.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from nastavnik import disable_aggregator_read
from nastavnik_schools.migrations.versions import (
    schools_0001_subject_decades as created,
    schools_0002_statistics as granted,
)

revision: str = "schools_0003"
down_revision: str | Sequence[str] | None = "schools_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0018"

OLD = "schools_subject_decade"
# The academic year a day falls in, keyed by its start year (nastavnik.models.reference.AcademicYear).
START_YEAR = (
    "CAST(extract(year FROM starts_on) AS integer)"
    " - CASE WHEN extract(month FROM starts_on) < 9 THEN 1 ELSE 0 END"
)


def upgrade() -> None:
    outside = op.get_bind().scalar(
        sa.text(f"SELECT count(*) FROM {OLD} WHERE ({START_YEAR}) NOT BETWEEN 2000 AND 2100")
    )
    if outside:
        # The building block knows the academic years 2000–2100 only; a decade cannot be dropped silently.
        raise RuntimeError(
            f"{outside} subject decade(s) start outside the academic years 2000–2100:"
            " correct their dates, then migrate again"
        )
    op.execute(
        f"""
        INSERT INTO methodical_association (org_id, id, shape, academic_year, name, subject_area,
                                            starts_on, ends_on, summary, products, version,
                                            created_at, updated_at)
        SELECT org_id, id, 'decade', {START_YEAR}, title, subject_area, starts_on, ends_on, '', '', 1,
               created_at, updated_at
          FROM {OLD}
        """
    )
    disable_aggregator_read(OLD)
    op.drop_table(OLD)


def downgrade() -> None:
    # The table as schools_0001 created it and schools_0002 let the aggregator read it.
    created.upgrade()
    granted.upgrade()
    op.execute(
        f"""
        WITH moved AS (
            DELETE FROM methodical_association
             WHERE shape = 'decade' AND starts_on IS NOT NULL AND ends_on IS NOT NULL
            RETURNING org_id, id, subject_area, name, starts_on, ends_on, created_at, updated_at
        )
        INSERT INTO {OLD} (org_id, id, subject_area, title, starts_on, ends_on, created_at, updated_at)
        SELECT org_id, id, left(subject_area, 200), name, starts_on, ends_on, created_at, updated_at
          FROM moved
        """
    )
