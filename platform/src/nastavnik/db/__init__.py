"""Database access: engines, the per-transaction scope, row-level security helpers, migrations."""
