"""The Python form helpers (web.form_fields) write exactly what the macros of core/_forms.html write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, FileSystemLoader, select_autoescape

import nastavnik.web
from nastavnik.errors import FieldError
from nastavnik.web.form_fields import FIELDS
from nastavnik.web.form_state import FormState

TEMPLATES = Path(nastavnik.web.__file__).parent / "templates"
ENV = Environment(
    loader=FileSystemLoader(str(TEMPLATES)),
    autoescape=select_autoescape(default=True, default_for_string=True),
)
CALLS = (
    "[{{ f.attrs(state, name) }}|{{ f.error(state, name) }}|{{ f.value(state, name) }}|{{ f.value(state, name, stored) }}"
    "|{{ f.selected(state, name, code) }}|{{ f.selected(state, name, code, stored) }}]"
)
MACROS = ENV.from_string('{% import "_forms.html" as f %}' + CALLS)
HELPERS = ENV.from_string(CALLS)

HOSTILE = "<script>\"x\"&'y'</script>"
STATES = [
    None,
    FormState("/o/a/people", "Проверьте поля"),
    FormState("/o/a/people", "Проверьте поля", values={"last_name": HOSTILE, "category": "learner"}),
    FormState(
        "/o/a/people",
        "Проверьте поля",
        errors=[FieldError("last_name", "Обязательное поле"), FieldError("last_name", HOSTILE)],
        values={"last_name": "Иванова"},
    ),
    FormState(
        "/o/a/people", "Проверьте поля", errors=[FieldError(HOSTILE, "Не то")], values={HOSTILE: HOSTILE}
    ),
]
NAMES = ["last_name", "category", "email", HOSTILE]
STORED: list[Any] = [None, "", "learner", HOSTILE, 7]
CODES: list[Any] = ["learner", "", None, 7]


@pytest.mark.parametrize(
    "state", STATES, ids=lambda s: "none" if s is None else f"{len(s.errors)}e{len(s.values)}v"
)
def test_the_helpers_write_what_the_macros_write(state: FormState | None) -> None:
    compared = 0
    for name in NAMES:
        for stored in STORED:
            for code in CODES:
                context = {"state": state, "name": name, "stored": stored, "code": code}
                assert HELPERS.render(f=FIELDS, **context) == MACROS.render(**context), context
                compared += 1
    assert compared == len(NAMES) * len(STORED) * len(CODES)


def test_a_refused_field_is_escaped_and_marked() -> None:
    state = STATES[4]
    html = HELPERS.render(f=FIELDS, state=state, name=HOSTILE, stored=None, code=None)
    assert "<script>" not in html
    assert 'aria-invalid="true"' in html
    assert "&lt;script&gt;" in html
