"""What the isolation suite knows about every route. A route missing here fails the suite.

Tenant routes carry ``{slug}``; the suite fills every path parameter from the victim
organisation. Routes outside an organisation must be listed in GLOBAL_ROUTES with
the reason they are safe; writes need a body sample in BODIES.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from tests.support.office import xlsx
from tests.support.world import OrgWorld, World

Route = tuple[str, str]  # (METHOD, path template as in the OpenAPI document)

# The document the region template routes name, and a template of it that any check accepts.
TEMPLATE_DOCUMENT = "mentor_journal"

PARAMS: dict[str, Callable[[World, OrgWorld], str]] = {
    "slug": lambda world, victim: victim.slug,
    "person_id": lambda world, victim: str(victim.persons["mentee"]),
    # The world's organisations are schools and a kindergarten: no partners there (the colleges plugin's own
    # cross-tenant check, plugins/colleges/tests, attacks a college's real ones).
    "partner_id": lambda world, victim: str(uuid.uuid4()),
    "internship_id": lambda world, victim: str(uuid.uuid4()),
    "start_year": lambda world, victim: str(world.year),
    "name": lambda world, victim: "schools",
    "municipality_id": lambda world, victim: str(victim.municipality_id),
    "org_id": lambda world, victim: str(victim.id),
    "token": lambda world, victim: "no-such-upload",
    "programme_id": lambda world, victim: str(victim.programme_id),
    "item_id": lambda world, victim: str(victim.roadmap_item_id),
    "group_id": lambda world, victim: str(victim.group_id),
    "order_id": lambda world, victim: str(victim.order_id),
    "plan_item_id": lambda world, victim: str(victim.plan_item_id),
    "entry_id": lambda world, victim: str(victim.journal_entry_id),
    "assignment_id": lambda world, victim: str(victim.assignment_id),
    # Questionnaire templates are shared reference data (no tenant), named by global routes only.
    "template_id": lambda world, victim: str(world.template_id),
    "version_id": lambda world, victim: str(world.version_id),
    "batch_id": lambda world, victim: str(victim.account_batch_id),
    # A region's dictionary entry: shared reference data, named the same in every region.
    "kind": lambda world, victim: "form",
    "regime": lambda world, victim: "learners",
    "code": lambda world, victim: "student_student",
    "indicator": lambda world, victim: "learners_covered",
    "report_id": lambda world, victim: str(uuid.uuid4()),
    # A document whose template a region replaces: shared reference data, named the same everywhere.
    "document": lambda world, victim: TEMPLATE_DOCUMENT,
    # The methodical work: the shape every organisation type has, and the victim's club, its meeting and
    # its member (the mentee).
    "shape": lambda world, victim: "club",
    "association_id": lambda world, victim: str(victim.club_id),
    "event_id": lambda world, victim: str(victim.club_event_id),
    "member_id": lambda world, victim: str(victim.persons["mentee"]),
    # The mentor's training record, its certificate scan carrying the canary.
    "training_id": lambda world, victim: str(victim.training_id),
    "notification_id": lambda world, victim: str(victim.notification_id),
}

# Parameters that name a tenant-owned object: probed with the attacker's own slug too.
OBJECT_IDS = {
    "person_id",
    "partner_id",
    "internship_id",
    "programme_id",
    "item_id",
    "group_id",
    "order_id",
    "plan_item_id",
    "entry_id",
    "assignment_id",
    "batch_id",
    "association_id",
    "event_id",
    "member_id",
    "training_id",
    "notification_id",
}

PERSON = {"last_name": "Вторженец", "first_name": "Иван", "category": "pedagogue"}
HEADCOUNT = {"learners_total": 1, "learners_10_18": 1, "pedagogues": 1, "young_pedagogues": 1}

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
# A line of a region's default roadmap: its second month (October), the 1st.
REGION_ROADMAP_LINE = {"stage": 1, "month": 2, "day": 1, "title": "Семинар", "responsible": "куратор"}
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
# Inside the role x route harness's fresh programme (2035/2036): its writers succeed. A meeting can
# only be dated in the past, so a journal body for that year is refused with the reason.
PLAN_ITEM = {"goal": "Вторжение", "task": "Чужая задача", "due_on": "2036-05-01", "result": ""}
MEETING = {"met_on": "2035-10-01", "topic": "Чужая встреча", "content": "", "result": "", "assignment": ""}
# Answers to the platform's «mentee_start_learners» questionnaire (the harness's fresh assignment).
ANSWERS = {"expected_usefulness": 8, "expected_help": 7, "expected_interest": 9, "expectations": "Вторжение"}
QUESTIONNAIRE_VERSION = {
    "title": "Анкета наставника по итогам программы (регион)",
    "items": [
        {"key": "usefulness_self", "text": "Насколько полезным было наставничество для вас самих?"},
        {"key": "comment", "text": "Что помогало работе пары?", "kind": "text"},
    ],
}
QUESTIONNAIRE_FORM = {
    "title": "Анкета наставника по итогам программы (регион)",
    "item_1_key": "usefulness_self",
    "item_1_text": "Насколько полезным было наставничество для вас самих?",
    "item_1_kind": "scale",
    "item_1_min": "1",
    "item_1_max": "10",
    "item_1_required": "on",
}
# The colleges plugin: a partner enterprise, its representative invited to mentor, a pair's internship.
PARTNER = {"name": "Чужой завод", "inn": "7707083893", "activity": "Вторжение"}
REPRESENTATIVE = {
    "last_name": "Чужой",
    "first_name": "Пётр",
    "email": "spy@zavod.example",
    "position": "Шпион",
}
INTERNSHIP = {
    "group_id": str(uuid.UUID(int=4)),
    "partner_id": str(uuid.UUID(int=5)),
    "place": "Цех",
    "starts_on": "2035-10-01",
    "ends_on": "2035-11-01",
}
COLLEGES_API, COLLEGES_PAGES = "/api/o/{slug}/p/colleges", "/o/{slug}/p/colleges"
# The methodical work: inside the role x route harness's fresh club of 2035/2036 (led by the mentor, the
# mentee a member, one planned meeting), so that its writers succeed.
METHODICAL = "/api/o/{slug}/methodical/{shape}"
METHODICAL_PAGE = "/o/{slug}/methodical/{shape}"
CLUB = {"academic_year": 2036, "name": "Чужой клуб"}
CLUB_MEETING = {"held_on": "2035-10-02", "topic": "Чужая встреча", "form": "seminar"}
# A person who exists nowhere: a foreign slug or club must be refused before that matters (the harness
# names one of the organisation's own teachers instead).
NEW_MEMBER = {"person_id": str(uuid.UUID(int=4))}
# The number and date an order of the methodical work is drawn up under (the harness dates it today).
METHODICAL_ORDER = {"number": "1-од", "issued_on": "2026-09-01"}
# Documents of one shape only: called with that shape (and for a decade's, with the victim's decade), so
# that they reach their lookups rather than stop at a shape without the document.
SHAPE_OF: dict[Route, str] = {
    **{
        (method, f"{prefix}/{{association_id}}/{document}"): "decade"
        for prefix, method, document in (
            (METHODICAL, "GET", "note.docx"),
            (METHODICAL_PAGE, "GET", "note.docx"),
            (METHODICAL, "GET", "order.docx"),
            (METHODICAL_PAGE, "POST", "order.docx"),
        )
    },
    ("GET", f"{METHODICAL}/plan.docx"): "decade",
    ("GET", f"{METHODICAL_PAGE}/plan.docx"): "decade",
    ("GET", f"{METHODICAL}/order.docx"): "creative_group",
    ("POST", f"{METHODICAL_PAGE}/order.docx"): "creative_group",
}

# Accounts for someone who exists nowhere: a foreign slug or batch must be refused before that matters.
ACCOUNTS = {"person_ids": [str(uuid.UUID(int=3))]}


def small_base_file() -> bytes:
    return xlsx(
        [
            ["ФИО", "Кто", "Начало педагогической работы"],
            ["Новикова Нина Петровна", "молодой педагог", "01.09.2025"],
        ]
    )


def small_mentor_file() -> bytes:
    return xlsx(
        [["ФИО", "Наставляемых не более", "Дата согласия"], ["Сидорова Галина Петровна", 2, "01.09.2025"]]
    )


# A region's own entry: a role model for colleges, which the world's regions do not have.
REGION_ENTRY = {
    "kind": "role_model",
    "regime": "learners",
    "code": "intruder_role",
    "title": "Чужая ролевая модель",
    "organisation_type": "college",
}
# A stale version: whoever gets past the role check is refused (409) and nothing changes.
REGION_CHANGE = {"title": "Чужое название", "version": 99}


def standard_template() -> bytes:
    from nastavnik.domain.documents.kinds import default_template

    return default_template(TEMPLATE_DOCUMENT)


# A mentor's course, and a scan of its certificate (a PDF by its first bytes).
TRAINING = {
    "course": "Чужой курс",
    "provider": "ИРО",
    "hours": 16,
    "started_on": "2025-03-01",
    "finished_on": "2025-03-10",
}
TRAINING_FORM = {k: str(v) for k, v in TRAINING.items()}
SCAN = b"%PDF-1.4\n%%EOF\n"
PEOPLE_API, PEOPLE_PAGE = "/api/o/{slug}/people/{person_id}", "/o/{slug}/people/{person_id}"


def small_training_file() -> bytes:
    return xlsx(
        [
            ["ФИО", "Курс", "Организация", "Часов", "Дата начала", "Дата окончания"],
            ["Сидорова Галина Петровна", "Наставничество", "ИРО", 36, "01.03.2025", "10.03.2025"],
        ]
    )


# A stale version: region staff get as far as the version check (409), and the region's settings and
# wording stay as they were for the tests after this one.
REGION_NOTIFICATIONS = {"quiet_starts": "21:00", "quiet_ends": "08:00", "digest_hour": 17, "version": 999}
WORDING = {"subject": "Чужая тема", "body": "Чужой текст", "version": 999}

# Bodies: ("json", body) for the API, ("form", fields) for pages.
BODIES: dict[Route, tuple[str, Any]] = {
    ("POST", f"{PEOPLE_API}/trainings"): ("json", TRAINING),
    ("PUT", f"{PEOPLE_API}/trainings/{{training_id}}"): ("json", {**TRAINING, "version": 1}),
    ("DELETE", f"{PEOPLE_API}/trainings/{{training_id}}"): ("json", None),
    ("PUT", f"{PEOPLE_API}/trainings/{{training_id}}/certificate"): ("file", SCAN),
    ("DELETE", f"{PEOPLE_API}/trainings/{{training_id}}/certificate"): ("json", None),
    ("POST", f"{PEOPLE_PAGE}/trainings"): ("multipart", (TRAINING_FORM, SCAN)),
    ("POST", f"{PEOPLE_PAGE}/trainings/{{training_id}}"): (
        "multipart",
        ({**TRAINING_FORM, "version": "1"}, SCAN),
    ),
    ("POST", f"{PEOPLE_PAGE}/trainings/{{training_id}}/delete"): ("form", {"confirm": "yes"}),
    ("POST", f"{PEOPLE_PAGE}/trainings/{{training_id}}/certificate/delete"): ("form", {"confirm": "yes"}),
    ("POST", "/api/o/{slug}/bases/trainings/import"): ("file", small_training_file()),
    ("POST", "/api/o/{slug}/bases/trainings/import/{token}"): ("json", None),
    ("POST", "/o/{slug}/bases/trainings/import"): ("file", small_training_file()),
    ("POST", "/o/{slug}/bases/trainings/import/{token}"): ("form", {}),
    # The diagnostics of the year to every young teacher of the organisation.
    ("POST", "/api/o/{slug}/diagnostics"): ("json", {}),
    ("POST", "/o/{slug}/diagnostics"): ("form", {"whom": "all"}),
    ("POST", "/api/o/{slug}/people"): ("json", PERSON),
    ("PATCH", "/api/o/{slug}/people/{person_id}"): ("json", {**PERSON, "version": 1}),
    ("PUT", "/api/o/{slug}/people/{person_id}/roles"): ("json", {"roles": ["curator"]}),
    ("DELETE", "/api/o/{slug}/people/{person_id}"): ("json", None),
    ("PUT", "/api/o/{slug}/headcounts/{start_year}"): ("json", HEADCOUNT),
    ("PUT", "/api/o/{slug}/plugins/{name}"): ("json", {"enabled": False, "settings": {}}),
    ("POST", "/api/o/{slug}/programmes"): ("json", {"academic_year": 2031, "regime": "learners"}),
    ("PUT", "/api/o/{slug}/programmes/{programme_id}/documents"): ("json", DOCUMENTS),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/advance"): ("json", {"version": 1}),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/roadmap"): ("json", ROADMAP),
    ("PUT", "/api/o/{slug}/programmes/{programme_id}/roadmap/{item_id}/done"): ("json", {"done": True}),
    ("PUT", "/api/o/{slug}/programmes/{programme_id}/roadmap/{item_id}"): ("json", {**ROADMAP, "version": 1}),
    ("DELETE", "/api/o/{slug}/programmes/{programme_id}/roadmap/{item_id}"): ("json", None),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/roadmap/default"): ("json", {"confirm": True}),
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
    ("POST", "/o/{slug}/programmes/{programme_id}/roadmap/{item_id}"): (
        "form",
        {**{k: str(v) for k, v in ROADMAP.items()}, "version": "1"},
    ),
    ("POST", "/o/{slug}/programmes/{programme_id}/roadmap/{item_id}/delete"): ("form", {"confirm": "yes"}),
    ("POST", "/o/{slug}/programmes/{programme_id}/roadmap/default"): ("form", {"confirm": "yes"}),
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
    ("POST", "/api/o/{slug}/programmes/{programme_id}/groups/{group_id}/plan"): ("json", PLAN_ITEM),
    ("PUT", "/api/o/{slug}/programmes/{programme_id}/groups/{group_id}/plan/{plan_item_id}"): (
        "json",
        {**PLAN_ITEM, "version": 1},
    ),
    ("DELETE", "/api/o/{slug}/programmes/{programme_id}/groups/{group_id}/plan/{plan_item_id}"): (
        "json",
        None,
    ),
    ("PUT", "/api/o/{slug}/programmes/{programme_id}/groups/{group_id}/plan/{plan_item_id}/done"): (
        "json",
        {"done": True},
    ),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/groups/{group_id}/journal"): ("json", MEETING),
    ("PUT", "/api/o/{slug}/programmes/{programme_id}/groups/{group_id}/journal/{entry_id}"): (
        "json",
        {**MEETING, "version": 1},
    ),
    ("DELETE", "/api/o/{slug}/programmes/{programme_id}/groups/{group_id}/journal/{entry_id}"): (
        "json",
        None,
    ),
    ("POST", "/o/{slug}/programmes/{programme_id}/groups/{group_id}/plan"): ("form", PLAN_ITEM),
    ("POST", "/o/{slug}/programmes/{programme_id}/groups/{group_id}/plan/{plan_item_id}"): (
        "form",
        {**PLAN_ITEM, "version": "1"},
    ),
    ("POST", "/o/{slug}/programmes/{programme_id}/groups/{group_id}/plan/{plan_item_id}/done"): (
        "form",
        {"done": "on"},
    ),
    ("POST", "/o/{slug}/programmes/{programme_id}/groups/{group_id}/plan/{plan_item_id}/delete"): (
        "form",
        {"confirm": "yes"},
    ),
    ("POST", "/o/{slug}/programmes/{programme_id}/groups/{group_id}/journal"): ("form", MEETING),
    ("POST", "/o/{slug}/programmes/{programme_id}/groups/{group_id}/journal/{entry_id}"): (
        "form",
        {**MEETING, "version": "1"},
    ),
    ("POST", "/o/{slug}/programmes/{programme_id}/groups/{group_id}/journal/{entry_id}/delete"): (
        "form",
        {"confirm": "yes"},
    ),
    ("POST", "/api/o/{slug}/bases/mentees/import"): ("file", small_base_file()),
    ("POST", "/api/o/{slug}/bases/mentees/import/{token}"): ("json", None),
    ("POST", "/o/{slug}/bases/mentees/import"): ("file", small_base_file()),
    ("POST", "/o/{slug}/bases/mentees/import/{token}"): ("form", {}),
    ("POST", "/api/o/{slug}/bases/mentors/import"): ("file", small_mentor_file()),
    ("POST", "/api/o/{slug}/bases/mentors/import/{token}"): ("json", None),
    ("POST", "/o/{slug}/bases/mentors/import"): ("file", small_mentor_file()),
    ("POST", "/o/{slug}/bases/mentors/import/{token}"): ("form", {}),
    ("POST", "/api/o/{slug}/bases/mentees/import/{token}/columns"): ("json", {"columns": []}),
    ("POST", "/o/{slug}/bases/mentees/import/{token}/columns"): ("form", {"title_1": "ФИО", "field_1": ""}),
    ("POST", "/api/o/{slug}/bases/mentors/import/{token}/columns"): ("json", {"columns": []}),
    ("POST", "/o/{slug}/bases/mentors/import/{token}/columns"): ("form", {"title_1": "ФИО", "field_1": ""}),
    ("POST", "/o/{slug}/people"): ("form", PERSON),
    ("POST", "/o/{slug}/people/{person_id}"): ("form", {**PERSON, "version": "1"}),
    ("POST", "/o/{slug}/people/{person_id}/roles"): ("form", {"role_curator": "on"}),
    ("POST", "/o/{slug}/people/{person_id}/delete"): ("form", {"confirm": "yes"}),
    ("POST", "/o/{slug}/headcounts"): (
        "form",
        {**{k: str(v) for k, v in HEADCOUNT.items()}, "academic_year": "2026"},
    ),
    ("POST", "/o/{slug}/plugins/{name}"): ("form", {}),
    ("POST", f"{COLLEGES_API}/partners"): ("json", PARTNER),
    ("PUT", f"{COLLEGES_API}/partners/{{partner_id}}"): ("json", {**PARTNER, "version": 1}),
    ("DELETE", f"{COLLEGES_API}/partners/{{partner_id}}"): ("json", None),
    ("POST", f"{COLLEGES_API}/partners/{{partner_id}}/representatives"): ("json", REPRESENTATIVE),
    ("DELETE", f"{COLLEGES_API}/partners/{{partner_id}}/representatives/{{person_id}}"): ("json", None),
    ("POST", f"{COLLEGES_API}/internships"): ("json", INTERNSHIP),
    ("DELETE", f"{COLLEGES_API}/internships/{{internship_id}}"): ("json", None),
    ("POST", f"{COLLEGES_PAGES}/partners"): ("form", PARTNER),
    ("POST", f"{COLLEGES_PAGES}/partners/{{partner_id}}"): ("form", {**PARTNER, "version": "1"}),
    ("POST", f"{COLLEGES_PAGES}/partners/{{partner_id}}/delete"): ("form", {"confirm": "yes"}),
    ("POST", f"{COLLEGES_PAGES}/partners/{{partner_id}}/representatives"): ("form", REPRESENTATIVE),
    ("POST", f"{COLLEGES_PAGES}/partners/{{partner_id}}/representatives/{{person_id}}/delete"): (
        "form",
        {"confirm": "yes"},
    ),
    ("POST", f"{COLLEGES_PAGES}/internships"): ("form", INTERNSHIP),
    ("POST", f"{COLLEGES_PAGES}/internships/{{internship_id}}/delete"): ("form", {"confirm": "yes"}),
    ("POST", "/api/o/{slug}/questionnaires/{assignment_id}"): ("json", {"answers": ANSWERS}),
    ("POST", "/o/{slug}/questionnaires/{assignment_id}"): (
        "form",
        {f"a_{k}": str(v) for k, v in ANSWERS.items()},
    ),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/groups/{group_id}/questionnaires/end"): ("json", None),
    ("POST", "/o/{slug}/programmes/{programme_id}/groups/{group_id}/questionnaires/end"): ("form", {}),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/groups/{group_id}/questionnaires/remind"): (
        "json",
        None,
    ),
    ("POST", "/o/{slug}/programmes/{programme_id}/groups/{group_id}/questionnaires/remind"): ("form", {}),
    # Global (region) writes: bodies so that the role harness reaches the role check with valid input.
    ("POST", "/api/region/questionnaires/{template_id}/versions"): ("json", QUESTIONNAIRE_VERSION),
    ("POST", "/api/region/questionnaires/{template_id}/versions/{version_id}/publish"): ("json", None),
    ("POST", "/region/questionnaires/{template_id}/versions"): ("form", QUESTIONNAIRE_FORM),
    ("POST", "/region/questionnaires/{template_id}/versions/{version_id}/publish"): ("form", {}),
    ("POST", "/api/o/{slug}/accounts"): ("json", ACCOUNTS),
    ("POST", "/api/o/{slug}/accounts/{batch_id}/reset-passwords"): ("json", ACCOUNTS),
    ("POST", "/api/o/{slug}/accounts/{batch_id}/retry"): ("json", None),
    ("POST", "/o/{slug}/accounts"): ("form", {f"person_{uuid.UUID(int=3)}": "on"}),
    ("POST", "/o/{slug}/accounts/{batch_id}/reset"): ("form", {f"person_{uuid.UUID(int=3)}": "on"}),
    ("POST", "/o/{slug}/accounts/{batch_id}/retry"): ("form", {}),
    ("POST", "/api/region/dictionaries"): ("json", REGION_ENTRY),
    ("PUT", "/api/region/dictionaries/{kind}/{regime}/{code}"): ("json", REGION_CHANGE),
    ("POST", "/region/dictionaries"): ("form", REGION_ENTRY),
    ("POST", "/region/dictionaries/{kind}/{regime}/{code}"): (
        "form",
        {k: str(v) for k, v in REGION_CHANGE.items()},
    ),
    ("PUT", "/api/region/templates/{document}"): ("file", standard_template()),
    ("POST", "/region/templates/{document}"): ("file", standard_template()),
    ("POST", "/region/templates/{document}/revert"): ("form", {"confirm": "yes"}),
    ("PUT", "/api/region/roadmap/{regime}"): ("json", {"lines": [REGION_ROADMAP_LINE]}),
    ("POST", "/region/roadmap/{regime}"): (
        "form",
        {f"{k}_1": str(v) for k, v in REGION_ROADMAP_LINE.items()},
    ),
    ("POST", "/region/roadmap/{regime}/revert"): ("form", {"confirm": "yes"}),
    ("POST", "/api/o/{slug}/notifications/{notification_id}/read"): ("json", None),
    ("POST", "/api/o/{slug}/notifications/read"): ("json", None),
    ("PUT", "/api/o/{slug}/notifications/settings"): (
        "json",
        {
            "preferences": [{"kind": "pair_formed", "mode": "off"}],
            "quiet_hours": {"starts": "20:00", "ends": "09:00"},
        },
    ),
    ("POST", "/o/{slug}/notifications/{notification_id}/read"): ("form", {}),
    ("POST", "/o/{slug}/notifications/read"): ("form", {}),
    ("POST", "/o/{slug}/notifications/settings"): (
        "form",
        {"enabled_pair_formed": "on", "starts": "", "ends": ""},
    ),
    ("PUT", "/api/region/notifications/settings"): ("json", REGION_NOTIFICATIONS),
    ("POST", "/region/notifications/settings"): (
        "form",
        {k: str(v) for k, v in REGION_NOTIFICATIONS.items()},
    ),
    ("PUT", "/api/region/notifications/{kind}"): ("json", WORDING),
    ("POST", "/region/notifications/{kind}"): ("form", {k: str(v) for k, v in WORDING.items()}),
    ("DELETE", "/api/region/notifications/{kind}"): ("json", None),
    ("POST", "/region/notifications/{kind}/reset"): ("form", {"confirm": "yes"}),
    ("POST", "/unsubscribe/{token}"): ("form", {"List-Unsubscribe": "One-Click"}),
    ("POST", METHODICAL): ("json", CLUB),
    ("PUT", f"{METHODICAL}/{{association_id}}"): ("json", {"version": 1, "name": "Чужой клуб"}),
    ("DELETE", f"{METHODICAL}/{{association_id}}"): ("json", None),
    ("POST", f"{METHODICAL}/{{association_id}}/members"): ("json", NEW_MEMBER),
    ("PUT", f"{METHODICAL}/{{association_id}}/members/{{member_id}}"): ("json", {"position": "секретарь"}),
    ("DELETE", f"{METHODICAL}/{{association_id}}/members/{{member_id}}"): ("json", None),
    ("POST", f"{METHODICAL}/{{association_id}}/events"): ("json", CLUB_MEETING),
    ("PUT", f"{METHODICAL}/{{association_id}}/events/{{event_id}}"): ("json", {**CLUB_MEETING, "version": 1}),
    ("DELETE", f"{METHODICAL}/{{association_id}}/events/{{event_id}}"): ("json", None),
    ("PUT", f"{METHODICAL}/{{association_id}}/events/{{event_id}}/participants"): ("json", {"attendees": []}),
    ("POST", METHODICAL_PAGE): ("form", {"academic_year": "2036", "name": "Чужой клуб"}),
    ("POST", f"{METHODICAL_PAGE}/{{association_id}}"): ("form", {"version": "1", "name": "Чужой клуб"}),
    ("POST", f"{METHODICAL_PAGE}/{{association_id}}/delete"): ("form", {"confirm": "yes"}),
    ("POST", f"{METHODICAL_PAGE}/{{association_id}}/members"): ("form", NEW_MEMBER),
    ("POST", f"{METHODICAL_PAGE}/{{association_id}}/members/{{member_id}}"): (
        "form",
        {"position": "секретарь"},
    ),
    ("POST", f"{METHODICAL_PAGE}/{{association_id}}/members/{{member_id}}/delete"): (
        "form",
        {"confirm": "yes"},
    ),
    ("POST", f"{METHODICAL_PAGE}/{{association_id}}/events"): ("form", CLUB_MEETING),
    ("POST", f"{METHODICAL_PAGE}/{{association_id}}/events/{{event_id}}"): (
        "form",
        {**CLUB_MEETING, "version": "1"},
    ),
    ("POST", f"{METHODICAL_PAGE}/{{association_id}}/events/{{event_id}}/delete"): (
        "form",
        {"confirm": "yes"},
    ),
    ("POST", f"{METHODICAL_PAGE}/{{association_id}}/events/{{event_id}}/participants"): ("form", {}),
    ("POST", f"{METHODICAL_PAGE}/{{association_id}}/order.docx"): ("form", METHODICAL_ORDER),
    ("POST", f"{METHODICAL_PAGE}/order.docx"): ("form", METHODICAL_ORDER),
}

# Routes outside any organisation, and why a member of one organisation learns nothing of another there.
GLOBAL_ROUTES: dict[Route, str] = {
    ("GET", "/health/live"): "a probe: no data",
    ("GET", "/health/ready"): "a probe: no data",
    (
        "GET",
        "/metrics",
    ): "Prometheus metrics: route templates, counts, pools; no slug, id or name (test_metrics)",
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
    # The register of trained mentors: figures and trained mentors' names of the caller's own oversight scope,
    # through one SECURITY DEFINER function (tests/statistics/test_training_register.py).
    ("GET", "/api/region/training"): "region staff and coordinators, their own scope: test_training_register",
    ("GET", "/api/region/training/export.xlsx"): "region staff and coordinators, their own scope: ditto",
    ("GET", "/region/training"): "region staff and coordinators, their own scope: test_training_register",
    ("GET", "/region/training/export.xlsx"): "region staff and coordinators, their own scope: ditto",
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
    (
        "GET",
        "/api/region/organisations.xlsx",
    ): "the overseer's own organisations only (a coordinator's municipality): test_organisation_headcount_import",
    (
        "GET",
        "/region/organisations.xlsx",
    ): "the overseer's own organisations only (a coordinator's municipality): test_organisation_headcount_import",
    ("GET", "/region/questionnaires"): "region staff only; templates are shared data without personal data",
    ("GET", "/region/questionnaires/{template_id}"): "region staff; another region's template is 404",
    (
        "POST",
        "/region/questionnaires/{template_id}/versions",
    ): "region staff of the template's region only: test_questionnaires",
    (
        "POST",
        "/region/questionnaires/{template_id}/versions/{version_id}/publish",
    ): "region staff of the template's region only: test_questionnaires",
    (
        "GET",
        "/api/region/questionnaires",
    ): "region staff only; templates are shared data without personal data",
    ("GET", "/api/region/questionnaires/{template_id}"): "region staff; another region's template is 404",
    (
        "POST",
        "/api/region/questionnaires/{template_id}/versions",
    ): "region staff of the template's region only: test_questionnaires",
    (
        "POST",
        "/api/region/questionnaires/{template_id}/versions/{version_id}/publish",
    ): "region staff of the template's region only: test_questionnaires",
    (
        "GET",
        "/api/region/dictionaries",
    ): "region staff only, their own region's wording: test_region_dictionaries",
    (
        "POST",
        "/api/region/dictionaries",
    ): "region staff only, into their own region (RLS checks it too): test_region_dictionaries",
    (
        "PUT",
        "/api/region/dictionaries/{kind}/{regime}/{code}",
    ): "region staff only; another region's own entry is a 404: test_region_dictionaries",
    ("GET", "/region/dictionaries"): "region staff only: test_region_dictionaries",
    ("POST", "/region/dictionaries"): "region staff only, into their own region: test_region_dictionaries",
    (
        "POST",
        "/region/dictionaries/{kind}/{regime}/{code}",
    ): "region staff only; another region's own entry is a 404: test_region_dictionaries",
    (
        "GET",
        "/api/region/templates",
    ): "region staff only, their own region's templates: test_document_templates",
    (
        "GET",
        "/api/region/templates/{document}",
    ): "region staff only, the template in force in their own region: test_document_templates",
    (
        "PUT",
        "/api/region/templates/{document}",
    ): "region staff only, into their own region (RLS checks it too): test_document_templates",
    (
        "DELETE",
        "/api/region/templates/{document}",
    ): "region staff only, their own region's template: test_document_templates",
    ("GET", "/region/templates"): "region staff only: test_document_templates",
    ("GET", "/region/templates/{document}"): "region staff only, their own region's: test_document_templates",
    (
        "POST",
        "/region/templates/{document}",
    ): "region staff only, into their own region: test_document_templates",
    (
        "POST",
        "/region/templates/{document}/revert",
    ): "region staff only, their own region's template: test_document_templates",
    # Administration: the platform administrator's regions (a realm role only), a region administrator's
    # municipalities and staff; another region's are 404 (tests/core/test_administration.py) and the
    # database refuses their writes by itself (test_the_database_refuses_another_regions_writes_by_itself).
    ("GET", "/api/admin/regions"): "the platform administrator only: tests/auth/test_administration_sso",
    ("POST", "/api/admin/regions"): "the platform administrator only: tests/auth/test_administration_sso",
    ("GET", "/admin/regions"): "the platform administrator only: tests/auth/test_administration_sso",
    ("POST", "/admin/regions"): "the platform administrator only: tests/auth/test_administration_sso",
    (
        "GET",
        "/api/region/municipalities",
    ): "the region's administrator, their region only: test_administration",
    (
        "POST",
        "/api/region/municipalities",
    ): "the region's administrator, into their region: test_administration",
    (
        "PATCH",
        "/api/region/municipalities/{municipality_id}",
    ): "the region's administrator; another region's is 404: test_administration",
    (
        "POST",
        "/api/region/municipalities/{municipality_id}/retire",
    ): "the region's administrator; another region's is 404: test_administration",
    ("GET", "/api/region/staff"): "the region's administrator, their region only: test_administration",
    ("POST", "/api/region/staff"): "the region's administrator, into their region: test_administration",
    (
        "DELETE",
        "/api/region/staff/{assignment_id}",
    ): "the region's administrator; another region's is 404: test_administration",
    ("GET", "/region/municipalities"): "the region's administrator, their region only: test_administration",
    ("POST", "/region/municipalities"): "the region's administrator, into their region: test_administration",
    (
        "POST",
        "/region/municipalities/{municipality_id}",
    ): "the region's administrator; another region's is 404: test_administration",
    (
        "POST",
        "/region/municipalities/{municipality_id}/retire",
    ): "the region's administrator; another region's is 404: test_administration",
    ("GET", "/region/staff"): "the region's administrator, their region only: test_administration",
    ("POST", "/region/staff"): "the region's administrator, into their region: test_administration",
    (
        "POST",
        "/region/staff/{assignment_id}/delete",
    ): "the region's administrator; another region's is 404: test_administration",
    ("GET", "/api/region/roadmap"): "region staff only, their own region's default roadmap: test_roadmap",
    (
        "GET",
        "/api/region/roadmap/{regime}",
    ): "region staff only, their own region's default roadmap: test_roadmap",
    (
        "PUT",
        "/api/region/roadmap/{regime}",
    ): "region staff only, into their own region (RLS checks it too): test_roadmap",
    (
        "DELETE",
        "/api/region/roadmap/{regime}",
    ): "region staff only; another region's list is never reached (404): test_roadmap",
    ("GET", "/region/roadmap"): "region staff only: test_roadmap",
    ("POST", "/region/roadmap/{regime}"): "region staff only, into their own region: test_roadmap",
    ("POST", "/region/roadmap/{regime}/revert"): "region staff only, their own region's list: test_roadmap",
    (
        "GET",
        "/api/region/notifications",
    ): "region staff only, their own region's: tests/notifications/test_routes",
    (
        "GET",
        "/region/notifications",
    ): "region staff only, their own region's: tests/notifications/test_routes",
    (
        "PUT",
        "/api/region/notifications/settings",
    ): "region staff only, their own region's (RLS checks it too): tests/notifications/test_routes",
    (
        "POST",
        "/region/notifications/settings",
    ): "region staff only, their own region's (RLS checks it too): tests/notifications/test_routes",
    (
        "PUT",
        "/api/region/notifications/{kind}",
    ): "region staff only, into their own region (RLS checks it too): tests/notifications/test_routes",
    (
        "POST",
        "/region/notifications/{kind}",
    ): "region staff only, into their own region (RLS checks it too): tests/notifications/test_routes",
    (
        "DELETE",
        "/api/region/notifications/{kind}",
    ): "region staff only, their own region's wording: tests/notifications/test_routes",
    (
        "POST",
        "/region/notifications/{kind}/reset",
    ): "region staff only, their own region's wording: tests/notifications/test_routes",
    # RFC 8058's one-click unsubscribe: no sign-in by design; the token is signed with the application's
    # secret and names its person, organisation and kind, so it reaches nobody else; a forged one is a 404.
    (
        "GET",
        "/unsubscribe/{token}",
    ): "a signed link's own person only, no data but kinds' titles: test_routes",
    ("POST", "/unsubscribe/{token}"): "a signed link's own person's preference only: tests/notifications",
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

# Downloads whose body is a .docx: a zip, where a deflated canary never shows in the raw bytes. The
# suite reads the document's text before looking for canaries (tests/isolation/test_isolation_suite.py).
DOCX_ROUTES = {
    ("GET", "/api/o/{slug}/programmes/{programme_id}/orders/{order_id}/document.docx"),
    ("GET", "/o/{slug}/programmes/{programme_id}/orders/{order_id}/document.docx"),
    ("GET", "/api/o/{slug}/programmes/{programme_id}/report.docx"),
    ("GET", "/o/{slug}/programmes/{programme_id}/report.docx"),
    ("GET", "/api/o/{slug}/programmes/{programme_id}/letters.docx"),
    ("GET", "/o/{slug}/programmes/{programme_id}/letters.docx"),
    ("GET", "/api/o/{slug}/programmes/{programme_id}/roadmap.docx"),
    ("GET", "/o/{slug}/programmes/{programme_id}/roadmap.docx"),
    ("GET", "/api/o/{slug}/programmes/{programme_id}/groups/{group_id}/plan.docx"),
    ("GET", "/o/{slug}/programmes/{programme_id}/groups/{group_id}/plan.docx"),
    ("GET", "/api/o/{slug}/programmes/{programme_id}/groups/{group_id}/journal.docx"),
    ("GET", "/o/{slug}/programmes/{programme_id}/groups/{group_id}/journal.docx"),
    ("GET", "/api/o/{slug}/accounts/{batch_id}/sheet.docx"),
    ("GET", "/o/{slug}/accounts/{batch_id}/sheet.docx"),
    ("GET", "/api/region/statistics/reports/{report_id}/note.docx"),
    ("GET", "/api/o/{slug}/people/{person_id}/mentor-certificate.docx"),
    ("GET", "/o/{slug}/people/{person_id}/mentor-certificate.docx"),
    # The methodical work's documents: a club's or the council's plan, a club's report, a decade's note and
    # order, the plan of the year's decades, the order creating the year's creative groups.
    *(
        (method, f"{prefix}{path}")
        for prefix in (METHODICAL, METHODICAL_PAGE)
        for method, path in (
            ("GET", "/{association_id}/plan.docx"),
            ("GET", "/{association_id}/report.docx"),
            ("GET", "/{association_id}/note.docx"),
            ("GET", "/plan.docx"),
        )
    ),
    ("GET", f"{METHODICAL}/{{association_id}}/order.docx"),
    ("GET", f"{METHODICAL}/order.docx"),
    ("POST", f"{METHODICAL_PAGE}/{{association_id}}/order.docx"),
    ("POST", f"{METHODICAL_PAGE}/order.docx"),
    # A region's template (the path may end in .docx, which Litestar cannot put in a route's pattern).
    ("GET", "/api/region/templates/{document}"),
    ("GET", "/region/templates/{document}"),
}

# POSTs that only check an upload and change nothing in the database: with the service checks off
# they may answer 200 (RLS hides every row they would compare against, so nothing leaks), but the
# commit that follows them is refused by PostgreSQL like any other write.
VALIDATING_POSTS = {
    ("POST", "/api/o/{slug}/bases/mentees/import"),
    ("POST", "/o/{slug}/bases/mentees/import"),
    ("POST", "/api/o/{slug}/bases/mentors/import"),
    ("POST", "/o/{slug}/bases/mentors/import"),
    ("POST", "/api/o/{slug}/bases/trainings/import"),
    ("POST", "/o/{slug}/bases/trainings/import"),
    # Matching computes suggestions from what the person may read and writes nothing.
    ("POST", "/api/o/{slug}/programmes/{programme_id}/matching"),
    ("POST", "/o/{slug}/programmes/{programme_id}/matching"),
}
