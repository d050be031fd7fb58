"""the aggregator reads a person's category and the day a mentor left the base: the involvement indicators

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06

The federal involvement indicators (``teachers_involved``, ``learners_involved``) count the pedagogical
workers and the learners of the running pairs and groups as mentors too. The statistics aggregator
therefore reads ``person.category`` (pedagogue, learner or staff: no name) beside the columns it read
already, and of ``mentor_profile`` only whose profile it is and the day they left the base of mentors:
never competencies, subjects, training or consent.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from nastavnik.db.rls import disable_aggregator_read, enable_aggregator_read, migration_roles

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MENTOR_PROFILE_READS = ("org_id", "person_id", "left_on")


def upgrade() -> None:
    roles = migration_roles()
    # person already has its aggregator_read policy (migration 0012): one more column of it.
    op.execute(f'GRANT SELECT (category) ON person TO "{roles.aggregator}"')
    enable_aggregator_read("mentor_profile", MENTOR_PROFILE_READS)


def downgrade() -> None:
    roles = migration_roles()
    disable_aggregator_read("mentor_profile")
    op.execute(f'REVOKE SELECT (category) ON person FROM "{roles.aggregator}"')
