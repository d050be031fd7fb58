"""schemathesis over the whole OpenAPI document, as a curator and as a region's staff member.

Every check is on (not only server errors): status codes, content types, headers and bodies must be the
ones the document declares, bad input must be refused and good input accepted. The run is bounded (a
few examples per operation, no shrinking) and goes over real HTTP on loopback to the real app, with
real bearer tokens from the development issuer. It works in an organisation and a region of its own,
so what it creates or deletes touches no other test.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from dataclasses import dataclass, field

import pytest
import schemathesis
from litestar import Litestar
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema
from schemathesis.schemas import BaseSchema

from nastavnik.runtime import Runtime, token_verifier
from nastavnik.web.app import create_app
from nastavnik_dev.issuer.realm import Issuer
from tests.auth.conftest import enrol, enrol_staff
from tests.auth.tokens import sign, valid_claims
from tests.support.http import bearer_client, loopback_socket, serving
from tests.support.region import new_region
from tests.support.tenant import new_tenant
from tests.support.world import OrgWorld, World

MAX_EXAMPLES = 4
"""Per operation in the fuzzing phase (valid and invalid data each); the coverage phase walks every
bound, missing field and wrong type once. Both runs together take about 2.5 minutes on 2 cores."""

CURATOR_PATHS = r"^/(api/o/\{slug\}(/|$)|api/me$|health/)"
"""An organisation's own operations, and the ones every signed-in person has."""
REGION_PATHS = r"^/api/(?!o/\{slug\}(/|$)|me$)"
"""The region's operations: everything outside an organisation."""

# Failures accepted, as (operation, check), each with why it is not a defect of the platform. All are
# ``positive_data_acceptance``: a body or query the schema allows, refused with a Russian 422 by a rule
# the schema cannot state. Anything else (a 500, an undeclared status or content type, a body that
# is not the declared problem+json, a bad value accepted) fails the test.
CODES = "a code from a catalogue the installed plugins and the region's dictionaries make (category, kind, regime, role, status, type, plugin and its settings, sort order): the document types it as a string; the service names the allowed values"
STORED = "a rule against stored data: a year the platform keeps as an academic year, a municipality, programme or template that exists, a state the record must be in, people to select"
CROSS = "a rule across fields or inside a value: dates in order, an INN's check digit, an e-mail address, a scale's bounds"
FILE = "an uploaded spreadsheet is read for its content (columns, rows), which no schema describes"
ALLOWED: dict[tuple[str, str], str] = {
    (operation, "positive_data_acceptance"): why
    for operation, why in {
        "PATCH /api/o/{slug}/people/{person_id}": f"{CODES}; {CROSS}",
        "POST /api/o/{slug}/people": f"{CODES}; {CROSS}",
        "PUT /api/o/{slug}/people/{person_id}/roles": CODES,
        "PUT /api/o/{slug}/people/{person_id}/mentee-profile": f"{CODES}; {CROSS}",
        # Capacity 1–20 and experience 0–70 are the service's checks (the schema holds only what
        # PostgreSQL can store), so that every wrong field of the profile is named at once.
        "PUT /api/o/{slug}/people/{person_id}/mentor-profile": f"{CODES}; {CROSS}",
        "DELETE /api/o/{slug}/people/{person_id}": STORED,
        "PUT /api/o/{slug}/plugins/{name}": CODES,
        "POST /api/o/{slug}/accounts": STORED,
        # The fuzzer's organisation has no young teachers in its base: nobody to give the diagnostics to.
        "POST /api/o/{slug}/diagnostics": STORED,
        "POST /api/o/{slug}/programmes": f"{CODES}; {STORED}",
        # The programme's own state: a stage moves on only when it has what it needs, pairs need able
        # mentors and mentees, an order needs pairs, a next year needs a closed programme.
        "POST /api/o/{slug}/programmes/{programme_id}/advance": STORED,
        "POST /api/o/{slug}/programmes/{programme_id}/close": STORED,
        "POST /api/o/{slug}/programmes/{programme_id}/next-year": STORED,
        "PUT /api/o/{slug}/programmes/{programme_id}/documents": f"{CODES}; {STORED}; {CROSS}",
        "POST /api/o/{slug}/programmes/{programme_id}/roadmap": f"{STORED}; {CROSS}",
        "POST /api/o/{slug}/programmes/{programme_id}/groups": f"{CODES}; {STORED}; {CROSS}",
        "POST /api/o/{slug}/programmes/{programme_id}/matching": STORED,
        "POST /api/o/{slug}/programmes/{programme_id}/matching/accept": STORED,
        "POST /api/o/{slug}/programmes/{programme_id}/orders": f"{CODES}; {STORED}; {CROSS}",
        "GET /api/o/{slug}/programmes/{programme_id}/letters.docx": STORED,
        "GET /api/o/{slug}/programmes/{programme_id}/report.docx": STORED,
        "POST /api/o/{slug}/bases/mentees/import": FILE,
        "POST /api/o/{slug}/bases/mentors/import": FILE,
        "POST /api/organisations": f"{CODES}; {STORED}; {CROSS}",
        "POST /api/organisations/import": FILE,
        "PUT /api/organisations/{org_id}/status": CODES,
        "POST /api/region/dictionaries": CODES,
        "PUT /api/region/dictionaries/{kind}/{regime}/{code}": f"{CODES}; {STORED}",
        "POST /api/region/questionnaires/{template_id}/versions": f"{CROSS}; {STORED}",
        "GET /api/region/statistics": f"{CODES}; {STORED}",
        "GET /api/region/statistics/organisations": f"{CODES}; {STORED}",
        "GET /api/region/statistics/trend": f"{CODES}; {STORED}",
        "GET /api/municipalities/{municipality_id}/statistics": f"{CODES}; {STORED}",
        "GET /api/municipalities/{municipality_id}/statistics/{org_id}": STORED,
        "GET /api/municipalities/{municipality_id}/headcounts": STORED,
        "GET /api/region/headcounts": STORED,
        "GET /api/o/{slug}/statistics": STORED,
        "GET /api/region/templates/{document}": CODES,
        "PUT /api/region/templates/{document}": FILE,
        "PUT /api/region/statistics/targets/{indicator}": f"{CODES}; {CROSS}",
        "POST /api/region/statistics/recompute": STORED,
        "POST /api/region/statistics/reports": f"{CODES}; {STORED}",
        # A notification kind is a code; quiet hours need both ends, and not the same time.
        "PUT /api/o/{slug}/notifications/settings": f"{CODES}; {CROSS}",
        "PUT /api/region/notifications/settings": CROSS,
        # The wording may use only the kind's own placeholders, in paired braces.
        "PUT /api/region/notifications/{kind}": f"{CODES}; {CROSS}",
    }.items()
}


