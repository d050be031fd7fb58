"""The two documents of a pair's work: «Индивидуальный план развития» and «Журнал наставника».

``render_plan`` and ``render_journal`` fill the default templates (built by
``build_templates``), or a template a plugin or a region supplies instead. A plan's
template sees the ``PlanData`` attributes plus ``done``, ``total`` and ``progress`` (a whole
percentage); a journal's template sees the ``JournalData`` attributes.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

from nastavnik.domain.documents.docx import render
from nastavnik.domain.documents.names import PersonName

PLAN_TEMPLATE = "development_plan"
JOURNAL_TEMPLATE = "mentor_journal"
PLAN_TITLE = "Индивидуальный план развития"
JOURNAL_TITLE = "Журнал наставника"


@dataclass(frozen=True, slots=True)
class Progress:
    """How much of a plan is done; the percentage is rounded half up, so 1 of 8 is 13 %."""

    done: int
    total: int

    @property
    def percent(self) -> int:
        if self.total <= 0:
            return 0
        return (200 * self.done + self.total) // (2 * self.total)


@dataclass(frozen=True)
class PlanLine:
    goal: str
    task: str
    due_on: date
    done: bool
    done_on: date | None
    result: str


@dataclass(frozen=True)
class PlanData:
    organisation_full_name: str
    academic_year_title: str  # «2026/2027»
    mentee: PersonName
    mentors: list[PersonName]
    form_title: str
    kind_title: str
    starts_on: date
    ends_on: date
    items: list[PlanLine]


@dataclass(frozen=True)
class JournalLine:
    met_on: date
    topic: str
    content: str
    result: str
    assignment: str


@dataclass(frozen=True)
class JournalData:
    organisation_full_name: str
    academic_year_title: str
    mentors: list[PersonName]
    mentees: list[PersonName]
    form_title: str
    kind_title: str
    starts_on: date
    ends_on: date
    entries: list[JournalLine]


def default_template(name: str) -> bytes:
    return (files("nastavnik.domain.documents") / "templates" / f"{name}.docx").read_bytes()


def _fields(data: PlanData | JournalData) -> dict[str, Any]:
    return {field.name: getattr(data, field.name) for field in fields(data)}


def plan_context(data: PlanData) -> dict[str, Any]:
    progress = Progress(sum(1 for item in data.items if item.done), len(data.items))
    return {**_fields(data), "done": progress.done, "total": progress.total, "progress": progress.percent}


def render_plan(data: PlanData, template: bytes | Path | None = None) -> bytes:
    """The plan as .docx bytes; ``TemplateBroken`` if a supplied template cannot be filled."""
    return render(default_template(PLAN_TEMPLATE) if template is None else template, plan_context(data))


def render_journal(data: JournalData, template: bytes | Path | None = None) -> bytes:
    """The journal as .docx bytes; ``TemplateBroken`` if a supplied template cannot be filled."""
    return render(default_template(JOURNAL_TEMPLATE) if template is None else template, _fields(data))
