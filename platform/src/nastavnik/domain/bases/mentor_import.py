"""The base of mentors read from a table: competencies, subjects, experience, capacity, status,
training, the date of written consent (Labour Code art. 351.8) and, for a learner who mentors a peer only,
the birth date (the federal indicator of learners aged 10–18 involved counts them by it).

A row matches on the normalised full name alone (most mentors have no birth date in the base): two
people of the organisation with that name are an ambiguous match, shown and not merged. A birth date on
the row of a pedagogue or staff member is an error (it is not kept); a learner's row without one loads
with a warning, for that learner is then left out of the indicator. A matched learner whose row states
no category is read as the row says (a pedagogue): its birth date asks for the category «обучающийся».
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.domain.bases import services as bases
from nastavnik.domain.bases.importing import BaseSpec, Known, ParsedRow, RowReader
from nastavnik.domain.bases.models import MentorProfile
from nastavnik.domain.bases.table_import import Column
from nastavnik.models.people import Person, PersonCategory, ProgrammeRole
from nastavnik.tenancy import OrgContext

# Synonyms are compared by their words (see table_import.recognise): «Стаж (лет)», «Стаж, лет»,
# «Согласие (дата)», «Макс. наставляемых» need no spelling of their own here.
COLUMNS = (
    Column("category", ("Категория",), required=False),
    Column("competencies", ("Компетенции", "Компетентности"), required=False),
    Column("subjects", ("Предметы", "Предмет", "Дисциплины", "Преподаваемые предметы"), required=False),
    Column("experience_years", ("Стаж", "Педагогический стаж", "Стаж работы", "Опыт работы"), required=False),
    Column(
        "capacity",
        (
            "Наставляемых не более",
            "Наставляемых не больше",
            "Не более наставляемых",
            "Количество наставляемых",
            "Кол во наставляемых",
            "Число наставляемых",
            "Макс наставляемых",
            "Наставляемых макс",
            "Лимит наставляемых",
            "Нагрузка",
        ),
        required=False,
    ),
    Column("status", ("Статус",), required=False),
    Column("training", ("Обучение", "Подготовка", "Курсы", "Повышение квалификации"), required=False),
    Column("consent_on", ("Согласие",), required=False),
    Column("birth_date", ("Дата рождения", "Рождения", "ДР"), required=False),
)
TITLES = {
    "category": "Категория",
    "competencies": "Компетенции",
    "subjects": "Предметы",
    "experience_years": "Стаж (лет)",
    "capacity": "Наставляемых не более",
    "status": "Статус",
    "training": "Обучение",
    "consent_on": "Дата согласия",
    "birth_date": "Дата рождения",
}
CATEGORIES = {
    "педагог": PersonCategory.PEDAGOGUE,
    "педагогический работник": PersonCategory.PEDAGOGUE,
    "учитель": PersonCategory.PEDAGOGUE,
    "преподаватель": PersonCategory.PEDAGOGUE,
    "воспитатель": PersonCategory.PEDAGOGUE,
    "сотрудник": PersonCategory.STAFF,
    "работник": PersonCategory.STAFF,
    "обучающийся": PersonCategory.LEARNER,
    "ученик": PersonCategory.LEARNER,
    "студент": PersonCategory.LEARNER,
}
CATEGORY_TITLES = {
    PersonCategory.PEDAGOGUE: "педагог",
    PersonCategory.STAFF: "сотрудник",
    PersonCategory.LEARNER: "обучающийся",
}
STATUSES = {
    "действующий": "current",
    "действующий наставник": "current",
    "резерв": "reserve",
    "в резерве": "reserve",
}


def read(r: RowReader) -> ParsedRow[bases.MentorDraft]:
    category = r.choice("category", CATEGORIES, "педагог, сотрудник или обучающийся")
    experience = r.number("experience_years")
    capacity = r.number("capacity")
    draft = bases.MentorDraft(
        competencies=r.text("competencies"),
        subjects=r.text("subjects"),
        experience_years=0 if experience is None else experience,
        capacity=1 if capacity is None else capacity,
        status=r.choice("status", STATUSES, "действующий или резерв") or "current",
        training=r.text("training"),
        consent_on=r.date("consent_on"),
        birth_date=r.date("birth_date"),
    )
    return ParsedRow(draft, category or PersonCategory.PEDAGOGUE, stated_category=category)


async def existing(db: AsyncSession, ctx: OrgContext) -> list[Known]:
    rows = await db.execute(
        select(Person.id, Person.last_name, Person.first_name, Person.middle_name).where(ctx.owns(Person))
    )
    return [Known(pid, last, first, middle, None) for pid, last, first, middle in rows]  # by the name alone


def warn(draft: bases.MentorDraft, today: date, category: str) -> list[tuple[str, str]]:
    """A mentor is loaded without written consent, but is assigned only once it is recorded; a learner
    mentor without a birth date is loaded, but the indicator of learners involved cannot count them."""
    warnings = []
    if draft.consent_on is None:
        warnings.append(
            (
                "consent_on",
                "нет письменного согласия наставника (ст. 351.8 Трудового кодекса РФ): "
                "наставником он станет, когда дата согласия будет внесена",
            )
        )
    if category == PersonCategory.LEARNER and draft.birth_date is None:
        warnings.append(
            (
                "birth_date",
                "обучающийся-наставник не будет учтён в показателе вовлечённости обучающихся: "
                "не указана дата рождения",
            )
        )
    return warnings


def describe(parsed: ParsedRow[bases.MentorDraft]) -> tuple[str, str]:
    return parsed.category, CATEGORY_TITLES[PersonCategory(parsed.category)]


MENTORS: BaseSpec[bases.MentorDraft] = BaseSpec(
    name="mentors",
    audit_object=audit.ObjectKind.MENTOR_IMPORT,
    columns_audit_object=audit.ObjectKind.MENTOR_IMPORT_COLUMNS,
    columns=COLUMNS,
    titles=TITLES,
    profile=MentorProfile,
    role=ProgrammeRole.MENTOR,
    read=read,
    validate=bases.validate_mentor,
    existing=existing,
    matched_by="ФИО",
    describe=describe,
    warn=warn,
)