@dataclass
class Findings:
    failures: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    operations: set[str] = field(default_factory=set)
    cases: int = 0
    by_phase: dict[str, int] = field(default_factory=dict)


def fuzz(base_url: str, token: str, parameters: dict[str, str], own_paths: str) -> Findings:
    """A bounded schemathesis run; blocking, so it runs in a thread beside the server's event loop.

    Every operation of the document is fuzzed (valid and invalid data) with this token; the coverage
    phase (each bound, each missing field, each wrong type, an undeclared method) runs over the
    operations this token may use (``own_paths``): the two tokens' runs together cover the whole
    document, and neither spends its minutes on a boundary walk that its role stops at the door.
    """
    config = SchemathesisConfig()
    schema = schemathesis.openapi.from_url(f"{base_url}/schema/openapi.json", config=config)
    project = schema.config
    project.update(
        base_url=base_url,
        headers={"Authorization": f"Bearer {token}"},
        # Paths name the run's own organisation, programme, person, municipality; other values are generated.
        parameters=parameters,
        workers=1,
        request_timeout=20,
    )
    project.checks.update(included_check_names=["all"])
    # No example database on disk: a run is bounded and deterministic, and leaves nothing behind.
    project.generation.update(max_examples=MAX_EXAMPLES, no_shrink=True, deterministic=True, database="none")
    project.phases.coverage.unexpected_methods = {"trace"}
    found = Findings()
    project.phases.update(phases=["examples", "fuzzing"])
    collect(schema, found)
    project.phases.update(phases=["coverage"])
    collect(schema.include(path_regex=own_paths), found)
    return found


