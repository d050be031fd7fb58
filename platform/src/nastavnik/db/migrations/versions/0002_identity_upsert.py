"""identities are created at first sign-in

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from nastavnik.db.rls import migration_roles

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A person signing in through Keycloak for the first time gets an identity row; the display
    # name follows the token. Nothing else of a shared table becomes writable.
    roles = migration_roles()
    op.execute(f'GRANT INSERT, UPDATE (display_name) ON identity TO "{roles.app}"')


def downgrade() -> None:
    roles = migration_roles()
    op.execute(f'REVOKE INSERT, UPDATE (display_name) ON identity FROM "{roles.app}"')
