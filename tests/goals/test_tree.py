"""Goal progress rolled up by hand, the tree of a cycle and the long-term forest, as-of reads, bounded statements."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Cycle, Goal, Organization
from tests.factories import Tenant, make_check_in, make_cycle, make_goal, make_kpr

GOALS = "/api/v1/goals"
T0 = datetime(2026, 7, 10, 8, 0, tzinfo=UTC)


def _find(nodes: list[dict[str, Any]], goal_id: Any) -> dict[str, Any]:
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if node["id"] == str(goal_id):
            return node
        stack.extend(node["children"])
    raise AssertionError(f"{goal_id} not in tree")


async def _kpr_at(
    session: AsyncSession, tenant: Tenant, goal: Goal, cycle: Cycle, value: int, goal_weight: int = 1, **kw: Any
) -> Any:
    kpr = await make_kpr(
        session,
        tenant.org,
        owner=tenant.employee,
        cycle=cycle,
        goal=goal,
        baseline=0,
        target=100,
        goal_weight=goal_weight,
        **kw,
    )
    await make_check_in(session, tenant.org, kpr=kpr, value=value, recorded_at=T0)
    return kpr


async def test_progress_rolls_up_by_weight(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    cycle = await make_cycle(session, tenant.org)
    company = await make_goal(session, tenant.org, cycle=cycle, title="公司目标")
    sales = await make_goal(
        session,
        tenant.org,
        cycle=cycle,
        parent=company,
        level="department",
        department=tenant.department,
        weight=1,
        title="销售目标",
    )
    service = await make_goal(
        session,
        tenant.org,
        cycle=cycle,
        parent=company,
        level="department",
        department=tenant.department,
        weight=3,
        title="服务目标",
    )
    empty = await make_goal(session, tenant.org, cycle=cycle, parent=company, weight=5, title="尚无 KPR")
    k50 = await _kpr_at(session, tenant, sales, cycle, 50, goal_weight=1)
    await _kpr_at(session, tenant, sales, cycle, 100, goal_weight=3)
    await _kpr_at(session, tenant, service, cycle, 20)
    # Neither a cancelled KPR nor one that cannot be measured counts.
    await _kpr_at(session, tenant, service, cycle, 0, goal_weight=10, status="cancelled")
    await make_kpr(session, tenant.org, owner=tenant.peer, cycle=cycle, goal=service, baseline=5, target=5)
    await session.commit()

    # sales: (50·1 + 100·3) / 4 = 87.5; company: (87.5·1 + 20·3) / 4 = 36.875 → 36.88 (the empty goal drops out).
    tree = await client.get(f"{GOALS}/tree", params={"cycle_id": str(cycle.id)}, headers=tenant.headers("employee"))
    assert tree.status_code == 200, tree.text
    body = tree.json()
    assert body["cycle_id"] == str(cycle.id)
    assert [root["id"] for root in body["roots"]] == [str(company.id)]
    root = body["roots"][0]
    assert [c["title"] for c in root["children"]] == ["销售目标", "服务目标", "尚无 KPR"]
    assert _find(body["roots"], sales.id)["progress"] == 87.5
    assert _find(body["roots"], service.id)["progress"] == 20
    assert _find(body["roots"], empty.id)["progress"] is None
    assert root["progress"] == 36.88
    sales_kprs = _find(body["roots"], sales.id)["kprs"]
    assert [(k["progress"], k["goal_weight"]) for k in sales_kprs] == [(50, 1), (100, 3)]
    assert sales_kprs[0] == {
        "id": str(k50.id),
        "title": k50.title,
        "owner_id": str(tenant.employee.id),
        "weight": 100,
        "goal_weight": 1,
        "progress": 50,
    }
    assert len(_find(body["roots"], service.id)["kprs"]) == 2  # the unmeasurable one is listed, with no progress

    # The same figures on single reads and list items.
    single = await client.get(f"{GOALS}/{company.id}", headers=tenant.headers("employee"))
    assert single.json()["progress"] == 36.88
    listed = await client.get(GOALS, params={"cycle_id": str(cycle.id)}, headers=tenant.headers("employee"))
    assert {g["title"]: g["progress"] for g in listed.json()["items"]} == {
        "公司目标": 36.88,
        "销售目标": 87.5,
        "服务目标": 20,
        "尚无 KPR": None,
    }


async def test_as_of_gives_the_figures_as_they_stood(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    cycle = await make_cycle(session, tenant.org)
    goal = await make_goal(session, tenant.org, cycle=cycle)
    kpr = await make_kpr(session, tenant.org, owner=tenant.employee, cycle=cycle, goal=goal, baseline=200, target=300)
    await make_check_in(session, tenant.org, kpr=kpr, value=220, recorded_at=T0)
    await make_check_in(session, tenant.org, kpr=kpr, value=250, recorded_at=T0 + timedelta(days=7))
    await session.commit()
    headers = tenant.headers("manager")

    async def progress(as_of: str | None) -> Any:
        params = {"cycle_id": str(cycle.id)}
        if as_of is not None:
            params["as_of"] = as_of
        response = await client.get(f"{GOALS}/tree", params=params, headers=headers)
        assert response.status_code == 200, response.text
        return response.json()["roots"][0]["progress"], response.json()["as_of"]

    assert await progress(None) == (50, None)
    assert await progress("2026-07-12T00:00:00Z") == (20, "2026-07-12T00:00:00Z")
    assert await progress("2026-07-10T16:00:00+08:00") == (20, "2026-07-10T08:00:00Z")  # at the check-in counts
    assert await progress("2026-07-01T00:00:00Z") == (0, "2026-07-01T00:00:00Z")  # none yet: x = baseline
    naive = await client.get(
        f"{GOALS}/tree", params={"cycle_id": str(cycle.id), "as_of": "2026-07-12T00:00:00"}, headers=headers
    )
    assert naive.status_code == 422
    assert naive.json()["code"] == "VALIDATION_FAILED"


async def test_long_term_goals_in_cycle_trees_and_in_the_long_term_forest(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    q3 = await make_cycle(session, tenant.org, name="Q3")
    q4 = await make_cycle(session, tenant.org, name="Q4")
    vision = await make_goal(session, tenant.org, title="愿景")
    strategy = await make_goal(session, tenant.org, parent=vision, title="长期战略")
    idle = await make_goal(session, tenant.org, parent=vision, title="暂无本期工作")
    q3_goal = await make_goal(session, tenant.org, cycle=q3, parent=strategy, title="Q3 目标")
    q4_goal = await make_goal(session, tenant.org, cycle=q4, parent=strategy, title="Q4 目标", weight=3)
    q3_orphan = await make_goal(session, tenant.org, cycle=q3, title="Q3 独立目标")
    await _kpr_at(session, tenant, q3_goal, q3, 40)
    await _kpr_at(session, tenant, q4_goal, q4, 80)
    direct = await _kpr_at(session, tenant, vision, q3, 100)  # a Q3 KPR aligned straight to a long-term goal
    await session.commit()
    headers = tenant.headers("employee")

    q3_tree = (await client.get(f"{GOALS}/tree", params={"cycle_id": str(q3.id)}, headers=headers)).json()
    assert [r["title"] for r in q3_tree["roots"]] == ["愿景", "Q3 独立目标"]
    root = q3_tree["roots"][0]
    assert [c["title"] for c in root["children"]] == ["长期战略"]  # the idle long-term goal is not in Q3's tree
    assert [c["title"] for c in root["children"][0]["children"]] == ["Q3 目标"]
    assert _find(q3_tree["roots"], strategy.id)["progress"] == 40  # only the Q3 child counts here
    assert root["progress"] == 70  # (40·1 + 100·1) / 2
    assert [k["id"] for k in root["kprs"]] == [str(direct.id)]
    assert _find(q3_tree["roots"], q3_orphan.id)["progress"] is None

    forest = (await client.get(f"{GOALS}/tree", headers=headers)).json()
    assert forest["cycle_id"] is None
    assert [r["title"] for r in forest["roots"]] == ["愿景"]  # cycle goals under no long-term goal are left out
    assert [c["title"] for c in forest["roots"][0]["children"]] == ["长期战略", "暂无本期工作"]
    assert _find(forest["roots"], strategy.id)["progress"] == 70  # (40·1 + 80·3) / 4, both cycles
    assert _find(forest["roots"], idle.id)["progress"] is None
    assert forest["roots"][0]["progress"] == 85  # (70·1 + 100·1) / 2; the idle goal has no progress
    for goal in (vision, strategy, q3_goal, q4_goal):
        single = await client.get(f"{GOALS}/{goal.id}", headers=headers)
        assert single.json()["progress"] == _find(forest["roots"], goal.id)["progress"]


async def _build_tree(
    session: AsyncSession, org: Organization, owner: Any, cycle: Cycle, fanout: tuple[int, ...]
) -> int:
    """A tree of the cycle under one long-term root: fanout[i] children per goal at depth i; a KPR with a check-in
    on every leaf goal (and a second check-in on every other one)."""
    root = await make_goal(session, org, title="长期")
    level = [root]
    made = 1
    for depth, width in enumerate(fanout):
        next_level = []
        for parent in level:
            for _ in range(width):
                goal = await make_goal(session, org, cycle=cycle, parent=parent, weight=depth + 1)
                next_level.append(goal)
                made += 1
        level = next_level
    for n, leaf in enumerate(level):
        kpr = await make_kpr(session, org, owner=owner, cycle=cycle, goal=leaf, target=100, goal_weight=n % 3 + 1)
        await make_check_in(session, org, kpr=kpr, value=n * 7 % 120, recorded_at=T0)
        if n % 2:
            await make_check_in(session, org, kpr=kpr, value=n, recorded_at=T0 + timedelta(days=1))
    return made


@pytest.mark.parametrize("as_of", [None, "2026-07-10T12:00:00Z"])
async def test_tree_statement_count_does_not_grow_with_the_tree(
    client: AsyncClient,
    session: AsyncSession,
    tenant: Tenant,
    count_statements: Callable[[], Any],
    as_of: str | None,
) -> None:
    small_cycle = await make_cycle(session, tenant.org, name="小")
    large_cycle = await make_cycle(session, tenant.org, name="大")
    assert await _build_tree(session, tenant.org, tenant.employee, small_cycle, (1, 1)) == 3
    assert await _build_tree(session, tenant.org, tenant.employee, large_cycle, (3, 4, 4)) == 64
    await session.commit()
    headers = tenant.headers("employee")
    counts = []
    for cycle in (small_cycle, large_cycle):
        params = {"cycle_id": str(cycle.id)}
        if as_of:
            params["as_of"] = as_of
        with count_statements() as counter:
            response = await client.get(f"{GOALS}/tree", params=params, headers=headers)
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]
    # the caller with the cycle, goals, KPRs (their stored figures), and with as_of their check-ins then and policies
    assert counts[1] <= (7 if as_of else 5)

    # The long-term forest holds both trees; list pages of 3 and of 60 goals cost the same too.
    with count_statements() as counter:
        forest = await client.get(f"{GOALS}/tree", params={"as_of": as_of} if as_of else {}, headers=headers)
    assert len(forest.json()["roots"]) == 2
    assert counter.count == counts[0]  # the caller alone instead of the caller with the cycle
    list_counts = []
    for cycle in (small_cycle, large_cycle):
        with count_statements() as counter:
            page = await client.get(GOALS, params={"cycle_id": str(cycle.id), "limit": 200}, headers=headers)
        assert len(page.json()["items"]) in (2, 63)
        list_counts.append(counter.count)
    assert list_counts[0] == list_counts[1]


async def test_deep_chain_rolls_up_without_recursion_limits(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    cycle = await make_cycle(session, tenant.org)
    parent = None
    goals = []
    for _ in range(40):
        parent = await make_goal(session, tenant.org, cycle=cycle, parent=parent)
        goals.append(parent)
    assert parent is not None
    await _kpr_at(session, tenant, parent, cycle, 30)
    await session.commit()
    tree = await client.get(f"{GOALS}/tree", params={"cycle_id": str(cycle.id)}, headers=tenant.headers("admin"))
    assert tree.status_code == 200
    assert tree.json()["roots"][0]["progress"] == 30
    top = await client.get(f"{GOALS}/{goals[0].id}", headers=tenant.headers("admin"))
    assert top.json()["progress"] == 30
    assert Decimal(str(top.json()["progress"])) == Decimal(30)
