"""«Создана учётная запись»: written by the account job (the provisioner role) in the person's own
transaction, once per account, whatever reruns the batch."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from nastavnik.domain.accounts.provisioning import run_batch
from nastavnik.runtime import Runtime
from nastavnik_dev.issuer.realm import Issuer
from tests.auth.conftest import issuer  # noqa: F401  (the development issuer, a session fixture)
from tests.auth.test_accounts import (
    ADMIN_SECRET,
    WEB_SECRET,
    ask,
    batch_json,
    crash_after_keycloak,
    two_mentors,
)
from tests.notifications.events import shown, to
from tests.support.sso import Site, served_site
from tests.support.worker import run_queued_jobs
from tests.support.world import World


@pytest.fixture(scope="module")
async def site(runtime: Runtime, issuer: Issuer) -> AsyncIterator[Site]:  # noqa: F811
    async with served_site(
        runtime,
        issuer,
        keycloak_admin_client_secret=SecretStr(ADMIN_SECRET),
        keycloak_client_secret=SecretStr(WEB_SECRET),
    ) as served:
        yield served


async def test_each_new_account_is_announced_once_to_its_person(site: Site, world: World) -> None:
    tenant, orlov, sokolova, _email = await two_mentors(site, world)
    batch_id = await ask(site, tenant, orlov, sokolova)
    await run_queued_jobs(site.runtime)
    people = await batch_json(site, tenant, batch_id)
    logins = {
        orlov: people["Орлов Пётр Ильич"]["username"],
        sokolova: people["Соколова Мария Ивановна"]["username"],
    }
    found = await shown(site.runtime, tenant.id, "account_created")
    for person_id, login in logins.items():
        assert [(s.subject, s.body, s.link) for s in to(found, person_id)] == [
            (
                "Для вас создана учётная запись",
                f"Для вас создана учётная запись на платформе наставничества. Логин: {login}.",
                f"/o/{tenant.slug}/",
            )
        ]
    assert len(found) == 2
    # The job run again after a crash that lost everything but the Keycloak user: still one notification each.
    await crash_after_keycloak(site.runtime, tenant, sokolova)
    assert await run_batch(site.runtime, tenant.id, uuid.UUID(batch_id)) == "done"
    assert await shown(site.runtime, tenant.id, "account_created") == found
