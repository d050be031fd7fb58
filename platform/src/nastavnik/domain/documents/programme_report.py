"""«Отчёт о реализации программы наставничества»: the programme's state as a .docx.

``render_report`` fills the default template, or one a plugin or a region supplies; a
template sees the ``ReportData`` attributes. Two of them are places kept for parts other
modules deliver: ``plan_completion`` (the individual plans' completion, percent) and
``satisfaction`` (the questionnaires' averages). They are optional in a template too: the
default one tests them with ``is defined``, and shows its monitoring section only when one of
them has something in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

from nastavnik.domain.documents.docx import date_ru, render
from nastavnik.domain.documents.names import PersonName

TEMPLATE = "programme_report"
REGIME_TITLES = {
    "learners": "наставничество обучающихся",
    "pedagogues": "наставничество педагогических работников",
}


@dataclass(frozen=True)
class FoundingDocument:
    """The Положение or the Программа as the report states it."""

    title: str  # «Положение о наставничестве»
    state: str  # «утверждено приказом от 01.09.2026 № 15-од», «в проекте», «не разработано»
    order_number: str | None
    order_date: date | None


def founding_document(
    title: str, status: str, order_number: str | None, order_date: date | None, *, feminine: bool
) -> FoundingDocument:
    """``status`` is absent, draft or approved; ``feminine`` agrees the words with «Программа»."""
    ending = "а" if feminine else "о"
    if status == "approved":
        if order_number and order_date:
            state = f"утвержден{ending} приказом от {date_ru(order_date)} № {order_number}"
        else:
            state = f"утвержден{ending} (номер и дата приказа не указаны)"
    elif status == "draft":
        state = "в проекте, не утвержден" + ending
    else:
        state = "не разработан" + ending
    return FoundingDocument(title, state, order_number, order_date)


@dataclass(frozen=True)
class StageLine:
    number: int
    title: str
    done: bool
    state: str  # «завершён», «текущий», «не начат»


@dataclass(frozen=True)
class StatusCounts:
    """Pairs and groups of one form (or of all: ``form_title`` «Итого») by status."""

    form_title: str
    active: int
    completed: int
    ended_early: int
    total: int


@dataclass(frozen=True)
class PairLine:
    mentors: list[PersonName]
    mentees: list[PersonName]
    form_title: str
    kind_title: str
    starts_on: date
    ends_on: date
    ended_on: date | None
    status_title: str  # «действует», «завершена», «завершена досрочно»
    outcome: str  # the results of a completed pair, the reason of one ended early; else empty


@dataclass(frozen=True)
class OrderLine:
    title: str  # «Приказ о формировании наставнических пар (групп)»
    number: str
    issued_on: date


@dataclass(frozen=True)
class SatisfactionLine:
    """One questionnaire item's average over its respondents (1–10 scales)."""

    item: str
    average: float
    respondents: int


@dataclass(frozen=True)
class ReportData:
    organisation_full_name: str
    organisation_short_name: str
    academic_year_title: str  # «2026/2027»
    regime_title: str  # «наставничество обучающихся»
    closed: bool  # the academic year is closed: the report is final
    drawn_up_on: date  # the report states the programme as of this day
    documents: list[FoundingDocument]
    stages: list[StageLine]
    mentors_taking_part: int  # in a pair or group under an order
    mentees_taking_part: int
    mentees_covered: int  # in a pair or group that works or has completed
    groups_total: int  # pairs and groups under an order
    by_form: list[StatusCounts]
    totals: StatusCounts
    awaiting_order: int  # formed, waiting for the order: not in the figures above
    completed_share: int | None  # completed of groups_total, percent; None without groups
    pairs: list[PairLine]
    orders: list[OrderLine]
    curator: PersonName | None
    director: PersonName | None
    # Delivered by the individual plans and the questionnaires when those exist; until then
    # None and empty, and the template leaves their section out.
    plan_completion: int | None = None
    satisfaction: list[SatisfactionLine] = field(default_factory=list)


def default_template() -> bytes:
    return (files("nastavnik.domain.documents") / "templates" / f"{TEMPLATE}.docx").read_bytes()


def report_context(data: ReportData) -> dict[str, Any]:
    return {item.name: getattr(data, item.name) for item in fields(data)}


def render_report(data: ReportData, template: bytes | Path | None = None) -> bytes:
    """The report as .docx bytes; ``TemplateBroken`` if a supplied template cannot be filled."""
    return render(default_template() if template is None else template, report_context(data))
