"""Questionnaire templates as a region edits them, and which version an organisation is given.

The platform's defaults (``region_id`` NULL) are read by everyone and changed by nobody through the
application. A region edits a default copy-on-write: its first draft creates the region's own
template with the same code, audience, regime and moment; drafts are saved as often as needed and
published once. A published version never changes (the database refuses it too): an edit after
that is the next version. An organisation is given its region's latest published version of a
template, else the platform's.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit, clock
from nastavnik.db.scope import DbScope, rescope
from nastavnik.domain.questionnaires.models import (
    ItemKind,
    QuestionnaireTemplate,
    QuestionnaireVersion,
    TemplateRegime,
    VersionStatus,
)
from nastavnik.errors import Conflict, FieldError, InvalidInput
from nastavnik.models.identity import StaffRole
from nastavnik.tenancy import Actor, Forbidden, NotFound

MAX_ITEMS = 50
SCALE_MIN, SCALE_MAX = 1, 10
MAX_WORDING = 500
MAX_TITLE = 200
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

AUDIENCE_TITLES = {"mentor": "наставник", "mentee": "наставляемый"}
REGIME_TITLES = {"learners": "обучающиеся", "pedagogues": "педагоги", "both": "оба режима"}
MOMENT_TITLES = {"start": "в начале", "end": "по итогам", "year": "раз в учебный год"}
KIND_TITLES = {ItemKind.SCALE: "оценка по шкале", ItemKind.TEXT: "свободный ответ"}


@dataclass(frozen=True, slots=True)
class ItemDraft:
    """An item as submitted; ``min``/``max``/``required`` left out take the kind's defaults."""

    key: str
    text: str
    kind: str = ItemKind.SCALE
    min: int | None = None
    max: int | None = None
    required: bool | None = None


@dataclass(frozen=True, slots=True)
class TemplateView:
    template: QuestionnaireTemplate
    versions: list[QuestionnaireVersion]
    effective: bool
    """The one an organisation of the region is given for its code."""

    @property
    def published(self) -> list[QuestionnaireVersion]:
        return [v for v in self.versions if v.status == VersionStatus.PUBLISHED]

    @property
    def latest_published(self) -> QuestionnaireVersion | None:
        published = self.published
        return published[-1] if published else None

    @property
    def draft(self) -> QuestionnaireVersion | None:
        return next((v for v in self.versions if v.status == VersionStatus.DRAFT), None)

    @property
    def owned_by_region(self) -> bool:
        return self.template.region_id is not None


def validate_items(drafts: Sequence[ItemDraft]) -> list[dict[str, Any]]:
    """Items as stored, or InvalidInput listing every problem by item, in Russian."""
    errors: list[FieldError] = []
    if not drafts:
        errors.append(FieldError("items", "добавьте хотя бы один вопрос"))
    if len(drafts) > MAX_ITEMS:
        errors.append(FieldError("items", f"не больше {MAX_ITEMS} вопросов, а их {len(drafts)}"))
    first_of: dict[str, int] = {}
    items: list[dict[str, Any]] = []
    for n, draft in enumerate(drafts, start=1):

        def fail(part: str, message: str, n: int = n) -> None:
            errors.append(FieldError(f"items.{n}.{part}", f"вопрос {n}: {message}"))

        key, text = draft.key.strip(), " ".join(draft.text.split())
        if not key:
            fail("key", "укажите ключ")
        elif not KEY_PATTERN.match(key):
            fail("key", "ключ — латинские строчные буквы, цифры и «_», с буквы, до 40 знаков")
        elif key in first_of:
            fail("key", f"ключ «{key}» уже есть у вопроса {first_of[key]}")
        else:
            first_of[key] = n
        if not text:
            fail("text", "укажите формулировку")
        elif len(text) > MAX_WORDING:
            fail("text", f"формулировка не длиннее {MAX_WORDING} знаков")
        if draft.kind == ItemKind.SCALE:
            low = SCALE_MIN if draft.min is None else draft.min
            high = SCALE_MAX if draft.max is None else draft.max
            if not (SCALE_MIN <= low <= SCALE_MAX and SCALE_MIN <= high <= SCALE_MAX):
                fail("min", f"шкала в пределах от {SCALE_MIN} до {SCALE_MAX}")
            elif low >= high:
                fail("max", "наибольшая оценка шкалы должна быть больше наименьшей")
            required = True if draft.required is None else draft.required
            items.append(
                {"key": key, "text": text, "kind": "scale", "min": low, "max": high, "required": required}
            )
        elif draft.kind == ItemKind.TEXT:
            required = False if draft.required is None else draft.required
            items.append(
                {"key": key, "text": text, "kind": "text", "min": None, "max": None, "required": required}
            )
        else:
            fail("kind", "вид вопроса: оценка по шкале или свободный ответ")
    if errors:
        raise InvalidInput("Анкета не сохранена: исправьте вопросы.", errors)
    return items


