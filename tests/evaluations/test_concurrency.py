"""Concurrent changes of one evaluation, really committed: the row lock makes the second see the first's state.

These use ``committed_client`` (no surrounding transaction), so they build their own organization with a committed
session and never touch the rolled-back ``tenant`` fixtures.
"""

import asyncio
import uuid

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from app.core.config import Settings
from app.models import StateTransition
from tests.factories import API, build_scenario, evaluations_by_employee, make_tenant, move_cycle, to_calibration
from tests.factories import InReview as State


async def test_concurrent_finalizations_finalize_once(
    app: FastAPI, settings: Settings, committed_client: httpx.AsyncClient
) -> None:
    async with app.state.sessionmaker() as session:
        tenant = await make_tenant(session, settings, "并发评估公司")
        await session.commit()
        scenario = await build_scenario(session, tenant)
    await move_cycle(committed_client, tenant, scenario.cycle_id, "active", "review")
    async with app.state.sessionmaker() as session:
        by_employee = await evaluations_by_employee(session, scenario.cycle)
    state = State(scenario, str(by_employee[tenant.employee.id].id), str(by_employee[tenant.peer.id].id))
    await to_calibration(committed_client, tenant, state)

    async def finalize() -> httpx.Response:
        return await committed_client.post(
            f"{API}/evaluations/{state.employee_eval}/transitions",
            json={"to": "finalized"},
            headers=tenant.headers("admin"),
        )

    responses = await asyncio.gather(*(finalize() for _ in range(4)))

    assert sorted(r.status_code for r in responses) == [200, 409, 409, 409], [r.text for r in responses]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"INVALID_TRANSITION"}
    async with app.state.sessionmaker() as session:
        finalized = await session.scalar(
            select(func.count())
            .select_from(StateTransition)
            .where(StateTransition.entity_id == uuid.UUID(state.employee_eval), StateTransition.to_state == "finalized")
        )
    assert finalized == 1
