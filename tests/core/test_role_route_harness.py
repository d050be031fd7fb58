"""Role x route: inside one organisation, what each role gets from every route.

A route missing from EXPECTED fails the test, so every new route states its rules here.
Roles: curator, mentor, mentee (members), region, municipality, auditor (overseers, not
members), admin (the region's administrator, neither), anonymous. Tenant routes are called with the organisation's own slug and objects: the world's
school, or for a plugin serving another type (COLLEGE_ROUTES) an organisation of that type.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Awaitable, Callable
from datetime import date
from functools import partial
from typing import Any

from litestar import Litestar
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from nastavnik.domain.accounts import one_time_passwords
from nastavnik.domain.accounts.models import AccountBatch, AccountEntry
from nastavnik.domain.bases.models import MentorProfile, MentorTraining
from nastavnik.domain.documents.models import RegionDocumentTemplate
from nastavnik.domain.methodical.models import Association, AssociationEvent, AssociationMember
from nastavnik.domain.programmes.models import Programme, RegionRoadmapItem, RoadmapItem
from nastavnik.domain.programmes.pairs.models import GroupMember, MentoringGroup, MentoringOrder
from nastavnik.domain.questionnaires.models import (
    QuestionnaireAssignment,
    QuestionnaireTemplate,
    QuestionnaireVersion,
)
from nastavnik.domain.statistics.models import StatReport
from nastavnik.inn import with_inn_check_digit
from nastavnik.models.identity import Identity, StaffAssignment, StaffRole
from nastavnik.models.people import Person
from nastavnik.models.plugin_settings import OrgPluginSetting
from nastavnik.models.reference import Municipality
from nastavnik.runtime import Runtime
from nastavnik.testing import Tenant, app_routes, new_organisation, plugin_routes
from nastavnik_colleges.models import Internship, Partner, Representative
from tests.isolation.routes import (
    BODIES,
    METHODICAL,
    METHODICAL_PAGE,
    NOT_PROBED,
    PEOPLE_API,
    PEOPLE_PAGE,
    SCAN,
    SHAPE_OF,
    TEMPLATE_DOCUMENT,
    standard_template,
)
from tests.support.dates import region_today, region_year
from tests.support.http import client_for
from tests.support.office import xlsx
from tests.support.world import OrgWorld, World, add_notification, add_pair_work, default_version

ROLES = ("curator", "mentor", "mentee", "region", "municipality", "auditor", "admin", "anonymous")
MEMBERS = ("curator", "mentor", "mentee")
PARAM = re.compile(r"{(\w+)}")

MANAGERS_ONLY = "managers"  # curator succeeds; mentor and mentee 403
ALL_MEMBERS = "members"  # every member succeeds
WRITERS = "writers"  # the group's writers succeed (curator, the group's mentor); the mentee 403
CLUB_LEADER = "club leader"  # the curator and the year's club leader (the world's: the mentor); mentee 403

COLLEGES, COLLEGE_PAGES = "/api/o/{slug}/p/colleges", "/o/{slug}/p/colleges"
GROUP_API = "/api/o/{slug}/programmes/{programme_id}/groups/{group_id}"
GROUP_PAGE = "/o/{slug}/programmes/{programme_id}/groups/{group_id}"
RESPONDENT = "respondent"  # only the person it was given to (the mentee) succeeds; other members 404

# Tenant routes: (who, success status).
TENANT: dict[tuple[str, str], tuple[str, int]] = {
    ("GET", "/api/o/{slug}"): (ALL_MEMBERS, 200),
    ("GET", "/api/o/{slug}/people"): (MANAGERS_ONLY, 200),
    ("POST", "/api/o/{slug}/people"): (MANAGERS_ONLY, 201),
    ("GET", "/api/o/{slug}/people/{person_id}"): (MANAGERS_ONLY, 200),
    ("PATCH", "/api/o/{slug}/people/{person_id}"): (MANAGERS_ONLY, 200),
    ("DELETE", "/api/o/{slug}/people/{person_id}"): (MANAGERS_ONLY, 204),
    ("PUT", "/api/o/{slug}/people/{person_id}/roles"): (MANAGERS_ONLY, 200),
    ("GET", "/api/o/{slug}/headcounts"): (ALL_MEMBERS, 200),
    ("PUT", "/api/o/{slug}/headcounts/{start_year}"): (MANAGERS_ONLY, 200),
    ("GET", "/api/o/{slug}/plugins"): (ALL_MEMBERS, 200),
    ("PUT", "/api/o/{slug}/plugins/{name}"): (MANAGERS_ONLY, 200),
    ("GET", "/api/o/{slug}/dictionaries"): (ALL_MEMBERS, 200),
    ("GET", "/api/o/{slug}/indicators"): (ALL_MEMBERS, 200),
    ("GET", "/api/o/{slug}/programmes"): (ALL_MEMBERS, 200),
    ("POST", "/api/o/{slug}/programmes"): (MANAGERS_ONLY, 201),
    ("GET", "/api/o/{slug}/programmes/{programme_id}"): (ALL_MEMBERS, 200),
    ("PUT", "/api/o/{slug}/programmes/{programme_id}/documents"): (MANAGERS_ONLY, 200),
    # A fresh programme lacks everything for stage 1: the curator is told what (422), others are refused.
    ("POST", "/api/o/{slug}/programmes/{programme_id}/advance"): (MANAGERS_ONLY, 422),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/roadmap"): (MANAGERS_ONLY, 201),
    ("PUT", "/api/o/{slug}/programmes/{programme_id}/roadmap/{item_id}/done"): (MANAGERS_ONLY, 200),
    ("PUT", "/api/o/{slug}/programmes/{programme_id}/roadmap/{item_id}"): (MANAGERS_ONLY, 200),
    ("DELETE", "/api/o/{slug}/programmes/{programme_id}/roadmap/{item_id}"): (MANAGERS_ONLY, 204),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/roadmap/default"): (MANAGERS_ONLY, 200),
    ("GET", "/api/o/{slug}/programmes/{programme_id}/roadmap.docx"): (ALL_MEMBERS, 200),
    ("GET", "/o/{slug}/programmes"): (ALL_MEMBERS, 200),
    ("POST", "/o/{slug}/programmes"): (MANAGERS_ONLY, 302),
    ("GET", "/o/{slug}/programmes/{programme_id}"): (ALL_MEMBERS, 200),
    ("POST", "/o/{slug}/programmes/{programme_id}/documents"): (MANAGERS_ONLY, 302),
    ("POST", "/o/{slug}/programmes/{programme_id}/advance"): (MANAGERS_ONLY, 422),
    ("POST", "/o/{slug}/programmes/{programme_id}/roadmap"): (MANAGERS_ONLY, 302),
    ("POST", "/o/{slug}/programmes/{programme_id}/roadmap/{item_id}/done"): (MANAGERS_ONLY, 302),
    ("POST", "/o/{slug}/programmes/{programme_id}/roadmap/{item_id}"): (MANAGERS_ONLY, 302),
    ("POST", "/o/{slug}/programmes/{programme_id}/roadmap/{item_id}/delete"): (MANAGERS_ONLY, 302),
    ("POST", "/o/{slug}/programmes/{programme_id}/roadmap/default"): (MANAGERS_ONLY, 302),
    ("GET", "/o/{slug}/programmes/{programme_id}/roadmap.docx"): (ALL_MEMBERS, 200),
    ("PUT", "/api/o/{slug}/people/{person_id}/mentee-profile"): (MANAGERS_ONLY, 200),
    ("PUT", "/api/o/{slug}/people/{person_id}/mentor-profile"): (MANAGERS_ONLY, 200),
    # A mentor's training (the fresh person is in the base of mentors, with a course and its scan): the
    # curator keeps it; a mentor reads only their own, so the fresh person's is 403 to them.
    ("GET", f"{PEOPLE_API}/trainings"): (MANAGERS_ONLY, 200),
    ("POST", f"{PEOPLE_API}/trainings"): (MANAGERS_ONLY, 201),
    ("PUT", f"{PEOPLE_API}/trainings/{{training_id}}"): (MANAGERS_ONLY, 200),
    ("DELETE", f"{PEOPLE_API}/trainings/{{training_id}}"): (MANAGERS_ONLY, 204),
    ("PUT", f"{PEOPLE_API}/trainings/{{training_id}}/certificate"): (MANAGERS_ONLY, 200),
    ("DELETE", f"{PEOPLE_API}/trainings/{{training_id}}/certificate"): (MANAGERS_ONLY, 204),
    ("GET", f"{PEOPLE_API}/trainings/{{training_id}}/certificate"): (MANAGERS_ONLY, 200),
    ("GET", f"{PEOPLE_API}/mentor-certificate.docx"): (MANAGERS_ONLY, 200),
    ("GET", f"{PEOPLE_PAGE}/trainings"): (MANAGERS_ONLY, 200),
    ("POST", f"{PEOPLE_PAGE}/trainings"): (MANAGERS_ONLY, 302),
    ("GET", f"{PEOPLE_PAGE}/trainings/{{training_id}}"): (MANAGERS_ONLY, 200),
    ("POST", f"{PEOPLE_PAGE}/trainings/{{training_id}}"): (MANAGERS_ONLY, 302),
    ("GET", f"{PEOPLE_PAGE}/trainings/{{training_id}}/delete"): (MANAGERS_ONLY, 200),
    ("POST", f"{PEOPLE_PAGE}/trainings/{{training_id}}/delete"): (MANAGERS_ONLY, 302),
    ("POST", f"{PEOPLE_PAGE}/trainings/{{training_id}}/certificate/delete"): (MANAGERS_ONLY, 302),
    ("GET", f"{PEOPLE_PAGE}/trainings/{{training_id}}/certificate"): (MANAGERS_ONLY, 200),
    ("GET", f"{PEOPLE_PAGE}/mentor-certificate.docx"): (MANAGERS_ONLY, 200),
    # The import's file names the fresh mentor: previewed clean (200); an unknown upload token is a 404.
    ("POST", "/api/o/{slug}/bases/trainings/import"): (MANAGERS_ONLY, 200),
    ("POST", "/api/o/{slug}/bases/trainings/import/{token}"): (MANAGERS_ONLY, 404),
    ("POST", "/o/{slug}/bases/trainings/import"): (MANAGERS_ONLY, 200),
    ("POST", "/o/{slug}/bases/trainings/import/{token}"): (MANAGERS_ONLY, 404),
    ("POST", "/o/{slug}/people/{person_id}/mentee-profile"): (MANAGERS_ONLY, 302),
    ("POST", "/o/{slug}/people/{person_id}/mentor-profile"): (MANAGERS_ONLY, 302),
    ("POST", "/api/o/{slug}/bases/mentees/import"): (MANAGERS_ONLY, 200),
    ("POST", "/api/o/{slug}/bases/mentees/import/{token}"): (MANAGERS_ONLY, 404),  # no such upload
    ("GET", "/api/o/{slug}/bases/export.xlsx"): (MANAGERS_ONLY, 200),
    ("POST", "/o/{slug}/bases/mentees/import"): (MANAGERS_ONLY, 200),
    ("POST", "/o/{slug}/bases/mentees/import/{token}"): (MANAGERS_ONLY, 404),
    ("GET", "/o/{slug}/bases/export.xlsx"): (MANAGERS_ONLY, 200),
    ("POST", "/api/o/{slug}/bases/mentors/import"): (MANAGERS_ONLY, 200),
    ("POST", "/api/o/{slug}/bases/mentors/import/{token}"): (MANAGERS_ONLY, 404),  # no such upload
    ("POST", "/o/{slug}/bases/mentors/import"): (MANAGERS_ONLY, 200),
    ("POST", "/o/{slug}/bases/mentors/import/{token}"): (MANAGERS_ONLY, 404),
    ("POST", "/api/o/{slug}/bases/mentees/import/{token}/columns"): (MANAGERS_ONLY, 404),  # no such upload
    ("POST", "/o/{slug}/bases/mentees/import/{token}/columns"): (MANAGERS_ONLY, 404),
    ("POST", "/api/o/{slug}/bases/mentors/import/{token}/columns"): (MANAGERS_ONLY, 404),
    ("POST", "/o/{slug}/bases/mentors/import/{token}/columns"): (MANAGERS_ONLY, 404),
    ("GET", "/api/o/{slug}/bases/mentees"): (MANAGERS_ONLY, 200),
    ("GET", "/api/o/{slug}/bases/mentors"): (MANAGERS_ONLY, 200),
    ("GET", "/o/{slug}/bases/mentees"): (MANAGERS_ONLY, 200),
    ("GET", "/o/{slug}/bases/mentors"): (MANAGERS_ONLY, 200),
    ("GET", "/o/{slug}"): (ALL_MEMBERS, 200),
    ("GET", "/o/{slug}/people"): (MANAGERS_ONLY, 200),
    ("POST", "/o/{slug}/people"): (MANAGERS_ONLY, 302),
    ("GET", "/o/{slug}/people/{person_id}"): (MANAGERS_ONLY, 200),
    ("POST", "/o/{slug}/people/{person_id}"): (MANAGERS_ONLY, 302),
    ("POST", "/o/{slug}/people/{person_id}/roles"): (MANAGERS_ONLY, 302),
    ("GET", "/o/{slug}/people/{person_id}/delete"): (MANAGERS_ONLY, 200),
    ("POST", "/o/{slug}/people/{person_id}/delete"): (MANAGERS_ONLY, 302),
    ("GET", "/o/{slug}/headcounts"): (ALL_MEMBERS, 200),
    ("POST", "/o/{slug}/headcounts"): (MANAGERS_ONLY, 302),
    ("GET", "/o/{slug}/plugins"): (MANAGERS_ONLY, 200),
    ("POST", "/o/{slug}/plugins/{name}"): (MANAGERS_ONLY, 302),
    # Pairs of the fresh programme: its one group holds the organisation's mentor and mentee, so they
    # see it; bodies name people who are not in the base, so the curator is told why (422).
    ("GET", "/api/o/{slug}/programmes/{programme_id}/groups"): (ALL_MEMBERS, 200),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/groups"): (MANAGERS_ONLY, 422),
    ("GET", "/api/o/{slug}/programmes/{programme_id}/groups/{group_id}"): (ALL_MEMBERS, 200),
    ("PUT", "/api/o/{slug}/programmes/{programme_id}/groups/{group_id}"): (MANAGERS_ONLY, 422),
    ("DELETE", "/api/o/{slug}/programmes/{programme_id}/groups/{group_id}"): (MANAGERS_ONLY, 204),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/matching"): (MANAGERS_ONLY, 200),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/matching/accept"): (MANAGERS_ONLY, 422),
    ("GET", "/api/o/{slug}/programmes/{programme_id}/orders"): (MANAGERS_ONLY, 200),
    # The order's date is before the fresh programme's year: refused with the reason.
    ("POST", "/api/o/{slug}/programmes/{programme_id}/orders"): (MANAGERS_ONLY, 422),
    ("GET", "/api/o/{slug}/programmes/{programme_id}/orders/{order_id}/document.docx"): (MANAGERS_ONLY, 200),
    ("GET", "/o/{slug}/programmes/{programme_id}/groups"): (ALL_MEMBERS, 200),
    ("POST", "/o/{slug}/programmes/{programme_id}/matching"): (MANAGERS_ONLY, 200),
    ("POST", "/o/{slug}/programmes/{programme_id}/matching/accept"): (MANAGERS_ONLY, 422),
    ("POST", "/o/{slug}/programmes/{programme_id}/groups"): (MANAGERS_ONLY, 422),
    ("POST", "/o/{slug}/programmes/{programme_id}/groups/{group_id}/delete"): (MANAGERS_ONLY, 302),
    ("POST", "/o/{slug}/programmes/{programme_id}/orders"): (MANAGERS_ONLY, 422),
    ("GET", "/o/{slug}/programmes/{programme_id}/orders/{order_id}/document.docx"): (MANAGERS_ONLY, 200),
    # The fresh group is a draft and the fresh programme on stage 1: nothing may end or close yet.
    ("POST", "/api/o/{slug}/programmes/{programme_id}/groups/{group_id}/complete"): (MANAGERS_ONLY, 422),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/groups/{group_id}/end-early"): (MANAGERS_ONLY, 422),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/close"): (MANAGERS_ONLY, 422),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/next-year"): (MANAGERS_ONLY, 422),
    ("POST", "/o/{slug}/programmes/{programme_id}/groups/{group_id}/complete"): (MANAGERS_ONLY, 422),
    ("POST", "/o/{slug}/programmes/{programme_id}/groups/{group_id}/end-early"): (MANAGERS_ONLY, 422),
    ("POST", "/o/{slug}/programmes/{programme_id}/close"): (MANAGERS_ONLY, 422),
    ("POST", "/o/{slug}/programmes/{programme_id}/next-year"): (MANAGERS_ONLY, 422),
    # The work of the fresh group: its mentee's plan item and a journal entry are fresh for each call.
    # A meeting cannot be dated in the 2035 programme's year yet (future), so journal writes reach
    # the date check (422) for the writers, and the mentee is refused before it.
    ("GET", "/api/o/{slug}/my"): (ALL_MEMBERS, 200),
    ("GET", "/o/{slug}/my"): (ALL_MEMBERS, 200),
    ("GET", f"{GROUP_API}/plan"): (ALL_MEMBERS, 200),
    ("POST", f"{GROUP_API}/plan"): (WRITERS, 201),
    ("PUT", f"{GROUP_API}/plan/{{plan_item_id}}"): (WRITERS, 200),
    ("DELETE", f"{GROUP_API}/plan/{{plan_item_id}}"): (WRITERS, 204),
    ("PUT", f"{GROUP_API}/plan/{{plan_item_id}}/done"): (ALL_MEMBERS, 200),
    ("GET", f"{GROUP_API}/plan.docx"): (ALL_MEMBERS, 200),
    ("GET", f"{GROUP_API}/journal"): (ALL_MEMBERS, 200),
    ("POST", f"{GROUP_API}/journal"): (WRITERS, 422),
    ("PUT", f"{GROUP_API}/journal/{{entry_id}}"): (WRITERS, 422),
    ("DELETE", f"{GROUP_API}/journal/{{entry_id}}"): (WRITERS, 204),
    ("GET", f"{GROUP_API}/journal.docx"): (ALL_MEMBERS, 200),
    ("GET", GROUP_PAGE): (ALL_MEMBERS, 200),
    ("POST", f"{GROUP_PAGE}/plan"): (WRITERS, 302),
    ("POST", f"{GROUP_PAGE}/plan/{{plan_item_id}}"): (WRITERS, 302),
    ("POST", f"{GROUP_PAGE}/plan/{{plan_item_id}}/done"): (ALL_MEMBERS, 302),
    ("POST", f"{GROUP_PAGE}/plan/{{plan_item_id}}/delete"): (WRITERS, 302),
    ("GET", f"{GROUP_PAGE}/plan.docx"): (ALL_MEMBERS, 200),
    ("POST", f"{GROUP_PAGE}/journal"): (WRITERS, 422),
    ("POST", f"{GROUP_PAGE}/journal/{{entry_id}}"): (WRITERS, 422),
    ("POST", f"{GROUP_PAGE}/journal/{{entry_id}}/delete"): (WRITERS, 302),
    ("GET", f"{GROUP_PAGE}/journal.docx"): (ALL_MEMBERS, 200),
    # Questionnaires: the fresh group's mentee has a fresh start questionnaire; only she reads and
    # answers it (the curator sees answers through the results). The fresh group waits for its
    # order, so the curator is told why end questionnaires cannot be given yet (422).
    ("GET", "/api/o/{slug}/questionnaires"): (ALL_MEMBERS, 200),
    ("GET", "/api/o/{slug}/questionnaires/{assignment_id}"): (RESPONDENT, 200),
    ("POST", "/api/o/{slug}/questionnaires/{assignment_id}"): (RESPONDENT, 201),
    ("GET", "/o/{slug}/questionnaires"): (ALL_MEMBERS, 200),
    ("GET", "/o/{slug}/questionnaires/{assignment_id}"): (RESPONDENT, 200),
    ("POST", "/o/{slug}/questionnaires/{assignment_id}"): (RESPONDENT, 302),
    # The diagnostics of young teachers' difficulties: the harness's mentee is a young teacher, so giving it
    # succeeds (and gives nothing twice); its results of the year under way are the managers' and the
    # leader of that year's club (the world's club, led by the mentor; the fresh 2035 club is another year).
    ("GET", "/api/o/{slug}/diagnostics"): (CLUB_LEADER, 200),
    ("POST", "/api/o/{slug}/diagnostics"): (MANAGERS_ONLY, 200),
    ("GET", "/o/{slug}/diagnostics"): (CLUB_LEADER, 200),
    ("POST", "/o/{slug}/diagnostics"): (MANAGERS_ONLY, 302),
    ("GET", "/api/o/{slug}/questionnaire-results"): (MANAGERS_ONLY, 200),
    ("GET", "/o/{slug}/questionnaire-results"): (MANAGERS_ONLY, 200),
    ("GET", "/api/o/{slug}/programmes/{programme_id}/groups/{group_id}/questionnaires"): (MANAGERS_ONLY, 200),
    ("GET", "/o/{slug}/programmes/{programme_id}/groups/{group_id}/questionnaires"): (MANAGERS_ONLY, 200),
    ("POST", "/api/o/{slug}/programmes/{programme_id}/groups/{group_id}/questionnaires/end"): (
        MANAGERS_ONLY,
        422,
    ),
    ("POST", "/o/{slug}/programmes/{programme_id}/groups/{group_id}/questionnaires/end"): (
        MANAGERS_ONLY,
        422,
    ),
    # The world's pair has questionnaires not answered: the curator reminds (the page comes back with what
    # was done, or that it was done today already), the others are refused.
    ("POST", "/api/o/{slug}/programmes/{programme_id}/groups/{group_id}/questionnaires/remind"): (
        MANAGERS_ONLY,
        200,
    ),
    ("POST", "/o/{slug}/programmes/{programme_id}/groups/{group_id}/questionnaires/remind"): (
        MANAGERS_ONLY,
        302,
    ),
    # The report states the programme at any time; the fresh programme has no completed pair, so
    # there is nobody to thank yet and the curator is told so (422).
    ("GET", "/api/o/{slug}/programmes/{programme_id}/report.docx"): (MANAGERS_ONLY, 200),
    ("GET", "/api/o/{slug}/programmes/{programme_id}/letters.docx"): (MANAGERS_ONLY, 422),
    ("GET", "/o/{slug}/programmes/{programme_id}/report.docx"): (MANAGERS_ONLY, 200),
    ("GET", "/o/{slug}/programmes/{programme_id}/letters.docx"): (MANAGERS_ONLY, 422),
    # Accounts: this app has no single sign-on, so every request for an account is refused (409) once the
    # role and the objects check out; the fresh batch holds a one-time password, so its sheet downloads.
    ("GET", "/api/o/{slug}/accounts"): (MANAGERS_ONLY, 200),
    ("POST", "/api/o/{slug}/accounts"): (MANAGERS_ONLY, 409),
    ("GET", "/api/o/{slug}/accounts/{batch_id}"): (MANAGERS_ONLY, 200),
    ("GET", "/api/o/{slug}/accounts/{batch_id}/sheet.docx"): (MANAGERS_ONLY, 200),
    ("POST", "/api/o/{slug}/accounts/{batch_id}/reset-passwords"): (MANAGERS_ONLY, 409),
    ("POST", "/api/o/{slug}/accounts/{batch_id}/retry"): (MANAGERS_ONLY, 409),
    ("POST", "/o/{slug}/accounts"): (MANAGERS_ONLY, 409),
    ("GET", "/o/{slug}/accounts/{batch_id}"): (MANAGERS_ONLY, 200),
    ("GET", "/o/{slug}/accounts/{batch_id}/sheet.docx"): (MANAGERS_ONLY, 200),
    ("POST", "/o/{slug}/accounts/{batch_id}/reset"): (MANAGERS_ONLY, 409),
    ("POST", "/o/{slug}/accounts/{batch_id}/retry"): (MANAGERS_ONLY, 409),
    ("GET", "/o/{slug}/statistics"): (MANAGERS_ONLY, 200),
    ("GET", "/api/o/{slug}/statistics"): (MANAGERS_ONLY, 200),
    # The colleges plugin, in a college: a fresh partner with a representative and an internship of a fresh
    # pair «работодатель – студент». Such a partner is not deleted (422); this app has no single sign-on, so
    # nobody can be invited (409).
    ("GET", f"{COLLEGES}/partners"): (MANAGERS_ONLY, 200),
    ("POST", f"{COLLEGES}/partners"): (MANAGERS_ONLY, 201),
    ("GET", f"{COLLEGES}/partners/{{partner_id}}"): (MANAGERS_ONLY, 200),
    ("PUT", f"{COLLEGES}/partners/{{partner_id}}"): (MANAGERS_ONLY, 200),
    ("DELETE", f"{COLLEGES}/partners/{{partner_id}}"): (MANAGERS_ONLY, 422),
    ("POST", f"{COLLEGES}/partners/{{partner_id}}/representatives"): (MANAGERS_ONLY, 409),
    ("DELETE", f"{COLLEGES}/partners/{{partner_id}}/representatives/{{person_id}}"): (MANAGERS_ONLY, 204),
    ("GET", f"{COLLEGES}/internships"): (MANAGERS_ONLY, 200),
    ("POST", f"{COLLEGES}/internships"): (MANAGERS_ONLY, 201),
    ("DELETE", f"{COLLEGES}/internships/{{internship_id}}"): (MANAGERS_ONLY, 204),
    ("GET", f"{COLLEGE_PAGES}/partners"): (MANAGERS_ONLY, 200),
    ("POST", f"{COLLEGE_PAGES}/partners"): (MANAGERS_ONLY, 302),
    ("GET", f"{COLLEGE_PAGES}/partners/{{partner_id}}"): (MANAGERS_ONLY, 200),
    ("POST", f"{COLLEGE_PAGES}/partners/{{partner_id}}"): (MANAGERS_ONLY, 302),
    ("POST", f"{COLLEGE_PAGES}/partners/{{partner_id}}/delete"): (MANAGERS_ONLY, 422),
    ("POST", f"{COLLEGE_PAGES}/partners/{{partner_id}}/representatives"): (MANAGERS_ONLY, 409),
    ("POST", f"{COLLEGE_PAGES}/partners/{{partner_id}}/representatives/{{person_id}}/delete"): (
        MANAGERS_ONLY,
        302,
    ),
    ("GET", f"{COLLEGE_PAGES}/internships"): (MANAGERS_ONLY, 200),
    ("POST", f"{COLLEGE_PAGES}/internships"): (MANAGERS_ONLY, 302),
    ("POST", f"{COLLEGE_PAGES}/internships/{{internship_id}}/delete"): (MANAGERS_ONLY, 302),
    # The methodical work, in the fresh club of 2035/2036: the mentor leads it (its writer), the mentee is a
    # member; every teacher reads it. Renaming it is the curator's or the director's, not the leader's.
    ("GET", "/api/o/{slug}/methodical"): (ALL_MEMBERS, 200),
    ("GET", METHODICAL): (ALL_MEMBERS, 200),
    ("POST", METHODICAL): (MANAGERS_ONLY, 201),
    ("GET", f"{METHODICAL}/{{association_id}}"): (ALL_MEMBERS, 200),
    ("PUT", f"{METHODICAL}/{{association_id}}"): (MANAGERS_ONLY, 200),
    ("DELETE", f"{METHODICAL}/{{association_id}}"): (MANAGERS_ONLY, 204),
    ("POST", f"{METHODICAL}/{{association_id}}/members"): (WRITERS, 201),
    ("PUT", f"{METHODICAL}/{{association_id}}/members/{{member_id}}"): (WRITERS, 200),
    ("DELETE", f"{METHODICAL}/{{association_id}}/members/{{member_id}}"): (WRITERS, 204),
    ("POST", f"{METHODICAL}/{{association_id}}/events"): (WRITERS, 201),
    ("PUT", f"{METHODICAL}/{{association_id}}/events/{{event_id}}"): (WRITERS, 200),
    ("DELETE", f"{METHODICAL}/{{association_id}}/events/{{event_id}}"): (WRITERS, 204),
    ("PUT", f"{METHODICAL}/{{association_id}}/events/{{event_id}}/participants"): (WRITERS, 200),
    ("GET", METHODICAL_PAGE): (ALL_MEMBERS, 200),
    ("POST", METHODICAL_PAGE): (MANAGERS_ONLY, 302),
    ("GET", f"{METHODICAL_PAGE}/{{association_id}}"): (ALL_MEMBERS, 200),
    ("POST", f"{METHODICAL_PAGE}/{{association_id}}"): (MANAGERS_ONLY, 302),
    ("GET", f"{METHODICAL_PAGE}/{{association_id}}/delete"): (MANAGERS_ONLY, 200),
    ("POST", f"{METHODICAL_PAGE}/{{association_id}}/delete"): (MANAGERS_ONLY, 302),
    ("POST", f"{METHODICAL_PAGE}/{{association_id}}/members"): (WRITERS, 302),
    ("POST", f"{METHODICAL_PAGE}/{{association_id}}/members/{{member_id}}"): (WRITERS, 302),
    ("POST", f"{METHODICAL_PAGE}/{{association_id}}/members/{{member_id}}/delete"): (WRITERS, 302),
    ("POST", f"{METHODICAL_PAGE}/{{association_id}}/events"): (WRITERS, 302),
    ("GET", f"{METHODICAL_PAGE}/{{association_id}}/events/{{event_id}}"): (ALL_MEMBERS, 200),
    ("POST", f"{METHODICAL_PAGE}/{{association_id}}/events/{{event_id}}"): (WRITERS, 302),
    ("GET", f"{METHODICAL_PAGE}/{{association_id}}/events/{{event_id}}/delete"): (WRITERS, 200),
    ("POST", f"{METHODICAL_PAGE}/{{association_id}}/events/{{event_id}}/delete"): (WRITERS, 302),
    ("POST", f"{METHODICAL_PAGE}/{{association_id}}/events/{{event_id}}/participants"): (WRITERS, 302),
    # Its documents: every teacher downloads the fresh club's plan and report, the plan of the year's decades
    # and the order creating the year's creative groups (a fresh group of the year under way: the page's
    # order, dated today, succeeds; the API's without a number is told so). What names a decade's learners,
    # of the fresh decade the mentor answers for, is the managers' and hers: asked without a number, or
    # dated before the decade, the order is refused with the reason.
    ("GET", f"{METHODICAL}/{{association_id}}/plan.docx"): (ALL_MEMBERS, 200),
    ("GET", f"{METHODICAL}/{{association_id}}/report.docx"): (ALL_MEMBERS, 200),
    ("GET", f"{METHODICAL}/{{association_id}}/note.docx"): (WRITERS, 200),
    ("GET", f"{METHODICAL}/{{association_id}}/order.docx"): (WRITERS, 422),
    ("GET", f"{METHODICAL}/plan.docx"): (ALL_MEMBERS, 200),
    ("GET", f"{METHODICAL}/order.docx"): (ALL_MEMBERS, 422),
    ("GET", f"{METHODICAL_PAGE}/{{association_id}}/plan.docx"): (ALL_MEMBERS, 200),
    ("GET", f"{METHODICAL_PAGE}/{{association_id}}/report.docx"): (ALL_MEMBERS, 200),
    ("GET", f"{METHODICAL_PAGE}/{{association_id}}/note.docx"): (WRITERS, 200),
    ("POST", f"{METHODICAL_PAGE}/{{association_id}}/order.docx"): (WRITERS, 422),
    ("GET", f"{METHODICAL_PAGE}/plan.docx"): (ALL_MEMBERS, 200),
    ("POST", f"{METHODICAL_PAGE}/order.docx"): (ALL_MEMBERS, 200),
    # Notifications: each member their own list and settings; a notification only its person (the fresh
    # one is the mentee's), everybody else 404.
    ("GET", "/api/o/{slug}/notifications"): (ALL_MEMBERS, 200),
    ("POST", "/api/o/{slug}/notifications/read"): (ALL_MEMBERS, 200),
    ("POST", "/api/o/{slug}/notifications/{notification_id}/read"): (RESPONDENT, 200),
    ("GET", "/api/o/{slug}/notifications/settings"): (ALL_MEMBERS, 200),
    ("PUT", "/api/o/{slug}/notifications/settings"): (ALL_MEMBERS, 200),
    ("GET", "/o/{slug}/notifications"): (ALL_MEMBERS, 200),
    ("POST", "/o/{slug}/notifications/read"): (ALL_MEMBERS, 302),
    ("POST", "/o/{slug}/notifications/{notification_id}/read"): (RESPONDENT, 302),
    ("GET", "/o/{slug}/notifications/settings"): (ALL_MEMBERS, 200),
    ("POST", "/o/{slug}/notifications/settings"): (ALL_MEMBERS, 302),
}

REGION_ONLY_PAGE = {**dict.fromkeys(ROLES, 403), "region": 200, "anonymous": 302}
REGION_ONLY_API = {**dict.fromkeys(ROLES, 403), "region": 200, "anonymous": 401}
OVERSEERS_PAGE = {**dict.fromkeys(ROLES, 404), "region": 200, "municipality": 200, "anonymous": 302}
OVERSEERS_API = {**dict.fromkeys(ROLES, 404), "region": 200, "municipality": 200, "anonymous": 401}

ADMIN_ONLY_PAGE = {**dict.fromkeys(ROLES, 403), "admin": 200, "anonymous": 302}
ADMIN_ONLY_API = {**dict.fromkeys(ROLES, 403), "admin": 200, "anonymous": 401}
# The platform administrator holds a realm role only, which no harness session carries: everyone is refused.
PLATFORM_ADMIN_PAGE = {**dict.fromkeys(ROLES, 403), "anonymous": 302}
PLATFORM_ADMIN_API = {**dict.fromkeys(ROLES, 403), "anonymous": 401}

# Routes outside an organisation: the status for every role.
GLOBAL: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/health/live"): dict.fromkeys(ROLES, 200),
    ("GET", "/health/ready"): dict.fromkeys(ROLES, 200),
    ("GET", "/metrics"): dict.fromkeys(ROLES, 200),  # served without a token in development
    ("GET", "/"): dict.fromkeys(ROLES, 302),
    ("GET", "/login"): dict.fromkeys(ROLES, 200),
    ("GET", "/auth/callback"): dict.fromkeys(ROLES, 404),  # no single sign-on configured in this app
    ("GET", "/api/me"): {**dict.fromkeys(ROLES, 200), "anonymous": 401},
    ("GET", "/region"): {**dict.fromkeys(ROLES, 403), "region": 200, "anonymous": 302},
    ("GET", "/m/{municipality_id}"): {
        **dict.fromkeys(ROLES, 404),
        "region": 200,
        "municipality": 200,
        "anonymous": 302,
    },
    ("GET", "/api/organisations"): {
        **dict.fromkeys(ROLES, 403),
        "region": 200,
        "municipality": 200,
        "anonymous": 401,
    },
    ("POST", "/api/organisations"): {**dict.fromkeys(ROLES, 403), "region": 201, "anonymous": 401},
    ("GET", "/api/region/headcounts"): {**dict.fromkeys(ROLES, 403), "region": 200, "anonymous": 401},
    # The register of trained mentors: region staff and municipality coordinators (their own scope).
    **{
        ("GET", path): {
            **dict.fromkeys(ROLES, 403),
            "region": 200,
            "municipality": 200,
            "anonymous": anonymous,
        }
        for path, anonymous in (
            ("/api/region/training", 401),
            ("/api/region/training/export.xlsx", 401),
            ("/region/training", 302),
            ("/region/training/export.xlsx", 302),
        )
    },
    ("GET", "/api/municipalities/{municipality_id}/headcounts"): {
        **dict.fromkeys(ROLES, 404),
        "region": 200,
        "municipality": 200,
        "anonymous": 401,
    },
    ("GET", "/region/organisations"): {**dict.fromkeys(ROLES, 403), "region": 200, "anonymous": 302},
    ("POST", "/region/organisations"): {**dict.fromkeys(ROLES, 403), "region": 302, "anonymous": 302},
    # Nothing to retry for an organisation that never started onboarding: 404 for the region.
    ("POST", "/region/organisations/{org_id}/retry"): {
        **dict.fromkeys(ROLES, 403),
        "region": 404,
        "anonymous": 302,
    },
    ("POST", "/api/organisations/{org_id}/onboarding/retry"): {
        **dict.fromkeys(ROLES, 403),
        "region": 404,
        "anonymous": 401,
    },
    # Without a file: the region is told to choose one (422); an unknown upload token is a 404.
    ("POST", "/api/organisations/import"): {**dict.fromkeys(ROLES, 422), "anonymous": 401},
    ("POST", "/region/organisations/import"): {**dict.fromkeys(ROLES, 422), "anonymous": 302},
    ("POST", "/api/organisations/import/{token}"): {**dict.fromkeys(ROLES, 404), "anonymous": 401},
    ("POST", "/region/organisations/import/{token}"): {**dict.fromkeys(ROLES, 404), "anonymous": 302},
    # The overseers' list with headcounts: the region's, or a coordinator's municipality's.
    ("GET", "/api/region/organisations.xlsx"): {
        **dict.fromkeys(ROLES, 403),
        "region": 200,
        "municipality": 200,
        "anonymous": 401,
    },
    ("GET", "/region/organisations.xlsx"): {
        **dict.fromkeys(ROLES, 403),
        "region": 200,
        "municipality": 200,
        "anonymous": 302,
    },
    # The body names no valid status: the region gets as far as the check (422), everyone else is refused.
    ("PUT", "/api/organisations/{org_id}/status"): {
        **dict.fromkeys(ROLES, 403),
        "region": 422,
        "anonymous": 401,
    },
    # Questionnaire templates: region staff only; the fresh draft is the region's own copy (saved: 201,
    # published: 200), everyone else is refused before anything is looked up.
    ("GET", "/api/region/questionnaires"): {**dict.fromkeys(ROLES, 403), "region": 200, "anonymous": 401},
    ("GET", "/api/region/questionnaires/{template_id}"): {
        **dict.fromkeys(ROLES, 403),
        "region": 200,
        "anonymous": 401,
    },
    ("POST", "/api/region/questionnaires/{template_id}/versions"): {
        **dict.fromkeys(ROLES, 403),
        "region": 201,
        "anonymous": 401,
    },
    ("POST", "/api/region/questionnaires/{template_id}/versions/{version_id}/publish"): {
        **dict.fromkeys(ROLES, 403),
        "region": 200,
        "anonymous": 401,
    },
    ("GET", "/region/questionnaires"): {**dict.fromkeys(ROLES, 403), "region": 200, "anonymous": 302},
    ("GET", "/region/questionnaires/{template_id}"): {
        **dict.fromkeys(ROLES, 403),
        "region": 200,
        "anonymous": 302,
    },
    ("POST", "/region/questionnaires/{template_id}/versions"): {
        **dict.fromkeys(ROLES, 403),
        "region": 302,
        "anonymous": 302,
    },
    ("POST", "/region/questionnaires/{template_id}/versions/{version_id}/publish"): {
        **dict.fromkeys(ROLES, 403),
        "region": 302,
        "anonymous": 302,
    },
    # The region's dictionaries: the harness's change names a stale version, so the region gets as far
    # as the version check (409) and its wording stays the plugins'; an addition is a fresh code each time.
    ("GET", "/api/region/dictionaries"): {**dict.fromkeys(ROLES, 403), "region": 200, "anonymous": 401},
    ("POST", "/api/region/dictionaries"): {**dict.fromkeys(ROLES, 403), "region": 201, "anonymous": 401},
    ("PUT", "/api/region/dictionaries/{kind}/{regime}/{code}"): {
        **dict.fromkeys(ROLES, 403),
        "region": 409,
        "anonymous": 401,
    },
    ("GET", "/region/dictionaries"): {**dict.fromkeys(ROLES, 403), "region": 200, "anonymous": 302},
    ("POST", "/region/dictionaries"): {**dict.fromkeys(ROLES, 403), "region": 302, "anonymous": 302},
    ("POST", "/region/dictionaries/{kind}/{regime}/{code}"): {
        **dict.fromkeys(ROLES, 403),
        "region": 409,
        "anonymous": 302,
    },
    # The region's document templates: the harness's region holds its own template of the document
    # before every call (fresh_objects), so a revert succeeds; an upload is the standard template again.
    ("GET", "/api/region/templates"): {**dict.fromkeys(ROLES, 403), "region": 200, "anonymous": 401},
    ("GET", "/api/region/templates/{document}"): {
        **dict.fromkeys(ROLES, 403),
        "region": 200,
        "anonymous": 401,
    },
    ("PUT", "/api/region/templates/{document}"): {
        **dict.fromkeys(ROLES, 403),
        "region": 200,
        "anonymous": 401,
    },
    ("DELETE", "/api/region/templates/{document}"): {
        **dict.fromkeys(ROLES, 403),
        "region": 204,
        "anonymous": 401,
    },
    ("GET", "/region/templates"): {**dict.fromkeys(ROLES, 403), "region": 200, "anonymous": 302},
    ("GET", "/region/templates/{document}"): {**dict.fromkeys(ROLES, 403), "region": 200, "anonymous": 302},
    ("POST", "/region/templates/{document}"): {**dict.fromkeys(ROLES, 403), "region": 302, "anonymous": 302},
    ("POST", "/region/templates/{document}/revert"): {
        **dict.fromkeys(ROLES, 403),
        "region": 302,
        "anonymous": 302,
    },
    # Administration: R1's administrator keeps its municipalities (the harness's M1 is renamed to its own
    # name, and cannot be retired while it has organisations: 422) and its staff (a fresh grant removed).
    ("GET", "/api/admin/regions"): PLATFORM_ADMIN_API,
    ("POST", "/api/admin/regions"): PLATFORM_ADMIN_API,
    ("GET", "/admin/regions"): PLATFORM_ADMIN_PAGE,
    ("POST", "/admin/regions"): PLATFORM_ADMIN_PAGE,
    ("GET", "/api/region/municipalities"): ADMIN_ONLY_API,
    ("POST", "/api/region/municipalities"): {**ADMIN_ONLY_API, "admin": 201},
    ("PATCH", "/api/region/municipalities/{municipality_id}"): ADMIN_ONLY_API,
    ("POST", "/api/region/municipalities/{municipality_id}/retire"): {**ADMIN_ONLY_API, "admin": 422},
    ("GET", "/api/region/staff"): ADMIN_ONLY_API,
    ("POST", "/api/region/staff"): {**ADMIN_ONLY_API, "admin": 201},
    ("DELETE", "/api/region/staff/{assignment_id}"): {**ADMIN_ONLY_API, "admin": 204},
    ("GET", "/region/municipalities"): ADMIN_ONLY_PAGE,
    ("POST", "/region/municipalities"): {**ADMIN_ONLY_PAGE, "admin": 302},
    ("POST", "/region/municipalities/{municipality_id}"): {**ADMIN_ONLY_PAGE, "admin": 302},
    ("POST", "/region/municipalities/{municipality_id}/retire"): {**ADMIN_ONLY_PAGE, "admin": 422},
    ("GET", "/region/staff"): ADMIN_ONLY_PAGE,
    ("POST", "/region/staff"): {**ADMIN_ONLY_PAGE, "admin": 302},
    ("POST", "/region/staff/{assignment_id}/delete"): {**ADMIN_ONLY_PAGE, "admin": 302},
    # The region's default roadmap: the harness's region keeps a list of its own for the learners before
    # every call (fresh_objects), so a revert succeeds; a save is one line again.
    ("GET", "/api/region/roadmap"): {**dict.fromkeys(ROLES, 403), "region": 200, "anonymous": 401},
    ("GET", "/api/region/roadmap/{regime}"): {**dict.fromkeys(ROLES, 403), "region": 200, "anonymous": 401},
    ("PUT", "/api/region/roadmap/{regime}"): {**dict.fromkeys(ROLES, 403), "region": 200, "anonymous": 401},
    ("DELETE", "/api/region/roadmap/{regime}"): {
        **dict.fromkeys(ROLES, 403),
        "region": 204,
        "anonymous": 401,
    },
    ("GET", "/region/roadmap"): {**dict.fromkeys(ROLES, 403), "region": 200, "anonymous": 302},
    ("POST", "/region/roadmap/{regime}"): {**dict.fromkeys(ROLES, 403), "region": 302, "anonymous": 302},
    ("POST", "/region/roadmap/{regime}/revert"): {
        **dict.fromkeys(ROLES, 403),
        "region": 302,
        "anonymous": 302,
    },
    # The region's notifications: the harness's changes name a stale version (409), so the world's region
    # keeps its settings and wording; a reset of a kind the region never reworded changes nothing.
    ("GET", "/api/region/notifications"): REGION_ONLY_API,
    ("GET", "/region/notifications"): REGION_ONLY_PAGE,
    ("PUT", "/api/region/notifications/settings"): {**REGION_ONLY_API, "region": 409},
    ("POST", "/region/notifications/settings"): {**REGION_ONLY_PAGE, "region": 409},
    ("PUT", "/api/region/notifications/{kind}"): {**REGION_ONLY_API, "region": 409},
    ("POST", "/region/notifications/{kind}"): {**REGION_ONLY_PAGE, "region": 409},
    ("DELETE", "/api/region/notifications/{kind}"): REGION_ONLY_API,
    ("POST", "/region/notifications/{kind}/reset"): {**REGION_ONLY_PAGE, "region": 302},
    # One-click unsubscribe: no sign-in needed, and a token that is not signed is a 404 for anyone.
    ("GET", "/unsubscribe/{token}"): dict.fromkeys(ROLES, 404),
    ("POST", "/unsubscribe/{token}"): dict.fromkeys(ROLES, 404),
    ("GET", "/audit"): {**dict.fromkeys(ROLES, 403), "auditor": 200, "anonymous": 302},
    ("GET", "/api/audit"): {**dict.fromkeys(ROLES, 403), "auditor": 200, "anonymous": 401},
    ("GET", "/api/audit/export.xlsx"): {**dict.fromkeys(ROLES, 403), "auditor": 200, "anonymous": 401},
    # Statistics: the region's staff see their region; the harness's municipality (M1) and organisation
    # (school_h, in M1) are overseen by the region's staff and M1's coordinator; nobody else finds them.
    ("GET", "/region/statistics"): REGION_ONLY_PAGE,
    ("POST", "/region/statistics/recompute"): {**REGION_ONLY_PAGE, "region": 302},
    ("POST", "/region/statistics/targets"): {**REGION_ONLY_PAGE, "region": 302},
    ("GET", "/api/region/statistics"): REGION_ONLY_API,
    ("GET", "/api/region/statistics/organisations"): REGION_ONLY_API,
    ("GET", "/api/region/statistics/trend"): REGION_ONLY_API,
    ("POST", "/api/region/statistics/recompute"): {**REGION_ONLY_API, "region": 202},
    ("PUT", "/api/region/statistics/targets/{indicator}"): REGION_ONLY_API,
    ("POST", "/region/statistics/reports"): {**REGION_ONLY_PAGE, "region": 302},
    ("GET", "/region/statistics/reports/{report_id}"): REGION_ONLY_PAGE,
    ("POST", "/api/region/statistics/reports"): {**REGION_ONLY_API, "region": 202},
    ("GET", "/api/region/statistics/reports/{report_id}"): REGION_ONLY_API,
    ("GET", "/api/region/statistics/reports/{report_id}/monitoring.xlsx"): REGION_ONLY_API,
    ("GET", "/api/region/statistics/reports/{report_id}/note.docx"): REGION_ONLY_API,
    ("GET", "/m/{municipality_id}/statistics"): OVERSEERS_PAGE,
    ("GET", "/m/{municipality_id}/statistics/{org_id}"): OVERSEERS_PAGE,
    ("GET", "/api/municipalities/{municipality_id}/statistics"): OVERSEERS_API,
    ("GET", "/api/municipalities/{municipality_id}/statistics/{org_id}"): OVERSEERS_API,
}


def expected(route: tuple[str, str], role: str) -> int:
    if route in GLOBAL:
        return GLOBAL[route][role]
    who, success = TENANT[route]
    if role == "anonymous":
        return 401 if route[1].startswith("/api/") else 302
    if role not in MEMBERS:
        return 404
    if who == RESPONDENT:
        return success if role == "mentee" else 404
    if who == ALL_MEMBERS or role == "curator" or (who in (WRITERS, CLUB_LEADER) and role == "mentor"):
        return success
    return 403


def identity_of(world: World, org: OrgWorld | Tenant, role: str) -> uuid.UUID | None:
    if role in MEMBERS:
        return org.identities[role]
    if role == "anonymous":
        return None
    return world.staff[role]


def fresh_group(programme: Programme, form_code: str) -> MentoringGroup:
    """A draft group of the fresh 2035/2036 programme."""
    return MentoringGroup(
        org_id=programme.org_id,
        id=uuid.uuid4(),
        programme_id=programme.id,
        form_code=form_code,
        kind_code="traditional",
        starts_on=date(2035, 9, 15),
        ends_on=date(2036, 5, 31),
        reasons=[],
    )


async def fresh_objects(runtime: Runtime, org: OrgWorld) -> dict[str, str]:
    """New objects for each call, so that a write by one role cannot spoil the next call."""
    async with runtime.owner_sessions() as db:
        # One fresh programme (2035/2036, learners) at a time, beside the world's own.
        await db.execute(
            delete(Programme).where(Programme.org_id == org.id, Programme.id != org.programme_id)
        )
        programme = Programme(org_id=org.id, academic_year=2035, regime="learners")
        db.add(programme)
        await db.flush()
        item = RoadmapItem(
            org_id=org.id,
            programme_id=programme.id,
            stage=1,
            title="Свежее",
            due_on=date(2035, 10, 1),
            responsible="Куратор",
        )
        db.add(item)
        person_id = uuid.uuid4()
        person = Person(
            org_id=org.id,
            id=person_id,
            last_name="Харнесов",
            first_name="Тест",
            category="learner",
            email=f"{person_id}@harness.example",  # names this one among the harness's many
        )
        db.add(person)
        await db.flush()
        # In the base of mentors (a learner mentors in the peer forms), with a course and its scan.
        db.add(MentorProfile(org_id=org.id, person_id=person.id, consent_on=date(2035, 9, 1)))
        training = MentorTraining(
            org_id=org.id,
            id=uuid.uuid4(),
            person_id=person.id,
            course="Курс харнеса",
            provider="ИРО",
            hours=8,
            started_on=date(2025, 3, 1),
            finished_on=date(2025, 3, 2),
            certificate=SCAN,
            certificate_type="pdf",
            certificate_name="scan.pdf",
        )
        db.add(training)
        group = fresh_group(programme, "student_student")
        order = MentoringOrder(
            org_id=org.id,
            id=uuid.uuid4(),
            programme_id=programme.id,
            kind="mentor_assignment",
            number=secrets.token_hex(4),
            issued_on=date(2035, 9, 1),
        )
        db.add_all([group, order])
        await db.flush()
        db.add_all(
            GroupMember(org_id=org.id, group_id=group.id, person_id=org.persons[role], role=role)
            for role in ("mentor", "mentee")
        )
        plan_item_id, entry_id = await add_pair_work(db, org, group.id, 2035)
        club_id, meeting_id, decade_id = await fresh_club(db, org)
        await db.flush()
        _, version_id = await default_version(db, "mentee_start_learners")
        assignment = QuestionnaireAssignment(
            org_id=org.id,
            id=uuid.uuid4(),
            group_id=group.id,
            person_id=org.persons["mentee"],
            role="mentee",
            moment="start",
            version_id=version_id,
        )
        db.add(assignment)
        template_id, draft_id = await region_draft(db, org.region_id)
        await db.merge(
            RegionDocumentTemplate(
                region_id=org.region_id,
                code=TEMPLATE_DOCUMENT,
                content=standard_template(),
                file_name="harness.docx",
                uploaded_by=org.identities["curator"],
            )
        )
        await db.merge(
            RegionRoadmapItem(
                region_id=org.region_id,
                regime="learners",
                position=1,
                stage=1,
                month=1,
                day=1,
                title="Харнес",
                responsible="куратор",
                result="",
            )
        )
        batch = AccountBatch(org_id=org.id, id=uuid.uuid4())
        db.add(batch)
        await db.flush()
        db.add(
            AccountEntry(
                org_id=org.id,
                batch_id=batch.id,
                person_id=person.id,
                status="created",
                delivery="password",
                username=f"kharnesov.t.{secrets.token_hex(2)}",
            )
        )
        colleague = Identity(
            issuer="test-issuer", subject=f"harness-{secrets.token_hex(4)}", display_name="Харнесова"
        )
        db.add(colleague)
        await db.flush()
        grant = StaffAssignment(identity_id=colleague.id, role=StaffRole.REGION, region_id=org.region_id)
        db.add(grant)
        notification_id = await add_notification(db, org, "mentee")  # only the mentee's to read
        await db.commit()
    await one_time_passwords.keep(runtime, org.id, batch.id, person.id, one_time_passwords.generate())
    return {
        "staff_assignment_id": str(grant.id),
        "assignment_id": str(assignment.id),
        "template_id": str(template_id),
        "version_id": str(draft_id),
        "batch_id": str(batch.id),
        "group_id": str(group.id),
        "order_id": str(order.id),
        "person_id": str(person.id),
        "programme_id": str(programme.id),
        "item_id": str(item.id),
        "plan_item_id": str(plan_item_id),
        "entry_id": str(entry_id),
        "association_id": str(club_id),
        "decade_id": str(decade_id),
        "event_id": str(meeting_id),
        "member_id": str(org.persons["mentee"]),
        "training_id": str(training.id),
        "notification_id": str(notification_id),
    }


async def fresh_college_objects(runtime: Runtime, college: Tenant) -> dict[str, str]:
    """A fresh partner with a representative mentoring a fresh student in a pair «работодатель – студент» of
    the college's fresh 2035/2036 programme, and the pair's internship at the partner."""
    async with runtime.owner_sessions() as db:
        await db.execute(delete(Programme).where(Programme.org_id == college.id))
        programme = Programme(org_id=college.id, academic_year=2035, regime="learners")
        partner = Partner(
            org_id=college.id,
            name="Харнес-завод",
            inn=with_inn_check_digit(f"3{secrets.randbelow(10**8):08d}"),
            activity="Станкостроение",
        )
        mentor = Person(org_id=college.id, last_name="Мастеров", first_name="Тест", category="staff")
        student = Person(org_id=college.id, last_name="Студентов", first_name="Тест", category="learner")
        db.add_all([programme, partner, mentor, student])
        await db.flush()
        group = fresh_group(programme, "employer_student")
        db.add_all(
            [
                group,
                Representative(
                    org_id=college.id, person_id=mentor.id, partner_id=partner.id, position="Мастер"
                ),
                MentorProfile(org_id=college.id, person_id=mentor.id, consent_on=date(2026, 9, 1)),
            ]
        )
        await db.flush()
        db.add_all(
            GroupMember(org_id=college.id, group_id=group.id, person_id=p.id, role=r)
            for p, r in ((mentor, "mentor"), (student, "mentee"))
        )
        internship = Internship(
            org_id=college.id,
            group_id=group.id,
            partner_id=partner.id,
            place="Цех",
            starts_on=date(2035, 10, 1),
            ends_on=date(2035, 11, 1),
        )
        db.add(internship)
        await db.commit()
    return {
        "partner_id": str(partner.id),
        "person_id": str(mentor.id),
        "group_id": str(group.id),
        "internship_id": str(internship.id),
    }


async def fresh_club(db: AsyncSession, org: OrgWorld) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """The only club beside the world's: of 2035/2036, led by the mentor, the mentee in it, one meeting;
    beside it a decade of 2035/2036 the mentor answers for, and a creative group of the year under way
    she leads (its order can be dated today)."""
    await db.execute(delete(Association).where(Association.org_id == org.id, Association.id != org.club_id))
    decade = Association(
        org_id=org.id,
        id=uuid.uuid4(),
        shape="decade",
        academic_year=2035,
        name="Свежая декада",
        subject_area="Свежее МО",
        starts_on=date(2035, 11, 10),
        ends_on=date(2035, 11, 20),
    )
    group = Association(
        org_id=org.id,
        id=uuid.uuid4(),
        shape="creative_group",
        academic_year=region_year(),
        name="Свежая группа",
        subject_area="Свежая тема",
        leader_id=org.persons["mentor"],
    )
    db.add_all([decade, group])
    await db.flush()
    db.add(
        AssociationMember(
            org_id=org.id, association_id=decade.id, person_id=org.persons["mentor"], role="responsible"
        )
    )
    club = Association(
        org_id=org.id,
        id=uuid.uuid4(),
        shape="club",
        academic_year=2035,
        name="Свежий клуб",
        leader_id=org.persons["mentor"],
    )
    db.add(club)
    await db.flush()
    meeting = AssociationEvent(
        org_id=org.id,
        id=uuid.uuid4(),
        association_id=club.id,
        held_on=date(2035, 10, 1),
        topic="Свежая встреча",
        form="seminar",
    )
    db.add_all(
        [meeting, AssociationMember(org_id=org.id, association_id=club.id, person_id=org.persons["mentee"])]
    )
    await db.flush()
    return club.id, meeting.id, decade.id


async def region_draft(db: AsyncSession, region_id: uuid.UUID) -> tuple[uuid.UUID, uuid.UUID]:
    """The region's own copy of «mentor_end» with a draft version waiting to be published."""
    default = (
        await db.scalars(
            select(QuestionnaireTemplate).where(
                QuestionnaireTemplate.code == "mentor_end", QuestionnaireTemplate.region_id.is_(None)
            )
        )
    ).one()
    own = (
        await db.scalars(
            select(QuestionnaireTemplate).where(
                QuestionnaireTemplate.code == "mentor_end", QuestionnaireTemplate.region_id == region_id
            )
        )
    ).one_or_none()
    if own is None:
        own = QuestionnaireTemplate(
            id=uuid.uuid4(),
            region_id=region_id,
            code=default.code,
            audience=default.audience,
            regime=default.regime,
            moment=default.moment,
            title=default.title,
        )
        db.add(own)
        await db.flush()
    versions = list(
        await db.scalars(select(QuestionnaireVersion).where(QuestionnaireVersion.template_id == own.id))
    )
    draft = next((v for v in versions if v.status == "draft"), None)
    if draft is None:
        draft = QuestionnaireVersion(
            id=uuid.uuid4(),
            template_id=own.id,
            number=max((v.number for v in versions), default=0) + 1,
            status="draft",
            items=[{"key": "q1", "text": "Вопрос", "kind": "scale", "min": 1, "max": 10, "required": True}],
        )
        db.add(draft)
        await db.flush()
    return own.id, draft.id


