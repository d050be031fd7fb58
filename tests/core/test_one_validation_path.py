"""One path for what the API and the pages share: ids typed in the path, page forms decoded into the API's
own body types (one Russian message per wrong field), audited kinds of object with their Russian titles."""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

import msgspec
import pytest
from litestar import Litestar

from nastavnik import audit
from nastavnik.domain.bases.routes import MentorProfileIn
from nastavnik.domain.organisations.schemas import OrganisationIn
from nastavnik.domain.people.schemas import PersonUpdate
from nastavnik.errors import FieldError, InvalidInput
from nastavnik.runtime import Runtime
from nastavnik.web.forms import decode_form
from tests.support.forms import field_error, send_form
from tests.support.http import Client, client_for
from tests.support.world import OrgWorld, World

MALFORMED = ("not-a-uuid", "12345", "00000000-0000-0000-0000-00000000000g")


def _paths(org: OrgWorld, bad: str) -> dict[str, str]:
    """Routes whose path names a record, with ``bad`` in its place: API and pages."""
    programme, group = org.programme_id, org.group_id
    return {
        "api person": f"/api/o/{org.slug}/people/{bad}",
        "api programme": f"/api/o/{org.slug}/programmes/{bad}",
        "api group": f"/api/o/{org.slug}/programmes/{programme}/groups/{bad}/plan",
        "page person": f"/o/{org.slug}/people/{bad}",
        "page group": f"/o/{org.slug}/programmes/{programme}/groups/{bad}/",
        "page report": f"/o/{org.slug}/programmes/{bad}/report.docx",
        "page questionnaire": f"/o/{org.slug}/questionnaires/{bad}",
        "page of the work": f"/o/{org.slug}/programmes/{bad}/groups/{group}/",
    }


@pytest.mark.parametrize("bad", MALFORMED)
async def test_a_malformed_id_is_a_404_exactly_like_a_missing_record(
    app: Litestar, world: World, bad: str
) -> None:
    org = world.orgs["school_a"]
    missing = str(uuid.uuid4())
    async with client_for(app, org.identities["curator"]) as client:
        for what, url in _paths(org, bad).items():
            malformed = await client.get(url)
            absent = await client.get(_paths(org, missing)[what])
            assert (malformed.status_code, absent.status_code) == (404, 404), (what, url)
            assert malformed.headers["content-type"] == absent.headers["content-type"], what
            if what.startswith("api"):
                assert malformed.headers["content-type"] == "application/problem+json"
                assert (
                    malformed.json()
                    == absent.json()
                    == {
                        "type": "about:blank",
                        "title": "Не найдено",
                        "status": 404,
                        "detail": "Такой страницы или записи нет, либо у вас нет к ней доступа.",
                    }
                )
            else:
                assert malformed.headers["content-type"].startswith("text/html")
                assert malformed.text == absent.text
                assert "<h1>Не найдено</h1>" in malformed.text
        # A write to a malformed id is not found either, whatever its body.
        written = await client.post(f"/o/{org.slug}/people/{bad}/roles", data={"role_mentor": "on"})
        patched = await client.patch(f"/api/o/{org.slug}/people/{bad}", json={"last_name": 5})
    assert (written.status_code, patched.status_code) == (404, 404)
    assert patched.json()["title"] == "Не найдено"


async def _both(
    client: Client, action: str, form: dict[str, str], method: str, api: str, body: dict[str, Any]
) -> tuple[list[dict[str, str]], str]:
    """The API's errors for ``body``, and the page the form is on as it comes back with ``form`` refused."""
    answer = await client.request(method, api, json=body)
    assert answer.status_code == 422, answer.text
    page = {
        "plan": action.removesuffix("plan"),
        "mentor-profile": action.removesuffix("/mentor-profile"),
    }.get(action.rsplit("/", 1)[1], action)
    shown = await send_form(client, action, form, page=page)
    assert shown.status_code == 200, shown.text
    return list(answer.json()["errors"]), shown.text


