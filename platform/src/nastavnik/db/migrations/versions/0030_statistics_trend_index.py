"""the dashboards' trend read by an index of its own: an area's headline rows by indicator and date

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06

A dashboard draws a line per share and average over the academic year's snapshots: a snapshot a night
(and the fresh figures' ones of the day), so by May about 250 snapshots. The primary key of
``stat_area_value`` leads with (scope, scope_id, org_type, academic_year, as_of): the trend read every row
of every snapshot of the area, breakdowns included, to keep the headline rows of the shares. This partial
index holds only the headline rows, by indicator and date, and includes every column the trend and the
``area_read`` policy read, so the trend is an index-only scan of exactly its points.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0030"
down_revision: str | Sequence[str] | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE INDEX ix_stat_area_value_trend ON stat_area_value"
        " (scope, scope_id, org_type, academic_year, indicator, as_of)"
        " INCLUDE (numerator, denominator, respondents, reporting, region_id)"
        " WHERE breakdown = ''"
    )


def downgrade() -> None:
    op.execute("DROP INDEX ix_stat_area_value_trend")
