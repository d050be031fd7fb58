"""Stage 7 documents over HTTP: the programme's report and the thank-you letters, read back as Word shows them.

One fresh organisation: mentors Сидорова and Кузнецов, young teachers Новикова, Белов and Орлова.
Сидорова – Новикова completes with a result, Кузнецов – Белов ends early, Кузнецов – Орлова is
formed and waits for its order; later it is ordered and completes too.
"""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

import docx
from docx.document import Document
from litestar import Litestar
from sqlalchemy import select

from nastavnik.models.audit import AuditEvent
from nastavnik.runtime import Runtime
from tests.support.dates import RegionDates
from tests.support.http import Client, client_for
from tests.support.programme import active_pair, form_group, issue_order, open_programme
from tests.support.tenant import Named, Tenant, add_mentee, add_mentor, new_tenant
from tests.support.world import World

PAIRS_ORDER = "Приказ о формировании наставнических пар (групп)"


def term_text(dates: RegionDates) -> str:
    """A pair's term, as the documents print it."""
    return f"01.09.{dates.year} – 31.05.{dates.year + 1}"


def opened(response: Any) -> Document:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    return docx.Document(io.BytesIO(response.content))


def paragraphs(document: Document) -> list[str]:
    return [p.text for p in document.paragraphs]


def rows(document: Document, *header: str) -> list[list[str]]:
    """The rows after the header of the one table whose header starts with ``header``."""
    (table,) = [
        t for t in document.tables if [c.text for c in t.rows[0].cells][: len(header)] == list(header)
    ]
    return [[cell.text for cell in row.cells] for row in table.rows[1:]]


def pages(document: Document) -> list[str]:
    """The document's text split at its page breaks."""
    found = [""]
    for paragraph in document.paragraphs:
        if paragraph._p.xpath('.//w:br[@w:type="page"]'):
            found.append("")
        else:
            found[-1] += paragraph.text + "\n"
    return found


async def end(
    curator: Client, tenant: Tenant, pid: str, group: dict[str, Any], how: str, text: str, dates: RegionDates
) -> None:
    field = "result" if how == "complete" else "reason"
    response = await curator.post(
        f"/api/o/{tenant.slug}/programmes/{pid}/groups/{group['id']}/{how}",
        json={"version": group["version"], field: text, "ended_on": str(dates.today)},
    )
    assert response.status_code == 200, response.text


