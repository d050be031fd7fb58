"""The environment of a real ``nastavnik`` command started by a test as a process of its own."""

from __future__ import annotations

import os

from nastavnik.runtime import Runtime


def command_env(runtime: Runtime, **settings: str) -> dict[str, str]:
    """This process's environment without any ``NASTAVNIK_`` variable of its own, plus the run's database,
    roles and Redis of ``runtime``, plus ``settings`` (``log_format="json"`` → ``NASTAVNIK_LOG_FORMAT``)."""
    s = runtime.settings
    env = {k: v for k, v in os.environ.items() if not k.startswith("NASTAVNIK_")}
    env.update(
        {
            "NASTAVNIK_DATABASE_URL": str(s.database_url),
            "NASTAVNIK_REDIS_URL": str(s.redis_url),
            "NASTAVNIK_REDIS_PREFIX": s.redis_prefix,
            "NASTAVNIK_DB_APP_ROLE": s.db_app_role,
            "NASTAVNIK_DB_AUDITOR_ROLE": s.db_auditor_role,
            "NASTAVNIK_DB_AGGREGATOR_ROLE": s.db_aggregator_role,
            "NASTAVNIK_DB_PROVISIONER_ROLE": s.db_provisioner_role,
        }
    )
    env.update({f"NASTAVNIK_{name.upper()}": value for name, value in settings.items()})
    return env
