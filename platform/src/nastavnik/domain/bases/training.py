"""Mentors' training (stage 4 of a programme): the courses each mentor took, with an optional scan of the
certificate.

Who may do what, in one place: the curator and the director keep every mentor's records; a mentor reads
their own (the card of a person is theirs and the managers'); anyone else gets 403, another organisation's
person or record 404. A training is recorded only for a person in the base of mentors. Dates are checked
against the region's local date (``ctx.today()``). Reading a scan is an audited export of personal data.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from nastavnik import audit
from nastavnik.domain.bases.certificate_files import CertificateFile, check_certificate
from nastavnik.domain.bases.models import MentorProfile, MentorTraining
from nastavnik.domain.bases.services import MANAGERS
from nastavnik.errors import Conflict, FieldError, InvalidInput
from nastavnik.models.people import Person
from nastavnik.tenancy import NotFound, OrgContext

MAX_HOURS = 2000
"""More than a year of full-time study: a larger number is a typo (the table's check says the same)."""
TEXT_LIMITS = {"course": 300, "provider": 300, "certificate_no": 100}
NOT_A_MENTOR = "человек не внесён в базу наставников: сначала внесите его туда"


@dataclass(frozen=True, slots=True)
class TrainingDraft:
    course: str
    provider: str
    hours: int
    started_on: date
    finished_on: date
    certificate_no: str | None = None


def training_errors(draft: TrainingDraft, today: date) -> list[FieldError]:
    """Every mistake of ``draft`` by field, in Russian (empty: none); the import names them by row too."""
    errors: list[FieldError] = []
    for name, title in (("course", "название курса"), ("provider", "организацию, проводившую обучение")):
        if not getattr(draft, name).strip():
            errors.append(FieldError(name, f"укажите {title}"))
    for name, limit in TEXT_LIMITS.items():
        value = getattr(draft, name) or ""
        if len(value.strip()) > limit:
            errors.append(FieldError(name, f"не длиннее {limit} знаков"))
        elif "\x00" in value:  # PostgreSQL's text cannot hold it
            errors.append(FieldError(name, "недопустимый символ (NUL): наберите текст заново"))
    if not 1 <= draft.hours <= MAX_HOURS:
        errors.append(FieldError("hours", f"количество часов — целое число от 1 до {MAX_HOURS}"))
    for name in ("started_on", "finished_on"):
        if getattr(draft, name) > today:
            errors.append(FieldError(name, "дата не может быть в будущем: обучение должно быть пройдено"))
    if draft.finished_on < draft.started_on:
        errors.append(FieldError("finished_on", "дата окончания раньше даты начала"))
    return errors


def validate_training(draft: TrainingDraft, today: date) -> None:
    errors = training_errors(draft, today)
    if errors:
        raise InvalidInput("Сведения об обучении содержат ошибки.", errors)


def _values(draft: TrainingDraft) -> dict[str, object]:
    values = {f.name: getattr(draft, f.name) for f in fields(draft)}
    cleaned = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
    cleaned["certificate_no"] = cleaned["certificate_no"] or None
    return cleaned


async def _readable_person(db: AsyncSession, ctx: OrgContext, person_id: uuid.UUID) -> Person:
    """The person whose trainings are asked for: the person themself or a manager (403), of this
    organisation (404)."""
    person = await ctx.find(db, Person, person_id)
    if person.id != ctx.person_id:
        ctx.require_role(*MANAGERS)
    return person


async def _mentor(db: AsyncSession, ctx: OrgContext, person_id: uuid.UUID) -> Person:
    """A person of the base of mentors, for a manager to change their trainings."""
    ctx.require_role(*MANAGERS)
    person = await ctx.find(db, Person, person_id)
    in_base = await db.scalar(
        select(func.count())
        .select_from(MentorProfile)
        .where(MentorProfile.person_id == person.id, ctx.owns(MentorProfile))
    )
    if not in_base:
        raise InvalidInput(
            "Обучение записывается только наставникам.", [FieldError("person_id", NOT_A_MENTOR)]
        )
    return person


async def trainings_of(
    db: AsyncSession, ctx: OrgContext, person_id: uuid.UUID
) -> tuple[Person, list[MentorTraining], str]:
    """The person, their training records (the latest first) and the free text of the mentor base's old
    «Обучение» field («прежняя запись», "" when none). Audited as a read of the person's data."""
    person = await _readable_person(db, ctx, person_id)
    records = list(
        await db.scalars(
            select(MentorTraining)
            .where(MentorTraining.person_id == person.id, ctx.owns(MentorTraining))
            .order_by(MentorTraining.finished_on.desc(), MentorTraining.course)
        )
    )
    former = await db.scalar(
        select(MentorProfile.training).where(MentorProfile.person_id == person.id, ctx.owns(MentorProfile))
    )
    await audit.commit_in(
        db, ctx, "read", audit.ObjectKind.MENTOR_TRAININGS, person.id, subject_person_id=person.id
    )
    return person, records, (former or "").strip()


async def training_of(
    db: AsyncSession, ctx: OrgContext, person_id: uuid.UUID, training_id: uuid.UUID
) -> MentorTraining:
    """One training record of the person, for whoever may read their trainings."""
    person = await _readable_person(db, ctx, person_id)
    return await ctx.find(db, MentorTraining, training_id, MentorTraining.person_id == person.id)


def _store_certificate(record: MentorTraining, certificate: CertificateFile | None) -> None:
    if certificate is not None:
        record.certificate = certificate.content
        record.certificate_type = certificate.kind
        record.certificate_name = certificate.name


async def add_training(
    db: AsyncSession,
    ctx: OrgContext,
    person_id: uuid.UUID,
    draft: TrainingDraft,
    certificate: CertificateFile | None = None,
) -> MentorTraining:
    person = await _mentor(db, ctx, person_id)
    validate_training(draft, ctx.today())
    record = MentorTraining(org_id=ctx.org.id, id=uuid.uuid4(), person_id=person.id, **_values(draft))
    _store_certificate(record, certificate)
    db.add(record)
    await db.flush()
    await audit.commit_in(
        db, ctx, "create", audit.ObjectKind.MENTOR_TRAINING, record.id, subject_person_id=person.id
    )
    return record


async def _to_change(
    db: AsyncSession, ctx: OrgContext, person_id: uuid.UUID, training_id: uuid.UUID, version: int | None
) -> MentorTraining:
    ctx.require_role(*MANAGERS)
    person = await ctx.find(db, Person, person_id)
    record = await ctx.find(db, MentorTraining, training_id, MentorTraining.person_id == person.id, lock=True)
    if version is not None and record.version != version:
        raise Conflict("Запись об обучении уже изменил другой пользователь. Обновите страницу.", "version")
    return record


async def change_training(
    db: AsyncSession,
    ctx: OrgContext,
    person_id: uuid.UUID,
    training_id: uuid.UUID,
    draft: TrainingDraft,
    version: int,
    certificate: CertificateFile | None = None,
) -> MentorTraining:
    """Save new values of a record (and a new scan, when one is given; the old one stays otherwise)."""
    record = await _to_change(db, ctx, person_id, training_id, version)
    validate_training(draft, ctx.today())
    for name, value in _values(draft).items():
        setattr(record, name, value)
    _store_certificate(record, certificate)
    await db.flush()
    await audit.commit_in(
        db, ctx, "update", audit.ObjectKind.MENTOR_TRAINING, record.id, subject_person_id=person_id
    )
    return record


async def remove_training(
    db: AsyncSession, ctx: OrgContext, person_id: uuid.UUID, training_id: uuid.UUID
) -> None:
    record = await _to_change(db, ctx, person_id, training_id, None)
    await db.delete(record)
    await audit.commit_in(
        db, ctx, "delete", audit.ObjectKind.MENTOR_TRAINING, training_id, subject_person_id=person_id
    )


async def attach_certificate(
    db: AsyncSession,
    ctx: OrgContext,
    person_id: uuid.UUID,
    training_id: uuid.UUID,
    content: bytes | None,
    filename: str,
) -> MentorTraining:
    """Keep the scan of a record's certificate (replacing one kept before)."""
    record = await _to_change(db, ctx, person_id, training_id, None)
    _store_certificate(record, check_certificate(content, filename, required=True))
    await db.flush()
    await audit.commit_in(
        db, ctx, "create", audit.ObjectKind.TRAINING_CERTIFICATE, record.id, subject_person_id=person_id
    )
    return record


async def remove_certificate(
    db: AsyncSession, ctx: OrgContext, person_id: uuid.UUID, training_id: uuid.UUID
) -> MentorTraining:
    record = await _to_change(db, ctx, person_id, training_id, None)
    record.certificate = record.certificate_type = record.certificate_name = None
    await db.flush()
    await audit.commit_in(
        db, ctx, "delete", audit.ObjectKind.TRAINING_CERTIFICATE, record.id, subject_person_id=person_id
    )
    return record


@dataclass(frozen=True, slots=True)
class KeptCertificate:
    content: bytes
    kind: str
    name: str


async def certificate_of(
    db: AsyncSession, ctx: OrgContext, person_id: uuid.UUID, training_id: uuid.UUID
) -> KeptCertificate:
    """The kept scan (NotFound when the record has none); every download is an audited export."""
    person = await _readable_person(db, ctx, person_id)
    found = (
        await db.scalars(
            select(MentorTraining)
            .options(undefer(MentorTraining.certificate))
            .where(
                MentorTraining.id == training_id,
                MentorTraining.person_id == person.id,
                MentorTraining.certificate.is_not(None),
                ctx.owns(MentorTraining),
            )
        )
    ).one_or_none()
    if found is None or found.certificate is None or found.certificate_type is None:
        raise NotFound
    await audit.commit_in(
        db, ctx, "export", audit.ObjectKind.TRAINING_CERTIFICATE, found.id, subject_person_id=person.id
    )
    return KeptCertificate(bytes(found.certificate), found.certificate_type, found.certificate_name or "")


@dataclass(frozen=True, slots=True)
class TrainingTotals:
    courses: int
    hours: int


async def totals_by_mentor(
    db: AsyncSession, ctx: OrgContext, person_ids: Iterable[uuid.UUID] | None = None
) -> dict[uuid.UUID, TrainingTotals]:
    """Courses and hours per mentor (those without a record are absent); the caller audits its read."""
    query = (
        select(MentorTraining.person_id, func.count(), func.sum(MentorTraining.hours))
        .where(ctx.owns(MentorTraining))
        .group_by(MentorTraining.person_id)
    )
    if person_ids is not None:
        query = query.where(MentorTraining.person_id.in_(list(person_ids)))
    return {pid: TrainingTotals(int(n), int(hours or 0)) for pid, n, hours in await db.execute(query)}
