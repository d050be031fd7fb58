"""The base of mentees read from a table: learners with birth date and class, young teachers with the
date they started; matched on the full name and the birth date."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.domain.bases import services as bases
from nastavnik.domain.bases.importing import BaseSpec, Known, ParsedRow, RowReader
from nastavnik.domain.bases.models import MenteeProfile
from nastavnik.domain.bases.table_import import Column
from nastavnik.models.people import Person, PersonCategory, ProgrammeRole
from nastavnik.tenancy import OrgContext

# Synonyms are compared by their words (see table_import.recognise): «Дата рождения (дд.мм.гггг)»,
# «Класс/группа», «Запрос (трудности)», «Согласие (дата)» need no spelling of their own here.
COLUMNS = (
    Column("birth_date", ("Дата рождения", "Рождения", "ДР"), required=False),
    Column("class_name", ("Класс", "Группа", "Класс группа", "Учебная группа"), required=False),
    Column("kind", ("Кто", "Категория", "Тип", "Вид"), required=False),
    Column(
        "profession_since",
        (
            "Начало педагогической работы",
            "Педагогический стаж с",
            "Стаж с",
            "Начало работы",
            "Работает с",
            "В профессии с",
        ),
        required=False,
    ),
    Column(
        "requests", ("Запросы", "Запрос", "Запросы и трудности", "Образовательный запрос"), required=False
    ),
    Column(
        "difficulties",
        ("Трудности", "Затруднения", "Проблемы", "Дефициты", "Профессиональные дефициты"),
        required=False,
    ),
    Column(
        "guardian_consent_on",
        ("Согласие законного представителя", "Согласие родителей", "Согласие"),
        required=False,
    ),
)
TITLES = {
    "kind": "Кто",
    "birth_date": "Дата рождения",
    "class_name": "Класс",
    "profession_since": "Начало педагогической работы",
    "requests": "Запросы",
    "difficulties": "Трудности",
    "guardian_consent_on": "Согласие законного представителя",
}
KINDS = {
    "обучающийся": "learner",
    "ученик": "learner",
    "студент": "learner",
    "молодой педагог": "young_pedagogue",
    "молодой специалист": "young_pedagogue",
    "педагог": "young_pedagogue",
}
KIND_TITLES = {"learner": "обучающийся", "young_pedagogue": "молодой педагог"}


def read(r: RowReader) -> ParsedRow[bases.MenteeDraft]:
    birth_date = r.date("birth_date")
    profession_since = r.date("profession_since")
    guardian_consent_on = r.date("guardian_consent_on")
    # Without a stated kind, the date someone started teaching says they are a young teacher.
    kind = r.choice("kind", KINDS, "обучающийся или молодой педагог") or (
        "young_pedagogue" if profession_since else "learner"
    )
    draft = bases.MenteeDraft(
        kind=kind,
        birth_date=birth_date,
        class_name=r.text("class_name") or None,
        profession_since=profession_since,
        requests=r.text("requests"),
        difficulties=r.text("difficulties"),
        guardian_consent_on=guardian_consent_on,
    )
    category = PersonCategory.LEARNER if kind == "learner" else PersonCategory.PEDAGOGUE
    return ParsedRow(draft, category, match_on=birth_date)


async def existing(db: AsyncSession, ctx: OrgContext) -> list[Known]:
    rows = await db.execute(
        select(Person.id, Person.last_name, Person.first_name, Person.middle_name, MenteeProfile.birth_date)
        .outerjoin(
            MenteeProfile, (MenteeProfile.org_id == Person.org_id) & (MenteeProfile.person_id == Person.id)
        )
        .where(ctx.owns(Person))
    )
    return [Known(*row) for row in rows]


def warn(draft: bases.MenteeDraft, today: date, category: str) -> list[tuple[str, str]]:
    """A learner under 18 is loaded without a guardian's consent, but takes part only once it is recorded."""
    minor = draft.birth_date is not None and bases.age_on(draft.birth_date, today) < bases.ADULT_AGE
    if draft.kind == "learner" and minor and draft.guardian_consent_on is None:
        return [
            (
                "guardian_consent_on",
                "обучающемуся нет 18 лет, а согласия законного представителя нет: "
                "в программе он сможет участвовать, когда дата согласия будет внесена",
            )
        ]
    return []


def describe(parsed: ParsedRow[bases.MenteeDraft]) -> tuple[str, str]:
    return parsed.draft.kind, KIND_TITLES[parsed.draft.kind]


MENTEES: BaseSpec[bases.MenteeDraft] = BaseSpec(
    name="mentees",
    audit_object=audit.ObjectKind.MENTEE_IMPORT,
    columns_audit_object=audit.ObjectKind.MENTEE_IMPORT_COLUMNS,
    columns=COLUMNS,
    titles=TITLES,
    profile=MenteeProfile,
    role=ProgrammeRole.MENTEE,
    read=read,
    validate=bases.validate_mentee,
    existing=existing,
    matched_by="ФИО и датой рождения",
    describe=describe,
    warn=warn,
)