async def finished_report(runtime: Runtime, world: World) -> str:
    """A monitoring report of the harness's region, already built (the worker's part is test_reports')."""
    report = StatReport(
        region_id=world.regions["R1"],
        academic_year=world.year,
        as_of=region_today(),
        status="done",
        progress=100,
        message="Готово",
        xlsx=b"xlsx",
        docx=b"docx",
    )
    async with runtime.owner_sessions() as db:
        db.add(report)
        await db.commit()
    return str(report.id)


def college_body(route: tuple[str, str], values: dict[str, str]) -> tuple[str, Any]:
    """The colleges plugin's writes: a partner by a fresh ИНН, an internship of the fresh employer pair."""
    kind, body = BODIES[route]
    if body is None:
        return kind, body
    fresh: dict[str, Any] = {
        "inn": with_inn_check_digit(f"2{secrets.randbelow(10**8):08d}"),
        "group_id": values["group_id"],
        "partner_id": values["partner_id"],
    }
    changed = {k: v for k, v in fresh.items() if k in body}
    return kind, {**body, **changed}


def shaped(route: tuple[str, str], values: dict[str, str]) -> dict[str, str]:
    """The path values for ``route``: a document of one shape only is called with that shape, a decade's
    with the fresh decade."""
    if "/region/staff/" in route[1]:  # a staff member's grant, not a questionnaire's assignment
        return {**values, "assignment_id": values["staff_assignment_id"]}
    if "/region/notifications/" in route[1]:
        return {**values, "kind": "stage_waiting"}  # a notification kind, not a dictionary's
    shape = SHAPE_OF.get(route)
    if shape is None:
        return values
    return {
        **values,
        "shape": shape,
        **({"association_id": values["decade_id"]} if shape == "decade" else {}),
    }


