"""Regression: a closed cycle's refusal comes from the one cycle rule, so every writer speaks the caller's language.

KPR update and delete used to raise a hand-written English "The cycle is closed." — a zh-CN client got a Chinese
title with an English detail.
"""

import uuid

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Cycle
from tests.assertions import assert_problem, ok
from tests.factories import Tenant, at, make_setup


@pytest.mark.parametrize(
    ("locale", "title", "detail"),
    [("en", "Cycle not open", "The cycle is closed."), ("zh-CN", "周期未开放", "周期已关闭。")],
)
async def test_every_write_to_a_closed_cycle_is_refused_in_the_callers_language(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, locale: str, title: str, detail: str
) -> None:
    setup = await make_setup(client, tenant)
    approved = await setup.approved_kpr()
    draft = await setup.kpr("peer")
    kpi_body = {"name": "每周客户拜访次数", "direction": "increase", "baseline": 5, "target": 12, "frequency": "weekly"}
    kpi = ok(await setup.post(f"/kprs/{approved['id']}/kpis", kpi_body, "employee"), 201)
    await session.execute(update(Cycle).where(Cycle.id == uuid.UUID(setup.cycle_id)).values(status="closed"))
    await session.commit()

    def headers(who: str) -> dict[str, str]:
        return setup.headers(who) | {"Accept-Language": locale}

    responses = [
        await client.patch(f"/api/v1/kprs/{draft['id']}", json={"target": 260}, headers=headers("peer")),
        await client.delete(f"/api/v1/kprs/{draft['id']}", headers=headers("peer")),
        await client.post(
            f"/api/v1/kprs/{approved['id']}/check-ins",
            json={"value": 250, "recorded_at": at(30)},
            headers=headers("employee"),
        ),
        await client.post(
            f"/api/v1/kpis/{kpi['id']}/check-ins", json={"value": 8, "recorded_at": at(30)}, headers=headers("employee")
        ),
        await client.patch(f"/api/v1/kpis/{kpi['id']}", json={"target": 15}, headers=headers("employee")),
    ]

    for response in responses:
        body = assert_problem(response, 409, "CYCLE_NOT_OPEN")
        assert (body["title"], body["detail"]) == (title, detail)
