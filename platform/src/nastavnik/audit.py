"""Writing and reading the audit log (152-FZ: who read, exported, changed or deleted whose data)."""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import IO, TYPE_CHECKING, Any, TypeAlias, TypedDict, Unpack, cast

from openpyxl import Workbook
from sqlalchemy import CTE, Select, String, Table, Uuid, bindparam, func, insert, literal, select
from sqlalchemy.dialects.postgresql import INET
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import clock
from nastavnik.db.scope import DbScope, scoped_session
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.fresh_figures import figures_changed
from nastavnik.models.audit import AuditEvent
from nastavnik.models.identity import Identity, StaffRole
from nastavnik.models.reference import Region
from nastavnik.spreadsheets import safe_cell
from nastavnik.tenancy import Actor, Forbidden, OrgContext

if TYPE_CHECKING:
    from nastavnik.runtime import Runtime

ACTION_TITLES = {
    "read": "просмотр",
    "export": "выгрузка",
    "create": "создание",
    "update": "изменение",
    "delete": "удаление",
    "login": "вход",
    "logout": "выход",
}


class ObjectKind(StrEnum):
    """What an audit event is about, as recorded, with its Russian title (``label``).

    A plugin's kinds are its own ``<plugin>.<name>`` codes, titled through ``register_audit_titles``.
    """

    _value_: str
    label: str

    def __new__(cls, code: str, label: str) -> ObjectKind:
        kind = str.__new__(cls, code)
        kind._value_ = code
        kind.label = label
        return kind

    SESSION = "session", "сеанс"
    ROUTE = "route", "адрес"
    AUDIT_LOG = "audit_log", "журнал аудита"
    ORGANISATION = "organisation", "организация"
    ORGANISATION_IMPORT = "organisation_import", "загрузка списка организаций"
    ORGANISATION_LIST = "organisation_list", "список организаций с численностью"
    ONBOARDING = "onboarding", "подключение организации"
    PLUGIN_SETTING = "plugin_setting", "настройки модуля"
    PERSON = "person", "карточка человека"
    PERSON_LIST = "person_list", "список людей"
    PERSON_ROLES = "person_roles", "роли человека"
    HEADCOUNT = "headcount", "численность"
    HEADCOUNT_SUMMARY = "headcount_summary", "сводная численность"
    ACCOUNT = "account", "учётная запись"
    ACCOUNT_BATCH = "account_batch", "создание учётных записей"
    ACCESS_SHEET = "access_sheet", "лист доступа"
    BASES = "bases", "базы наставляемых и наставников"
    MENTEE_BASE = "mentee_base", "база наставляемых"
    MENTOR_BASE = "mentor_base", "база наставников"
    MENTEE_PROFILE = "mentee_profile", "запись в базе наставляемых"
    MENTOR_PROFILE = "mentor_profile", "запись в базе наставников"
    MENTEE_IMPORT = "mentee_import", "загрузка базы наставляемых"
    MENTOR_IMPORT = "mentor_import", "загрузка базы наставников"
    MENTEE_IMPORT_COLUMNS = "mentees_import_columns", "столбцы файла базы наставляемых"
    MENTOR_IMPORT_COLUMNS = "mentors_import_columns", "столбцы файла базы наставников"
    MENTOR_TRAINING = "mentor_training", "обучение наставника"
    MENTOR_TRAININGS = "mentor_trainings", "список курсов обучения наставника"
    TRAINING_CERTIFICATE = "training_certificate", "документ об обучении наставника (файл)"
    TRAINING_IMPORT = "training_import", "загрузка обучения наставников"
    MENTOR_CERTIFICATE = "mentor_certificate", "свидетельство наставника"
    TRAINING_REGISTER = "training_register", "реестр обученных наставников"
    PROGRAMME = "programme", "программа наставничества"
    PROGRAMME_DOCUMENTS = "programme_documents", "положение и программа наставничества"
    ROADMAP_ITEM = "roadmap_item", "мероприятие дорожной карты"
    ROADMAP = "roadmap", "дорожная карта"
    REGION_ROADMAP = "region_roadmap", "типовая дорожная карта региона"
    MATCHING = "matching", "подбор пар"
    MENTORING_GROUP = "mentoring_group", "наставническая пара или группа"
    MENTORING_GROUP_LIST = "mentoring_group_list", "список пар и групп"
    MENTORING_ORDER = "mentoring_order", "приказ"
    DEVELOPMENT_PLAN = "development_plan", "индивидуальный план развития"
    PLAN_ITEM = "plan_item", "задача плана развития"
    MENTOR_JOURNAL = "mentor_journal", "журнал наставника"
    JOURNAL_ENTRY = "journal_entry", "запись журнала наставника"
    MY_MENTORING = "my_mentoring", "моё наставничество"
    PROGRAMME_REPORT = "programme_report", "отчёт о реализации программы наставничества"
    THANK_YOU_LETTERS = "thank_you_letters", "благодарственные письма наставникам"
    QUESTIONNAIRE_ASSIGNMENT = "questionnaire_assignment", "назначение анкет"
    QUESTIONNAIRE_ANSWERS = "questionnaire_answers", "ответы на анкету"
    QUESTIONNAIRE_RESULTS = "questionnaire_results", "итоги анкет"
    QUESTIONNAIRE_VERSION = "questionnaire_version", "версия анкеты"
    REGION_DICTIONARIES = "region_dictionaries", "словари наставничества региона"
    REGION_DICTIONARY_ENTRY = "region_dictionary_entry", "запись словаря региона"
    REGION_DOCUMENT_TEMPLATES = "region_document_templates", "шаблоны документов региона"
    REGION_DOCUMENT_TEMPLATE = "region_document_template", "шаблон документа региона"
    STATISTICS_REPORT = "statistics_report", "отчёт мониторинга"
    METHODICAL_ASSOCIATION = (
        "methodical_association",
        "клуб, декада, совет или творческая группа",
    )
    METHODICAL_MEMBER = "methodical_member", "состав клуба, декады, совета или группы"
    METHODICAL_EVENT = "methodical_event", "мероприятие методической работы"
    METHODICAL_PARTICIPANTS = "methodical_participants", "участники мероприятия методической работы"
    METHODICAL_DOCUMENT = "methodical_document", "документ методической работы"
    REGION = "region", "регион"
    MUNICIPALITY = "municipality", "муниципалитет"
    STAFF_APPOINTMENT = "staff_appointment", "назначение сотрудника региона"
    REGION_NOTIFICATION_TEMPLATE = "region_notification_template", "текст уведомления региона"
    REGION_NOTIFICATION_SETTINGS = "region_notification_settings", "тихие часы и сводка уведомлений региона"


