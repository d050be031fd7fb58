"""A page form refused with errors comes back on its own page, filled in, each message beside its field.

One mechanism for every page form (post, redirect, get): when a page's POST raises ``InvalidInput`` or
``Conflict``, the error handler keeps what was typed and the messages in the session and sends the
browser back (303) to the page the form was on; that page, rendered normally with its layout and
navigation, reads them once through :func:`form_state`. A template asks for its form by the form's
``action``, so only the form that was sent is filled in. Why not render the form's template from the
handler: the handler knows neither the page's template nor the data the page needs, while a redirect
back works for every form, including the plugins', without a line in their controllers. Nothing of a
password or a file is kept; the values are cut to a size that fits a session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from jinja2 import pass_context
from jinja2.runtime import Context
from litestar import Request
from litestar.datastructures import UploadFile
from litestar.utils.scope.state import ScopeState

from nastavnik.errors import FieldError
from nastavnik.web import form_fields
from nastavnik.web.session import has_session

FLASH = "form_flash"
STATE = "nastavnik_form_state"
SECRET_FIELDS = {"_csrf_token", "password", "new_password", "password_confirm", "otp"}
MAX_FIELDS = 300
MAX_VALUE = 4000


@dataclass(frozen=True, slots=True)
class FormState:
    """What came back with a refused form: its action, the message, errors by field, the typed values."""

    action: str
    message: str
    errors: list[FieldError] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)

    def is_for(self, action: str) -> bool:
        return self.action == action

    def value(self, name: str, default: Any = "") -> Any:
        """What was typed into ``name``; ``default`` (the stored value) when the field was not sent."""
        return self.values.get(name, default)

    def checked(self, name: str, default: bool = False) -> bool:
        """A checkbox as it was sent: an unticked box is not sent at all."""
        return name in self.values if self.values else default

    def error(self, name: str) -> str:
        return "; ".join(e.message for e in self.errors if e.field == name)


def remember(request: Request[Any, Any, Any], message: str, errors: list[FieldError]) -> str | None:
    """Keep a refused page form for its page; the address to send the browser back to, or None.

    None where there is nothing to go back to: an API call, a request without a session, a form sent
    without a Referer (a client that sends none gets the error page, as before).
    """
    back = _back(request)
    if request.method != "POST" or not has_session(request) or back is None:
        return None
    request.session[FLASH] = {
        "action": request.url.path,
        "message": message,
        "errors": [e.as_json() for e in errors[:MAX_FIELDS]],
        "values": _typed(request),
    }
    return back


def _typed(request: Request[Any, Any, Any]) -> dict[str, str]:
    form = ScopeState.from_scope(request.scope).form  # parsed once for the handler, cached by Litestar
    if not isinstance(form, dict):
        return {}
    values: dict[str, str] = {}
    for name, raw in list(form.items())[:MAX_FIELDS]:
        value = raw[-1] if isinstance(raw, list) and raw else raw
        if name in SECRET_FIELDS or isinstance(value, UploadFile) or not isinstance(value, str):
            continue
        values[str(name)] = value[:MAX_VALUE]
    return values


def _back(request: Request[Any, Any, Any]) -> str | None:
    """The page the form was sent from: the Referer, on this site only (never an open redirect).

    Browsers send it for same-origin requests under every Referrer-Policy but ``no-referrer``.
    """
    parts = urlsplit(request.headers.get("referer", ""))
    if not parts.path or parts.netloc != request.headers.get("host", ""):
        return None
    if not parts.path.startswith("/") or parts.path.startswith(("//", "/api/")):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _taken(request: Request[Any, Any, Any]) -> FormState | None:
    """The refused form, taken out of the session by the first page rendered after it (then it is gone)."""
    state = request.scope.setdefault("state", {})
    if STATE not in state:
        flash = request.session.pop(FLASH, None) if has_session(request) else None
        state[STATE] = (
            FormState(
                str(flash.get("action", "")),
                str(flash.get("message", "")),
                [
                    FieldError(str(e.get("field", "")), str(e.get("message", "")))
                    for e in flash.get("errors", [])
                ],
                dict(flash.get("values", {})),
            )
            if isinstance(flash, dict)
            else None
        )
    found: FormState | None = state[STATE]
    return found


@pass_context
def form_state(context: Context, action: str | None = None) -> FormState | None:
    """In a template: the refused form sent to ``action`` (any refused form when None), or None."""
    request = context.get("request")
    if not isinstance(request, Request):
        return None
    state = _taken(request)
    if state is None or (action is not None and not state.is_for(action)):
        return None
    return state


# ``form_fields``: the macros of core/_forms.html in Python (web.form_fields), for the pages viewed most.
GLOBALS = {"form_state": form_state, "form_fields": form_fields.FIELDS}
