"""tenant policies check the membership once per statement, not once per row

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from nastavnik.db.rls import TENANT_MEMBER

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PER_ROW = "USING (org_id = nastavnik_current_org()) WITH CHECK (org_id = nastavnik_current_org())"


def _alter_every_tenant_policy(clause: str) -> None:
    # Every table made with enable_tenant_rls, the plugins' included, has its policy of this name.
    op.execute(
        f"""
        DO $$
        DECLARE t record;
        BEGIN
            FOR t IN SELECT schemaname, tablename FROM pg_policies WHERE policyname = 'tenant_member' LOOP
                EXECUTE format('ALTER POLICY tenant_member ON %I.%I {clause}', t.schemaname, t.tablename);
            END LOOP;
        END $$
        """
    )


def upgrade() -> None:
    _alter_every_tenant_policy(TENANT_MEMBER)


def downgrade() -> None:
    _alter_every_tenant_policy(PER_ROW)