def org_person(world: World, values: dict[str, str], role: str) -> uuid.UUID:
    """The person of ``role`` in the organisation the call is made in (named by its slug)."""
    org = next(o for o in world.orgs.values() if o.slug == values["slug"])
    return org.persons[role]


def body_for(route: tuple[str, str], world: World, values: dict[str, str]) -> tuple[str, Any]:
    person_routes = {
        ("POST", "/api/o/{slug}/accounts"),
        ("POST", "/api/o/{slug}/accounts/{batch_id}/reset-passwords"),
    }
    if route in person_routes:  # the fresh person (in the fresh batch): found, so the refusal is the SSO's
        return "json", {"person_ids": [values["person_id"]]}
    if route in {("POST", "/o/{slug}/accounts"), ("POST", "/o/{slug}/accounts/{batch_id}/reset")}:
        return "form", {f"person_{values['person_id']}": "on"}

    if route in {
        ("POST", "/api/o/{slug}/bases/trainings/import"),
        ("POST", "/o/{slug}/bases/trainings/import"),
    }:
        return "file", xlsx(  # the fresh mentor, by name and address: a clean preview
            [
                ["ФИО", "Электронная почта", "Курс", "Организация", "Часов", "Дата начала", "Дата окончания"],
                [
                    "Харнесов Тест",
                    f"{values['person_id']}@harness.example",
                    "Наставничество",
                    "ИРО",
                    36,
                    "01.03.2025",
                    "10.03.2025",
                ],
            ]
        )
    if route == ("PUT", "/api/organisations/{org_id}/status"):
        return "json", {
            "status": "frozen"
        }  # no such status: refused, and the harness organisation stays open
    if route == ("POST", "/region/organisations"):
        n = secrets.randbelow(10**8)
        return "form", {
            "municipality_id": str(world.municipalities["M1"]),
            "type": "school",
            "full_name": "Школа из формы",
            "short_name": "Форма",
            "inn": with_inn_check_digit(f"6{n:08d}"),
            "slug": f"form-{n}",
            "curator_last_name": "Кураторова",
            "curator_first_name": "Вера",
            "curator_email": f"vera{n}@school.example",
        }
    if route == ("POST", "/api/organisations"):
        n = secrets.randbelow(10**8)
        inn = with_inn_check_digit(f"5{n:08d}")
        return "json", {
            "municipality_id": str(world.municipalities["M1"]),
            "type": "school",
            "full_name": "Новая школа",
            "short_name": "Новая",
            "inn": inn,
            "slug": f"new-{n}",
        }
    if route in {("POST", "/api/admin/regions"), ("POST", "/admin/regions")}:
        token = secrets.token_hex(3)
        return ("json" if route[1].startswith("/api/") else "form"), {
            "code": f"H-{token}",
            "name": "Регион из харнеса",
            "timezone": "Asia/Yekaterinburg",
            "admin_last_name": "Админова",
            "admin_first_name": "Анна",
            "admin_email": f"admin.{token}@edu.example",
        }
    if route in {("POST", "/api/region/municipalities"), ("POST", "/region/municipalities")}:
        return ("json" if route[1].startswith("/api/") else "form"), {
            "name": f"Харнес {secrets.token_hex(4)}"
        }
    if route in {
        ("PATCH", "/api/region/municipalities/{municipality_id}"),
        ("POST", "/region/municipalities/{municipality_id}"),
    }:  # its own name again: M1 stays as the other tests know it
        return ("json" if route[1].startswith("/api/") else "form"), {"name": values["municipality_name"]}
    if route in {
        ("POST", "/region/municipalities/{municipality_id}/retire"),
        ("POST", "/region/staff/{assignment_id}/delete"),
    }:
        return "form", {"confirm": "yes"}
    if route in {("POST", "/api/region/staff"), ("POST", "/region/staff")}:
        return ("json" if route[1].startswith("/api/") else "form"), {
            "role": "auditor",
            "last_name": "Аудиторова",
            "first_name": "Нина",
            "email": f"nina.{secrets.token_hex(4)}@edu.example",
        }
    if route in {("POST", "/api/region/dictionaries"), ("POST", "/region/dictionaries")}:
        kind, body = BODIES[route]
        return kind, {**body, "code": f"harness_{secrets.token_hex(4)}"}
    if route == ("POST", "/region/statistics/recompute"):
        return "form", {"year": str(world.year)}
    if route == ("POST", "/region/statistics/reports"):
        return "form", {"year": str(world.year)}
    if route == ("POST", "/api/region/statistics/reports"):
        return "json", {"academic_year": world.year}
    if route == ("POST", "/region/statistics/targets"):
        return "form", {"target_learners_covered": "70"}  # the default: other tests see no change
    if route == ("PUT", "/api/region/statistics/targets/{indicator}"):
        return "json", {"target": 70}
    if route in {
        ("POST", f"{METHODICAL}/{{association_id}}/members"),
        ("POST", f"{METHODICAL_PAGE}/{{association_id}}/members"),
    }:
        # One of the organisation's own teachers, not yet in the fresh club.
        return BODIES[route][0], {"person_id": str(org_person(world, values, "curator"))}
    if route in {
        ("POST", f"{METHODICAL_PAGE}/{{association_id}}/order.docx"),
        ("POST", f"{METHODICAL_PAGE}/order.docx"),
    }:
        return "form", {"number": "1-од", "issued_on": str(region_today())}
    if route == ("PUT", "/api/o/{slug}/plugins/{name}"):
        return "json", {"enabled": True, "settings": {}}  # keep the plugin on for the routes after it
    if route == ("POST", "/o/{slug}/plugins/{name}"):
        return "form", {"enabled": "on"}
    if "/p/colleges/" in route[1] and route in BODIES:
        return college_body(route, values)
    kind, body = BODIES.get(route, ("json", None))
    if route[0] in {"PATCH"} or route == ("POST", "/o/{slug}/people/{person_id}"):
        body = {**body, "version": 1 if kind == "json" else "1"}
    return kind, body