async def test_a_page_form_and_its_api_twin_refuse_a_value_with_the_same_words(
    app: Litestar, world: World
) -> None:
    org = world.orgs["school_h"]
    people = f"/o/{org.slug}/people"
    mentor = org.persons["mentor"]
    group = f"programmes/{org.programme_id}/groups/{org.group_id}"
    counts = {"learners_10_18": "1", "pedagogues": "1", "young_pedagogues": "1"}
    cases: list[tuple[str, str, dict[str, str], str, str, dict[str, Any]]] = [
        # (field, page, form, method, API route, JSON body): the same wrong value on both sides.
        (
            "learners_total",
            f"/o/{org.slug}/headcounts",
            {"academic_year": str(world.year), "learners_total": "много", **counts},
            "PUT",
            f"/api/o/{org.slug}/headcounts/{world.year}",
            {"learners_total": "много", **{k: 1 for k in counts}},
        ),
        (
            "academic_year",
            f"/o/{org.slug}/programmes",
            {"academic_year": "2101", "regime": "learners"},
            "POST",
            f"/api/o/{org.slug}/programmes",
            {"academic_year": 2101, "regime": "learners"},
        ),
        (
            "due_on",
            f"/o/{org.slug}/{group}/plan",
            {"goal": "Цель", "task": "Задача", "due_on": "", "mentee_id": str(org.persons["mentee"])},
            "POST",
            f"/api/o/{org.slug}/{group}/plan",
            {"goal": "Цель", "task": "Задача"},
        ),
        (
            "capacity",
            f"/o/{org.slug}/people/{mentor}/mentor-profile",
            {"capacity": "два"},
            "PUT",
            f"/api/o/{org.slug}/people/{mentor}/mentor-profile",
            {"capacity": "два"},
        ),
        (
            "last_name",
            people,
            {"last_name": "", "first_name": "Ася", "category": "learner"},
            "POST",
            f"/api/o/{org.slug}/people",
            {"last_name": "", "first_name": "Ася", "category": "learner"},
        ),
    ]
    async with client_for(app, org.identities["curator"]) as client:
        for field, page, form, method, api, body in cases:
            errors, html = await _both(client, page, form, method, api, body)
            (message,) = [e["message"] for e in errors if e["field"] == field]
            assert re.search(r"[а-яё]", message), (field, message)  # Russian, as every message is
            assert field_error(html, field) == message, (field, errors, page)
        listed = (await client.get(f"/api/o/{org.slug}/people")).json()
    assert not any(p["first_name"] == "Ася" for p in listed)  # refused on both sides: nothing written


def test_decode_form_reads_text_as_the_api_reads_json() -> None:
    profile = decode_form(
        {"capacity": " 3 ", "experience_years": "", "consent_on": "2026-09-01"}, MentorProfileIn
    )
    assert (profile.capacity, profile.experience_years, str(profile.consent_on)) == (3, 0, "2026-09-01")
    assert profile.status == "current"  # not sent: the API's default
    # A checkbox is true when ticked, false when not sent; an emptied address is kept only where asked.
    person = decode_form(
        {"last_name": "Ким", "first_name": "Ли", "category": "staff", "email": ""}, PersonUpdate
    )
    assert person.email is None
    kept = decode_form(
        {"last_name": "Ким", "first_name": "Ли", "category": "staff", "email": ""},
        PersonUpdate,
        keep_blank=["email"],
    )
    assert kept.email == ""


def test_decode_form_names_the_form_field_in_its_refusal() -> None:
    form = {
        "municipality_id": str(uuid.uuid4()),
        "type": "school",
        "full_name": "Школа",
        "short_name": "Школа",
        "inn": "7707083893",
        "slug": "shkola",
        "curator_last_name": "x" * 101,
    }
    with pytest.raises(InvalidInput) as refused:
        decode_form(form, OrganisationIn, nested=["curator"])
    assert refused.value.errors == [FieldError("curator_last_name", "знаков не больше 100")]
    with pytest.raises(InvalidInput) as wrong_id:
        decode_form({**form, "municipality_id": "москва"}, OrganisationIn, nested=["curator"])
    assert wrong_id.value.errors == [FieldError("municipality_id", "ожидается идентификатор (UUID)")]
    with pytest.raises(InvalidInput) as renamed:
        decode_form({"year": "1999"}, _Report, names={"academic_year": "year"})
    assert renamed.value.errors == [FieldError("year", "не меньше 2000")]


class _Report(msgspec.Struct, forbid_unknown_fields=True):
    academic_year: Annotated[int, msgspec.Meta(ge=2000, le=2100)] | None = None


def test_every_audited_kind_has_a_russian_title(runtime: Runtime) -> None:
    """The core's kinds (the enum) and the plugins' (register_audit_titles) are all titled in Russian."""
    titles = runtime.plugins.audit_titles().objects
    assert set(audit.OBJECT_TITLES) <= set(titles)
    for code, title in titles.items():
        assert re.fullmatch(r"[а-яё «»(),.\-]+", title), (code, title)
    for kind in audit.ObjectKind:
        assert titles[kind.value] == kind.label
        assert kind == kind.value  # recorded as its code: the log's existing rows keep their meaning
