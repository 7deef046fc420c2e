"""What the cycle's state allows: KPRs and plans change while it is planning or active; check-ins continue through
review and calibration; a closed cycle takes no more writes.

The cycle is put into review/closed directly in the database: the side effects of those transitions (evaluations)
are tested with the evaluations.
"""

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Cycle
from tests.assertions import assert_problem, ok
from tests.factories import API, Setup, Tenant, at, make_setup


@pytest.fixture
async def setup(client: httpx.AsyncClient, tenant: Tenant) -> Setup:
    return await make_setup(client, tenant)


async def put_cycle_in(session: AsyncSession, setup: Setup, status: str) -> None:
    await session.execute(update(Cycle).where(Cycle.id == uuid.UUID(setup.cycle_id)).values(status=status))
    await session.commit()


@pytest.mark.parametrize("status", ["review", "calibration", "closed"])
async def test_no_new_kprs_or_plan_moves_once_the_cycle_left_tracking(
    setup: Setup, session: AsyncSession, status: str
) -> None:
    draft = await setup.kpr(weight=100)
    await put_cycle_in(session, setup, status)

    created = await setup.post_kpr("peer")
    submitted = await setup.move_plan(draft["plan_id"], "submitted", "employee")

    assert_problem(created, 409, "CYCLE_NOT_OPEN")
    assert_problem(submitted, 409, "CYCLE_NOT_OPEN")
    assert ok(await setup.get(f"/plans/{draft['plan_id']}"))["status"] == "draft"


@pytest.mark.parametrize("status", ["review", "calibration", "closed"])
async def test_no_revisions_once_the_cycle_left_tracking(setup: Setup, session: AsyncSession, status: str) -> None:
    kpr = await setup.approved_kpr()
    pending = ok(await setup.post(f"/kprs/{kpr['id']}/revisions", {"changes": {"target": 250}, "reason": "调整"}), 201)
    await put_cycle_in(session, setup, status)

    requested = await setup.post(f"/kprs/{kpr['id']}/revisions", {"changes": {"target": 260}, "reason": "再调整"})
    approved = await setup.post(f"/revisions/{pending['id']}/transitions", {"to": "approved"}, "manager")

    assert_problem(requested, 409, "CYCLE_NOT_OPEN")
    assert_problem(approved, 409, "CYCLE_NOT_OPEN")
    assert ok(await setup.get(f"/kprs/{kpr['id']}"))["target"] == kpr["target"]


@pytest.mark.parametrize("status", ["review", "calibration"])
async def test_check_ins_continue_through_review_and_calibration(
    setup: Setup, session: AsyncSession, status: str
) -> None:
    kpr = await setup.approved_kpr(baseline=200, target=300)
    await put_cycle_in(session, setup, status)

    await setup.check_in(kpr["id"], 250, recorded_at=at(30))

    assert ok(await setup.get(f"/kprs/{kpr['id']}"))["score"] == 50


async def test_a_closed_cycle_takes_no_more_writes(setup: Setup, session: AsyncSession) -> None:
    approved = await setup.approved_kpr()
    draft = await setup.kpr("peer")
    kpi = ok(
        await setup.post(
            f"/kprs/{approved['id']}/kpis",
            {"name": "每周客户拜访次数", "direction": "increase", "baseline": 5, "target": 12, "frequency": "weekly"},
            "employee",
        ),
        201,
    )
    await put_cycle_in(session, setup, "closed")

    responses: list[Any] = [
        await setup.post(f"/kprs/{approved['id']}/check-ins", {"value": 250, "recorded_at": at(30)}, "employee"),
        await setup.post(f"/kpis/{kpi['id']}/check-ins", {"value": 8, "recorded_at": at(30)}, "employee"),
        await setup.patch(f"/kprs/{approved['id']}", {"title": "结案后改标题"}, "employee"),
        await setup.patch(f"/kprs/{draft['id']}", {"target": 260}, "peer"),
        await setup.delete(f"/kprs/{draft['id']}", "peer"),
    ]

    for response in responses:
        assert_problem(response, 409, "CYCLE_NOT_OPEN")
    # One catalogued message for all of them, shown in the caller's language.
    assert {response.json()["detail"] for response in responses} == {"The cycle is closed."}
    in_chinese = await setup.client.delete(
        f"{API}/kprs/{draft['id']}", headers={**setup.headers("peer"), "Accept-Language": "zh-CN"}
    )
    assert assert_problem(in_chinese, 409, "CYCLE_NOT_OPEN")["detail"] == "周期已关闭。"
    assert ok(await setup.get(f"/kprs/{draft['id']}"))["target"] == draft["target"]
    assert ok(await setup.get(f"/kprs/{approved['id']}/check-ins"))["items"] == []
    assert_problem(await setup.patch(f"/cycles/{setup.cycle_id}", {"name": "改名"}), 409, "CYCLE_CLOSED")
