"""List endpoints run a fixed number of SQL statements however many rows they return (no N+1).

Rows are written through the ORM (bulk set-up); the reads go through the API. The larger set spreads over several
owners, cycles, goals (with parent chains) and carries check-ins and KPIs, so every per-row lookup would show.
"""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.security import mint_token
from app.models import Cycle, Employee, Goal
from tests.assertions import ok
from tests.factories import (
    API,
    CYCLE_END,
    CYCLE_START,
    Tenant,
    make_check_in,
    make_cycle,
    make_employee,
    make_goal,
    make_kpr,
    make_tenant,
)


async def cycles_with_goals(session: AsyncSession, tenant: Tenant, how_many: int = 2) -> list[tuple[Cycle, Goal]]:
    """Cycles spanning today (the second with another policy), each with a department goal under a company goal."""
    org = tenant.org
    cycles = []
    for n in range(how_many):
        policy = {"curve": "threshold"} if n else None
        cycle = await make_cycle(
            session, org, name=f"周期{n}", cadence="custom", start_date=CYCLE_START, end_date=CYCLE_END, policy=policy
        )
        company = await make_goal(session, org, cycle=cycle, title="公司目标")
        department = await make_goal(
            session,
            org,
            cycle=cycle,
            title="部门目标",
            level="department",
            department=tenant.department,
            parent=company,
        )
        cycles.append((cycle, department))
    return cycles


async def reports(session: AsyncSession, tenant: Tenant, extra: int) -> list[Employee]:
    """The manager's two reports and ``extra`` more."""
    made = [
        await make_employee(session, tenant.org, manager=tenant.manager, department=tenant.department)
        for _ in range(extra)
    ]
    return [tenant.employee, tenant.peer, *made]


