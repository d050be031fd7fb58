"""The questionnaire templates plugins offer (``register_questionnaire_templates``) as platform defaults.

A plugin's template becomes a platform default like those migration 0009 seeds (``region_id`` NULL), so a
region edits and publishes it copy-on-write on the same pages. They are installed by ``nastavnik db
upgrade``, after the migrations, in their transaction and under their lock, and not when a web process
starts, because:

* the platform's defaults are written only by the owner role: the application role may write a region's
  templates and nothing else (the templates' policies), and a web process never connects as the owner;
* several pods start at once, and the migration lock already makes them take turns: the second finds the
  first's version and adds none;
* installing or updating a plugin already needs ``db upgrade`` for its tables, so its templates arrive
  with them, and a template never waits for a schema that is not there yet.

It is idempotent: an unchanged template changes nothing; a changed title is renamed; changed items become
the template's next published version (a published version never changes: answers were given under it).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from nastavnik.domain.questionnaires.models import (
    Moment,
    QuestionnaireTemplate,
    QuestionnaireVersion,
    TemplateRegime,
    VersionStatus,
)
from nastavnik.domain.questionnaires.questionnaire_templates import ItemDraft, validate_items
from nastavnik.errors import InvalidInput
from nastavnik.plugin_info import PluginError
from nastavnik.plugins import OfferedQuestionnaire, Plugins
from nastavnik.types import QuestionnaireDefault, QuestionnairePurpose

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_TITLE = 200

REGIME = {QuestionnairePurpose.DIAGNOSTICS: TemplateRegime.PEDAGOGUES}
"""The mentoring regime of a purpose's templates: the diagnostics is of young teachers."""
AUDIENCE = {QuestionnairePurpose.DIAGNOSTICS: "mentee"}
"""Who answers a purpose's templates: the diagnostics is given to young teachers (the mentees' base)."""


def stored_items(template: QuestionnaireDefault) -> list[dict[str, Any]]:
    """The items as the region's editor stores them (the same rules, the same defaults)."""
    return validate_items(
        [ItemDraft(i.key, i.text, i.kind, i.min, i.max, i.required) for i in template.items]
    )


def check_offered_questionnaires(plugins: Plugins) -> None:
    """Every offered template is one a region could have written: a code of 1–64 latin lower-case letters,
    digits and ``_``, a title of at most 200 characters, the audience of its purpose, and items the
    region's editor accepts. Else the platform refuses to start, naming the plugin and the problem."""
    for offered in plugins.questionnaire_defaults():
        template = offered.template
        where = f"plugin {offered.plugin!r}: the questionnaire template {template.code!r}"
        if not CODE_PATTERN.match(template.code):
            raise PluginError(f"{where}: a code is 1–64 latin lower-case letters, digits and _")
        title = " ".join(template.title.split())
        if not title or len(title) > MAX_TITLE:
            raise PluginError(f"{where}: its title must be 1–{MAX_TITLE} characters")
        if template.audience != AUDIENCE[QuestionnairePurpose(template.purpose)]:
            raise PluginError(
                f"{where}: a {template.purpose} template is answered by {AUDIENCE[template.purpose]}"
            )
        try:
            stored_items(template)
        except InvalidInput as refused:
            reasons = "; ".join(e.message for e in refused.errors)
            raise PluginError(f"{where}: {reasons}") from None


async def install_plugin_defaults(conn: AsyncConnection, offered: Iterable[OfferedQuestionnaire]) -> None:
    """Make every offered template a platform default, as the owner role, inside the caller's transaction."""
    for each in offered:
        await _install(conn, each.template)


def installer(plugins: Plugins) -> Callable[[AsyncConnection], Awaitable[None]]:
    """The step ``nastavnik db upgrade`` runs after the migrations: every loaded plugin's templates."""
    offered = plugins.questionnaire_defaults()

    async def install(conn: AsyncConnection) -> None:
        await install_plugin_defaults(conn, offered)

    return install


async def _install(conn: AsyncConnection, template: QuestionnaireDefault) -> None:
    purpose = QuestionnairePurpose(template.purpose)
    identity = {"audience": template.audience, "regime": REGIME[purpose], "moment": Moment.YEAR}
    items, title = stored_items(template), " ".join(template.title.split())
    found = (
        await conn.execute(
            select(
                QuestionnaireTemplate.id,
                QuestionnaireTemplate.title,
                QuestionnaireTemplate.audience,
                QuestionnaireTemplate.regime,
                QuestionnaireTemplate.moment,
            ).where(QuestionnaireTemplate.region_id.is_(None), QuestionnaireTemplate.code == template.code)
        )
    ).one_or_none()
    if found is None:
        template_id = uuid.uuid4()
        await conn.execute(
            insert(QuestionnaireTemplate).values(
                id=template_id, region_id=None, code=template.code, title=title, **identity
            )
        )
        await _publish(conn, template_id, 1, items)
        return
    template_id, old_title, *old_identity = found
    if tuple(old_identity) != tuple(identity.values()):
        # Who is given a template follows from these: the regions' copies and the answers rely on them.
        raise PluginError(
            f"the questionnaire template {template.code!r} exists as a platform default for another"
            f" audience, regime or moment ({', '.join(old_identity)}): give the changed one a new code"
        )
    if old_title != title:
        await conn.execute(
            update(QuestionnaireTemplate).where(QuestionnaireTemplate.id == template_id).values(title=title)
        )
    latest = (
        await conn.execute(
            select(QuestionnaireVersion.number, QuestionnaireVersion.items)
            .where(
                QuestionnaireVersion.template_id == template_id,
                QuestionnaireVersion.status == VersionStatus.PUBLISHED,
            )
            .order_by(QuestionnaireVersion.number.desc())
            .limit(1)
        )
    ).one_or_none()
    if latest is None or latest.items != items:
        last = await conn.scalar(
            select(func.max(QuestionnaireVersion.number)).where(
                QuestionnaireVersion.template_id == template_id
            )
        )
        await _publish(conn, template_id, int(last or 0) + 1, items)


async def _publish(
    conn: AsyncConnection, template_id: uuid.UUID, number: int, items: list[dict[str, Any]]
) -> None:
    await conn.execute(
        insert(QuestionnaireVersion).values(
            id=uuid.uuid4(),
            template_id=template_id,
            number=number,
            status=VersionStatus.PUBLISHED,
            items=items,
            published_at=func.now(),
        )
    )
