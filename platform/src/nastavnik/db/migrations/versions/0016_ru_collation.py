"""the ru_icu collation: people's names sort as a Russian reader expects («Ё» with «Е»)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A server built without ICU (the embedded PostgreSQL of the demo is one) still gets a collation of the
# name, so every query reads the same; there the ORDER BY's ё→е translation (db/collation.py) keeps «Ё»
# with «Е», and the Cyrillic alphabet is in code point order, which is the alphabet's order.
UPGRADE = """
DO $$
BEGIN
    -- Asking pg_collation is not enough: a build without ICU may still list ICU rows.
    CREATE COLLATION IF NOT EXISTS ru_icu (provider = icu, locale = 'ru-RU');
EXCEPTION WHEN OTHERS THEN
    CREATE COLLATION IF NOT EXISTS ru_icu FROM "C";
END
$$;
"""


def upgrade() -> None:
    op.execute(UPGRADE)


def downgrade() -> None:
    op.execute("DROP COLLATION IF EXISTS ru_icu")
