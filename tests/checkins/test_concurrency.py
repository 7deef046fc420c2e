"""Concurrent writers: check-ins really committed through the app's own engine, many at once, none lost.

These tests use ``committed_client`` (no surrounding transaction), so they set up their own organization with a
committed session and never touch the rolled-back ``tenant`` fixtures.
"""

import asyncio
import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from app.core.config import Settings
from app.models import CheckIn, Plan
from tests.assertions import ok
from tests.factories import API, Tenant, kpr_body, make_setup, make_tenant

WRITES = 100


async def committed_tenant(app: FastAPI, settings: Settings) -> Tenant:
    async with app.state.sessionmaker() as session:
        tenant = await make_tenant(session, settings, "并发公司")
        await session.commit()
    return tenant


async def test_100_concurrent_check_ins_are_all_stored(
    app: FastAPI, settings: Settings, committed_client: httpx.AsyncClient
) -> None:
    tenant = await committed_tenant(app, settings)
    setup = await make_setup(committed_client, tenant)
    kpr = await setup.kpr(baseline=0, target=1000)
    writers = ["employee", "manager", "admin", "service"]

    async def write(n: int) -> httpx.Response:
        body = {"value": n, "note": f"第{n}次", "confidence": n % 11}
        return await committed_client.post(
            f"{API}/kprs/{kpr['id']}/check-ins", json=body, headers=tenant.headers(writers[n % len(writers)])
        )

    responses = await asyncio.gather(*(write(n) for n in range(WRITES)))

    assert [r.status_code for r in responses] == [201] * WRITES, [r.text for r in responses if r.status_code != 201]
    created = {r.json()["id"] for r in responses}
    assert len(created) == WRITES
    listed = ok(await setup.get(f"/kprs/{kpr['id']}/check-ins", "employee", limit=200))
    assert {c["id"] for c in listed["items"]} == created
    assert sorted(c["value"] for c in listed["items"]) == list(range(WRITES))
    assert listed["next_cursor"] is None
    async with app.state.sessionmaker() as session:
        stored = await session.scalar(
            select(func.count()).select_from(CheckIn).where(CheckIn.kpr_id == uuid.UUID(kpr["id"]))
        )
    assert stored == WRITES
    # The current value is one of them: the newest by recorded_at (ties broken deterministically).
    newest = listed["items"][0]
    assert ok(await setup.get(f"/kprs/{kpr['id']}"))["current_value"] == newest["value"]


async def test_concurrent_first_kprs_share_one_plan(
    app: FastAPI, settings: Settings, committed_client: httpx.AsyncClient
) -> None:
    tenant = await committed_tenant(app, settings)
    setup = await make_setup(committed_client, tenant)

    async def create(n: int) -> httpx.Response:
        body: dict[str, Any] = kpr_body(setup.cycle_id, setup.goal_id, title=f"区域{n}销售额增长20%", weight=10)
        return await committed_client.post(f"{API}/kprs", json=body, headers=tenant.headers("employee"))

    responses = await asyncio.gather(*(create(n) for n in range(10)))

    assert [r.status_code for r in responses] == [201] * 10, [r.text for r in responses if r.status_code != 201]
    assert len({r.json()["plan_id"] for r in responses}) == 1
    async with app.state.sessionmaker() as session:
        plans = await session.scalar(
            select(func.count()).select_from(Plan).where(Plan.employee_id == tenant.employee.id)
        )
    assert plans == 1
    plan = ok(await setup.get(f"/plans/{responses[0].json()['plan_id']}"))
    assert plan["weight_total"] == 100


async def test_a_revision_is_decided_once_when_two_deciders_race(
    app: FastAPI, settings: Settings, committed_client: httpx.AsyncClient
) -> None:
    tenant = await committed_tenant(app, settings)
    setup = await make_setup(committed_client, tenant)
    kpr = await setup.approved_kpr(baseline=200, target=300)
    revision = ok(
        await setup.post(f"/kprs/{kpr['id']}/revisions", {"changes": {"target": 280}, "reason": "调整"}, "employee"),
        201,
    )

    async def decide(to: str, who: str) -> httpx.Response:
        return await committed_client.post(
            f"{API}/revisions/{revision['id']}/transitions", json={"to": to}, headers=tenant.headers(who)
        )

    responses = await asyncio.gather(
        *(decide(to, who) for to in ("approved", "rejected") for who in ("manager", "admin"))
    )

    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409], [r.text for r in responses]
    [winner] = [r.json() for r in responses if r.status_code == 200]
    final = ok(await setup.get(f"/revisions/{revision['id']}"))
    assert final["status"] == winner["status"]
    history = ok(await setup.get(f"/revisions/{revision['id']}/transitions"))["items"]
    assert [t["to"] for t in history] == ["pending", winner["status"]]
    expected_target = 280 if winner["status"] == "approved" else 300
    assert ok(await setup.get(f"/kprs/{kpr['id']}"))["target"] == expected_target


async def test_a_plan_is_decided_once_when_two_deciders_race(
    app: FastAPI, settings: Settings, committed_client: httpx.AsyncClient
) -> None:
    tenant = await committed_tenant(app, settings)
    setup = await make_setup(committed_client, tenant)
    kpr = await setup.kpr(weight=100)
    ok(await setup.move_plan(kpr["plan_id"], "submitted", "employee"))

    responses = await asyncio.gather(
        *(setup.move_plan(kpr["plan_id"], to, who) for to in ("approved", "rejected") for who in ("manager", "admin"))
    )

    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409], [r.text for r in responses]
    [winner] = [r.json() for r in responses if r.status_code == 200]
    assert ok(await setup.get(f"/plans/{kpr['plan_id']}"))["status"] == winner["status"]
    history = ok(await setup.get(f"/plans/{kpr['plan_id']}/transitions"))["items"]
    assert [t["to"] for t in history] == ["draft", "submitted", winner["status"]]


async def test_a_submitted_plan_keeps_weights_totalling_100_when_an_edit_races_the_submit(
    app: FastAPI, settings: Settings, committed_client: httpx.AsyncClient
) -> None:
    tenant = await committed_tenant(app, settings)
    setup = await make_setup(committed_client, tenant)
    outcomes = set()
    for who in ("employee", "peer"):
        kpr = await setup.kpr(who, weight=100)
        for _ in range(5):
            submit, edit = await asyncio.gather(
                setup.move_plan(kpr["plan_id"], "submitted", who),
                setup.patch(f"/kprs/{kpr['id']}", {"weight": 50}, who),
            )
            plan = ok(await setup.get(f"/plans/{kpr['plan_id']}"))
            outcomes.add((submit.status_code, edit.status_code))
            # Whatever the order, a submitted plan's weights total 100.
            assert plan["status"] != "submitted" or plan["weight_total"] == 100, (submit.text, edit.text)
            if plan["status"] == "submitted":
                ok(await setup.move_plan(kpr["plan_id"], "rejected", "manager"))
                ok(await setup.move_plan(kpr["plan_id"], "draft", who))
            ok(await setup.patch(f"/kprs/{kpr['id']}", {"weight": 100}, who))
    assert outcomes <= {(200, 409), (422, 200)}, outcomes
