"""Who may reach reward runs (DESIGN §6): admins only, for every endpoint — everyone else 403 before any lookup, as
for the audit trail and webhooks — and another tenant's cycles and runs answer 404 as if they did not exist."""

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import RewardRun
from tests.assertions import assert_problem, ok
from tests.factories import API, Tenant
from tests.factories.rewards import closed_scenario, reward_runs_path


async def _made_run(session: AsyncSession, client: httpx.AsyncClient, tenant: Tenant) -> tuple[str, dict[str, Any]]:
    state = await closed_scenario(session, client, tenant)
    body = {"base": [{"employee_id": str(tenant.employee.id), "amount": 1000}]}
    run = ok(
        await client.post(reward_runs_path(state.scenario.cycle_id), json=body, headers=tenant.headers("admin")), 201
    )
    return state.scenario.cycle_id, run


async def _every_endpoint(
    client: httpx.AsyncClient, headers: dict[str, str], cycle_id: str, run_id: str, base_employee: str
) -> list[httpx.Response]:
    run = f"{API}/reward-runs/{run_id}"
    body = {"base": [{"employee_id": base_employee, "amount": 1000}]}
    return [
        await client.get(reward_runs_path(cycle_id), headers=headers),
        await client.post(reward_runs_path(cycle_id), json=body, headers=headers),
        await client.get(run, headers=headers),
        await client.get(f"{run}/transitions", headers=headers),
        await client.post(f"{run}/transitions", json={"to": "approved"}, headers=headers),
        await client.get(f"{run}/export", headers=headers),
        await client.get(f"{run}/export", params={"format": "xlsx"}, headers=headers),
    ]


@pytest.mark.parametrize("who", ["manager", "employee", "peer", "service", "system"])
async def test_only_admins_reach_reward_runs(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, who: str
) -> None:
    cycle_id, run = await _made_run(session, client, tenant)

    for response in await _every_endpoint(client, tenant.headers(who), cycle_id, run["id"], str(tenant.employee.id)):
        assert_problem(response, 403, "FORBIDDEN")

    # The same answer for a run that does not exist: a non-admin learns nothing of which runs there are.
    missing = await client.get(f"{API}/reward-runs/{cycle_id}", headers=tenant.headers(who))
    assert_problem(missing, 403, "FORBIDDEN")
    assert await session.scalar(select(func.count()).select_from(RewardRun)) == 1
    refreshed = ok(await client.get(f"{API}/reward-runs/{run['id']}", headers=tenant.headers("admin")))
    assert refreshed["status"] == "draft"
    if who != "system":
        zh = await client.get(
            f"{API}/reward-runs/{run['id']}", headers={**tenant.headers(who), "Accept-Language": "zh-CN"}
        )
        assert "奖金核算" in zh.json()["detail"]


async def test_unauthenticated_callers_get_401(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    cycle_id, run = await _made_run(session, client, tenant)
    for response in await _every_endpoint(client, {}, cycle_id, run["id"], str(tenant.employee.id)):
        assert_problem(response, 401, "UNAUTHENTICATED")


async def test_another_organizations_cycles_and_runs_are_404(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    their_cycle, their_run = await _made_run(session, client, other_tenant)
    our_cycle, _ = await _made_run(session, client, tenant)

    responses = await _every_endpoint(
        client, tenant.headers("admin"), their_cycle, their_run["id"], str(tenant.employee.id)
    )
    for response in responses:
        assert_problem(response, 404, "NOT_FOUND")

    assert [
        run["cycle_id"]
        for run in ok(await client.get(reward_runs_path(our_cycle), headers=tenant.headers("admin")))["items"]
    ] == [our_cycle]
    theirs = ok(await client.get(f"{API}/reward-runs/{their_run['id']}", headers=other_tenant.headers("admin")))
    assert theirs["status"] == "draft"
    assert await session.scalar(select(func.count()).select_from(RewardRun)) == 2
