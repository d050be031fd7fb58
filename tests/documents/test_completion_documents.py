"""The stage 7 documents rendered without a database: the report's optional places, the letters' wording."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest

from nastavnik.domain.documents.docx import render
from nastavnik.domain.documents.names import PersonName
from nastavnik.domain.documents.programme_report import (
    OrderLine,
    PairLine,
    ReportData,
    SatisfactionLine,
    StageLine,
    StatusCounts,
    default_template as report_template,
    founding_document,
    render_report,
    report_context,
)
from nastavnik.domain.documents.thank_you_letters import (
    Letter,
    LettersData,
    default_template as letters_template,
    render_letters,
)
from nastavnik_dev.documents import build_completion_templates, build_templates
from tests.support.office import docx_paragraphs

SIDOROVA = PersonName("Сидорова", "Галина", "Петровна")
NOVIKOVA = PersonName("Новикова", "Нина", "Петровна")


def _report(**changes: object) -> ReportData:
    values: dict[str, object] = {
        "organisation_full_name": "Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 1»",
        "organisation_short_name": "МБОУ «СШ № 1»",
        "academic_year_title": "2026/2027",
        "regime_title": "наставничество обучающихся",
        "closed": True,
        "drawn_up_on": date(2027, 6, 1),
        "documents": [founding_document("Положение о наставничестве", "absent", None, None, feminine=False)],
        "stages": [StageLine(1, "Подготовка условий для запуска программы", True, "завершён")],
        "mentors_taking_part": 1,
        "mentees_taking_part": 1,
        "mentees_covered": 1,
        "groups_total": 1,
        "by_form": [StatusCounts("Ученик – ученик", 0, 1, 0, 1)],
        "totals": StatusCounts("Итого", 0, 1, 0, 1),
        "awaiting_order": 0,
        "completed_share": 100,
        "pairs": [
            PairLine(
                [SIDOROVA],
                [NOVIKOVA],
                "Ученик – ученик",
                "Традиционное",
                date(2026, 9, 1),
                date(2027, 5, 31),
                date(2027, 5, 20),
                "завершена",
                "Итоги <b>жирным</b> & без разметки",
            )
        ],
        "orders": [OrderLine("Приказ о формировании наставнических пар (групп)", "17-од", date(2026, 9, 1))],
        "curator": None,
        "director": PersonName("Иванов", "Пётр", "Ильич"),
    }
    values.update(changes)
    return ReportData(**values)  # type: ignore[arg-type]


def _cells(data: bytes) -> list[list[str]]:
    document = docx.Document(io.BytesIO(data))
    return [[c.text for c in row.cells] for table in document.tables for row in table.rows]


@pytest.mark.parametrize(
    ("status", "number", "day", "feminine", "state"),
    [
        ("approved", "15-од", date(2026, 8, 30), False, "утверждено приказом от 30.08.2026 № 15-од"),
        ("approved", None, None, True, "утверждена (номер и дата приказа не указаны)"),
        ("draft", None, None, True, "в проекте, не утверждена"),
        ("absent", None, None, False, "не разработано"),
    ],
)
def test_founding_documents_are_stated_in_words(
    status: str, number: str | None, day: date | None, feminine: bool, state: str
) -> None:
    assert founding_document("Положение", status, number, day, feminine=feminine).state == state


def test_a_closed_year_without_monitoring_data_leaves_its_section_out() -> None:
    data = render_report(_report())
    text = docx_paragraphs(data)
    assert "Сведения по состоянию на 01.06.2027; учебный год закрыт, программа завершена." in text
    assert "Положение о наставничестве: не разработано." in text
    assert "Доля завершённых пар и групп: 100 %." in text
    assert not any(line.startswith("6.") or line.startswith("Выполнение") for line in text)
    # No curator named: the line keeps its place for a signature by hand.
    assert "Куратор программы наставничества ____________ " in text
    assert "Директор ____________ П. И. Иванов" in text
    # User text is shown literally, never as markup.
    assert "Итоги <b>жирным</b> & без разметки" in {cell for row in _cells(data) for cell in row}


def test_the_plans_and_the_questionnaires_fill_their_places() -> None:
    data = render_report(
        _report(
            plan_completion=82,
            satisfaction=[
                SatisfactionLine("Полезность встреч", 7.46, 12),
                SatisfactionLine("Комфорт общения", 9.0, 11),
            ],
        )
    )
    text = docx_paragraphs(data)
    assert "6. Результаты мониторинга" in text
    assert "Выполнение индивидуальных планов развития: 82 %." in text
    cells = _cells(data)
    assert ["Полезность встреч", "7,5", "12"] in cells
    assert ["Комфорт общения", "9,0", "11"] in cells


def test_without_groups_the_report_says_so() -> None:
    text = docx_paragraphs(
        render_report(
            _report(
                groups_total=0,
                by_form=[],
                totals=StatusCounts("Итого", 0, 0, 0, 0),
                completed_share=None,
                pairs=[],
                orders=[],
                awaiting_order=2,
            )
        )
    )
    assert "Доля завершённых пар и групп: —." in text
    assert "Кроме того, сформированы и ждут приказа о формировании: 2." in text
    assert "Наставнических пар и групп по приказу пока нет." in text
    assert "Приказов по программе не издано." in text


def test_a_caller_may_leave_the_optional_places_out_of_the_context() -> None:
    context = report_context(_report())
    del context["plan_completion"], context["satisfaction"]
    assert "Пар и групп: 1." in docx_paragraphs(render(report_template(), context))


def _letters(*letters: Letter) -> bytes:
    return render_letters(
        LettersData(
            organisation_full_name="Муниципальное бюджетное общеобразовательное учреждение «Гимназия № 2»",
            organisation_short_name="МБОУ «Гимназия № 2»",
            academic_year_title="2026/2027",
            issued_on=date(2027, 5, 31),
            director=PersonName("Петров", "Алексей", "Николаевич"),
            letters=list(letters),
        )
    )


def test_a_letter_names_the_mentor_and_the_mentees_in_their_cases() -> None:
    text = "\n".join(
        docx_paragraphs(
            _letters(
                Letter(
                    PersonName("Кузнецов", "Олег", "Игоревич"),
                    [NOVIKOVA, PersonName("Орлова", "Анна", "Викторовна"), PersonName("Белов", "Павел")],
                )
            )
        )
    )
    assert "Уважаемый Олег Игоревич!" in text
    assert (
        "Администрация МБОУ «Гимназия № 2» выражает благодарность Кузнецову Олегу Игоревичу за"
        " добросовестную и плодотворную наставническую деятельность в 2026/2027 учебном году, за работу"
        " с Новиковой Ниной Петровной, Орловой Анной Викторовной и Беловым Павлом," in text
    )
    assert "31 мая 2027 г." in text
    assert "Директор ____________ А. Н. Петров" in text


def test_a_greeting_the_rules_cannot_tell_the_gender_of_reads_both_ways() -> None:
    text = docx_paragraphs(_letters(Letter(PersonName("Белых", "Саша"), [NOVIKOVA])))
    assert "Уважаемый(ая) Саша!" in text


def test_one_page_per_letter_without_a_blank_page_at_the_end() -> None:
    data = _letters(
        Letter(SIDOROVA, [NOVIKOVA]), Letter(PersonName("Кузнецов", "Олег", "Игоревич"), [NOVIKOVA])
    )
    document = docx.Document(io.BytesIO(data))
    assert len(document.element.body.xpath('.//w:br[@w:type="page"]')) == 1
    assert [p.text for p in document.paragraphs].count("БЛАГОДАРСТВЕННОЕ ПИСЬМО") == 2
    assert document.paragraphs[-1].text == "31 мая 2027 г."


@pytest.mark.parametrize(
    ("name", "committed"),
    [("programme_report", report_template), ("thank_you_letters", letters_template)],
)
def test_default_templates_are_the_build_scripts_output(name: str, committed: object) -> None:
    content = committed()  # type: ignore[operator]
    assert len(content) < 100 * 1024
    assert content == build_templates.build(name, build_completion_templates.BUILDERS), (
        "run python -m nastavnik_dev.documents.build_completion_templates"
    )
    title = docx.Document(io.BytesIO(content)).core_properties.title
    assert title in {"Отчёт о реализации программы наставничества", "Благодарственное письмо"}
