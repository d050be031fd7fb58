"""A curator in a real browser: imports the base of mentees, forms a pair and downloads its order; plans a
subject decade and downloads the year's plan of decades.

Headless Debian Chromium driven by playwright over real HTTP to the app on a loopback port, the
way a curator's browser talks to the platform: forms, redirects, a file upload and a download.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import docx
import pytest
from litestar import Litestar
from playwright.async_api import Browser, async_playwright

from nastavnik.runtime import Runtime
from tests.methodical.support import decade, person
from tests.support.dates import RegionDates
from tests.support.http import forge_session, loopback_socket, serving
from tests.support.office import docx_text, xlsx
from tests.support.tenant import Named, add_mentor, new_tenant
from tests.support.world import World

CHROMIUM = shutil.which("chromium")
# Run as root on a closed network (docs/decisions.md): no sandbox, no calls home. Playwright gives every
# launch a fresh, empty profile of its own.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium (.ci/run does)")
        pytest.skip("no chromium on this machine: apt-get install chromium")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            yield launched
        finally:
            await launched.close()


def mentee_base() -> bytes:
    return xlsx(
        [
            ["Список молодых педагогов"],
            [],
            ["ФИО", "Кто", "Начало педагогической работы", "Запросы"],
            ["Новикова Нина Петровна", "молодой педагог", "01.09.2025", "методика уроков математики"],
            ["Итого", 1],
        ]
    )


async def test_a_curator_imports_pairs_and_downloads_the_order(
    runtime: Runtime,
    app: Litestar,
    world: World,
    browser: Browser,
    tmp_path: Path,
    dates: RegionDates,
) -> None:
    tenant = await new_tenant(runtime, world)
    await add_mentor(
        runtime,
        tenant,
        Named("Сидорова", "Галина", "Петровна"),
        competencies="методика преподавания математики",
        subjects="математика",
        capacity=2,
    )
    base_file = tmp_path / "база.xlsx"
    base_file.write_bytes(mentee_base())
    year = dates.year
    async with serving(app, loopback_socket()) as url:
        context = await browser.new_context(accept_downloads=True, locale="ru-RU")
        session = await forge_session(app, tenant.identities["curator"])
        await context.add_cookies([{"name": "session", "value": session, "url": url}])
        page = await context.new_page()

        await page.goto(f"{url}/o/{tenant.slug}/bases/mentees")
        await page.set_input_files("input[name=file]", str(base_file))
        await page.get_by_role("button", name="Проверить файл").click()
        await page.get_by_role("button", name="Загрузить").click()
        await page.wait_for_url(f"**/o/{tenant.slug}/bases/mentees**")
        assert "Новикова Нина Петровна" in await page.content()

        await page.goto(f"{url}/o/{tenant.slug}/programmes")
        await page.fill("input[name=academic_year]", str(year))
        await page.select_option("select[name=regime]", "pedagogues")
        await page.get_by_role("button", name="Открыть").click()
        await page.get_by_role("link", name="Наставнические пары и группы, подбор и приказы →").click()

        await page.get_by_role("button", name="Подобрать пары").click()
        suggestion = page.locator("#accept-form .suggestion").first
        assert "Новикова Нина Петровна" in await suggestion.inner_text()
        assert "Сидорова Галина Петровна" in await suggestion.inner_text()
        await page.get_by_role("button", name="Сформировать отмеченные пары").click()
        # The form posts and the page reloads: wait for the new page rather than read the one unloading.
        await page.get_by_text("сформирована, ждёт приказа").first.wait_for()

        order_form = page.locator("#order-form")
        await order_form.locator("input[name=number]").fill("23-од")
        await order_form.locator("input[name=issued_on]").fill(dates.today.isoformat())
        await order_form.get_by_role("button", name="Издать приказ").click()
        await page.get_by_text("действует").first.wait_for()

        async with page.expect_download() as waiting:
            await page.get_by_role("link", name="скачать .docx").click()
        download = await waiting.value
        saved = tmp_path / "order.docx"
        await download.save_as(saved)
        await context.close()
    assert download.suggested_filename.startswith("Приказ о формировании наставнических пар")
    document = docx.Document(str(saved))
    (table,) = document.tables
    assert [c.text for c in table.rows[1].cells][:3] == [
        "1",
        "Сидорова Галина Петровна",
        "Новикова Нина Петровна",
    ]
    assert any(p.text.endswith("№ 23-од") for p in document.paragraphs)


async def test_a_curator_plans_a_decade_on_the_pages_and_downloads_the_years_plan(
    runtime: Runtime,
    app: Litestar,
    world: World,
    browser: Browser,
    tmp_path: Path,
    dates: RegionDates,
) -> None:
    """The decade over ``decade(dates)`` (inside the academic year under way, around the region's today):
    created with its methodical association and dates, a responsible teacher, an open lesson and an
    olympiad, each form sent as a browser sends it; the year's plan downloaded from the list of decades."""
    first, last = decade(dates)
    tenant = await new_tenant(runtime, world)
    teacher = await person(runtime, tenant, Named("Кротов", "Илья", "Андреевич"))
    async with serving(app, loopback_socket()) as url:
        context = await browser.new_context(accept_downloads=True, locale="ru-RU")
        session = await forge_session(app, tenant.identities["curator"])
        await context.add_cookies([{"name": "session", "value": session, "url": url}])
        page = await context.new_page()

        decades = f"{url}/o/{tenant.slug}/methodical/decade"
        await page.goto(decades)
        await page.fill("input[name=name]", "Декада математики")
        await page.fill("input[name=subject_area]", "МО учителей математики")
        await page.fill("input[name=starts_on]", first.isoformat())
        await page.fill("input[name=ends_on]", last.isoformat())
        await page.get_by_role("button", name="Добавить").click()
        await page.get_by_role("heading", name="Декада математики", level=1).wait_for()

        responsible = page.locator("form[action$='/members']")
        await responsible.locator("select[name=person_id]").select_option(str(teacher))
        await responsible.get_by_role("button", name="Добавить").click()
        await page.get_by_role("cell", name="Кротов Илья Андреевич", exact=True).wait_for()

        for held_on, topic, form, classes in (
            (dates.today, "Решение текстовых задач", "open_lesson", "5А, 6Б"),
            (last, "Школьная олимпиада по математике", "olympiad", "5–9"),
        ):
            event = page.locator("form[action$='/events']")
            await event.locator("input[name=held_on]").fill(held_on.isoformat())
            await event.locator("input[name=topic]").fill(topic)
            await event.locator("select[name=form]").select_option(form)
            await event.locator("input[name=classes]").fill(classes)
            await event.locator("select[name=responsible_id]").select_option(str(teacher))
            await event.get_by_role("button", name="Запланировать").click()
            await page.get_by_role("link", name=topic, exact=True).wait_for()

        await page.get_by_role("link", name=f"← Предметные декады, {dates.year}/{dates.year + 1}").click()
        plan_link = page.get_by_role(
            "link", name=f"План проведения: Предметные декады на {dates.year}/{dates.year + 1}"
        )
        async with page.expect_download() as waiting:
            await plan_link.click()
        download = await waiting.value
        saved = tmp_path / "plan.docx"
        await download.save_as(saved)
        await context.close()
    assert (
        download.suggested_filename
        == f"План проведения — Предметные декады {dates.year}-{dates.year + 1}.docx"
    )
    text = docx_text(saved.read_bytes())
    assert f"План проведения: Предметные декады на {dates.year}/{dates.year + 1} учебный год" in text
    assert "Декада математики\nМО учителей математики" in text
    assert "Ответственный: Кротов Илья Андреевич." in text
    assert "Решение текстовых задач\nОткрытый урок\n5А, 6Б\nКротов И. А." in text
    assert "Школьная олимпиада по математике\nОлимпиада\n5–9\nКротов И. А." in text


async def test_pages_and_the_api_description_work_under_the_content_security_policy(
    app: Litestar,
    world: World,
    browser: Browser,
) -> None:
    """The browser enforces the policy: nothing on the pages or in Swagger UI is blocked by it."""
    org = world.orgs["school_a"]
    async with serving(app, loopback_socket()) as url:
        context = await browser.new_context(locale="ru-RU")
        session = await forge_session(app, org.identities["curator"])
        await context.add_cookies([{"name": "session", "value": session, "url": url}])
        page = await context.new_page()
        problems: list[str] = []
        page.on(
            "console",
            lambda m: problems.append(f"{m.text} ({m.location.get('url')})") if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: problems.append(str(e)))
        outside: list[str] = []
        page.on("request", lambda r: None if r.url.startswith(url) else outside.append(r.url))

        await page.goto(f"{url}/o/{org.slug}/people")
        await page.get_by_role("button", name="Выйти").wait_for()
        await page.goto(f"{url}/schema")
        await page.locator(".swagger-ui .info .title").filter(has_text="Наставник").wait_for()
        await page.locator(".opblock").first.wait_for()
        await context.close()
    assert not [p for p in problems if "Content Security Policy" in p or "Refused" in p], problems
    # A missing /favicon.ico is the only failure a browser may log (none is served).
    assert not [p for p in problems if not p.endswith("/favicon.ico)")], problems
    assert not outside, outside
