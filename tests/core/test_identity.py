"""Who may read an organization (§6): its active employees, its admins and services — and whose an Idempotency-Key is.

A verified token is not enough: a deactivated employee (until their token expires), a subject that matches nobody,
and a system token carrying an ``org`` claim read nothing of the organization.
"""

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from tests.assertions import assert_problem
from tests.conftest import token_for
from tests.factories import API, Tenant, auth, kpr_body, make_setup

READS = ["/employees", "/departments", "/goals", "/cycles", "/kpr-templates", "/kprs", "/evaluations", "/me"]


@pytest.mark.parametrize("path", READS)
async def test_a_deactivated_employee_reads_nothing(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, path: str
) -> None:
    assert (await client.get(f"{API}{path}", headers=tenant.headers("peer"))).status_code == 200
    tenant.peer.active = False
    await session.commit()

    assert_problem(await client.get(f"{API}{path}", headers=tenant.headers("peer")), 401, "UNAUTHENTICATED")


@pytest.mark.parametrize("path", READS)
async def test_a_subject_that_matches_no_employee_reads_nothing(
    client: httpx.AsyncClient, settings: Settings, tenant: Tenant, path: str
) -> None:
    stranger = auth(token_for(settings, "nobody-here", tenant.org.id))
    response = await client.get(f"{API}{path}", headers=stranger | {"Accept-Language": "zh-CN"})
    body = assert_problem(response, 401, "UNAUTHENTICATED")
    assert body["detail"] == "该令牌不对应本组织的任何在职员工。"
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", [p for p in READS if p != "/me"])
async def test_a_system_token_carrying_an_organization_reads_none_of_it(
    client: httpx.AsyncClient, settings: Settings, tenant: Tenant, path: str
) -> None:
    system = auth(token_for(settings, "ops", tenant.org.id, ["system"]))
    assert_problem(await client.get(f"{API}{path}", headers=system), 403, "FORBIDDEN")
    # …but it still manages organizations.
    assert (await client.get(f"{API}/organizations/{tenant.org.id}", headers=system)).status_code == 200


async def test_admins_and_services_need_no_employee_record(
    client: httpx.AsyncClient, settings: Settings, tenant: Tenant
) -> None:
    for roles in (["admin"], ["service"]):
        token = auth(token_for(settings, "integration-without-record", tenant.org.id, roles))
        assert (await client.get(f"{API}/employees", headers=token)).status_code == 200


async def test_a_colleague_resending_a_request_with_the_same_key_gets_no_replay(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    setup = await make_setup(client, tenant)
    body = kpr_body(setup.cycle_id, setup.goal_id)
    key = {"Idempotency-Key": "kpr-2026-q4"}
    mine = await client.post(f"{API}/kprs", json=body, headers=tenant.headers("employee") | key)
    assert mine.status_code == 201
    replay = await client.post(f"{API}/kprs", json=body, headers=tenant.headers("employee") | key)
    assert replay.headers.get("idempotent-replayed") == "true"
    assert replay.json()["id"] == mine.json()["id"]

    theirs = await client.post(f"{API}/kprs", json=body, headers=tenant.headers("peer") | key)

    # The peer's request ran as their own: their KPR, not a copy of the employee's response.
    assert theirs.status_code == 201, theirs.text
    assert theirs.headers.get("idempotent-replayed") is None
    assert theirs.json()["owner_id"] == str(tenant.peer.id)
    assert theirs.json()["id"] != mine.json()["id"]


async def test_a_replay_is_refused_to_a_caller_the_route_would_refuse(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    setup = await make_setup(client, tenant)
    key = {"Idempotency-Key": "check-in-1"}
    kpr = await setup.kpr()
    first = await client.post(
        f"{API}/kprs/{kpr['id']}/check-ins", json={"value": 210}, headers=tenant.headers("employee") | key
    )
    assert first.status_code == 201
    tenant.employee.active = False
    await session.commit()

    again = await client.post(
        f"{API}/kprs/{kpr['id']}/check-ins", json={"value": 210}, headers=tenant.headers("employee") | key
    )

    assert_problem(again, 401, "UNAUTHENTICATED")
    assert again.headers.get("idempotent-replayed") is None


async def test_keys_belong_to_the_roles_they_were_used_with(
    client: httpx.AsyncClient, settings: Settings, tenant: Tenant
) -> None:
    key = {"Idempotency-Key": "dept-1"}
    body = {"name": "研发部", "code": "RND"}
    admin = auth(token_for(settings, tenant.manager.external_id, tenant.org.id, ["admin"]))
    assert (await client.post(f"{API}/departments", json=body, headers=admin | key)).status_code == 201
    # The same person without the admin role is refused, as the route refuses them — not served the admin's 201.
    plain = auth(token_for(settings, tenant.manager.external_id, tenant.org.id))
    assert_problem(await client.post(f"{API}/departments", json=body, headers=plain | key), 403, "FORBIDDEN")
