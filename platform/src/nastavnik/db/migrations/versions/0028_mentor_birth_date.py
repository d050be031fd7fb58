"""the base of mentors keeps a learner mentor's birth date, and the aggregator may read it

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06

A learner who mentors a peer («ученик – ученик», «студент – студент») counts in the federal indicator
``learners_involved`` only if aged 10 to 18; a learner who is in the base of mentors alone had no birth date
anywhere. ``mentor_profile.birth_date`` holds it, for learners only (the service refuses it for an adult
mentor: 152-FZ, no more than the purpose needs). The statistics aggregator reads the date, never a name
(0023 granted it ``org_id, person_id, left_on`` of the table).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from nastavnik.db.rls import migration_roles

revision: str = "0028"
down_revision: str | Sequence[str] | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECK = "ck_mentor_profile_birth_date_sensible"
SENSIBLE = "birth_date IS NULL OR birth_date > DATE '1900-01-01'"


def upgrade() -> None:
    op.add_column("mentor_profile", sa.Column("birth_date", sa.Date(), nullable=True))
    # Sensible dates only: the service checks a learner's age on the region's day (7 to 25 years).
    op.create_check_constraint(op.f(CHECK), "mentor_profile", SENSIBLE)
    op.execute(f'GRANT SELECT (birth_date) ON mentor_profile TO "{migration_roles().aggregator}"')


def downgrade() -> None:
    op.execute(f'REVOKE SELECT (birth_date) ON mentor_profile FROM "{migration_roles().aggregator}"')
    op.drop_constraint(op.f(CHECK), "mentor_profile", type_="check")
    op.drop_column("mentor_profile", "birth_date")
