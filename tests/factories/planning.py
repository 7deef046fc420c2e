"""ORM builders for the planning domain: cycles, goals, plans, KPRs, KPIs and check-ins.

Every builder takes the session and the organization, then keyword arguments with sensible defaults, adds the row,
flushes and returns it. Related rows that are not given are made on the fly (a KPR without a goal gets a fresh company
goal of its cycle; without a plan, the owner's plan of the cycle is found or created).
"""

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.figures import service as figures
from app.models import CheckIn, Cycle, Department, Employee, Goal, Kpi, Kpr, Organization, Plan
from tests.factories._common import save, seq

Number = Decimal | int | str | float


def _dec(value: Number | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


async def make_cycle(
    session: AsyncSession,
    org: Organization,
    *,
    name: str | None = None,
    cadence: str = "quarterly",
    start_date: date = date(2026, 7, 1),
    end_date: date = date(2026, 9, 30),
    status: str = "active",
    policy: dict[str, Any] | None = None,
) -> Cycle:
    cycle = Cycle(
        organization_id=org.id,
        name=name or f"2026年第三季度 #{next(seq)}",
        cadence=cadence,
        start_date=start_date,
        end_date=end_date,
        status=status,
        policy=policy or {},
    )
    return await save(session, cycle)


async def make_goal(
    session: AsyncSession,
    org: Organization,
    *,
    cycle: Cycle | None = None,
    title: str | None = None,
    description: str | None = None,
    level: str = "company",
    department: Department | None = None,
    parent: Goal | None = None,
    weight: Number = 1,
) -> Goal:
    """A goal; ``cycle=None`` makes a long-term goal."""
    goal = Goal(
        organization_id=org.id,
        cycle_id=cycle.id if cycle else None,
        title=title or f"目标 {next(seq)}",
        description=description,
        level=level,
        department_id=department.id if department else None,
        parent_id=parent.id if parent else None,
        weight=_dec(weight),
    )
    return await save(session, goal)  # no KPRs or children yet: no progress, so nothing above it moves


async def make_plan(
    session: AsyncSession,
    org: Organization,
    *,
    cycle: Cycle,
    employee: Employee,
    status: str = "draft",
) -> Plan:
    plan = Plan(organization_id=org.id, cycle_id=cycle.id, employee_id=employee.id, status=status)
    return await save(session, plan)


async def make_kpr(
    session: AsyncSession,
    org: Organization,
    *,
    owner: Employee,
    cycle: Cycle | None = None,
    goal: Goal | None = None,
    plan: Plan | None = None,
    title: str | None = None,
    description: str | None = None,
    unit: str | None = "万元",
    direction: str = "increase",
    baseline: Number = 0,
    target: Number = 100,
    threshold: Number | None = None,
    stretch: Number | None = None,
    tolerance: Number | None = None,
    weight: Number = 100,
    goal_weight: Number = 1,
    due_date: date | None = None,
    status: str = "active",
    template_id: uuid.UUID | None = None,
) -> Kpr:
    """A KPR; the cycle comes from ``cycle``, else the plan, else the goal, else a fresh cycle."""
    if cycle is None:
        if plan is not None:
            cycle = await session.get(Cycle, plan.cycle_id)
        elif goal is not None and goal.cycle_id is not None:
            cycle = await session.get(Cycle, goal.cycle_id)
        if cycle is None:
            cycle = await make_cycle(session, org)
    if goal is None:
        goal = await make_goal(session, org, cycle=cycle)
    if plan is None:
        plan = await session.scalar(select(Plan).where(Plan.cycle_id == cycle.id, Plan.employee_id == owner.id))
        if plan is None:
            plan = await make_plan(session, org, cycle=cycle, employee=owner)
    kpr = Kpr(
        organization_id=org.id,
        plan_id=plan.id,
        cycle_id=cycle.id,
        owner_id=owner.id,
        goal_id=goal.id,
        title=title or f"销售额达到 {target} 万元 #{next(seq)}",
        description=description,
        unit=unit,
        direction=direction,
        baseline=_dec(baseline),
        target=_dec(target),
        threshold=_dec(threshold),
        stretch=_dec(stretch),
        tolerance=_dec(tolerance),
        weight=_dec(weight),
        goal_weight=_dec(goal_weight),
        due_date=due_date or cycle.end_date,
        status=status,
        template_id=template_id,
    )
    await save(session, kpr)
    # Rows built around the services get their stored figures the way a service's write does.
    await figures.kprs_changed(session, [kpr.id], goals_reached=[kpr.goal_id], plans_reached=[kpr.plan_id])
    return kpr


async def make_kpi(
    session: AsyncSession,
    org: Organization,
    *,
    kpr: Kpr,
    name: str | None = None,
    unit: str | None = "次",
    direction: str = "increase",
    baseline: Number = 0,
    target: Number = 10,
    frequency: str = "weekly",
) -> Kpi:
    kpi = Kpi(
        organization_id=org.id,
        kpr_id=kpr.id,
        name=name or f"客户拜访次数 #{next(seq)}",
        unit=unit,
        direction=direction,
        baseline=_dec(baseline),
        target=_dec(target),
        frequency=frequency,
    )
    return await save(session, kpi)


async def make_check_in(
    session: AsyncSession,
    org: Organization,
    *,
    value: Number,
    kpr: Kpr | None = None,
    kpi: Kpi | None = None,
    recorded_at: datetime | None = None,
    author: Employee | None = None,
    note: str | None = None,
    confidence: int | None = None,
) -> CheckIn:
    """A check-in of a KPR (or, with ``kpi=``, of a KPI); recorded now unless told otherwise."""
    if (kpr is None) == (kpi is None):
        raise ValueError("give exactly one of kpr= or kpi=")
    check_in = CheckIn(
        organization_id=org.id,
        kpr_id=kpr.id if kpr else None,
        kpi_id=kpi.id if kpi else None,
        value=_dec(value),
        recorded_at=recorded_at or datetime.now(UTC),
        note=note,
        confidence=confidence,
        author_id=author.id if author else None,
        author=author.external_id if author else "test",
    )
    await save(session, check_in)
    if kpr is not None:
        await figures.kprs_changed(session, [kpr.id], smart=False)
    return check_in
