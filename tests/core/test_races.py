"""Racing writers, really committed: many writers holding one ETag, and crossing moves in a tree.

On PostgreSQL (``KPR_TEST_DATABASE_URL``) these are real races — the requests run at once on separate connections —
which is where a check made on a row read without a lock lets every writer through. On SQLite, where writers queue,
they check the same promise. They use ``committed_client`` and build their own organization with a committed session.
"""

import asyncio
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from app.core.config import Settings
from app.models import AuditEvent
from app.scoring import engine
from tests.assertions import ok
from tests.factories import API, Setup, Tenant, make_setup, make_tenant, open_review

WRITERS = 20
ROUNDS = 5


async def committed_setup(app: FastAPI, settings: Settings, client: httpx.AsyncClient) -> Setup:
    async with app.state.sessionmaker() as session:
        tenant = await make_tenant(session, settings, f"竞争公司{uuid.uuid4().hex[:6]}")
        await session.commit()
    return await make_setup(client, tenant)


async def released_together(calls: list[Callable[[], Awaitable[httpx.Response]]]) -> list[httpx.Response]:
    """Start every call, then release them at once, so they reach the database together."""
    gate = asyncio.Event()

    async def run(call: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
        await gate.wait()
        return await call()

    tasks = [asyncio.create_task(run(call)) for call in calls]
    await asyncio.sleep(0)
    gate.set()
    return await asyncio.gather(*tasks)


@dataclass
class Target:
    """One resource to race on: where it lives, who writes it, and the write the n-th racer sends."""

    path: str
    who: str
    method: str
    body: Callable[[int], dict[str, Any] | None]
    entity_type: str
    audit_action: str


async def _target(name: str, setup: Setup, app: FastAPI) -> Target:
    tenant = setup.tenant
    if name in ("kpr", "kpr-delete"):
        kpr = await setup.kpr()
        if name == "kpr":
            return Target(
                f"/kprs/{kpr['id']}", "employee", "PATCH", lambda n: {"title": f"华东区销售额增长{n}%"}, "kpr", "update"
            )
        return Target(f"/kprs/{kpr['id']}", "employee", "DELETE", lambda n: None, "kpr", "delete")
    if name in ("kpi", "kpi-delete"):
        kpr = await setup.kpr()
        body = {"name": "每周客户拜访次数", "direction": "increase", "baseline": 0, "target": 10, "frequency": "weekly"}
        kpi = ok(await setup.post(f"/kprs/{kpr['id']}/kpis", body, "employee"), 201)
        if name == "kpi":
            return Target(f"/kpis/{kpi['id']}", "employee", "PATCH", lambda n: {"name": f"拜访{n}次"}, "kpi", "update")
        return Target(f"/kpis/{kpi['id']}", "employee", "DELETE", lambda n: None, "kpi", "delete")
    if name in ("department", "department-delete"):
        department = ok(await setup.post("/departments", {"name": "市场部", "code": f"MKT{uuid.uuid4().hex[:6]}"}), 201)
        method = "PATCH" if name == "department" else "DELETE"
        body: Callable[[int], dict[str, Any] | None] = (
            (lambda n: {"name": f"市场{n}部"}) if method == "PATCH" else (lambda n: None)
        )
        return Target(
            f"/departments/{department['id']}",
            "admin",
            method,
            body,
            "department",
            "update" if method == "PATCH" else "delete",
        )
    if name == "cycle":
        return Target(f"/cycles/{setup.cycle_id}", "admin", "PATCH", lambda n: {"name": f"第{n}期"}, "cycle", "update")
    if name == "organization":
        return Target(
            f"/organizations/{tenant.org.id}",
            "admin",
            "PATCH",
            lambda n: {"name": f"公司{n}"},
            "organization",
            "update",
        )
    if name in ("employee", "employee-delete"):
        employee = f"/employees/{tenant.peer.id}"
        if name == "employee":
            return Target(employee, "admin", "PATCH", lambda n: {"job_title": f"工程师{n}"}, "employee", "update")
        return Target(employee, "admin", "DELETE", lambda n: None, "employee", "deactivate")
    if name in ("goal", "goal-delete"):
        goal = ok(
            await setup.post("/goals", {"title": "降低成本", "level": "company", "cycle_id": setup.cycle_id}), 201
        )
        if name == "goal":
            return Target(
                f"/goals/{goal['id']}", "admin", "PATCH", lambda n: {"title": f"降低成本{n}%"}, "goal", "update"
            )
        return Target(f"/goals/{goal['id']}", "admin", "DELETE", lambda n: None, "goal", "delete")
    if name == "api-key":
        key = ok(await setup.post("/api-keys", {"name": "同步"}), 201)
        return Target(f"/api-keys/{key['id']}", "admin", "DELETE", lambda n: None, "api_key", "delete")
    if name == "self-review":
        async with app.state.sessionmaker() as session:
            state = await open_review(session, setup.client, tenant)
            await session.commit()
        path = f"/evaluations/{state.employee_eval}"
        return Target(
            path, "employee", "PUT-self", lambda n: {"score": n, "comment": f"自评{n}"}, "evaluation", "self_review"
        )
    raise AssertionError(name)


RESOURCES = [
    "kpr",
    "kpr-delete",
    "kpi",
    "kpi-delete",
    "department",
    "department-delete",
    "cycle",
    "organization",
    "employee",
    "employee-delete",
    "goal",
    "goal-delete",
    "api-key",
    "self-review",
]


@pytest.mark.parametrize("resource", RESOURCES)
async def test_of_many_writers_with_one_etag_exactly_one_wins(
    resource: str, app: FastAPI, settings: Settings, committed_client: httpx.AsyncClient
) -> None:
    setup = await committed_setup(app, settings, committed_client)
    target = await _target(resource, setup, app)
    read_path = target.path
    headers = setup.headers(target.who)
    etag = (await committed_client.get(f"{API}{read_path}", headers=headers)).headers["etag"]
    method, url = target.method, f"{API}{target.path}"
    if method == "PUT-self":
        method, url = "PUT", f"{url}/self-review"

    def writer(n: int) -> Callable[[], Awaitable[httpx.Response]]:
        body = target.body(n)
        return lambda: committed_client.request(method, url, json=body, headers=headers | {"If-Match": etag})

    responses = await released_together([writer(n) for n in range(WRITERS)])

    statuses = Counter(r.status_code for r in responses)
    won = 204 if method == "DELETE" else 200
    assert statuses[won] == 1, [r.text for r in responses]
    # The losers saw the winner's change: 412, or 404 when the winner deleted the row.
    assert set(statuses) - {won} <= {412, 404}, statuses
    async with app.state.sessionmaker() as session:
        recorded = await session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.entity_type == target.entity_type, AuditEvent.action == target.audit_action)
            .where(AuditEvent.organization_id == setup.tenant.org.id)
        )
    assert recorded == 1


