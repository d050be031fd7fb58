"""Region staff word the mentoring dictionaries for their region: rename, hide, restore, add.

Only the region's own staff change its rows (PostgreSQL's policies check it too); a row is never
deleted, so groups formed under an entry always keep its code and title. An edit names the row's
version: a second person's stale edit is refused, not merged.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik import audit
from nastavnik.domain.dictionaries.models import CODE_PATTERN, RegionDictionaryEntry
from nastavnik.domain.dictionaries.overrides import (
    Key,
    Override,
    apply_overrides,
    effective_for,
    forget,
    plugin_entries,
)
from nastavnik.errors import Conflict, FieldError, InvalidInput
from nastavnik.models.identity import StaffRole
from nastavnik.models.people import PersonCategory
from nastavnik.models.reference import Municipality, Organisation, OrgStatus
from nastavnik.plugins import Plugins
from nastavnik.tenancy import Actor, Forbidden, NotFound
from nastavnik.types import DictionaryEntry, DictionaryKind, Regime

KIND_TITLES = {
    DictionaryKind.FORM: "Формы наставничества",
    DictionaryKind.ROLE_MODEL: "Ролевые модели",
    DictionaryKind.KIND: "Виды наставничества",
    DictionaryKind.DURATION: "Сроки наставничества",
}
REGIME_TITLES = {Regime.LEARNERS: "обучающиеся", Regime.PEDAGOGUES: "педагоги"}
CATEGORY_TITLES = {
    PersonCategory.PEDAGOGUE: "педагог",
    PersonCategory.LEARNER: "обучающийся",
    PersonCategory.STAFF: "сотрудник",
}
# A group cannot be formed without a form and a kind: the region may not hide the last of either.
REQUIRED = {DictionaryKind.FORM: "форму наставничества", DictionaryKind.KIND: "вид наставничества"}
MAX_TITLE = 200
MAX_DESCRIPTION = 1000
_CODE = re.compile(CODE_PATTERN)


@dataclass(frozen=True, slots=True)
class RegionEntry:
    """One line of the region's dictionaries: the plugin's word and the region's."""

    kind: str
    regime: str
    code: str
    organisation_type: str | None
    """The organisation type the line is about; None: every type."""
    plugin_title: str | None
    """None for the region's own entry."""
    title: str
    hidden: bool
    added: bool
    description: str
    mentor_categories: tuple[str, ...]
    version: int
    """Of the region's row for exactly this line; 0 while there is none."""


@dataclass(frozen=True, slots=True)
class EntryChange:
    organisation_type: str | None
    title: str
    hidden: bool
    version: int


@dataclass(frozen=True, slots=True)
class NewEntry:
    kind: str
    regime: str
    code: str
    title: str
    organisation_type: str | None = None
    description: str = ""
    mentor_categories: tuple[str, ...] = ()


def region_of(actor: Actor) -> uuid.UUID:
    """The region the actor works for as regional staff; others may not manage dictionaries."""
    grants = actor.grants(StaffRole.REGION)
    if not grants:
        raise Forbidden
    return grants[0].region_id


def _override(row: RegionDictionaryEntry) -> Override:
    return Override(
        row.kind,
        row.regime,
        row.code,
        row.organisation_type,
        row.title,
        row.hidden,
        row.added,
        row.description,
        tuple(row.mentor_categories),
        row.version,
    )


async def _rows(db: AsyncSession, region_id: uuid.UUID) -> list[RegionDictionaryEntry]:
    return list(
        await db.scalars(select(RegionDictionaryEntry).where(RegionDictionaryEntry.region_id == region_id))
    )


async def _region_types(db: AsyncSession, region_id: uuid.UUID) -> set[str]:
    """Types of the region's working organisations: the ones a hidden entry would leave short."""
    found = await db.scalars(
        select(Organisation.type)
        .distinct()
        .join(Municipality, Municipality.id == Organisation.municipality_id)
        .where(Municipality.region_id == region_id, Organisation.status == OrgStatus.ACTIVE)
    )
    return set(found)


