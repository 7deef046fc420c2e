"""The evaluation tests' builders: KPRs from specs with their check-ins, a worked scenario, and the review walk.

Rows are made with the planning builders; the walk (``open_review``, ``to_calibration``) goes through the API.

The scenario, with every figure worked by hand:

- 员工 (employee), approved plan, default policy (linear, cap 120, results 70 / manager 30 / self 0):
  - 华东区销售额 increase b=200 t=300 weight 60, check-ins 220 then 250 → a = 0.5: achievement 50, progress 50, score 50
  - 客户投诉率 decrease b=10 t=5 weight 40, check-in 4 → a = (4−10)/(5−10) = 1.2: achievement 120, progress 100,
    score min(120, cap 120) = 120
  - a cancelled KPR, which never shows
  - results = (60·50 + 40·120)/100 = 78; with manager 90: final = (78·70 + 90·30)/100 = 81.6 → B (≥ 80)
- 同事 (peer), approved plan: 交付准时率 maintain t=95 tolerance 2 weight 100, check-in 94 → |94−95| ≤ 2: a = 1,
  achievement 100, progress 100, score 100; results 100; with manager 100: final 100 → A (≥ 95)
- 经理 (manager), draft plan with one KPR → no evaluation.
"""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.access import Actor
from app.core.security import Principal
from app.models import Cycle, Employee, Evaluation, Goal, Kpr, Organization, Plan
from tests.assertions import ok
from tests.factories.api import API
from tests.factories.org import Tenant
from tests.factories.planning import Number, make_check_in, make_cycle, make_goal, make_kpr, make_plan

T0 = datetime(2026, 8, 1, 9, 0, tzinfo=UTC)
GOAL_TITLE = "提升华东市场份额"


@dataclass
class KprSpec:
    title: str
    direction: str
    baseline: Number
    target: Number
    weight: Number
    values: list[Number] = field(default_factory=list)  # check-ins, one a day from T0, oldest first
    threshold: Number | None = None
    stretch: Number | None = None
    tolerance: Number | None = None
    status: str = "active"


async def add_kprs(
    session: AsyncSession, org: Organization, plan: Plan, specs: list[KprSpec], *, goal: Goal | None = None
) -> list[Kpr]:
    """The plan's KPRs (unit %, under ``goal`` or one fresh company goal of the plan's cycle) with their check-ins."""
    cycle = await session.get(Cycle, plan.cycle_id)
    assert cycle is not None
    goal = goal or await make_goal(session, org, cycle=cycle, title=GOAL_TITLE)
    owner = await session.get(Employee, plan.employee_id)
    assert owner is not None
    kprs = []
    for spec in specs:
        kpr = await make_kpr(
            session,
            org,
            owner=owner,
            cycle=cycle,
            goal=goal,
            plan=plan,
            title=spec.title,
            unit="%",
            direction=spec.direction,
            baseline=spec.baseline,
            target=spec.target,
            threshold=spec.threshold,
            stretch=spec.stretch,
            tolerance=spec.tolerance,
            weight=spec.weight,
            status=spec.status,
        )
        for index, value in enumerate(spec.values):
            await make_check_in(session, org, kpr=kpr, value=value, recorded_at=T0 + timedelta(days=index))
        kprs.append(kpr)
    return kprs


EMPLOYEE_KPRS = [
    KprSpec("华东区销售额", "increase", 200, 300, 60, [220, 250]),
    KprSpec("客户投诉率", "decrease", 10, 5, 40, [4]),
    KprSpec("已取消的指标", "increase", 0, 10, 0, [10], status="cancelled"),
]
PEER_KPRS = [KprSpec("交付准时率", "maintain", 90, 95, 100, [94], tolerance=2)]
MANAGER_KPRS = [KprSpec("团队业绩", "increase", 0, 100, 100, [10])]


@dataclass
class Scenario:
    tenant: Tenant
    cycle: Cycle
    employee_plan: Plan
    employee_kprs: list[Kpr]
    peer_plan: Plan
    peer_kprs: list[Kpr]
    manager_plan: Plan

    @property
    def cycle_id(self) -> str:
        return str(self.cycle.id)


