"""``nastavnik region create``, run as an operator runs it (a subprocess with the run's settings): the first
region and its administrator; a rerun changes nothing and says so; a conflicting rerun and missing or wrong
options are refused in Russian with nothing written."""

from __future__ import annotations

import asyncio
import enum
import os
import secrets
import sys

from pydantic import SecretStr
from sqlalchemy import func, select

from nastavnik.domain.administration.models import StaffAppointment
from nastavnik.models.reference import Region
from nastavnik.runtime import Runtime
from nastavnik.settings import Settings


def environment(settings: Settings) -> dict[str, str]:
    """The run's settings as the environment variables an operator would set (none of the caller's)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NASTAVNIK_")}
    for name in Settings.model_fields:
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, bool):
            value = "true" if value else "false"
        env[f"NASTAVNIK_{name.upper()}"] = str(value)
    return env


async def nastavnik(settings: Settings, *args: str) -> tuple[int, str]:
    """Exit code and output (stdout and stderr) of ``nastavnik <args>``."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "nastavnik.cli",
        *args,
        env=environment(settings),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    return int(process.returncode or 0), out.decode()


def create_args(code: str, **changes: str) -> list[str]:
    options = {
        "--code": code,
        "--name": "Ханты-Мансийский автономный округ — Югра",
        "--timezone": "Asia/Yekaterinburg",
        "--admin-email": f"admin.{code.lower()}@edu.example",
        "--admin-last-name": "Администраторова",
        "--admin-first-name": "Анна",
        **changes,
    }
    return ["region", "create", *(part for pair in options.items() for part in pair)]


async def regions_with(runtime: Runtime, code: str) -> tuple[int, int]:
    """(regions with the code, appointments in them)."""
    async with runtime.owner_sessions() as db:
        regions = list(await db.scalars(select(Region.id).where(Region.code == code)))
        appointments = await db.scalar(select(func.count()).where(StaffAppointment.region_id.in_(regions)))
    return len(regions), int(appointments or 0)


async def test_region_create_is_idempotent_and_explains_conflicts(runtime: Runtime) -> None:
    settings = runtime.settings
    code = f"C{secrets.token_hex(3)}"
    first = await nastavnik(settings, *create_args(code))
    assert first[0] == 0, first[1]
    assert f"(код {code}) создан." in first[1]
    assert "вход через Keycloak не настроен" in first[1]  # the test runtime has no Keycloak
    assert await regions_with(runtime, code) == (1, 2)  # the administrator and the region staff

    again = await nastavnik(settings, *create_args(code))
    assert again[0] == 0, again[1]
    assert f"(код {code}) уже создан; ничего не изменено." in again[1]
    assert await regions_with(runtime, code) == (1, 2)

    conflicting = await nastavnik(
        settings, *create_args(code, **{"--timezone": "Europe/Moscow", "--admin-email": "other@edu.example"})
    )
    assert conflicting[0] == 1
    assert f"Регион с кодом {code} уже есть, но с другими данными" in conflicting[1]
    assert "часовой пояс Asia/Yekaterinburg (в команде Europe/Moscow)" in conflicting[1]
    assert "(в команде other@edu.example)" in conflicting[1]
    assert "Ничего не изменено" in conflicting[1]
    assert await regions_with(runtime, code) == (1, 2)
    async with runtime.owner_sessions() as db:
        region = (await db.scalars(select(Region).where(Region.code == code))).one()
    assert region.timezone == "Asia/Yekaterinburg"


async def test_region_create_refuses_what_is_missing_or_wrong(runtime: Runtime) -> None:
    settings = runtime.settings
    code = f"M{secrets.token_hex(3)}"
    missing = await nastavnik(settings, "region", "create", "--code", code, "--name", "Край")
    wrong = await nastavnik(
        settings, *create_args(code, **{"--timezone": "UTC+5", "--admin-email": "anna-at-edu"})
    )
    assert missing[0] == 1
    assert (
        "Отказано: не указано: --timezone, --admin-email, --admin-last-name, --admin-first-name."
        in missing[1]
    )
    assert wrong[0] == 1
    assert "--timezone: укажите часовой пояс из базы IANA" in wrong[1]
    assert "--admin-email: укажите адрес вида имя@school.ru" in wrong[1]
    assert await regions_with(runtime, code) == (0, 0)
