"""schools: the statistics aggregator counts subject decades

Revision ID: schools_0002
Revises: schools_0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from nastavnik import disable_aggregator_read, enable_aggregator_read

revision: str = "schools_0002"
down_revision: str | Sequence[str] | None = "schools_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = "0007"


def upgrade() -> None:
    # What the regional indicator counts: which organisation, when; not the titles.
    enable_aggregator_read("schools_subject_decade", ("org_id", "id", "starts_on", "ends_on"))


def downgrade() -> None:
    disable_aggregator_read("schools_subject_decade")