def _validate_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not cleaned:
        raise InvalidInput("Анкета не сохранена.", [FieldError("title", "укажите название анкеты")])
    if len(cleaned) > MAX_TITLE:
        raise InvalidInput(
            "Анкета не сохранена.", [FieldError("title", f"название не длиннее {MAX_TITLE} знаков")]
        )
    return cleaned


def _regions(actor: Actor) -> list[uuid.UUID]:
    regions = [g.region_id for g in actor.grants(StaffRole.REGION)]
    if not regions:
        raise Forbidden
    return regions


async def _as_region_staff(db: AsyncSession, actor: Actor) -> list[uuid.UUID]:
    """The actor's regions; the database is told who acts, for the templates' write policies."""
    regions = _regions(actor)
    await rescope(db, DbScope(identity_id=actor.identity_id))
    return regions


def _effective_ids(
    templates: Iterable[QuestionnaireTemplate], versions: Iterable[QuestionnaireVersion]
) -> set[uuid.UUID]:
    """Per code, the region's template when it has a published version, else the platform's."""
    with_published = {v.template_id for v in versions if v.status == VersionStatus.PUBLISHED}
    by_code: dict[str, list[QuestionnaireTemplate]] = defaultdict(list)
    for t in templates:
        by_code[t.code].append(t)
    chosen = set()
    for candidates in by_code.values():
        own = [t for t in candidates if t.region_id is not None and t.id in with_published]
        default = [t for t in candidates if t.region_id is None]
        pick = own or default
        if pick:
            chosen.add(pick[0].id)
    return chosen


async def _views(db: AsyncSession, templates: list[QuestionnaireTemplate]) -> list[TemplateView]:
    ids = [t.id for t in templates]
    versions = list(
        await db.scalars(
            select(QuestionnaireVersion)
            .where(QuestionnaireVersion.template_id.in_(ids))
            .order_by(QuestionnaireVersion.number)
        )
    )
    effective = _effective_ids(templates, versions)
    by_template: dict[uuid.UUID, list[QuestionnaireVersion]] = defaultdict(list)
    for v in versions:
        by_template[v.template_id].append(v)
    return [TemplateView(t, by_template[t.id], t.id in effective) for t in templates]


async def list_templates(db: AsyncSession, actor: Actor) -> list[TemplateView]:
    """The platform's defaults and the region's own templates, by code, the region's after the default."""
    regions = await _as_region_staff(db, actor)
    templates = list(
        await db.scalars(
            select(QuestionnaireTemplate)
            .where(
                or_(QuestionnaireTemplate.region_id.is_(None), QuestionnaireTemplate.region_id.in_(regions))
            )
            .order_by(
                QuestionnaireTemplate.audience.desc(),
                QuestionnaireTemplate.moment.desc(),
                QuestionnaireTemplate.code,
                QuestionnaireTemplate.region_id.is_not(None),
            )
        )
    )
    return await _views(db, templates)


async def _visible_template(
    db: AsyncSession, regions: list[uuid.UUID], template_id: uuid.UUID
) -> QuestionnaireTemplate:
    template = await db.get(QuestionnaireTemplate, template_id)
    if template is None or (template.region_id is not None and template.region_id not in regions):
        raise NotFound  # another region's template is as unknown as a missing one
    return template


async def get_template(db: AsyncSession, actor: Actor, template_id: uuid.UUID) -> TemplateView:
    regions = await _as_region_staff(db, actor)
    template = await _visible_template(db, regions, template_id)
    siblings = list(
        await db.scalars(
            select(QuestionnaireTemplate).where(
                QuestionnaireTemplate.code == template.code,
                or_(QuestionnaireTemplate.region_id.is_(None), QuestionnaireTemplate.region_id.in_(regions)),
            )
        )
    )
    views = {v.template.id: v for v in await _views(db, siblings)}
    return views[template.id]


async def region_copy_of(
    db: AsyncSession, regions: list[uuid.UUID], template_id: uuid.UUID
) -> QuestionnaireTemplate | None:
    """The region's own template for a default's code, if it has one."""
    template = await _visible_template(db, regions, template_id)
    if template.region_id is not None:
        return template
    return (
        await db.scalars(
            select(QuestionnaireTemplate).where(
                QuestionnaireTemplate.code == template.code, QuestionnaireTemplate.region_id == regions[0]
            )
        )
    ).one_or_none()