# What the indicators count (docs/statistics.md): a change recorded about one of these kinds, or about a
# plugin's own ``<plugin>.<name>`` kind, schedules its organisation's recompute (nastavnik.fresh_figures).
# Every change is audited, so the log's one entry point is where none of them can be missed.
COUNTED_KINDS = frozenset(
    {
        ObjectKind.ORGANISATION,
        ObjectKind.PLUGIN_SETTING,
        ObjectKind.PERSON,
        ObjectKind.PERSON_LIST,
        ObjectKind.PERSON_ROLES,
        ObjectKind.HEADCOUNT,
        ObjectKind.BASES,
        ObjectKind.MENTEE_BASE,
        ObjectKind.MENTOR_BASE,
        ObjectKind.MENTEE_PROFILE,
        ObjectKind.MENTOR_PROFILE,
        ObjectKind.MENTEE_IMPORT,
        ObjectKind.MENTOR_IMPORT,
        ObjectKind.MENTOR_TRAINING,
        ObjectKind.TRAINING_IMPORT,
        ObjectKind.PROGRAMME,
        ObjectKind.PROGRAMME_DOCUMENTS,
        ObjectKind.MATCHING,
        ObjectKind.MENTORING_GROUP,
        ObjectKind.MENTORING_ORDER,
        ObjectKind.DEVELOPMENT_PLAN,
        ObjectKind.PLAN_ITEM,
        ObjectKind.QUESTIONNAIRE_ASSIGNMENT,
        ObjectKind.QUESTIONNAIRE_ANSWERS,
        ObjectKind.METHODICAL_ASSOCIATION,
        ObjectKind.METHODICAL_MEMBER,
        ObjectKind.METHODICAL_EVENT,
        ObjectKind.METHODICAL_PARTICIPANTS,
        ObjectKind.METHODICAL_DOCUMENT,
    }
)
CHANGES = frozenset({"create", "update", "delete"})


