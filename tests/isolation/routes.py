"""What the isolation suite knows about every route. A route missing here fails the suite.

Tenant routes carry ``{slug}``; the suite fills every path parameter from the victim
organisation. Routes outside an organisation must be listed in GLOBAL_ROUTES with
the reason they are safe; writes need a body sample in BODIES.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from tests.support.world import OrgWorld, World

Route = tuple[str, str]  # (METHOD, path template as in the OpenAPI document)

PARAMS: dict[str, Callable[[World, OrgWorld], str]] = {
    "slug": lambda world, victim: victim.slug,
    "person_id": lambda world, victim: str(victim.persons["mentee"]),
    "decade_id": lambda world, victim: str(victim.decade_id or uuid.uuid4()),
    "start_year": lambda world, victim: str(world.year),
    "name": lambda world, victim: "schools",
    "municipality_id": lambda world, victim: str(victim.municipality_id),
    "org_id": lambda world, victim: str(victim.id),
    "token": lambda world, victim: "no-such-upload",
    "programme_id": lambda world, victim: str(victim.programme_id),
    "item_id": lambda world, victim: str(victim.roadmap_item_id),
    "group_id": lambda world, victim: str(victim.group_id),
    "order_id": lambda world, victim: str(victim.order_id),
    "indicator": lambda world, victim: "learners_covered",
    "report_id": lambda world, victim: str(uuid.uuid4()),
}

# Parameters that name a tenant-owned object: probed with the attacker's own slug too.
OBJECT_IDS = {"person_id", "decade_id", "programme_id", "item_id", "group_id", "order_id"}

PERSON = {"last_name": "Вторженец", "first_name": "Иван", "category": "pedagogue"}
HEADCOUNT = {"learners_total": 1, "learners_10_18": 1, "pedagogues": 1, "young_pedagogues": 1}
DECADE = {
    "subject_area": "Вторжение",
    "title": "Чужая декада",
    "starts_on": "2026-12-01",
    "ends_on": "2026-12-05",
}

DOCUMENTS = {
    "version": 1,
    "polozhenie_status": "approved",
    "polozhenie_order_no": "15-од",
    "polozhenie_order_date": "2026-09-01",
    "programma_status": "approved",
    "programma_order_no": "16-од",
    "programma_order_date": "2026-09-01",
}
ROADMAP = {"stage": 1, "title": "Педсовет", "due_on": "2035-10-01", "responsible": "Завуч"}
GROUP = {
    "mentor_ids": [str(uuid.UUID(int=1))],
    "mentee_ids": [str(uuid.UUID(int=2))],
    "form_code": "teacher_teacher",
    "kind_code": "traditional",
    "starts_on": "2035-09-15",
    "ends_on": "2036-05-31",
}
TERM = {"starts_on": "2035-09-15", "ends_on": "2036-05-31"}
ORDER = {"kind": "pairs_formation", "number": "99-од", "issued_on": "2026-09-01", "group_ids": []}


def small_base_file() -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["ФИО", "Кто", "Начало педагогической работы"])
    sheet.append(["Новикова Нина Петровна", "молодой педагог", "01.09.2025"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Bodies: ("json", body) for the API, ("form", fields) for pages.
BODIES: dict[Route, tuple[str, Any]] = {
    ("POST", "/api/o/{slug}/people"): ("json", PERSON),
    ("PATCH", "/api/o/{slug}/people/{person_id}"): ("json", {**PERSON, "version": 1}),
    ("PUT", "/api/o/{slug}/people/{person_id}/roles"): ("json", {"roles": ["curator"]}),
    ("DELETE", "/api/o/{slug}/people/{person_id}"): ("json", None),
    ("PUT", "/api/o/{slug}/headcounts/{start_year}"): ("json", HEADCOUNT),
    ("PUT", "/api/o/{slug}/plugins/{name}"): ("json", {"enabled": False, "settings": {}}),
    ("POST", "/api/o/{slug}/p/schools/decades"): ("json", DECADE),
    ("DELETE", "/api/o/{slug}/p/schools/decades/{decade_id}"): ("json", None),
    ("POST", "/api/o/{slug}/programmes"): ("json", {"academic_year": 2031, "regime": "learners"}),
    ("PUT", "/api/o/{slug}/programmes/{programme_id}/documents"): ("json", DOCUMENTS),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/advance"): ("json", {"version": 1}),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/roadmap"): ("json", ROADMAP),
    ("PUT", "/api/o/{slug}/programmes/{programme_id}/roadmap/{item_id}/done"): ("json", {"done": True}),
    ("POST", "/o/{slug}/programmes"): ("form", {"academic_year": "2032", "regime": "learners"}),
    ("POST", "/o/{slug}/programmes/{programme_id}/documents"): (
        "form",
        {k: str(v) for k, v in DOCUMENTS.items()},
    ),
    ("POST", "/o/{slug}/programmes/{programme_id}/advance"): ("form", {"version": "1"}),
    ("POST", "/o/{slug}/programmes/{programme_id}/roadmap"): (
        "form",
        {k: str(v) for k, v in ROADMAP.items()},
    ),
    ("POST", "/o/{slug}/programmes/{programme_id}/roadmap/{item_id}/done"): ("form", {"done": "on"}),
    ("PUT", "/api/o/{slug}/people/{person_id}/mentee-profile"): (
        "json",
        {"kind": "young_pedagogue", "profession_since": "2024-09-01"},
    ),
    ("PUT", "/api/o/{slug}/people/{person_id}/mentor-profile"): (
        "json",
        {"capacity": 2, "consent_on": "2025-09-01"},
    ),
    ("POST", "/o/{slug}/people/{person_id}/mentee-profile"): (
        "form",
        {"kind": "young_pedagogue", "profession_since": "2024-09-01"},
    ),
    ("POST", "/o/{slug}/people/{person_id}/mentor-profile"): (
        "form",
        {"capacity": "2", "consent_on": "2025-09-01"},
    ),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/groups"): ("json", GROUP),
    ("PUT", "/api/o/{slug}/programmes/{programme_id}/groups/{group_id}"): ("json", {**GROUP, "version": 1}),
    ("DELETE", "/api/o/{slug}/programmes/{programme_id}/groups/{group_id}"): ("json", None),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/matching"): ("json", {"exclude": []}),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/matching/accept"): (
        "json",
        {"pairs": [{"mentee_id": str(uuid.UUID(int=2)), "mentor_id": str(uuid.UUID(int=1))}], **TERM},
    ),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/orders"): ("json", ORDER),
    ("POST", "/o/{slug}/programmes/{programme_id}/matching"): ("form", {}),
    ("POST", "/o/{slug}/programmes/{programme_id}/matching/accept"): ("form", TERM),
    ("POST", "/o/{slug}/programmes/{programme_id}/groups"): (
        "form",
        {"form_code": "teacher_teacher", "kind_code": "traditional", **TERM},
    ),
    ("POST", "/o/{slug}/programmes/{programme_id}/groups/{group_id}/delete"): ("form", {"confirm": "yes"}),
    ("POST", "/o/{slug}/programmes/{programme_id}/orders"): (
        "form",
        {"kind": "pairs_formation", "number": "99-од", "issued_on": "2026-09-01"},
    ),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/groups/{group_id}/complete"): (
        "json",
        {"version": 1, "result": "Итоги", "ended_on": "2026-11-01"},
    ),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/groups/{group_id}/end-early"): (
        "json",
        {"version": 1, "reason": "Переезд", "ended_on": "2026-11-01"},
    ),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/close"): ("json", {"version": 1}),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/next-year"): ("json", None),
    ("POST", "/o/{slug}/programmes/{programme_id}/groups/{group_id}/complete"): (
        "form",
        {"version": "1", "result": "Итоги", "ended_on": "2026-11-01"},
    ),
    ("POST", "/o/{slug}/programmes/{programme_id}/groups/{group_id}/end-early"): (
        "form",
        {"version": "1", "reason": "Переезд", "ended_on": "2026-11-01"},
    ),
    ("POST", "/o/{slug}/programmes/{programme_id}/close"): ("form", {"version": "1", "confirm": "yes"}),
    ("POST", "/o/{slug}/programmes/{programme_id}/next-year"): ("form", {}),
    ("POST", "/api/o/{slug}/bases/mentees/import"): ("file", small_base_file()),
    ("POST", "/api/o/{slug}/bases/mentees/import/{token}"): ("json", None),
    ("POST", "/o/{slug}/bases/mentees/import"): ("file", small_base_file()),
    ("POST", "/o/{slug}/bases/mentees/import/{token}"): ("form", {}),
    ("POST", "/o/{slug}/people"): ("form", PERSON),
    ("POST", "/o/{slug}/people/{person_id}"): ("form", {**PERSON, "version": "1"}),
    ("POST", "/o/{slug}/people/{person_id}/roles"): ("form", {"role_curator": "on"}),
    ("POST", "/o/{slug}/people/{person_id}/delete"): ("form", {"confirm": "yes"}),
    ("POST", "/o/{slug}/headcounts"): (
        "form",
        {**{k: str(v) for k, v in HEADCOUNT.items()}, "academic_year": "2026"},
    ),
    ("POST", "/o/{slug}/plugins/{name}"): ("form", {}),
    ("POST", "/o/{slug}/p/schools/decades"): ("form", DECADE),
}

# Routes outside any organisation, and why a member of one organisation learns nothing of another there.
GLOBAL_ROUTES: dict[Route, str] = {
    ("GET", "/health/live"): "a probe: no data",
    ("GET", "/health/ready"): "a probe: no data",
    ("GET", "/"): "redirects to the person's own home",
    ("GET", "/login"): "starts the Keycloak login, or says sign-in is not configured",
    ("POST", "/logout"): "ends the session; not probed here: test_settings_and_sign_in, test_page_login",
    ("GET", "/auth/callback"): "completes a login started in this browser; refusals in test_page_login",
    ("GET", "/api/me"): "the person's own account and memberships",
    ("GET", "/region"): "region staff only: tested in test_oversight",
    ("GET", "/m/{municipality_id}"): "overseers of that municipality only: tested in test_oversight",
    ("GET", "/api/organisations"): "overseers only: tested in test_oversight",
    ("POST", "/api/organisations"): "region staff only: tested in test_oversight",
    ("GET", "/api/region/headcounts"): "region staff only, aggregates: tested in test_oversight",
    ("GET", "/api/municipalities/{municipality_id}/headcounts"): "overseers only, aggregates: test_oversight",
    ("GET", "/region/organisations"): "region staff only: tested in test_onboarding",
    ("POST", "/region/organisations"): "region staff only: tested in test_onboarding",
    ("POST", "/region/organisations/{org_id}/retry"): "region staff of that region only: test_onboarding",
    (
        "POST",
        "/api/organisations/{org_id}/onboarding/retry",
    ): "region staff of that region only: test_onboarding",
    ("POST", "/api/organisations/import"): "region staff only: test_organisation_import",
    ("POST", "/api/organisations/import/{token}"): "the uploader's own upload only: test_organisation_import",
    ("POST", "/region/organisations/import"): "region staff only: test_organisation_import",
    (
        "POST",
        "/region/organisations/import/{token}",
    ): "the uploader's own upload only: test_organisation_import",
    ("PUT", "/api/organisations/{org_id}/status"): "region staff of that region only: test_deactivation",
    ("GET", "/audit"): "auditors only: tested in test_audit",
    ("GET", "/api/audit"): "auditors only: tested in test_audit",
    ("GET", "/api/audit/export.xlsx"): "auditors only: tested in test_audit",
    # Regional statistics: figures only, never a person; who sees what is tested in tests/statistics
    # (test_dashboard, test_access) and enforced again by the statistics tables' policies.
    ("GET", "/region/statistics"): "region staff of their own region only: test_dashboard, test_access",
    ("POST", "/region/statistics/recompute"): "region staff only, their own region: test_dashboard",
    ("POST", "/region/statistics/targets"): "region staff only, their own region: test_dashboard",
    ("GET", "/api/region/statistics"): "region staff of their own region only: test_dashboard, test_access",
    ("GET", "/api/region/statistics/organisations"): "region staff of their own region only: test_access",
    ("GET", "/api/region/statistics/trend"): "region staff of their own region only: test_access",
    ("POST", "/api/region/statistics/recompute"): "region staff only, their own region: test_dashboard",
    ("POST", "/region/statistics/reports"): "region staff only, their own region: test_reports",
    (
        "GET",
        "/region/statistics/reports/{report_id}",
    ): "region staff of the report's region only: test_reports",
    ("POST", "/api/region/statistics/reports"): "region staff only, their own region: test_reports",
    (
        "GET",
        "/api/region/statistics/reports/{report_id}",
    ): "region staff of the report's region only: test_reports",
    (
        "GET",
        "/api/region/statistics/reports/{report_id}/monitoring.xlsx",
    ): "region staff of the report's region only: test_reports",
    (
        "GET",
        "/api/region/statistics/reports/{report_id}/note.docx",
    ): "region staff of the report's region only: test_reports",
    (
        "PUT",
        "/api/region/statistics/targets/{indicator}",
    ): "region staff only, their own region: test_dashboard",
    (
        "GET",
        "/m/{municipality_id}/statistics",
    ): "the region's staff and that municipality's coordinator: test_access",
    (
        "GET",
        "/m/{municipality_id}/statistics/{org_id}",
    ): "overseers of that municipality, its organisations only: test_access",
    (
        "GET",
        "/api/municipalities/{municipality_id}/statistics",
    ): "the region's staff and that municipality's coordinator: test_access",
    (
        "GET",
        "/api/municipalities/{municipality_id}/statistics/{org_id}",
    ): "overseers of that municipality, its organisations only: test_access",
}
NOT_PROBED = {("POST", "/logout")}

# POSTs that only check an upload and change nothing in the database: with the service checks off
# they may answer 200 (RLS hides every row they would compare against, so nothing leaks), but the
# commit that follows them is refused by PostgreSQL like any other write.
VALIDATING_POSTS = {
    ("POST", "/api/o/{slug}/bases/mentees/import"),
    ("POST", "/o/{slug}/bases/mentees/import"),
    # Matching computes suggestions from what the person may read and writes nothing.
    ("POST", "/api/o/{slug}/programmes/{programme_id}/matching"),
    ("POST", "/o/{slug}/programmes/{programme_id}/matching"),
}