async def test_every_role_gets_what_its_role_allows(runtime: Runtime, app: Litestar, world: World) -> None:
    org = world.orgs["school_h"]
    async with runtime.owner_sessions() as db:  # a known start: other tests may have switched the plugin off
        await db.merge(OrgPluginSetting(org_id=org.id, plugin="schools", enabled=True, settings={}))
        await db.commit()
    async with client_for(app) as anonymous:
        routes = [r for r in await app_routes(anonymous) if r not in NOT_PROBED]
    missing = [r for r in routes if r not in TENANT and r not in GLOBAL]
    assert not missing, f"add these routes to the role x route harness: {missing}"
    college_routes = plugin_routes(routes, "colleges")
    college = await new_organisation(runtime, world.municipalities["M1"], org_type="college")
    report_id = await finished_report(runtime, world)
    async with runtime.owner_sessions() as db:
        m1 = await db.get(Municipality, world.municipalities["M1"])
        assert m1 is not None
    fixed = {
        "municipality_name": m1.name,
        "slug": org.slug,
        "start_year": str(world.year),
        "name": "schools",
        "municipality_id": str(world.municipalities["M1"]),
        "org_id": str(org.id),
        "token": "no-such-upload",
        "kind": "form",
        "regime": "learners",
        "code": "student_student",
        "indicator": "learners_covered",
        "report_id": report_id,
        "document": TEMPLATE_DOCUMENT,
        "shape": "club",
    }
    mismatches: list[str] = []
    try:
        school_routes = [r for r in routes if r not in college_routes]
        await _every_role(
            app, world, org, school_routes, mismatches, fixed, partial(fresh_objects, runtime, org)
        )
        await _every_role(
            app,
            world,
            college,
            college_routes,
            mismatches,
            {"slug": college.slug},
            partial(fresh_college_objects, runtime, college),
        )
    finally:  # the world's region keeps the standard templates and roadmap for the tests after this one
        async with runtime.owner_sessions() as db:
            # ... and only its own municipalities (regional figures are by municipality).
            await db.execute(
                delete(Municipality).where(
                    Municipality.region_id == org.region_id, Municipality.name.like("Харнес %")
                )
            )
            await db.execute(delete(RegionRoadmapItem).where(RegionRoadmapItem.region_id == org.region_id))
            await db.execute(
                delete(RegionDocumentTemplate).where(
                    RegionDocumentTemplate.region_id == org.region_id,
                    RegionDocumentTemplate.code == TEMPLATE_DOCUMENT,
                )
            )
            await db.commit()
    assert not mismatches, "\n".join(mismatches)


