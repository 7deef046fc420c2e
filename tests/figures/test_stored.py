"""Stored figures (DESIGN §15) pinned on specific propagations, each worked by hand: what a write reaches besides the
row it writes. Every test ends with the whole organization consistent (``tests.figures.oracle``)."""

import uuid
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.kprs.service import refresh_after_change
from app.models import Evaluation, Goal, Kpr
from tests.assertions import ok
from tests.factories import API, Setup, Tenant, at, make_setup, move, move_cycle, open_review, to_calibration
from tests.figures.oracle import assert_consistent


def figures(kpr: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
    return kpr["current_value"], kpr["achievement"], kpr["progress"], kpr["score"]


async def stored_evaluation(session: AsyncSession, evaluation_id: str) -> tuple[Any, Any, Any]:
    row = await session.scalar(
        select(Evaluation).where(Evaluation.id == uuid.UUID(evaluation_id)).execution_options(populate_existing=True)
    )
    assert row is not None
    return row.results_score, row.final_score, row.rating


async def test_a_back_dated_check_in_does_not_replace_the_newer_value(
    client: httpx.AsyncClient, tenant: Tenant, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    setup = await make_setup(client, tenant)
    kpr = await setup.kpr(baseline=200, target=300)
    await setup.check_in(kpr["id"], 250, recorded_at=at(100))

    # Recorded later, measured earlier: the newest measurement stays the actual.
    await setup.check_in(kpr["id"], 220, recorded_at=at(50))

    assert figures(ok(await setup.get(f"/kprs/{kpr['id']}"))) == (250, 50, 50, 50)
    assert ok(await setup.get(f"/goals/{setup.goal_id}"))["progress"] == 50
    # A newer one does replace it: a = (280 − 200)/100.
    await setup.check_in(kpr["id"], 280, recorded_at=at(150))
    assert figures(ok(await setup.get(f"/kprs/{kpr['id']}"))) == (280, 80, 80, 80)
    assert ok(await setup.get(f"/goals/{setup.goal_id}"))["progress"] == 80
    # As of a moment between the two, the history still tells the older story.
    as_of = ok(await setup.get(f"/kprs/{kpr['id']}", as_of=at(120)))
    assert figures(as_of) == (250, 50, 50, 50)
    await assert_consistent(sessionmaker, tenant.org.id)


async def _goal(setup: Setup, title: str, level: str, parent_id: str | None = None) -> dict[str, Any]:
    body = {
        "title": title,
        "level": level,
        "cycle_id": setup.cycle_id,
        "department_id": str(setup.tenant.department.id),
        "parent_id": parent_id,
    }
    goal: dict[str, Any] = ok(await setup.post("/goals", body), 201)
    return goal


async def test_moving_a_goal_under_a_company_goal_makes_the_kprs_two_levels_below_relevant(
    client: httpx.AsyncClient,
    tenant: Tenant,
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    setup = await make_setup(client, tenant)
    department = await _goal(setup, "华东区销售额增长", "department")
    team = await _goal(setup, "华东一组销售额增长", "team", department["id"])
    kpr = await setup.kpr(goal_id=team["id"])

    async def relevant() -> tuple[str, str | None]:
        shown = ok(await setup.get(f"/kprs/{kpr['id']}", "employee"))["smart"]["relevant"]
        row = await session.scalar(
            select(Kpr).where(Kpr.id == uuid.UUID(kpr["id"])).execution_options(populate_existing=True)
        )
        assert row is not None
        assert row.smart is not None
        assert row.smart["relevant"]["status"] == shown["status"]
        codes = [message["code"] for message in row.smart["relevant"]["messages"]]
        return shown["status"], codes[0] if codes else None

    # team → department → (nothing): the chain never reaches a company goal.
    assert await relevant() == ("warn", "smart.relevant.no_company_goal")

    ok(await setup.patch(f"/goals/{department['id']}", {"parent_id": setup.goal_id}))
    assert await relevant() == ("pass", None)

    ok(await setup.patch(f"/goals/{department['id']}", {"parent_id": None}))
    assert await relevant() == ("warn", "smart.relevant.no_company_goal")

    # Re-levelling the top of the chain to a company goal reaches the KPR too.
    ok(await setup.patch(f"/goals/{department['id']}", {"level": "company", "department_id": None}))
    assert await relevant() == ("pass", None)
    await assert_consistent(sessionmaker, tenant.org.id)


async def test_a_policy_change_rescores_the_whole_cycle_and_its_evaluations(
    client: httpx.AsyncClient,
    session: AsyncSession,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    # The worked scenario (tests.factories.evaluations): the employee's KPRs score 50 (weight 60) and 120 (weight
    # 40, a = 1.2 under cap 120): results 78; the peer's maintain KPR scores 100. No manager score yet: no final score.
    state = await open_review(session, client, tenant)
    assert await stored_evaluation(session, state.employee_eval) == (Decimal(78), None, None)

    policy = {"cap": 100, "components": {"results": 100, "manager": 0, "self": 0}}
    ok(
        await client.patch(
            f"{API}/cycles/{state.scenario.cycle_id}", json={"policy": policy}, headers=tenant.headers("admin")
        )
    )

    # Cap 100: the complaint-rate KPR scores 100, results (60·50 + 40·100)/100 = 70; results alone make the final
    # score: 70 → C (≥ 60). The peer: 100 → A (≥ 95, below S at 110).
    complaints = str(state.scenario.employee_kprs[1].id)
    assert ok(await client.get(f"{API}/kprs/{complaints}", headers=tenant.headers("admin")))["score"] == 100
    assert await stored_evaluation(session, state.employee_eval) == (Decimal(70), Decimal(70), "C")
    assert await stored_evaluation(session, state.peer_eval) == (Decimal(100), Decimal(100), "A")
    shown = ok(await client.get(f"{API}/evaluations/{state.employee_eval}", headers=tenant.headers("admin")))
    assert (shown["results_score"], shown["final_score"], shown["rating"]) == (70, 70, "C")
    await assert_consistent(sessionmaker, tenant.org.id)


async def test_cancelling_a_kpr_removes_it_from_its_goal_and_its_plans_results(
    client: httpx.AsyncClient,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    setup = await make_setup(client, tenant)
    first = await setup.kpr(baseline=0, target=100, weight=60)
    second = await setup.kpr(baseline=0, target=100, weight=40)
    await setup.check_in(first["id"], 50, recorded_at=at(10))
    await setup.check_in(second["id"], 100, recorded_at=at(10))
    ok(await setup.move_plan(first["plan_id"], "submitted", "employee"))
    ok(await setup.move_plan(first["plan_id"], "approved", "manager"))
    assert ok(await setup.get(f"/goals/{setup.goal_id}"))["progress"] == 75  # (50 + 100)/2

    # The approved plan's KPR is cancelled through an approved revision.
    revision = ok(
        await setup.post(
            f"/kprs/{second['id']}/revisions", {"changes": {"status": "cancelled"}, "reason": "业务调整"}, "employee"
        ),
        201,
    )
    ok(await setup.post(f"/revisions/{revision['id']}/transitions", {"to": "approved"}, "manager"))

    assert ok(await setup.get(f"/goals/{setup.goal_id}"))["progress"] == 50
    await move_cycle(client, tenant, setup.cycle_id, "active", "review")
    evaluation = ok(await setup.get("/evaluations", cycle_id=setup.cycle_id))["items"][0]
    assert evaluation["results_score"] == 50  # the cancelled KPR's 100 no longer counts
    await assert_consistent(sessionmaker, tenant.org.id)


async def test_cancelling_a_kpr_reaches_a_live_evaluation(
    client: httpx.AsyncClient,
    session: AsyncSession,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    # No request cancels a KPR under a live evaluation (the plan is approved, revisions need an open cycle), but the
    # propagation an edit or a revision goes through must still reach it.
    state = await open_review(session, client, tenant)
    goal_id = state.scenario.employee_kprs[0].goal_id
    # The goal's active KPRs: 50, 100 (a = 1.2 clamps), the peer's 100 and the manager's 10.
    assert ok(await client.get(f"{API}/goals/{goal_id}", headers=tenant.headers("admin")))["progress"] == 65

    kpr = await session.scalar(
        select(Kpr).where(Kpr.id == state.scenario.employee_kprs[1].id).execution_options(populate_existing=True)
    )
    assert kpr is not None
    kpr.status = "cancelled"
    await refresh_after_change(session, kpr, {"status": ("active", "cancelled")}, kpr.goal_id)
    await session.commit()

    assert await stored_evaluation(session, state.employee_eval) == (Decimal(50), None, None)
    progress = ok(await client.get(f"{API}/goals/{goal_id}", headers=tenant.headers("admin")))["progress"]
    assert progress == 53.33  # (50 + 100 + 10)/3
    stored = await session.scalar(select(Goal.progress).where(Goal.id == goal_id))
    assert stored is not None
    assert abs(stored - Decimal(160) / 3) < Decimal("1e-20")
    await assert_consistent(sessionmaker, tenant.org.id)


async def test_reopening_a_finalized_evaluation_makes_its_figures_live_again(
    client: httpx.AsyncClient,
    session: AsyncSession,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    state = await open_review(session, client, tenant)
    await to_calibration(client, tenant, state, manager_scores=(90, 100))
    # results 78; final (78·70 + 90·30)/100 = 81.6 → B.
    await move(client, tenant, "admin", state.employee_eval, "finalized")
    assert await stored_evaluation(session, state.employee_eval) == (Decimal(78), Decimal("81.6"), "B")

    # A policy change leaves the finalized evaluation as it was frozen…
    cycle_url = f"{API}/cycles/{state.scenario.cycle_id}"
    ok(await client.patch(cycle_url, json={"policy": {"cap": 100}}, headers=tenant.headers("admin")))
    assert await stored_evaluation(session, state.employee_eval) == (Decimal(78), Decimal("81.6"), "B")

    # …until it is reopened: results (60·50 + 40·100)/100 = 70, final (70·70 + 90·30)/100 = 76 → C.
    reopened = await move(client, tenant, "admin", state.employee_eval, "calibration")
    assert (reopened["results_score"], reopened["final_score"], reopened["rating"]) == (70, 76, "C")
    assert await stored_evaluation(session, state.employee_eval) == (Decimal(70), Decimal(76), "C")

    # Live again: a check-in moves it. 华东区销售额 300 → a = 1: results 100, final (100·70 + 90·30)/100 = 97 → A.
    sales = str(state.scenario.employee_kprs[0].id)
    ok(
        await client.post(
            f"{API}/kprs/{sales}/check-ins",
            json={"value": 300, "recorded_at": "2026-09-01T09:00:00Z"},
            headers=tenant.headers("employee"),
        ),
        201,
    )
    assert await stored_evaluation(session, state.employee_eval) == (Decimal(100), Decimal(97), "A")
    await assert_consistent(sessionmaker, tenant.org.id)
