"""colleges: the statistics aggregator counts partners with an agreement and students on internship

Revision ID: colleges_0002
Revises: colleges_0001
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

from nastavnik import disable_aggregator_read, enable_aggregator_read

revision: str = "colleges_0002"
down_revision: str | Sequence[str] | None = "colleges_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0012"  # the aggregator's grants on group_member

# What the regional indicators count, nothing else: no names, INNs, places or contacts.
READS = {
    "colleges_partner": ("org_id", "id", "agreement_date"),
    "colleges_internship": ("org_id", "id", "group_id", "starts_on", "ends_on"),
}


def upgrade() -> None:
    for table, columns in READS.items():
        enable_aggregator_read(table, columns)


def downgrade() -> None:
    for table in READS:
        disable_aggregator_read(table)