async def build_scenario(
    session: AsyncSession, tenant: Tenant, *, policy: dict[str, Any] | None = None, status: str = "planning"
) -> Scenario:
    org = tenant.org
    cycle = await make_cycle(session, org, status=status, policy=policy)
    goal = await make_goal(session, org, cycle=cycle, title=GOAL_TITLE)
    employee_plan = await make_plan(session, org, cycle=cycle, employee=tenant.employee, status="approved")
    employee_kprs = await add_kprs(session, org, employee_plan, EMPLOYEE_KPRS, goal=goal)
    peer_plan = await make_plan(session, org, cycle=cycle, employee=tenant.peer, status="approved")
    peer_kprs = await add_kprs(session, org, peer_plan, PEER_KPRS, goal=goal)
    manager_plan = await make_plan(session, org, cycle=cycle, employee=tenant.manager, status="draft")
    await add_kprs(session, org, manager_plan, MANAGER_KPRS, goal=goal)
    await session.commit()
    return Scenario(tenant, cycle, employee_plan, employee_kprs, peer_plan, peer_kprs, manager_plan)


async def move_cycle(client: httpx.AsyncClient, tenant: Tenant, cycle_id: str, *targets: str) -> dict[str, Any]:
    cycle: dict[str, Any] = {}
    for target in targets:
        cycle = ok(
            await client.post(
                f"{API}/cycles/{cycle_id}/transitions", json={"to": target}, headers=tenant.headers("admin")
            )
        )
    return cycle


async def move(client: httpx.AsyncClient, tenant: Tenant, who: str, evaluation_id: str, target: str) -> dict[str, Any]:
    result: dict[str, Any] = ok(
        await client.post(
            f"{API}/evaluations/{evaluation_id}/transitions", json={"to": target}, headers=tenant.headers(who)
        )
    )
    return result


async def evaluations_by_employee(session: AsyncSession, cycle: Cycle) -> dict[uuid.UUID, Evaluation]:
    rows = await session.scalars(
        select(Evaluation).where(Evaluation.cycle_id == cycle.id).execution_options(populate_existing=True)
    )
    return {row.employee_id: row for row in rows}


@dataclass
class InReview:
    """The scenario walked to review through the API, with the two evaluations' ids."""

    scenario: Scenario
    employee_eval: str
    peer_eval: str


async def open_review(session: AsyncSession, client: httpx.AsyncClient, tenant: Tenant, **kwargs: Any) -> InReview:
    scenario = await build_scenario(session, tenant, **kwargs)
    await move_cycle(client, tenant, scenario.cycle_id, "active", "review")
    by_employee = await evaluations_by_employee(session, scenario.cycle)
    return InReview(scenario, str(by_employee[tenant.employee.id].id), str(by_employee[tenant.peer.id].id))


async def to_calibration(
    client: httpx.AsyncClient, tenant: Tenant, state: InReview, *, manager_scores: tuple[int, int] = (90, 100)
) -> None:
    """Both evaluations through self and manager review into calibration, and the cycle into calibration."""
    for evaluation_id, who, score in (
        (state.employee_eval, "employee", manager_scores[0]),
        (state.peer_eval, "peer", manager_scores[1]),
    ):
        await move(client, tenant, who, evaluation_id, "manager_review")
        ok(
            await client.put(
                f"{API}/evaluations/{evaluation_id}/manager-review",
                json={"score": score, "comment": "表现良好"},
                headers=tenant.headers("manager"),
            )
        )
        await move(client, tenant, "manager", evaluation_id, "calibration")
    await move_cycle(client, tenant, state.scenario.cycle_id, "calibration")


def admin_actor(tenant: Tenant) -> Actor:
    """The tenant's HR admin as the service layer sees a caller, for tests that call the workflow directly."""
    principal = Principal(subject="hr", organization_id=tenant.org.id, roles=frozenset({"admin"}))
    return Actor(principal=principal, organization_id=tenant.org.id, employee_id=tenant.admin.id)
