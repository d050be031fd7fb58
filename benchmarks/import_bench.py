"""Importing a base of mentees of 10,000 rows from .xlsx, as a curator does it over HTTP.

Run from the repository root::

    uv run python -m benchmarks.import_bench [--rows 10000] [--runs 3]

Services as for the tests (``NASTAVNIK_TEST_DATABASE_URL``, ``NASTAVNIK_TEST_REDIS_URL``; defaults
127.0.0.1): the run makes a database and roles of its own and drops them at the end.

Each run builds a workbook shaped as curators keep it (a merged title row, headers on the third
row, dates as Excel dates and as дд.мм.гггг text, ё, double surnames, an «Итого» row), then times
the preview (``POST /api/o/{slug}/bases/mentees/import``: read, check every row, match) and the
commit (``POST …/import/{token}``: every row written in one transaction) in a fresh organisation.
The target of issue 4: at most 5 s for the import of 10,000 rows (preview and commit together).

A benchmark, not a test: it prints its figures and exits 0 whether the target is met or not.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import statistics
import time
from datetime import date, timedelta

from openpyxl import Workbook
from tests.support.http import client_for
from tests.support.tenant import new_tenant
from tests.support.world import build_world

from benchmarks.services import REDIS_PREFIX, clean_redis, services_from_environment
from nastavnik.logging import configure_logging
from nastavnik.testing import create_test_database, drop_test_database, migrated_runtime, settings_for
from nastavnik.web.app import create_app

TARGET_SECONDS = 5.0
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROOTS = (
    "Иван",
    "Смирн",
    "Кузнец",
    "Поп",
    "Васильев",
    "Сокол",
    "Михайл",
    "Новик",
    "Фёдор",
    "Мороз",
    "Волк",
    "Алекс",
    "Лебед",
    "Семён",
    "Егор",
    "Павл",
    "Козл",
    "Степан",
    "Никол",
    "Орл",
    "Андре",
    "Макар",
    "Никит",
    "Захар",
    "Зайц",
    "Солов",
    "Борис",
    "Яковл",
    "Григор",
    "Роман",
    "Воробь",
)
ENDINGS = ["ов", "ин", "енко", "ский"]
FIRST = ["Алексей", "Дмитрий", "Артём", "Иван", "Максим", "Егор", "Кирилл", "Фёдор", "Матвей", "Лев"]
MIDDLE = ["Сергеевич", "Андреевич", "Алексеевич", "Игоревич", "Олегович", "Петрович", "Ильич"]
REQUESTS = ["подготовка к ОГЭ по математике", "адаптация в классе", "проектная работа", "олимпиада по физике"]


def workbook(rows: int, seed: int) -> bytes:
    """``rows`` distinct learners aged 11 to 17 with their guardians' consent."""
    rng = random.Random(seed)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["База наставляемых на 2026/2027 учебный год"])
    sheet.merge_cells("A1:F1")
    sheet.append([])
    sheet.append(["№", "ФИО", "Дата рождения", "Класс", "Запросы", "Согласие законного представителя"])
    born_from = date(2009, 9, 1)
    seen: set[tuple[str, date]] = set()
    n = 0
    while n < rows:
        last = rng.choice(ROOTS) + rng.choice(ENDINGS)
        if rng.random() < 0.02:
            last = f"{last}-{rng.choice(ROOTS)}ов"
        name = f"{last} {rng.choice(FIRST)} {rng.choice(MIDDLE)}"
        born = born_from + timedelta(days=rng.randrange(0, 365 * 6))
        if (name, born) in seen:  # a real base has no two rows of one person
            continue
        seen.add((name, born))
        n += 1
        birth = born if n % 2 else born.strftime("%d.%m.%Y")
        sheet.append(
            [n, name, birth, f"{rng.randint(5, 11)}{rng.choice('АБВ')}", rng.choice(REQUESTS), "01.09.2026"]
        )
    sheet.append(["Итого", rows])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def one_run(app, runtime, world, content: bytes) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    tenant = await new_tenant(runtime, world)
    async with client_for(app, tenant.identities["curator"]) as curator:
        started = time.perf_counter()
        preview = await curator.post(
            f"/api/o/{tenant.slug}/bases/mentees/import", files={"file": ("base.xlsx", content, XLSX)}
        )
        previewed = time.perf_counter()
        body = preview.json()
        if preview.status_code != 200 or body["errors"]:
            raise RuntimeError(f"the preview refused the file: {preview.status_code} {str(body)[:500]}")
        commit = await curator.post(f"/api/o/{tenant.slug}/bases/mentees/import/{body['token']}")
        committed = time.perf_counter()
        if commit.status_code != 201:
            raise RuntimeError(f"the commit failed: {commit.status_code} {commit.text[:500]}")
        listed = await curator.get(f"/api/o/{tenant.slug}/bases/mentees")
    return previewed - started, committed - previewed, len(listed.json())


async def run(rows: int, runs: int) -> None:
    services = services_from_environment()
    db = await create_test_database(services, "importbench")
    runtime = None
    try:
        settings = settings_for(services, db, redis_prefix=REDIS_PREFIX, log_level="WARNING")
        configure_logging(settings)
        runtime = await migrated_runtime(settings)
        world = await build_world(runtime)
        app = create_app(runtime)
        content = workbook(rows, seed=7)
        print(f"== Import of a base of mentees: {rows} rows, .xlsx of {len(content) / 1024:.0f} KiB ==")
        totals = []
        for n in range(runs):
            preview, commit, stored = await one_run(app, runtime, world, content)
            totals.append(preview + commit)
            print(
                f"  run {n + 1}: preview {preview:6.2f} s   commit {commit:6.2f} s"
                f"   total {preview + commit:6.2f} s   people in the base afterwards: {stored}"
            )
        median = statistics.median(totals)
        verdict = "PASS" if median <= TARGET_SECONDS else "MISS"
        print(
            f"  median total {median:.2f} s, max {max(totals):.2f} s"
            f" (target: at most {TARGET_SECONDS:.0f} s)  {verdict}"
        )
    finally:
        if runtime is not None:
            await runtime.close()
        await drop_test_database(services, db)
        await clean_redis(services.redis_url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(run(args.rows, args.runs))


if __name__ == "__main__":
    main()
