"""Which template a generated document is filled from: the region's, a plugin's, or the platform's.

One rule for every document of ``kinds.DOCUMENT_TITLES``: the upload of the organisation's region if
there is one, else the template a plugin active in the organisation offers for its type, else the
platform's default (``None``). A region's template is read when the document is generated, never
cached: the web runs as several replicas and an upload or a revert must take effect in all of them at
once (one primary-key lookup per download). A stored template that no longer fills (it names a field the
document has since lost) is the region's to fix: the download answers 422 saying so, never 500.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.documents.docx import TemplateBroken
from nastavnik.domain.documents.kinds import DOCUMENT_TITLES
from nastavnik.domain.documents.models import RegionDocumentTemplate
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.plugins import Plugins
from nastavnik.tenancy import OrgContext

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class ChosenTemplate:
    """A template other than the platform's: the region's upload (``plugin`` None) or a plugin's."""

    code: str
    content: bytes
    plugin: str | None = None
    plugin_title: str | None = None


async def template_for(
    db: AsyncSession, ctx: OrgContext, plugins: Plugins, code: str
) -> ChosenTemplate | None:
    """The template the organisation's ``code`` document is filled from; ``None``: the platform's default.

    Row-level security lets only members of the region's organisations read its templates.
    """
    t = RegionDocumentTemplate
    content = await db.scalar(select(t.content).where(t.region_id == ctx.org.region_id, t.code == code))
    if content is not None:
        return ChosenTemplate(code, bytes(content))
    offered = plugins.document_templates().get((code, ctx.org.type))
    if offered is not None and offered.plugin in ctx.active_plugins:
        return ChosenTemplate(code, offered.path.read_bytes(), offered.plugin, offered.plugin_title)
    return None


def broken(chosen: ChosenTemplate, exc: TemplateBroken) -> InvalidInput:
    """The 422 for a document whose region's (or plugin's) template cannot be filled."""
    title = DOCUMENT_TITLES[chosen.code]
    if chosen.plugin is None:
        message = (
            f"Документ «{title}» не сформирован: шаблон, загруженный регионом, не удаётся заполнить."
            " Региону нужно исправить шаблон (раздел «Шаблоны документов») или вернуть стандартный."
        )
    else:
        message = (
            f"Документ «{title}» не сформирован: шаблон модуля «{chosen.plugin_title}» не удаётся"
            " заполнить. Сообщите администратору платформы."
        )
    return InvalidInput(message, [FieldError("template", exc.message)])


async def fill(
    db: AsyncSession,
    ctx: OrgContext,
    plugins: Plugins,
    code: str,
    render: Callable[[bytes | None], bytes],
) -> bytes:
    """The ``code`` document rendered by ``render`` from the template :func:`template_for` chooses."""
    chosen = await template_for(db, ctx, plugins, code)
    try:
        return render(None if chosen is None else chosen.content)
    except TemplateBroken as exc:
        if chosen is None:
            raise  # the platform's own template: a bug, answered and logged as one
        log.warning(
            "a replacement template cannot be filled",
            code=code,
            region_id=str(ctx.org.region_id),
            plugin=chosen.plugin,
            detail=exc.detail,
        )
        raise broken(chosen, exc) from exc