async def _crossing(client: httpx.AsyncClient, tenant: Tenant, first: str, second: str, field: str) -> list[int]:
    headers = tenant.headers("admin")
    responses = await released_together(
        [
            lambda: client.patch(f"{API}{first}", json={field: second.rsplit("/", 1)[1]}, headers=headers),
            lambda: client.patch(f"{API}{second}", json={field: first.rsplit("/", 1)[1]}, headers=headers),
        ]
    )
    return sorted(r.status_code for r in responses)


@pytest.mark.parametrize("tree", ["goal", "department", "manager"])
async def test_crossing_moves_never_make_a_loop(
    tree: str, app: FastAPI, settings: Settings, committed_client: httpx.AsyncClient
) -> None:
    setup = await committed_setup(app, settings, committed_client)
    for round_ in range(ROUNDS):
        if tree == "goal":
            a, b = [
                ok(
                    await setup.post(
                        "/goals", {"title": f"目标{round_}{x}", "level": "company", "cycle_id": setup.cycle_id}
                    ),
                    201,
                )
                for x in "AB"
            ]
            first, second, field = f"/goals/{a['id']}", f"/goals/{b['id']}", "parent_id"
        elif tree == "department":
            a, b = [
                ok(await setup.post("/departments", {"name": f"部门{round_}{x}", "code": f"C{round_}{x}"}), 201)
                for x in "AB"
            ]
            first, second, field = f"/departments/{a['id']}", f"/departments/{b['id']}", "parent_id"
        else:
            a, b = [
                ok(await setup.post("/employees", {"external_id": f"x{round_}{x}", "name": f"员工{round_}{x}"}), 201)
                for x in "AB"
            ]
            first, second, field = f"/employees/{a['id']}", f"/employees/{b['id']}", "manager_id"

        statuses = await _crossing(committed_client, setup.tenant, first, second, field)

        assert statuses == [200, 409], statuses
    if tree == "goal":
        # Every goal is still in the tree: none vanished into a loop.
        tree_ = ok(await setup.get("/goals/tree", cycle_id=setup.cycle_id))
        count = 0
        stack = list(tree_["roots"])
        while stack:
            node = stack.pop()
            count += 1
            stack.extend(node["children"])
        assert count == 1 + 2 * ROUNDS


async def test_check_ins_racing_under_one_goal_leave_its_progress_right(
    app: FastAPI, settings: Settings, committed_client: httpx.AsyncClient
) -> None:
    """Each check-in re-rolls its goal's stored progress from its siblings' figures; committed side by side, each
    must see the others' (the goal rows are locked before the sums are read), or the last one stores a stale sum."""
    setup = await committed_setup(app, settings, committed_client)
    kprs = [await setup.kpr(title=f"华东区销售额同比增长{20 + n}%", weight=25) for n in range(4)]
    kprs += [await setup.kpr("manager", title=f"华南区销售额同比增长{20 + n}%", weight=25) for n in range(4)]
    values = [200 + 5 * n for n in range(1, len(kprs) + 1)]  # baseline 200, target 240: progress 12.5 … 100

    def check_in(kpr: dict[str, Any], value: int) -> Callable[[], Awaitable[httpx.Response]]:
        who = "employee" if kpr["owner_id"] == str(setup.tenant.employee.id) else "manager"
        url = f"{API}/kprs/{kpr['id']}/check-ins"
        return lambda: committed_client.post(url, json={"value": value}, headers=setup.headers(who))

    responses = await released_together([check_in(kpr, value) for kpr, value in zip(kprs, values, strict=True)])

    assert [response.status_code for response in responses] == [201] * len(kprs)
    expected = sum(min(Decimal(value - 200) / 40, Decimal(1)) * 100 for value in values) / len(values)
    goal = ok(await setup.get(f"/goals/{setup.goal_id}"))
    assert Decimal(str(goal["progress"])) == engine.round2(expected)
    as_of = ok(await setup.get(f"/goals/{setup.goal_id}", as_of="2999-01-01T00:00:00Z"))
    assert goal["progress"] == as_of["progress"]