async def test_the_report_and_the_letters_state_the_programme(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant = await new_tenant(runtime, world)
    sidorova = await add_mentor(runtime, tenant, Named("Сидорова", "Галина", "Петровна"), signs_in=True)
    kuznetsov = await add_mentor(runtime, tenant, Named("Кузнецов", "Олег", "Игоревич"))
    novikova = await add_mentee(runtime, tenant, Named("Новикова", "Нина", "Петровна"), signs_in=True)
    belov = await add_mentee(runtime, tenant, Named("Белов", "Павел", "Андреевич"))
    orlova = await add_mentee(runtime, tenant, Named("Орлова", "Анна", "Викторовна"))
    async with client_for(app, tenant.identities["curator"]) as curator:
        pid = await open_programme(curator, tenant)
        api = f"/api/o/{tenant.slug}/programmes/{pid}"
        pages_base = f"/o/{tenant.slug}/programmes/{pid}"
        documents = await curator.put(
            f"{api}/documents",
            json={
                "version": 1,
                "polozhenie_status": "approved",
                "polozhenie_order_no": "15-од",
                "polozhenie_order_date": str(dates.today),
                "programma_status": "draft",
            },
        )
        assert documents.status_code == 200, documents.text
        before_any = await curator.get(f"{api}/letters.docx")
        before_any_page = await curator.get(f"{pages_base}/letters.docx")
        page_before = await curator.get(pages_base)

        completed = await active_pair(curator, tenant, pid, sidorova, novikova)
        early = await active_pair(curator, tenant, pid, kuznetsov, belov)
        await end(curator, tenant, pid, completed, "complete", "Проведено 8 открытых уроков", dates)
        await end(curator, tenant, pid, early, "end-early", "Переезд наставляемого", dates)
        waiting = await form_group(curator, tenant, pid, kuznetsov, orlova)  # formed, no order yet

        report = opened(await curator.get(f"{api}/report.docx"))
        report_page = await curator.get(f"{pages_base}/report.docx")
        letters_response = await curator.get(f"{api}/letters.docx")
        letters = opened(letters_response)
        page_after = await curator.get(pages_base)

        # The waiting pair is ordered and completes: Кузнецов is thanked for Орлова, not for Белов.
        await issue_order(curator, tenant, pid, "31-од", waiting["id"])
        waiting = (await curator.get(f"{api}/groups/{waiting['id']}")).json()
        await end(curator, tenant, pid, waiting, "complete", "План выполнен", dates)
        final_report = opened(await curator.get(f"{api}/report.docx"))
        final_letters = opened(await curator.get(f"{pages_base}/letters.docx"))

    # Nothing completed yet: nobody to thank, said in Russian on both sides; the page offers no link.
    assert before_any.status_code == 422
    assert before_any.json()["detail"] == "Нет завершённых пар: благодарить пока некого."
    assert before_any_page.status_code == 422
    assert "Нет завершённых пар: благодарить пока некого." in before_any_page.text
    assert f"{pages_base}/report.docx" in page_before.text
    assert f"{pages_base}/letters.docx" not in page_before.text
    assert "появятся, когда завершится хотя бы одна пара" in page_before.text
    assert f"{pages_base}/letters.docx" in page_after.text

    text = paragraphs(report)
    assert text[:4] == [
        tenant.full_name,
        "ОТЧЁТ",
        f"о реализации программы наставничества на {dates.year}/{dates.year + 1} учебный год",
        "(наставничество педагогических работников)",
    ]
    assert f"Сведения по состоянию на {dates.today:%d.%m.%Y}." in text
    assert f"Положение о наставничестве: утверждено приказом от {dates.today:%d.%m.%Y} № 15-од." in text
    assert "Программа наставничества: в проекте, не утверждена." in text
    # The waiting pair has not started: only the two ordered pairs count, and their two mentors,
    # two mentees (Новикова, Белов), of whom one is covered (Белов's pair ended early).
    assert "Наставников, участвующих в программе: 2." in text
    assert "Наставляемых, участвующих в программе: 2." in text
    assert "Наставляемых, охваченных наставничеством (пара действует или завершена): 1." in text
    assert "Пар и групп: 2." in text
    # One completed of two ordered: 1 / 2 = 50 %.
    assert "Доля завершённых пар и групп: 50 %." in text
    assert "Кроме того, сформированы и ждут приказа о формировании: 1." in text
    assert rows(report, "Форма наставничества") == [
        ["Учитель – учитель", "0", "1", "1", "2"],
        ["Итого", "0", "1", "1", "2"],
    ]
    assert rows(report, "№", "Этап")[:2] == [
        ["1", "Подготовка условий для запуска программы", "текущий"],
        ["2", "Формирование базы наставляемых", "не начат"],
    ]
    ended = dates.today.strftime("%d.%m.%Y")
    # In the order the pairs were formed (same term): Сидорова's first.
    assert [r[1:] for r in rows(report, "№", "Наставник")] == [
        [
            "Сидорова Галина Петровна",
            "Новикова Нина Петровна",
            "Учитель – учитель",
            term_text(dates),
            f"завершена {ended}",
            "Проведено 8 открытых уроков",
        ],
        [
            "Кузнецов Олег Игоревич",
            "Белов Павел Андреевич",
            "Учитель – учитель",
            term_text(dates),
            f"завершена досрочно {ended}",
            "Переезд наставляемого",
        ],
    ]
    assert [(r[1], r[3]) for r in rows(report, "№", "Приказ")] == [(PAIRS_ORDER, ended), (PAIRS_ORDER, ended)]
    assert "Куратор программы наставничества ____________ И. С. Иванова" in text
    assert "Директор ____________ А. Н. Петров" in text
    # The places kept for the plans and the questionnaires stay out until those deliver.
    assert "6. Результаты мониторинга" not in text
    assert report_page.status_code == 200
    assert docx.Document(io.BytesIO(report_page.content)).paragraphs[0].text == tenant.full_name

    assert quote("Благодарственные письма наставникам") in letters_response.headers["content-disposition"]
    (only,) = pages(letters)
    assert "Уважаемая Галина Петровна!" in only
    assert "выражает благодарность Сидоровой Галине Петровне" in only
    assert "за работу с Новиковой Ниной Петровной," in only
    assert "Директор ____________ А. Н. Петров" in only
    assert "Кузнецов" not in only  # the mentor of the pair that ended early is not thanked

    final = paragraphs(final_report)
    # Two completed of three ordered: 2 / 3 = 66.7 %, rounded to 67 %.
    assert "Пар и групп: 3." in final
    assert "Доля завершённых пар и групп: 67 %." in final
    assert "Наставляемых, охваченных наставничеством (пара действует или завершена): 2." in final
    assert not any(line.startswith("Кроме того") for line in final)
    assert rows(final_report, "Форма наставничества")[-1] == ["Итого", "0", "2", "1", "3"]

    # A page per thanked mentor, in the order of their names; Белов (ended early) is in neither.
    kuznetsov_page, sidorova_page = pages(final_letters)
    assert "Уважаемый Олег Игоревич!" in kuznetsov_page
    assert "выражает благодарность Кузнецову Олегу Игоревичу" in kuznetsov_page
    assert "за работу с Орловой Анной Викторовной," in kuznetsov_page
    assert "Белов" not in kuznetsov_page
    assert "Уважаемая Галина Петровна!" in sidorova_page
    assert "Сидоровой Галине Петровне" in sidorova_page
    assert [line for page in (kuznetsov_page, sidorova_page) for line in page.split("\n")].count(
        "БЛАГОДАРСТВЕННОЕ ПИСЬМО"
    ) == 2

    async with runtime.owner_sessions() as db:
        exports = list(
            await db.scalars(
                select(AuditEvent.object_type).where(
                    AuditEvent.org_id == tenant.id, AuditEvent.action == "export"
                )
            )
        )
    # Reports: the API twice, the page once; letters: the API once, the page once (refusals leave none).
    assert sorted(exports) == ["programme_report"] * 3 + ["thank_you_letters"] * 2


async def test_only_the_curator_and_the_director_download_and_only_their_own(
    runtime: Runtime, app: Litestar, world: World, dates: RegionDates
) -> None:
    tenant = await new_tenant(runtime, world)
    mentor = await add_mentor(runtime, tenant, Named("Сидорова", "Галина", "Петровна"), signs_in=True)
    mentee = await add_mentee(runtime, tenant, Named("Новикова", "Нина", "Петровна"), signs_in=True)
    other = await new_tenant(runtime, world)
    async with client_for(app, tenant.identities["curator"]) as curator:
        pid = await open_programme(curator, tenant)
        group = await active_pair(curator, tenant, pid, mentor, mentee)
        await end(curator, tenant, pid, group, "complete", "План выполнен", dates)
    paths = [
        f"{prefix}/{tenant.slug}/programmes/{pid}/{name}"
        for prefix in ("/api/o", "/o")
        for name in ("report.docx", "letters.docx")
    ]
    statuses: dict[str, list[int]] = {}
    for who, identity in (
        ("director", tenant.identities["director"]),
        ("mentor", tenant.identities["mentor:Сидорова"]),
        ("mentee", tenant.identities["mentee:Новикова"]),
        ("another curator", other.identities["curator"]),
    ):
        async with client_for(app, identity) as client:
            statuses[who] = [(await client.get(path)).status_code for path in paths]
    async with client_for(app, other.identities["curator"]) as client:
        own_slug = [(await client.get(path.replace(tenant.slug, other.slug))).status_code for path in paths]
    assert statuses == {
        "director": [200, 200, 200, 200],
        "mentor": [403, 403, 403, 403],
        "mentee": [403, 403, 403, 403],
        "another curator": [404, 404, 404, 404],
    }
    assert own_slug == [404, 404, 404, 404]  # another organisation's programme is as unknown as none