async def save_draft(
    db: AsyncSession, actor: Actor, template_id: uuid.UUID, title: str | None, drafts: Sequence[ItemDraft]
) -> QuestionnaireVersion:
    """Save the region's draft of a template (creating the region's copy of a default on first edit)."""
    regions = await _as_region_staff(db, actor)
    template = await _visible_template(db, regions, template_id)
    items = validate_items(drafts)
    new_title = _validate_title(title) if title is not None else None
    own = await region_copy_of(db, regions, template.id)
    try:
        if own is None:
            own = QuestionnaireTemplate(
                id=uuid.uuid4(),
                region_id=regions[0],
                code=template.code,
                audience=template.audience,
                regime=template.regime,
                moment=template.moment,
                title=new_title or template.title,
            )
            db.add(own)
            await db.flush()
        elif new_title is not None and new_title != own.title:
            own.title = new_title
        draft = (
            await db.scalars(
                select(QuestionnaireVersion).where(
                    QuestionnaireVersion.template_id == own.id,
                    QuestionnaireVersion.status == VersionStatus.DRAFT,
                )
            )
        ).one_or_none()
        if draft is None:
            last = await db.scalar(
                select(func.max(QuestionnaireVersion.number)).where(
                    QuestionnaireVersion.template_id == own.id
                )
            )
            draft = QuestionnaireVersion(
                id=uuid.uuid4(),
                template_id=own.id,
                number=int(last or 0) + 1,
                status=VersionStatus.DRAFT,
                items=items,
            )
            db.add(draft)
            action = "create"
        else:
            draft.items = items  # a draft was never assigned, so never answered: it may change
            action = "update"
        await db.flush()
    except IntegrityError:
        await db.rollback()
        raise Conflict(
            "Анкету одновременно изменил другой сотрудник. Обновите страницу.", "version"
        ) from None
    await audit.record_by(
        db,
        actor,
        action,
        audit.ObjectKind.QUESTIONNAIRE_VERSION,
        draft.id,
        org_id=None,
        details={"code": own.code, "number": draft.number, "items": len(items)},
    )
    await db.commit()
    return draft


async def publish(
    db: AsyncSession, actor: Actor, template_id: uuid.UUID, version_id: uuid.UUID
) -> QuestionnaireVersion:
    """Publish the region's draft: organisations are given it from now on; it never changes again."""
    regions = await _as_region_staff(db, actor)
    template = await _visible_template(db, regions, template_id)
    version = (
        await db.scalars(
            select(QuestionnaireVersion)
            .where(QuestionnaireVersion.id == version_id, QuestionnaireVersion.template_id == template.id)
            .with_for_update()
        )
    ).one_or_none()
    if version is None:
        raise NotFound
    if template.region_id is None:
        raise Forbidden  # the platform's defaults are not the region's to publish
    if version.status != VersionStatus.DRAFT:
        raise Conflict("Эта версия уже опубликована: изменения станут новой версией.", "version")
    version.status = VersionStatus.PUBLISHED
    version.published_at = clock.now()  # shown as the region's date: the one clock
    await db.flush()
    await audit.record_by(
        db,
        actor,
        "update",
        audit.ObjectKind.QUESTIONNAIRE_VERSION,
        version.id,
        org_id=None,
        details={"code": template.code, "number": version.number, "published": True},
    )
    await db.commit()
    await db.refresh(version)
    return version


async def effective_version(
    db: AsyncSession, region_id: uuid.UUID, audience: str, regime: str, moment: str
) -> QuestionnaireVersion | None:
    """The version given to a member now: the region's latest published, else the platform's.

    A template of the programme's own regime is preferred to one for both regimes.
    """
    return await _effective(
        db,
        region_id,
        (
            QuestionnaireTemplate.audience == audience,
            QuestionnaireTemplate.moment == moment,
            QuestionnaireTemplate.regime.in_([regime, TemplateRegime.BOTH]),
        ),
        case((QuestionnaireTemplate.regime == regime, 0), else_=1),
    )


async def effective_version_of(
    db: AsyncSession, region_id: uuid.UUID, code: str
) -> QuestionnaireVersion | None:
    """The version of the template ``code`` given now: the region's latest published, else the platform's."""
    return await _effective(db, region_id, (QuestionnaireTemplate.code == code,))


async def _effective(
    db: AsyncSession,
    region_id: uuid.UUID,
    where: Sequence[ColumnElement[bool]],
    *preferred: ColumnElement[Any],
) -> QuestionnaireVersion | None:
    """The latest published version of the templates ``where`` picks, the region's before the platform's,
    then in the order ``preferred`` gives."""
    query = (
        select(QuestionnaireVersion)
        .join(QuestionnaireTemplate, QuestionnaireTemplate.id == QuestionnaireVersion.template_id)
        .where(
            *where,
            or_(QuestionnaireTemplate.region_id.is_(None), QuestionnaireTemplate.region_id == region_id),
            QuestionnaireVersion.status == VersionStatus.PUBLISHED,
        )
        .order_by(
            QuestionnaireTemplate.region_id.is_(None),  # false (the region's) first
            *preferred,
            QuestionnaireVersion.number.desc(),
        )
        .limit(1)
    )
    return (await db.scalars(query)).first()