def _regimes(plugins: Plugins) -> dict[str, set[str]]:
    return {code: {str(r) for r in t.regimes} for code, t in plugins.organisation_types().items()}


def _plugin_lines(plugins: Plugins) -> dict[tuple[str, str, str, str | None], DictionaryEntry]:
    """Every plugin entry by (kind, regime, code, type): None for an entry every type shares."""
    lines: dict[tuple[str, str, str, str | None], DictionaryEntry] = {}
    for org_type, regimes in _regimes(plugins).items():
        for entry in plugin_entries(plugins, org_type, regimes):
            shared = not entry.organisation_types
            lines.setdefault(
                (str(entry.kind), str(entry.regime), entry.code, None if shared else org_type), entry
            )
    return lines


def _plugin_titles(
    lines: dict[tuple[str, str, str, str | None], DictionaryEntry], key: Key, org_type: str | None
) -> set[str]:
    """The plugins' titles of an entry for the type (for every type: all of them)."""
    return {
        e.title
        for (kind, regime, code, t), e in lines.items()
        if (kind, regime, code) == key and (org_type is None or t in (None, org_type))
    }


def _view(
    key: Key,
    org_type: str | None,
    plugin_entry: DictionaryEntry | None,
    overrides: Sequence[Override],
) -> RegionEntry:
    word = effective_for(overrides, org_type).get(key)
    own = next((o for o in overrides if o.key == key and o.organisation_type == org_type), None)
    added = word.added if word else None
    title = (word.title if word else None) or (plugin_entry.title if plugin_entry else key[2])
    source = plugin_entry or added
    return RegionEntry(
        kind=key[0],
        regime=key[1],
        code=key[2],
        organisation_type=org_type,
        plugin_title=plugin_entry.title if plugin_entry else None,
        title=title,
        hidden=bool(word and word.hidden),
        added=plugin_entry is None and added is not None,  # neither: a code no plugin offers any more
        description=source.description if source else "",
        mentor_categories=tuple(source.mentor_categories) if source else (),
        version=own.version if own else 0,
    )


def _lines(plugins: Plugins, overrides: Sequence[Override]) -> list[RegionEntry]:
    plugin_lines = _plugin_lines(plugins)
    keys = set(plugin_lines) | {(*o.key, o.organisation_type) for o in overrides}
    shown = []
    for kind, regime, code, org_type in keys:
        entry = plugin_lines.get((kind, regime, code, org_type)) or plugin_lines.get(
            (kind, regime, code, None)
        )
        if entry is None and org_type is None:  # an override for every type of a code only some have
            entry = next(
                (e for (k, r, c, _), e in plugin_lines.items() if (k, r, c) == (kind, regime, code)), None
            )
        shown.append(_view((kind, regime, code), org_type, entry, overrides))
    kinds, regimes = list(DictionaryKind), list(Regime)
    return sorted(
        shown,
        key=lambda e: (
            kinds.index(DictionaryKind(e.kind)),
            regimes.index(Regime(e.regime)),
            e.organisation_type or "",
            e.title,
        ),
    )


async def region_dictionaries(db: AsyncSession, actor: Actor, plugins: Plugins) -> list[RegionEntry]:
    """Every line of the region's dictionaries: the plugins' entries for each type, and the region's own."""
    region_id = region_of(actor)
    lines = _lines(plugins, [_override(r) for r in await _rows(db, region_id)])
    await audit.record_by(
        db,
        actor,
        "read",
        audit.ObjectKind.REGION_DICTIONARIES,
        region_id,
        org_id=None,
        details={"count": len(lines)},
    )
    await db.commit()
    return lines


def _check_path(kind: str, regime: str, code: str, errors: list[FieldError]) -> None:
    if kind not in set(DictionaryKind):
        errors.append(
            FieldError(
                "kind",
                "неизвестный словарь: form (формы), role_model (ролевые модели), kind (виды)"
                " или duration (сроки)",
            )
        )
    if regime not in set(Regime):
        errors.append(
            FieldError("regime", "неизвестный режим: learners (обучающиеся) или pedagogues (педагоги)")
        )
    if not _CODE.match(code):
        errors.append(FieldError("code", "код — латинские строчные буквы, цифры и «_», от 2 до 64 знаков"))


