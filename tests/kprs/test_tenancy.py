"""Another organization's plans, KPRs, KPIs, check-ins and revisions do not exist for the caller: 404 everywhere,
exactly as for an unknown id, and nothing is changed."""

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.assertions import assert_problem, ok
from tests.factories import API, Setup, Tenant, at, make_setup

ENDPOINTS = [
    ("GET", "/plans/{plan}", None),
    ("GET", "/plans/{plan}/transitions", None),
    ("POST", "/plans/{plan}/transitions", {"to": "submitted"}),
    ("GET", "/kprs/{kpr}", None),
    ("PATCH", "/kprs/{kpr}", {"title": "别人的KPR"}),
    ("DELETE", "/kprs/{kpr}", None),
    ("GET", "/kprs/{kpr}/check-ins", None),
    ("POST", "/kprs/{kpr}/check-ins", {"value": 1}),
    ("GET", "/kprs/{kpr}/kpis", None),
    (
        "POST",
        "/kprs/{kpr}/kpis",
        {"name": "拜访", "direction": "increase", "baseline": 0, "target": 1, "frequency": "weekly"},
    ),
    ("GET", "/kprs/{kpr}/revisions", None),
    ("POST", "/kprs/{kpr}/revisions", {"changes": {"target": 280}, "reason": "试探"}),
    ("GET", "/kpis/{kpi}", None),
    ("PATCH", "/kpis/{kpi}", {"target": 99}),
    ("DELETE", "/kpis/{kpi}", None),
    ("GET", "/kpis/{kpi}/check-ins", None),
    ("POST", "/kpis/{kpi}/check-ins", {"value": 1}),
    ("GET", "/revisions/{revision}", None),
    ("GET", "/revisions/{revision}/transitions", None),
    ("POST", "/revisions/{revision}/transitions", {"to": "approved"}),
]


@dataclass
class Theirs:
    setup: Setup
    ids: dict[str, str]


@pytest.fixture
async def theirs(client: httpx.AsyncClient, other_tenant: Tenant) -> Theirs:
    """Another tenant's approved KPR with a KPI, check-ins and a pending revision."""
    setup = await make_setup(client, other_tenant)
    kpr = await setup.approved_kpr(baseline=200, target=300)
    await setup.check_in(kpr["id"], 250, recorded_at=at(10))
    kpi = ok(
        await setup.post(
            f"/kprs/{kpr['id']}/kpis",
            {"name": "每周客户拜访次数", "direction": "increase", "baseline": 5, "target": 12, "frequency": "weekly"},
            "employee",
        ),
        201,
    )
    ok(await setup.post(f"/kpis/{kpi['id']}/check-ins", {"value": 8, "recorded_at": at(10)}, "employee"), 201)
    revision = ok(await setup.post(f"/kprs/{kpr['id']}/revisions", {"changes": {"target": 280}, "reason": "调整"}), 201)
    ids = {"plan": kpr["plan_id"], "kpr": kpr["id"], "kpi": kpi["id"], "revision": revision["id"]}
    return Theirs(setup, ids)


async def snapshot(theirs: Theirs) -> list[Any]:
    setup, ids = theirs.setup, theirs.ids
    paths = [
        f"/plans/{ids['plan']}",
        f"/plans/{ids['plan']}/transitions",
        f"/kprs/{ids['kpr']}",
        f"/kprs/{ids['kpr']}/check-ins",
        f"/kprs/{ids['kpr']}/revisions",
        f"/kpis/{ids['kpi']}",
        f"/kpis/{ids['kpi']}/check-ins",
        f"/revisions/{ids['revision']}",
    ]
    return [ok(await setup.get(path)) for path in paths]


@pytest.mark.parametrize("who", ["admin", "service"])
@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in ENDPOINTS])
async def test_another_tenants_rows_are_not_found(
    client: httpx.AsyncClient,
    tenant: Tenant,
    theirs: Theirs,
    who: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    before = await snapshot(theirs)

    response = await client.request(method, API + path.format(**theirs.ids), json=body, headers=tenant.headers(who))

    assert_problem(response, 404, "NOT_FOUND")
    assert await snapshot(theirs) == before


async def test_another_tenants_rows_never_appear_in_lists(
    client: httpx.AsyncClient, tenant: Tenant, theirs: Theirs
) -> None:
    ids = theirs.ids
    setup = theirs.setup

    for params in ({}, {"plan_id": ids["plan"]}, {"cycle_id": setup.cycle_id}, {"goal_id": setup.goal_id}):
        listed = ok(await client.get(f"{API}/kprs", params=params, headers=tenant.headers("admin")))
        assert listed["items"] == []
    for params in ({}, {"employee_id": str(setup.tenant.employee.id)}, {"cycle_id": setup.cycle_id}):
        listed = ok(await client.get(f"{API}/plans", params=params, headers=tenant.headers("admin")))
        assert listed["items"] == []


async def test_a_kpr_cannot_be_created_in_another_tenants_cycle_or_for_their_employee(
    client: httpx.AsyncClient, tenant: Tenant, theirs: Theirs
) -> None:
    mine = await make_setup(client, tenant)

    foreign_owner = await mine.post_kpr("admin", owner_id=str(theirs.setup.tenant.employee.id))
    foreign_cycle = await mine.post_kpr("admin", cycle_id=theirs.setup.cycle_id, goal_id=theirs.setup.goal_id)

    assert_problem(foreign_owner, 404, "NOT_FOUND")
    assert_problem(foreign_cycle, 404, "NOT_FOUND")
    assert len(ok(await theirs.setup.get("/kprs"))["items"]) == 1