def collect(schema: BaseSchema, found: Findings) -> None:
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            found.operations.add(event.recorder.label)
            found.cases += len(event.recorder.cases)
            found.by_phase[event.phase.name] = found.by_phase.get(event.phase.name, 0) + len(
                event.recorder.cases
            )
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.status == Status.FAILURE and check.failure_info is not None:
                        failure = check.failure_info.failure
                        key = (event.recorder.label, check.name)
                        found.failures.setdefault(key, []).append(
                            f"{failure.title}: {failure.message}\n{check.failure_info.code_sample}"
                        )
        elif isinstance(event, events.NonFatalError):
            found.errors.append(f"{event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            raise event.exception


def report(found: Findings) -> str:
    lines = []
    for (operation, check), samples in sorted(found.failures.items()):
        lines.append(f"== {operation} [{check}] x{len(samples)}\n{samples[0][:1500]}")
    lines.extend(f"== error {e[:1500]}" for e in found.errors)
    return "\n".join(lines)


@dataclass
class Fuzzed:
    parameters: dict[str, str]
    curator_token: str
    region_token: str


@pytest.fixture(scope="module")
def fuzz_app(sso_runtime: Runtime) -> Litestar:
    """An app with a token verifier of its own: it reads the issuer's keys as they are now, not as a shared
    verifier cached them (it refetches at most once a minute)."""
    assert sso_runtime.http is not None
    verifier = token_verifier(sso_runtime.settings, sso_runtime.http)
    return create_app(dataclasses.replace(sso_runtime, verifier=verifier))


@pytest.fixture(scope="module")
async def fuzzed(runtime: Runtime, issuer: Issuer, world: World, fuzz_app: Litestar) -> Fuzzed:
    """A region and an organisation of the run's own, a curator of it and the region's staff member."""
    region = await new_region(runtime)
    tenant = await new_tenant(runtime, world, municipality_id=region.municipality_id)
    org = OrgWorld(
        key="fuzzed",
        id=tenant.id,
        slug=tenant.slug,
        type="school",
        municipality_id=region.municipality_id,
        region_id=region.id,
        canary="",
    )
    curator = await enrol(runtime, issuer, org, f"fuzz-{tenant.slug}", "curator")
    staff = await enrol_staff(runtime, issuer, role="region", region_id=region.id)
    key = issuer.realm.keys.current
    curator_token = sign(valid_claims(issuer, curator.user.id), key)
    # A programme and a learner, so that fuzzed paths reach real records, not only 404s.
    async with bearer_client(fuzz_app, curator_token) as client:
        programme = await client.post(
            f"/api/o/{tenant.slug}/programmes", json={"academic_year": world.year, "regime": "learners"}
        )
        person = await client.post(
            f"/api/o/{tenant.slug}/people",
            json={"last_name": "Фаззова", "first_name": "Ася", "category": "learner"},
        )
    assert (programme.status_code, person.status_code) == (201, 201), (programme.text, person.text)
    return Fuzzed(
        {
            "slug": tenant.slug,
            "programme_id": programme.json()["id"],
            "person_id": person.json()["id"],
            "municipality_id": str(region.municipality_id),
            "org_id": str(tenant.id),
        },
        curator_token,
        sign(valid_claims(issuer, staff.id), key),
    )


@pytest.mark.parametrize("who", ["curator", "region"])
async def test_schemathesis_finds_nothing(fuzz_app: Litestar, fuzzed: Fuzzed, who: str) -> None:
    token, own_paths = (
        (fuzzed.curator_token, CURATOR_PATHS) if who == "curator" else (fuzzed.region_token, REGION_PATHS)
    )
    started = time.monotonic()
    async with serving(fuzz_app, loopback_socket()) as base_url:
        found = await asyncio.to_thread(fuzz, base_url, token, fuzzed.parameters, own_paths)
    elapsed = time.monotonic() - started
    print(f"{who}: {len(found.operations)} operations, {found.cases} cases {found.by_phase}, {elapsed:.0f} s")
    assert len(found.operations) > 50, "the document lost its routes"
    unexpected = {key: samples for key, samples in found.failures.items() if key not in ALLOWED}
    assert not unexpected, report(Findings(unexpected, [], found.operations, found.cases))
    assert not found.errors, report(found)