def counts_toward_figures(action: str, object_type: str, outcome: str) -> bool:
    """Whether a recorded event changed what an organisation's indicators count."""
    if outcome != "success" or action not in CHANGES:
        return False
    return object_type in COUNTED_KINDS or "." in object_type


AuditObject: TypeAlias = ObjectKind | str
"""What :func:`record` accepts as the kind of object: the core's, or a plugin's ``<plugin>.<name>`` code,
which the plugin titles through ``register_audit_titles``."""

OBJECT_TITLES: dict[str, str] = {kind.value: kind.label for kind in ObjectKind}
"""The core's audited kinds by code, with their titles: what the default plugin registers as its own."""

OUTCOME_TITLES = {"success": "успешно", "denied": "отказано", "failed": "ошибка"}


ObjectId: TypeAlias = str | uuid.UUID | int | None
"""What names the object within its kind (an id, a code, a year); written down as text."""


async def record(
    db: AsyncSession,
    *,
    actor_identity_id: uuid.UUID | None,
    org_id: uuid.UUID | None,
    action: str,
    object_type: AuditObject,
    object_id: ObjectId = None,
    subject_person_id: uuid.UUID | None = None,
    outcome: str = "success",
    client_ip: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one event. A plain INSERT without RETURNING: the application role cannot read the log."""
    if org_id is not None and counts_toward_figures(action, str(object_type), outcome):
        figures_changed(db, org_id)  # scheduled when this transaction commits, with the change
    await db.execute(
        insert(AuditEvent).values(
            actor_identity_id=actor_identity_id,
            org_id=org_id,
            action=action,
            object_type=str(object_type),
            object_id=None if object_id is None else str(object_id),
            subject_person_id=subject_person_id,
            outcome=outcome,
            client_ip=client_ip,
            details=details or {},
        )
    )


async def record_by(
    db: AsyncSession,
    actor: Actor,
    action: str,
    object_type: AuditObject,
    object_id: ObjectId = None,
    *,
    org_id: uuid.UUID | None,
    subject_person_id: uuid.UUID | None = None,
    outcome: str = "success",
    details: dict[str, Any] | None = None,
) -> None:
    """Record what a signed-in actor did (``action`` to the object ``object_id`` of its kind), from where."""
    await record(
        db,
        actor_identity_id=actor.identity_id,
        org_id=org_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        subject_person_id=subject_person_id,
        outcome=outcome,
        client_ip=actor.client_ip,
        details=details,
    )


async def record_in(
    db: AsyncSession,
    ctx: OrgContext,
    action: str,
    object_type: AuditObject,
    object_id: ObjectId = None,
    *,
    subject_person_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record what an actor did inside the organisation of ``ctx`` (``subject_person_id``: whose data)."""
    await record_by(
        db,
        ctx.actor,
        action,
        object_type,
        object_id,
        org_id=ctx.org.id,
        subject_person_id=subject_person_id,
        details=details,
    )


class About(TypedDict, total=False):
    """What else an event inside an organisation records (the keywords of :func:`record_in`)."""

    subject_person_id: uuid.UUID | None
    details: dict[str, Any] | None


async def commit_in(
    db: AsyncSession,
    ctx: OrgContext,
    action: str,
    object_type: AuditObject,
    object_id: ObjectId = None,
    **about: Unpack[About],
) -> None:
    """Record what an actor did inside the organisation (:func:`record_in`) and commit it with the change
    it records: the event and the change are written together or not at all."""
    await record_in(db, ctx, action, object_type, object_id, **about)
    await db.commit()


_audit_log = cast(Table, AuditEvent.__table__)


def read_riding_along(rows: CTE, object_type: AuditObject) -> CTE:
    """The event "the actor read ``object_type`` inside the organisation" (details: how many of ``rows``), as
    an INSERT to add (``add_cte``) to the very statement that reads ``rows`` (a CTE of it): written in the
    same round trip, from the same snapshot, so the count is the number of rows returned. Bound parameters:
    :func:`read_params`. Like :func:`record`, no RETURNING: the application role cannot read the log."""
    count = select(func.count()).select_from(rows).scalar_subquery()
    event = select(
        bindparam("audit_actor", type_=Uuid),
        bindparam("audit_org", type_=Uuid),
        literal("read", String),
        literal(str(object_type), String),
        literal("success", String),
        bindparam("audit_ip", type_=INET),
        func.jsonb_build_object("count", count),
    )
    columns = ["actor_identity_id", "org_id", "action", "object_type", "outcome", "client_ip", "details"]
    return insert(_audit_log).from_select(columns, event).cte(f"audit_{rows.name}")


def read_params(ctx: OrgContext) -> dict[str, Any]:
    """The bound parameters of :func:`read_riding_along`: who reads, in which organisation, from where."""
    return {"audit_actor": ctx.actor.identity_id, "audit_org": ctx.org.id, "audit_ip": ctx.actor.client_ip}


@dataclass(frozen=True, slots=True)
class AuditRow:
    at: datetime
    actor: str
    org_id: uuid.UUID | None
    action: str
    object_type: str
    object_id: str | None
    subject_person_id: uuid.UUID | None
    outcome: str
    client_ip: str | None


async def read_events(
    auditor_db: AsyncSession, *, limit: int = 500, org_id: uuid.UUID | None = None
) -> list[AuditRow]:
    """The newest events, read through the auditor role's own connection."""
    query = (
        select(AuditEvent, Identity.display_name)
        .outerjoin(Identity, Identity.id == AuditEvent.actor_identity_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    if org_id is not None:
        query = query.where(AuditEvent.org_id == org_id)
    return [_row(event, name) for event, name in await auditor_db.execute(query)]


HEADER = [
    "Дата и время",
    "Кто",
    "Организация",
    "Действие",
    "Объект",
    "Идентификатор",
    "Чьи данные",
    "Итог",
    "IP-адрес",
]
WIDTHS = (20, 30, 38, 12, 18, 38, 38, 10, 16)
PER_PAGE = 100
MAX_PER_PAGE = 500


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What an auditor asks for: a period of the region's local dates (both ends included), a person (a part
    of the acting person's name, or an id: the acting identity's or the person whose data it was), an
    action. Empty fields do not filter."""

    date_from: date | None = None
    date_to: date | None = None
    person: str | None = None
    action: str | None = None

    def check(self) -> AuditFilter:
        """The same filter, tidied, or InvalidInput naming the field."""
        errors = []
        if self.action and self.action not in ACTION_TITLES:
            allowed = ", ".join(f"{k} ({v})" for k, v in ACTION_TITLES.items())
            errors.append(FieldError("action", f"неизвестное действие; допустимы: {allowed}"))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            errors.append(FieldError("date_to", "конец периода раньше его начала"))
        person = (self.person or "").strip()
        if len(person) > 200:
            errors.append(FieldError("person", "не длиннее 200 знаков"))
        if errors:
            raise InvalidInput("Журнал не показан: исправьте условия отбора.", errors)
        return AuditFilter(self.date_from, self.date_to, person or None, self.action or None)

    def as_details(self) -> dict[str, str]:
        return {
            k: v.isoformat() if isinstance(v, date) else str(v)
            for k, v in (
                ("date_from", self.date_from),
                ("date_to", self.date_to),
                ("person", self.person),
                ("action", self.action),
            )
            if v
        }


@dataclass(frozen=True, slots=True)
class AuditPage:
    rows: list[AuditRow]
    page: int
    per_page: int
    has_next: bool


def audited_regions(actor: Actor) -> list[uuid.UUID]:
    """The regions whose log the actor audits; Forbidden for anybody but an auditor."""
    regions = [g.region_id for g in actor.grants(StaffRole.AUDITOR)]
    if not regions:
        raise Forbidden
    return regions


def auditor_session(runtime: Runtime, actor: Actor) -> AsyncSession:
    """The auditor role's connection, acting for ``actor``: its policy shows only the regions they audit."""
    audited_regions(actor)
    return scoped_session(runtime.auditor_sessions, DbScope(identity_id=actor.identity_id))


async def audit_timezone(db: AsyncSession, actor: Actor) -> str:
    """The time zone of the (first) region the actor audits: times are shown and periods read in it."""
    region = await db.get(Region, audited_regions(actor)[0])
    return region.timezone if region else clock.DEFAULT_TIMEZONE


def _local_midnight(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time.min, tzinfo=clock.zone(timezone))


def _query(actor: Actor, wanted: AuditFilter, timezone: str) -> Select[AuditEvent, str]:
    # The region's rows, and those no region can be told for (the deployment's); PostgreSQL's policy for the
    # auditor role holds the same line, should this query ever forget it.
    regions = audited_regions(actor)
    query = (
        select(AuditEvent, Identity.display_name)
        .outerjoin(Identity, Identity.id == AuditEvent.actor_identity_id)
        .where(AuditEvent.region_id.in_(regions) | AuditEvent.region_id.is_(None))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    if wanted.date_from:
        query = query.where(AuditEvent.at >= _local_midnight(wanted.date_from, timezone))
    if wanted.date_to:
        query = query.where(AuditEvent.at < _local_midnight(wanted.date_to + timedelta(days=1), timezone))
    who = _uuid_or_none(wanted.person)
    if who is not None:
        query = query.where((AuditEvent.actor_identity_id == who) | (AuditEvent.subject_person_id == who))
    elif wanted.person:
        pattern = "%" + wanted.person.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(Identity.display_name.ilike(pattern, escape="\\"))
    if wanted.action:
        query = query.where(AuditEvent.action == wanted.action)
    return query


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _row(event: AuditEvent, name: str | None) -> AuditRow:
    return AuditRow(
        at=event.at,
        actor=name or "—",
        org_id=event.org_id,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        subject_person_id=event.subject_person_id,
        outcome=event.outcome,
        client_ip=str(event.client_ip) if event.client_ip else None,
    )


async def read_page(
    auditor_db: AsyncSession,
    actor: Actor,
    wanted: AuditFilter,
    timezone: str,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> AuditPage:
    """One page of the events the actor may audit, newest first."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    query = _query(actor, wanted, timezone).offset((page - 1) * per_page).limit(per_page + 1)
    rows = [_row(event, name) for event, name in await auditor_db.execute(query)]
    return AuditPage(rows[:per_page], page, per_page, has_next=len(rows) > per_page)


async def all_rows(
    auditor_db: AsyncSession, actor: Actor, wanted: AuditFilter, timezone: str
) -> AsyncIterator[AuditRow]:
    """Every matching event, newest first, fetched in batches from a server-side cursor."""
    result = await auditor_db.stream(_query(actor, wanted, timezone).execution_options(yield_per=1000))
    async for event, name in result:
        yield _row(event, name)


async def export_to_file(
    rows: AsyncIterator[AuditRow], timezone: str, object_titles: Mapping[str, str]
) -> tuple[IO[bytes], int]:
    """The rows as an .xlsx workbook in a temporary file (rewound), and how many there were; object types
    are titled by ``object_titles`` (the core's and the plugins', ``Plugins.audit_titles``).

    A write-only workbook keeps one row in memory at a time, so a log of any length is exported whole."""
    tz = clock.zone(timezone)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Журнал аудита")
    for column, width in zip("ABCDEFGHI", WIDTHS, strict=True):
        sheet.column_dimensions[column].width = width
    sheet.append(HEADER)
    count = 0
    async for row in rows:
        sheet.append(
            [
                row.at.astimezone(tz).strftime("%d.%m.%Y %H:%M:%S"),
                safe_cell(row.actor),
                str(row.org_id) if row.org_id else "",
                ACTION_TITLES.get(row.action, row.action),
                safe_cell(object_titles.get(row.object_type, row.object_type)),
                safe_cell(row.object_id or ""),
                str(row.subject_person_id) if row.subject_person_id else "",
                OUTCOME_TITLES.get(row.outcome, row.outcome),
                row.client_ip or "",
            ]
        )
        count += 1
    out = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the response, which closes it)
    await asyncio.to_thread(book.save, out)
    out.seek(0)
    return out, count


async def chunks(file: IO[bytes], size: int = 64 * 1024) -> AsyncIterator[bytes]:
    """The file's bytes in chunks for a streamed response; the file is closed (and so removed) at the end."""
    try:
        while chunk := await asyncio.to_thread(file.read, size):
            yield chunk
    finally:
        file.close()
