"""Rollover (DESIGN §12): last cycle's goal tree and plans copied into a cycle in planning, baselines from the latest
actuals, and a second rollover copies nothing twice."""

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.enums import RolloverBaseline
from app.models import AuditEvent, Kpr, OutboxEvent
from app.rollover import service
from app.rollover.schemas import RolloverIn
from tests.assertions import assert_problem, ok
from tests.factories import API, Tenant
from tests.factories.api import CYCLE_END, CYCLE_START, Setup, create_cycle, make_setup
from tests.factories.evaluations import EMPLOYEE_KPRS, add_kprs, admin_actor
from tests.factories.org import make_employee
from tests.factories.planning import make_cycle, make_goal, make_plan
from tests.figures.oracle import assert_consistent


async def _source(client: httpx.AsyncClient, tenant: Tenant) -> tuple[Setup, dict[str, Any]]:
    """A cycle with a goal tree, a long-term goal, and the employee's and the peer's KPRs (with a KPI), checked in."""
    setup = await make_setup(client, tenant)
    child = ok(
        await setup.post(
            "/goals",
            {
                "title": "华东区营收增长",
                "level": "department",
                "department_id": str(tenant.department.id),
                "cycle_id": setup.cycle_id,
                "parent_id": setup.goal_id,
            },
        ),
        201,
    )
    long_term = ok(await setup.post("/goals", {"title": "成为行业第一", "level": "company"}), 201)
    ok(await setup.post(f"/cycles/{setup.cycle_id}/transitions", {"to": "active"}), 200)
    sales = await setup.kpr(goal_id=child["id"], weight=60)
    brand = await setup.kpr(
        goal_id=long_term["id"], weight=40, title="品牌知名度提升至30%", unit="%", baseline=10, target=30
    )
    kpi = ok(
        await setup.post(
            f"/kprs/{sales['id']}/kpis",
            {
                "name": "新客户拜访次数",
                "unit": "次",
                "direction": "increase",
                "baseline": 0,
                "target": 50,
                "frequency": "weekly",
            },
            "employee",
        ),
        201,
    )
    ok(await setup.post(f"/kpis/{kpi['id']}/check-ins", {"value": 35}, "employee"), 201)
    await setup.check_in(sales["id"], 230)
    peer = ok(await setup.post_kpr("peer", goal_id=setup.goal_id), 201)
    return setup, {"child": child, "long_term": long_term, "sales": sales, "brand": brand, "kpi": kpi, "peer": peer}


async def _target(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, Any]:
    start = CYCLE_END + timedelta(days=1)
    return await create_cycle(
        client,
        tenant,
        name="2027年度绩效",
        start_date=start.isoformat(),
        end_date=(start + (CYCLE_END - CYCLE_START)).isoformat(),
    )