async def spread_kprs(
    session: AsyncSession, tenant: Tenant, cycles: list[tuple[Cycle, Goal]], how_many: int, owners: list[Employee]
) -> None:
    """KPRs with two check-ins each; every owner gets one in a cycle before any gets one in the next."""
    now = datetime.now(UTC)
    for n in range(how_many):
        owner = owners[n % len(owners)]
        cycle, goal = cycles[(n // len(owners)) % len(cycles)]
        kpr = await make_kpr(
            session,
            tenant.org,
            owner=owner,
            cycle=cycle,
            goal=goal,
            title=f"销售额增长{n}%",
            baseline=100,
            target=200,
            threshold=150,
            weight=10,
            due_date=CYCLE_END,
        )
        for k in range(2):
            recorded_at = now - timedelta(days=10 - k)
            await make_check_in(session, tenant.org, kpr=kpr, value=120 + 10 * k + n, recorded_at=recorded_at)
    await session.commit()


async def count_get(
    client: httpx.AsyncClient, count_statements: Callable[[], Any], path: str, headers: dict[str, str], **params: Any
) -> tuple[int, dict[str, Any]]:
    with count_statements() as counter:
        response = await client.get(f"{API}{path}", params=params, headers=headers)
    return counter.count, ok(response)


@pytest.mark.parametrize("who", ["admin", "manager"])
async def test_listing_kprs_takes_the_same_statements_for_3_or_40(
    client: httpx.AsyncClient,
    session: AsyncSession,
    tenant: Tenant,
    count_statements: Callable[[], Any],
    who: str,
) -> None:
    cycles = await cycles_with_goals(session, tenant)
    owners = await reports(session, tenant, 6)
    await spread_kprs(session, tenant, cycles, 3, owners[:3])
    small_count, small = await count_get(client, count_statements, "/kprs", tenant.headers(who))

    await spread_kprs(session, tenant, cycles, 37, owners)
    large_count, large = await count_get(client, count_statements, "/kprs", tenant.headers(who))

    assert len(small["items"]) == 3
    assert len(large["items"]) == 40
    assert {k["owner_id"] for k in large["items"]} == {str(e.id) for e in owners}
    assert all(k["current_value"] is not None and k["smart"]["relevant"]["status"] == "pass" for k in large["items"])
    assert large_count == small_count, large_count
    # Authentication, the page, check-in values, cycles, goal chains: a handful, not one per row.
    assert small_count <= 8


async def test_listing_kprs_as_of_takes_the_same_statements(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, count_statements: Callable[[], Any]
) -> None:
    cycles = await cycles_with_goals(session, tenant)
    owners = await reports(session, tenant, 4)
    await spread_kprs(session, tenant, cycles, 3, owners[:3])
    as_of = (datetime.now(UTC) - timedelta(days=9, hours=12)).isoformat()
    small_count, _ = await count_get(client, count_statements, "/kprs", tenant.headers("admin"), as_of=as_of)

    await spread_kprs(session, tenant, cycles, 37, owners)
    large_count, large = await count_get(client, count_statements, "/kprs", tenant.headers("admin"), as_of=as_of)

    assert len(large["items"]) == 40
    assert large_count == small_count


@pytest.mark.parametrize("who", ["admin", "manager"])
async def test_listing_plans_takes_the_same_statements_for_3_or_40(
    client: httpx.AsyncClient,
    session: AsyncSession,
    tenant: Tenant,
    count_statements: Callable[[], Any],
    who: str,
) -> None:
    cycles = await cycles_with_goals(session, tenant, 2)
    owners = await reports(session, tenant, 18)
    # 3 plans: three owners in one cycle.
    await spread_kprs(session, tenant, cycles, 3, owners[:3])
    small_count, small = await count_get(client, count_statements, "/plans", tenant.headers(who))

    # 40 plans: twenty owners in each of the two cycles, each plan with one or more KPRs.
    await spread_kprs(session, tenant, cycles, 77, owners)
    large_count, large = await count_get(client, count_statements, "/plans", tenant.headers(who))

    assert len(small["items"]) == 3
    assert len(large["items"]) == 40
    assert all(p["weight_total"] >= 10 for p in large["items"])
    assert sum(p["weight_total"] for p in large["items"]) == 800
    assert large_count == small_count, large_count
    assert small_count <= 6


@pytest.mark.parametrize(("who", "expected"), [("employee", 1), ("admin", 1), ("manager", 2), ("peer", 2)])
async def test_reading_one_kpr_fetches_the_caller_and_the_row_together(
    client: httpx.AsyncClient,
    session: AsyncSession,
    tenant: Tenant,
    count_statements: Callable[[], Any],
    who: str,
    expected: int,
) -> None:
    """The caller and the KPR come in one statement; only a reader who is neither owner nor admin needs a second (the
    manager chain). The peer, who may not see it, gets the 404 a missing KPR gets."""
    (cycle, goal), *_ = await cycles_with_goals(session, tenant, 1)
    kpr = await make_kpr(session, tenant.org, owner=tenant.employee, cycle=cycle, goal=goal, title="销售额增长")
    await session.commit()

    with count_statements() as counter:
        response = await client.get(f"{API}/kprs/{kpr.id}", headers=tenant.headers(who))

    assert response.status_code == (404 if who == "peer" else 200), response.text
    assert counter.count == expected


async def test_a_kpr_of_another_organization_reads_as_missing_and_an_unknown_organization_as_unauthenticated(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    (cycle, goal), *_ = await cycles_with_goals(session, tenant, 1)
    kpr = await make_kpr(session, tenant.org, owner=tenant.employee, cycle=cycle, goal=goal, title="销售额增长")
    other = await make_tenant(session, settings, "别的公司")
    await session.commit()

    foreign = await client.get(f"{API}/kprs/{kpr.id}", headers=other.headers("admin"))
    nobody = mint_token(settings, subject=tenant.admin.external_id, organization_id=uuid.uuid4(), roles=["admin"])
    unknown = await client.get(f"{API}/kprs/{kpr.id}", headers={"Authorization": f"Bearer {nobody}"})

    assert foreign.status_code == 404
    assert foreign.json()["code"] == "NOT_FOUND"
    assert unknown.status_code == 401
