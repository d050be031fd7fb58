"""The plugins' document templates, checked at start-up against what the documents domain knows.

The kernel (``nastavnik.plugins``) collects what ``register_document_templates`` offers: the files are
there, the types are the plugin's, one plugin per document and type. Whether the code names a document
the platform generates, and whether the template fills with that document's sample data, only this
domain can tell; the core's default plugin asks it in ``plugins_loaded``, so a broken template still
refuses to start.
"""

from __future__ import annotations

from nastavnik.domain.documents.docx import TemplateBroken
from nastavnik.domain.documents.kinds import DOCUMENT_TITLES
from nastavnik.domain.documents.samples import render_sample
from nastavnik.plugins import PluginError, Plugins


def check_offered_templates(plugins: Plugins) -> None:
    """Refuse (``PluginError``) a template of an unknown document or one its sample data cannot fill."""
    checked: set[tuple[str, str]] = set()
    for offered in plugins.document_templates().values():
        if offered.code not in DOCUMENT_TITLES:
            raise PluginError(
                f"plugin {offered.plugin!r} offers a template for an unknown document {offered.code!r};"
                f" known documents: {', '.join(DOCUMENT_TITLES)}"
            )
        if (offered.code, str(offered.path)) in checked:
            continue  # one file offered for several types is filled once
        checked.add((offered.code, str(offered.path)))
        try:
            render_sample(offered.code, offered.path.read_bytes())
        except TemplateBroken as exc:
            raise PluginError(
                f"plugin {offered.plugin!r}: the template of {offered.code!r} ({offered.path}) cannot be"
                f" filled: {exc.message} ({exc.detail or 'no detail'})"
            ) from exc
