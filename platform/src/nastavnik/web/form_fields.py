"""The macros of ``core/_forms.html`` as Python functions, writing exactly the same HTML.

A page with a form calls them once per field (the people page: seventeen times on every view). A Jinja macro
call costs a new context, its arguments' checks and a join of its output, about ten times what a Python call
from a template costs; these are the same four helpers without that. ``tests/core/test_form_fields.py``
renders both for the same states and compares the bytes. In a template: ``{% set f = form_fields %}``
instead of ``{% import "core/_forms.html" as f %}``; the calls stay the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

if TYPE_CHECKING:  # form_state puts these helpers among the templates' globals
    from nastavnik.web.form_state import FormState

_EMPTY = Markup("")
_SELECTED = Markup("selected")


def attrs(state: FormState | None, name: str) -> Markup:
    """The id (only in the refused form: a page may hold several forms with the same fields) and, when the
    field was refused, its error's description."""
    if not state:
        return _EMPTY
    if state.error(name):
        return Markup('id="f-%s" aria-invalid="true" aria-describedby="e-%s"') % (name, name)
    return Markup('id="f-%s"') % name


def error(state: FormState | None, name: str) -> Markup:
    """The field's message beside it, when it was refused."""
    if not state:
        return _EMPTY
    message = state.error(name)
    if not message:
        return _EMPTY
    return Markup('<span class="field-error" id="e-%s">%s</span>') % (name, message)


def value(state: FormState | None, name: str, stored: Any = "") -> Markup:
    """What was typed in the refused form, else what is stored (``None``: nothing)."""
    default = stored if stored is not None else ""
    return escape(state.value(name, default) if state else default)


def selected(state: FormState | None, name: str, code: Any, stored: Any = None) -> Markup:
    """``selected`` on the option that was chosen in the refused form, else on the stored one."""
    return _SELECTED if (state.value(name, stored) if state else stored) == code else _EMPTY


class _FormFields:
    """``form_fields`` in a template: the four helpers as attributes, as the macros' module has them."""

    __slots__ = ()
    attrs = staticmethod(attrs)
    error = staticmethod(error)
    value = staticmethod(value)
    selected = staticmethod(selected)


FIELDS = _FormFields()
