"""A check-in keeps the stored figures current (DESIGN §15) at a fixed cost: the same statements whether the KPR's goal
carries 1 KPR or 40, and whether its chain of goals is short or long."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Goal, Kpr
from tests.assertions import ok
from tests.factories import API, CYCLE_END, CYCLE_START, Tenant, make_cycle, make_employee, make_goal, make_kpr


async def _kpr_under(session: AsyncSession, tenant: Tenant, depth: int, siblings: int) -> Kpr:
    cycle = await make_cycle(
        session, tenant.org, name=f"链{depth}", cadence="custom", start_date=CYCLE_START, end_date=CYCLE_END
    )
    goal: Goal | None = None
    for level in range(depth):
        goal = await make_goal(session, tenant.org, cycle=cycle, title=f"目标{level}", parent=goal)
    assert goal is not None
    for n in range(siblings):
        owner = await make_employee(session, tenant.org, manager=tenant.manager, department=tenant.department)
        await make_kpr(session, tenant.org, owner=owner, cycle=cycle, goal=goal, title=f"销售额增长{n}%", weight=10)
    kpr = await make_kpr(session, tenant.org, owner=tenant.employee, cycle=cycle, goal=goal, weight=10)
    await session.commit()
    return kpr


async def _check_in(
    client: httpx.AsyncClient, tenant: Tenant, kpr: Kpr, count_statements: Callable[[], Any]
) -> tuple[int, dict[str, Any]]:
    body = {"value": 50, "recorded_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat()}
    with count_statements() as counter:
        response = await client.post(f"{API}/kprs/{kpr.id}/check-ins", json=body, headers=tenant.headers("employee"))
    assert response.status_code == 201, response.text
    return counter.count, ok(await client.get(f"{API}/kprs/{kpr.id}", headers=tenant.headers("employee")))


async def test_a_check_in_costs_the_same_statements_however_large_the_tree(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, count_statements: Callable[[], Any]
) -> None:
    small_kpr = await _kpr_under(session, tenant, depth=1, siblings=0)
    large_kpr = await _kpr_under(session, tenant, depth=6, siblings=40)

    small_count, small = await _check_in(client, tenant, small_kpr, count_statements)
    large_count, large = await _check_in(client, tenant, large_kpr, count_statements)

    assert small["current_value"] == large["current_value"] == 50
    assert small["progress"] == large["progress"] == 50
    assert small_count == large_count, (small_count, large_count)
    # Authentication and access, the cycle, the insert; then the KPR (row, latest value, update), its goals (chain,
    # children, KPR sums, update) and its plan's live evaluation (none here).
    assert small_count <= 13, small_count
