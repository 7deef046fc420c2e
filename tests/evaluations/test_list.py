"""GET /evaluations: visibility by the org chart, filters, pages, and a statement count that does not grow."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.evaluations.workflow import open_reviews
from tests.assertions import ok
from tests.factories import (
    EMPLOYEE_KPRS,
    PEER_KPRS,
    Tenant,
    add_kprs,
    admin_actor,
    make_cycle,
    make_employee,
    make_plan,
    move,
    open_review,
)

API = "/api/v1/evaluations"


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", {"employee", "peer"}),
        ("service", {"employee", "peer"}),
        ("manager", {"employee", "peer"}),
        ("employee", {"employee"}),
        ("peer", {"peer"}),
    ],
)
async def test_each_caller_lists_what_they_may_read(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, who: str, expected: set[str]
) -> None:
    state = await open_review(session, client, tenant)
    ids = {state.employee_eval: "employee", state.peer_eval: "peer"}

    page = ok(await client.get(API, params={"cycle_id": state.scenario.cycle_id}, headers=tenant.headers(who)))

    assert {ids[e["id"]] for e in page["items"]} == expected


async def test_filters_by_employee_and_status(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    state = await open_review(session, client, tenant)
    await move(client, tenant, "employee", state.employee_eval, "manager_review")
    headers = tenant.headers("admin")

    by_status = ok(await client.get(API, params={"status": "manager_review"}, headers=headers))
    by_employee = ok(await client.get(API, params={"employee_id": str(tenant.peer.id)}, headers=headers))
    bad = await client.get(API, params={"status": "nonsense"}, headers=headers)

    assert [e["id"] for e in by_status["items"]] == [state.employee_eval]
    assert [e["id"] for e in by_employee["items"]] == [state.peer_eval]
    assert bad.status_code == 422


async def test_pages_follow_the_cursor(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    state = await open_review(session, client, tenant)
    headers = tenant.headers("admin")
    params: dict[str, str | int] = {"cycle_id": state.scenario.cycle_id, "limit": 1}

    first = ok(await client.get(API, params=params, headers=headers))
    second = ok(await client.get(API, params={**params, "cursor": first["next_cursor"]}, headers=headers))

    assert len(first["items"]) == len(second["items"]) == 1
    assert {first["items"][0]["id"], second["items"][0]["id"]} == {state.employee_eval, state.peer_eval}
    assert second["next_cursor"] is None


async def _statements_to_list(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, count_statements: Any, people: int, who: str
) -> int:
    cycle = await make_cycle(session, tenant.org, status="review")
    for index in range(people):
        employee = await make_employee(session, tenant.org, manager=tenant.manager)
        plan = await make_plan(session, tenant.org, cycle=cycle, employee=employee, status="approved")
        await add_kprs(session, tenant.org, plan, EMPLOYEE_KPRS if index % 2 else PEER_KPRS)
    await open_reviews(session, admin_actor(tenant), cycle)
    await session.commit()
    with count_statements() as counter:
        page = ok(await client.get(API, params={"cycle_id": str(cycle.id)}, headers=tenant.headers(who)))
    assert len(page["items"]) == people
    assert all(e["items"] for e in page["items"])
    count: int = counter.count
    return count


@pytest.mark.parametrize("who", ["admin", "manager"])
async def test_listing_does_not_grow_with_the_page(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, count_statements: Any, who: str
) -> None:
    few = await _statements_to_list(client, session, tenant, count_statements, 2, who)
    many = await _statements_to_list(client, session, tenant, count_statements, 20, who)

    assert few == many
    assert many <= 6
