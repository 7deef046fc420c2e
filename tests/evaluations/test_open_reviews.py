"""Entering review opens one evaluation per approved plan, with live figures worked by hand (see helpers)."""

from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.evaluations import workflow
from app.evaluations.workflow import open_reviews
from app.models import Evaluation, OutboxEvent, StateTransition
from tests.assertions import ok
from tests.factories import (
    API,
    EMPLOYEE_KPRS,
    KprSpec,
    Tenant,
    add_kprs,
    admin_actor,
    build_scenario,
    make_cycle,
    make_employee,
    make_plan,
    move_cycle,
    open_review,
)
from tests.figures.oracle import fresh_figures


async def test_entering_review_opens_one_evaluation_per_approved_plan(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    scenario = await build_scenario(session, tenant)

    cycle = await move_cycle(client, tenant, scenario.cycle_id, "active", "review")

    assert cycle["status"] == "review"
    rows = (await session.scalars(select(Evaluation).where(Evaluation.cycle_id == scenario.cycle.id))).all()
    # The manager's plan is a draft: no evaluation.
    assert {(r.employee_id, r.plan_id, r.reviewer_id, r.status) for r in rows} == {
        (tenant.employee.id, scenario.employee_plan.id, tenant.manager.id, "self_review"),
        (tenant.peer.id, scenario.peer_plan.id, tenant.manager.id, "self_review"),
    }


async def test_items_carry_live_figures_worked_by_hand(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)

    response = await client.get(f"{API}/evaluations/{state.employee_eval}", headers=tenant.headers("employee"))
    evaluation = ok(response)

    assert response.headers["etag"]
    sales, complaints, _cancelled = state.scenario.employee_kprs
    assert evaluation["items"] == [
        {
            "kpr_id": str(sales.id),
            "title": "华东区销售额",
            "weight": 60,
            "actual": 250,
            "achievement": 50,
            "progress": 50,
            "score": 50,
        },
        {
            "kpr_id": str(complaints.id),
            "title": "客户投诉率",
            "weight": 40,
            "actual": 4,
            "achievement": 120,
            "progress": 100,
            "score": 120,
        },
    ]
    assert evaluation["status"] == "self_review"
    assert evaluation["results_score"] == 78
    # manager 30% weighted and not yet given → no final score, no rating.
    assert (evaluation["final_score"], evaluation["rating"], evaluation["final_rating"]) == (None, None, None)
    assert evaluation["reviewer_id"] == str(tenant.manager.id)
    assert evaluation["cycle_id"] == state.scenario.cycle_id
    assert evaluation["employee_id"] == str(tenant.employee.id)
    for key in ("self_score", "manager_score", "calibrated_rating", "finalized_at", "acknowledged_at"):
        assert evaluation[key] is None


async def test_the_opening_is_kept_in_the_history(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)

    history = ok(await client.get(f"{API}/evaluations/{state.peer_eval}/transitions", headers=tenant.headers("peer")))

    assert [(t["from"], t["to"], t["actor"]) for t in history["items"]] == [
        (None, "self_review", tenant.admin.external_id)
    ]


async def test_a_kpr_without_check_ins_scores_as_its_baseline(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    cycle = await make_cycle(session, tenant.org, status="planning")
    plan = await make_plan(session, tenant.org, cycle=cycle, employee=tenant.employee, status="approved")
    await add_kprs(session, tenant.org, plan, [KprSpec("新客户数", "increase", 10, 20, 100)])
    await session.commit()
    await move_cycle(client, tenant, str(cycle.id), "active", "review")

    page = ok(await client.get(f"{API}/evaluations?cycle_id={cycle.id}", headers=tenant.headers("employee")))

    [item] = page["items"][0]["items"]
    assert (item["actual"], item["achievement"], item["progress"], item["score"]) == (None, 0, 0, 0)
    assert page["items"][0]["results_score"] == 0


async def _statements_to_open(session: AsyncSession, tenant: Tenant, count_statements: Any, plans: int) -> int:
    cycle = await make_cycle(session, tenant.org, status="active")
    for _ in range(plans):
        employee = await make_employee(session, tenant.org, manager=tenant.manager)
        plan = await make_plan(session, tenant.org, cycle=cycle, employee=employee, status="approved")
        await add_kprs(session, tenant.org, plan, EMPLOYEE_KPRS[:1])
    with count_statements() as counter:
        await open_reviews(session, admin_actor(tenant), cycle)
    made = await session.scalar(select(func.count()).where(Evaluation.cycle_id == cycle.id))
    opened = await session.scalar(
        select(func.count()).where(
            StateTransition.entity_type == "evaluation", StateTransition.to_state == "self_review"
        )
    )
    assert made == plans
    assert opened is not None
    assert opened >= plans
    count: int = counter.count
    return count


async def test_opening_is_set_based(session: AsyncSession, tenant: Tenant, count_statements: Any) -> None:
    few = await _statements_to_open(session, tenant, count_statements, 2)
    many = await _statements_to_open(session, tenant, count_statements, 12)

    # the approved plans, their KPRs' stored scores, the evaluations, their transitions, their events
    assert few == many <= 5


async def test_a_cycle_opens_a_chunk_at_a_time_with_the_engines_figures(
    session: AsyncSession, tenant: Tenant, monkeypatch: Any
) -> None:
    # Two plans a chunk: five plans take three, and on PostgreSQL each chunk is scored while the one before is
    # inserted. Every evaluation is made once, with its own plan's figures, its opening and its event.
    monkeypatch.setattr(workflow, "OPEN_CHUNK", 2)
    monkeypatch.setattr(workflow, "CHUNK", 2)
    cycle = await make_cycle(session, tenant.org, status="active")
    for n in range(5):
        employee = await make_employee(session, tenant.org, manager=tenant.manager)
        plan = await make_plan(session, tenant.org, cycle=cycle, employee=employee, status="approved")
        await add_kprs(session, tenant.org, plan, [KprSpec(f"新客户数 {n}", "increase", 0, 100, 1, [15 * n + 10])])

    await open_reviews(session, admin_actor(tenant), cycle)

    rows = (await session.scalars(select(Evaluation).where(Evaluation.cycle_id == cycle.id))).all()
    assert len({row.plan_id for row in rows}) == len(rows) == 5
    assert len({row.results_score for row in rows}) == 5
    fresh = await fresh_figures(session, tenant.org.id)
    assert not fresh.problems, fresh.problems
    ids = [row.id for row in rows]
    opened = await session.scalar(
        select(func.count()).where(StateTransition.entity_id.in_(ids), StateTransition.to_state == "self_review")
    )
    events = await session.scalar(select(func.count()).where(OutboxEvent.resource_id.in_(ids)))
    assert opened == events == 5