def _check_title(title: str, errors: list[FieldError]) -> str:
    cleaned = " ".join(title.split())
    if not cleaned:
        errors.append(FieldError("title", "укажите название"))
    elif len(cleaned) > MAX_TITLE:
        errors.append(FieldError("title", f"название не длиннее {MAX_TITLE} знаков"))
    return cleaned


def _check_type(plugins: Plugins, org_type: str | None, regime: str, errors: list[FieldError]) -> None:
    if org_type is None:
        return
    regimes = _regimes(plugins)
    if org_type not in regimes:
        errors.append(
            FieldError(
                "organisation_type", "неизвестный тип организации; допустимы: " + ", ".join(sorted(regimes))
            )
        )
    elif regime in set(Regime) and regime not in regimes[org_type]:
        errors.append(
            FieldError("organisation_type", "организации этого типа не ведут такой режим наставничества")
        )


def _refuse(errors: list[FieldError], message: str) -> None:
    if errors:
        raise InvalidInput(message, errors)


def _last_visible(
    plugins: Plugins,
    region_types: Iterable[str],
    before: Sequence[Override],
    after: Sequence[Override],
    key: Key,
    org_type: str | None,
) -> list[FieldError]:
    """Errors if the change leaves a type of the region without any form (or kind) of the regime."""
    kind, regime, _ = key
    if kind not in set(REQUIRED):
        return []
    types = plugins.organisation_types()
    errors = []
    for t in sorted(region_types):
        if t not in types or regime not in {str(r) for r in types[t].regimes}:
            continue
        if org_type is not None and t != org_type:
            continue
        entries = plugin_entries(plugins, t, {regime})

        def offered(
            overrides: Sequence[Override], t: str = t, entries: list[DictionaryEntry] = entries
        ) -> int:
            shown, _ = apply_overrides(entries, overrides, t, {regime})
            return sum(1 for e in shown if str(e.kind) == kind)

        if offered(before) and not offered(after):
            errors.append(
                FieldError(
                    "hidden",
                    f"нельзя скрыть последнюю {REQUIRED[DictionaryKind(kind)]}"
                    f" режима «{REGIME_TITLES[Regime(regime)]}» для типа «{types[t].title}»:"
                    " организациям региона нечем будет оформить новые пары",
                )
            )
    return errors


def _new_row(
    db: AsyncSession,
    region_id: uuid.UUID,
    key: Key,
    org_type: str | None,
    title: str | None,
    *,
    hidden: bool = False,
    added: bool = False,
    description: str = "",
    mentor_categories: Sequence[str] = (),
) -> RegionDictionaryEntry:
    kind, regime, code = key
    row = RegionDictionaryEntry(
        region_id=region_id,
        kind=kind,
        regime=regime,
        code=code,
        organisation_type=org_type,
        title=title,
        hidden=hidden,
        added=added,
        description=description,
        mentor_categories=list(mentor_categories),
    )
    db.add(row)
    return row


async def _save(db: AsyncSession, actor: Actor, row: RegionDictionaryEntry, action: str) -> None:
    try:
        await db.flush()
    except IntegrityError:  # another person wrote the same row at the same moment
        await db.rollback()
        raise Conflict(
            "Эту запись словаря уже изменил другой пользователь. Обновите страницу.", "version"
        ) from None
    await audit.record_by(
        db,
        actor,
        action,
        audit.ObjectKind.REGION_DICTIONARY_ENTRY,
        f"{row.kind}/{row.regime}/{row.code}",
        org_id=None,
        details={
            "region_id": str(row.region_id),
            "organisation_type": row.organisation_type,
            "title": row.title,
            "hidden": row.hidden,
            "added": row.added,
        },
    )
    await db.commit()
    forget(db)


