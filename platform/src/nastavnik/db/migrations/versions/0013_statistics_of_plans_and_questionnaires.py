"""the aggregator reads the plans' ticks and the final questionnaires' scores, nothing else of them

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from nastavnik.db.rls import disable_aggregator_read, enable_aggregator_read

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Column by column: no goals, tasks or results of a plan, no free-text answer, never whose answer a
# score is beyond the assignment it belongs to (the indicators count, they do not read).
READS: dict[str, tuple[str, ...]] = {
    "plan_item": ("org_id", "group_id", "done", "done_on"),
    "questionnaire_assignment": ("org_id", "id", "group_id", "person_id", "role", "moment", "completed_at"),
    "questionnaire_answer": ("org_id", "assignment_id", "item_key", "score"),
}


def upgrade() -> None:
    for table, columns in READS.items():
        enable_aggregator_read(table, columns)


def downgrade() -> None:
    for table in READS:
        disable_aggregator_read(table)