async def _every_role(
    app: Litestar,
    world: World,
    org: OrgWorld | Tenant,
    routes: list[tuple[str, str]],
    mismatches: list[str],
    fixed: dict[str, str],
    objects: Callable[[], Awaitable[dict[str, str]]],
) -> None:
    """Each role requests each route in ``org``, with the ``fixed`` path values and ``objects`` made afresh."""
    for role in ROLES:
        async with client_for(app, identity_of(world, org, role)) as client:
            for route in routes:
                method, template = route
                values = shaped(route, {**fixed, **await objects()})
                url = re.sub(r"{(\w+)}", lambda m: values[m.group(1)], template)  # noqa: B023 -- used at once
                kind, body = body_for(route, world, values)
                if method == "GET":
                    response = await client.get(url)
                elif kind == "file":
                    response = await client.request(method, url, files={"file": ("base.xlsx", body)})
                elif kind == "multipart":
                    fields, file = body
                    response = await client.request(
                        method, url, data=fields, files={"file": ("scan.png", file)}
                    )
                elif kind == "form":
                    response = await client.request(method, url, data=body)
                else:
                    response = await client.request(method, url, json=body)
                want = expected(route, role)
                if response.status_code != want:
                    mismatches.append(
                        f"{role:12} {method:6} {template}: {response.status_code}, expected {want}"
                    )