async def update_entry(
    db: AsyncSession, actor: Actor, plugins: Plugins, kind: str, regime: str, code: str, change: EntryChange
) -> RegionEntry:
    """Rename, hide or restore one entry for the region (for one organisation type, or for every type)."""
    region_id = region_of(actor)
    errors: list[FieldError] = []
    _check_path(kind, regime, code, errors)
    _check_type(plugins, change.organisation_type, regime, errors)
    title = _check_title(change.title, errors)
    _refuse(errors, "Запись словаря не изменена: исправьте ошибки.")
    key: Key = (kind, regime, code)
    rows = await _rows(db, region_id)
    overrides = [_override(r) for r in rows]
    plugin_lines = _plugin_lines(plugins)
    plugin_titles = _plugin_titles(plugin_lines, key, change.organisation_type)
    own_added = [
        o
        for o in overrides
        if o.key == key
        and o.added
        and (change.organisation_type is None or o.organisation_type in (None, change.organisation_type))
    ]
    if not plugin_titles and not own_added:
        raise NotFound  # another region's own entry is as unknown here as a missing one
    row = next(
        (r for r in rows if _override(r).key == key and r.organisation_type == change.organisation_type), None
    )
    if change.version != (row.version if row else 0):
        raise Conflict("Эту запись словаря уже изменил другой пользователь. Обновите страницу.", "version")
    # The plugin's own title is stored as none at all: a later rename in the plugin then shows through.
    stored_title = None if plugin_titles == {title} and not (row and row.added) else title
    proposed = Override(
        kind, regime, code, change.organisation_type, stored_title, change.hidden, bool(row and row.added)
    )
    after = [
        o for o in overrides if not (o.key == key and o.organisation_type == change.organisation_type)
    ] + [proposed]
    if change.hidden:
        problems = _last_visible(
            plugins, await _region_types(db, region_id), overrides, after, key, change.organisation_type
        )
        _refuse(problems, "Запись словаря не скрыта.")
    if row is None:
        row = _new_row(db, region_id, key, change.organisation_type, stored_title, hidden=change.hidden)
    else:
        row.title, row.hidden = stored_title, change.hidden
    await _save(db, actor, row, "update")
    after[-1] = _override(row)  # with the version the write gave it
    entry = plugin_lines.get((*key, change.organisation_type)) or plugin_lines.get((*key, None))
    return _view(key, change.organisation_type, entry, after)


async def add_entry(db: AsyncSession, actor: Actor, plugins: Plugins, new: NewEntry) -> RegionEntry:
    """Add the region's own entry to a dictionary, for one organisation type or for every type."""
    region_id = region_of(actor)
    errors: list[FieldError] = []
    _check_path(new.kind, new.regime, new.code, errors)
    _check_type(plugins, new.organisation_type, new.regime, errors)
    title = _check_title(new.title, errors)
    if len(new.description) > MAX_DESCRIPTION:
        errors.append(FieldError("description", f"описание не длиннее {MAX_DESCRIPTION} знаков"))
    categories = tuple(dict.fromkeys(new.mentor_categories))
    if categories and new.kind != DictionaryKind.FORM:
        errors.append(
            FieldError("mentor_categories", "кто может быть наставником, указывается только для форм")
        )
    unknown = [c for c in categories if c not in set(PersonCategory)]
    if unknown:
        errors.append(
            FieldError(
                "mentor_categories",
                "допустимы: " + ", ".join(f"{c.value} ({t})" for c, t in CATEGORY_TITLES.items()),
            )
        )
    _refuse(errors, "Запись не добавлена: исправьте ошибки.")
    key: Key = (new.kind, new.regime, new.code)
    rows = await _rows(db, region_id)
    taken_by_plugin = _plugin_titles(_plugin_lines(plugins), key, new.organisation_type)
    taken_by_region = [
        r
        for r in rows
        if (r.kind, r.regime, r.code) == key
        and (new.organisation_type is None or r.organisation_type in (None, new.organisation_type))
    ]
    if taken_by_plugin or taken_by_region:
        raise Conflict(f"Запись с кодом «{new.code}» в этом словаре уже есть: выберите другой код.", "code")
    row = _new_row(
        db,
        region_id,
        key,
        new.organisation_type,
        title,
        added=True,
        description=new.description.strip(),
        mentor_categories=categories,
    )
    await _save(db, actor, row, "create")
    return _view(key, new.organisation_type, None, [_override(row)])