async def test_a_rollover_copies_the_tree_and_plans_with_last_actuals_and_a_second_copies_nothing(
    client: httpx.AsyncClient, tenant: Tenant, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    setup, source = await _source(client, tenant)
    target = await _target(client, tenant)
    url = f"/cycles/{target['id']}/rollover"

    result = ok(await setup.post(url, {"from_cycle_id": setup.cycle_id, "baseline": "last_actual"}))

    assert {k: result[k] for k in ("goals", "plans", "kprs", "kpis")} == {"goals": 2, "plans": 2, "kprs": 3, "kpis": 1}
    assert result["skipped"] == []
    goals = ok(await setup.get("/goals", cycle_id=target["id"]))["items"]
    by_source = {goal["source_goal_id"]: goal for goal in goals}
    assert set(by_source) == {setup.goal_id, source["child"]["id"]}
    # The tree is kept: the child's copy hangs under the copy of its parent; the long-term goal is shared.
    assert by_source[source["child"]["id"]]["parent_id"] == by_source[setup.goal_id]["id"]
    kprs = ok(await setup.get("/kprs", cycle_id=target["id"]))["items"]
    copies = {kpr["source_kpr_id"]: kpr for kpr in kprs}
    assert set(copies) == {source["sales"]["id"], source["brand"]["id"], source["peer"]["id"]}
    sales = copies[source["sales"]["id"]]
    assert (sales["baseline"], sales["target"], sales["weight"]) == (230, 240, 60)
    assert sales["goal_id"] == by_source[source["child"]["id"]]["id"]
    assert copies[source["brand"]["id"]]["goal_id"] == source["long_term"]["id"]
    assert copies[source["brand"]["id"]]["baseline"] == 10  # no check-in: its own baseline
    # A copy starts afresh: nothing measured yet, due at the same point of the new cycle.
    assert (sales["current_value"], sales["progress"]) == (None, 0)
    assert target["start_date"] <= sales["due_date"] <= target["end_date"]
    plan = ok(await setup.get(f"/plans/{sales['plan_id']}"))
    assert plan["status"] == "draft"
    # The copies' stored figures and SMART reports, and their goals' progress, are what the engine computes.
    await assert_consistent(sessionmaker, tenant.org.id)
    kpis = ok(await setup.get(f"/kprs/{sales['id']}/kpis"))["items"]
    assert [(k["name"], k["baseline"], k["target"]) for k in kpis] == [("新客户拜访次数", 35, 50)]

    again = ok(await setup.post(url, {"from_cycle_id": setup.cycle_id}))

    assert {k: again[k] for k in ("goals", "plans", "kprs", "kpis")} == {"goals": 0, "plans": 0, "kprs": 0, "kpis": 0}
    skipped = {(s["entity_type"], s["source_id"]): (s["reason"], s["copy_id"]) for s in again["skipped"]}
    assert skipped[("kpr", source["sales"]["id"])] == ("ALREADY_COPIED", sales["id"])
    assert len(skipped) == 5
    assert len(ok(await setup.get("/kprs", cycle_id=target["id"]))["items"]) == 3


async def test_baseline_mode_keeps_the_source_baselines(client: httpx.AsyncClient, tenant: Tenant) -> None:
    setup, source = await _source(client, tenant)
    target = await _target(client, tenant)

    ok(
        await setup.post(
            f"/cycles/{target['id']}/rollover",
            {"from_cycle_id": setup.cycle_id, "baseline": "baseline", "employee_ids": [str(tenant.employee.id)]},
        )
    )

    kprs = ok(await setup.get("/kprs", cycle_id=target["id"]))["items"]
    assert {kpr["source_kpr_id"]: kpr["baseline"] for kpr in kprs} == {
        source["sales"]["id"]: 200,
        source["brand"]["id"]: 10,
    }


async def test_an_owner_whose_plan_is_submitted_gets_nothing_copied(client: httpx.AsyncClient, tenant: Tenant) -> None:
    setup, source = await _source(client, tenant)
    target = await _target(client, tenant)
    goal = ok(await setup.post("/goals", {"title": "新目标", "level": "company", "cycle_id": target["id"]}), 201)
    mine = ok(await setup.post("/kprs", {**_kpr(target, goal["id"])}, "peer"), 201)
    ok(await setup.move_plan(mine["plan_id"], "submitted", "peer"))

    result = ok(await setup.post(f"/cycles/{target['id']}/rollover", {"from_cycle_id": setup.cycle_id}))

    assert result["kprs"] == 2
    assert {(s["source_id"], s["reason"]) for s in result["skipped"]} == {(source["peer"]["id"], "PLAN_LOCKED")}


def _kpr(cycle: dict[str, Any], goal_id: str) -> dict[str, Any]:
    return {
        "cycle_id": cycle["id"],
        "goal_id": goal_id,
        "title": "客户满意度提升至95%",
        "unit": "%",
        "direction": "increase",
        "baseline": 90,
        "target": 95,
        "weight": 100,
        "due_date": cycle["end_date"],
    }


async def test_who_and_when(client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant) -> None:
    setup, _ = await _source(client, tenant)
    target = await _target(client, tenant)
    url = f"{API}/cycles/{target['id']}/rollover"
    body = {"from_cycle_id": setup.cycle_id}

    for who in ("employee", "manager", "service"):
        assert_problem(await client.post(url, json=body, headers=tenant.headers(who)), 403, "FORBIDDEN")
    # Another tenant's cycle, as source or as target, does not exist.
    assert_problem(await client.post(url, json=body, headers=other_tenant.headers("admin")), 404, "NOT_FOUND")
    foreign = await create_cycle(client, other_tenant)
    assert_problem(
        await client.post(url, json={"from_cycle_id": foreign["id"]}, headers=tenant.headers("admin")), 404, "NOT_FOUND"
    )
    assert_problem(
        await client.post(url, json={"from_cycle_id": target["id"]}, headers=tenant.headers("admin")),
        422,
        "VALIDATION_FAILED",
    )
    unknown = {"from_cycle_id": setup.cycle_id, "employee_ids": [str(uuid.uuid4())]}
    assert_problem(await client.post(url, json=unknown, headers=tenant.headers("admin")), 404, "NOT_FOUND")
    # Only into a cycle in planning.
    assert_problem(
        await client.post(
            f"{API}/cycles/{setup.cycle_id}/rollover",
            json={"from_cycle_id": target["id"]},
            headers=tenant.headers("admin"),
        ),
        409,
        "INVALID_STATE",
    )


ACTIVE = sum(1 for spec in EMPLOYEE_KPRS if spec.status == "active")


async def _statements(
    session: AsyncSession, tenant: Tenant, count_statements: Callable[[], Any], people: int
) -> tuple[int, int]:
    org = tenant.org
    source = await make_cycle(session, org, status="active")
    top = await make_goal(session, org, cycle=source, title="年度目标")
    goal = await make_goal(session, org, cycle=source, title="部门目标", parent=top)
    for _ in range(people):
        employee = await make_employee(session, org, manager=tenant.manager)
        plan = await make_plan(session, org, cycle=source, employee=employee, status="approved")
        await add_kprs(session, org, plan, EMPLOYEE_KPRS, goal=goal)
    target = await make_cycle(session, org, status="planning")
    await session.flush()
    body = RolloverIn(from_cycle_id=source.id, baseline=RolloverBaseline.LAST_ACTUAL)
    with count_statements() as counter:
        result = await service.rollover(session, admin_actor(tenant), target, body)
    assert result.plans == people
    assert result.kprs == people * ACTIVE
    return counter.count, result.kprs


async def test_a_rollover_is_set_based(session: AsyncSession, tenant: Tenant, count_statements: Any) -> None:
    few, _ = await _statements(session, tenant, count_statements, 3)
    many, copied = await _statements(session, tenant, count_statements, 30)

    assert few == many, "a rollover's statements grew with the number of employees"
    events = await session.scalar(
        select(func.count())
        .select_from(OutboxEvent)
        .where(OutboxEvent.type == "kpr.created", OutboxEvent.resource_type == "kpr")
    )
    assert events == copied + 3 * ACTIVE


async def test_a_company_is_copied_a_chunk_of_owners_at_a_time(
    session: AsyncSession, tenant: Tenant, count_statements: Any, monkeypatch: Any
) -> None:
    # Two owners a chunk: seven people take four chunks, and every copy, event and audit entry is made once.
    monkeypatch.setattr(service, "OWNERS_PER_CHUNK", 2)
    _, copied = await _statements(session, tenant, count_statements, 7)

    events = await session.scalar(
        select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == "kpr.created")
    )
    audited = await session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "create", AuditEvent.entity_type == "kpr")
    )
    copies = await session.scalar(
        select(func.count(func.distinct(Kpr.source_kpr_id))).where(Kpr.source_kpr_id.is_not(None))
    )
    assert copied == 7 * ACTIVE
    assert events == audited == copies == copied
