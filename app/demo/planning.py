"""The demo's annual cycle: a goal cascade from company to departments, approved plans with KPRs, KPIs, check-ins.

Also the steps every demo cycle takes (goals, a drafted and agreed plan, a check-in), which the quarter reuses.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from app.demo import calls
from app.demo.data import ANNUAL, ANNUAL_GOALS, ANNUAL_KPIS, ANNUAL_PLANS, ANNUAL_READINGS, CycleRow, GoalRow, KprRow
from app.demo.org import Company
from app.models import Cycle, Goal, Kpr

# Every demo measurement is taken on the 28th of its month, in the morning.
READING_DAY = 28
READING_HOUR = 9


@dataclass(frozen=True)
class AnnualCycle:
    """The loaded annual cycle's goals and KPRs, by the data tables' keys."""

    goals: dict[str, Goal]
    kprs: dict[str, Kpr]


async def load_annual_cycle(session: AsyncSession, company: Company) -> AnnualCycle:
    """Planned, agreed and opened for tracking: the cycle is active, every plan approved, results under way."""
    cycle = await create_cycle(session, company, ANNUAL)
    goals = await create_goals(session, company, cycle, ANNUAL_GOALS)
    kprs: dict[str, Kpr] = {}
    for owner_key, rows in ANNUAL_PLANS.items():
        drafted = await draft_plan(session, company, cycle, owner_key, rows, goals)
        kprs |= {row.key: kpr for row, kpr in zip(rows, drafted, strict=True)}
    kpis = []
    for row in ANNUAL_KPIS:
        kpr = kprs[row.kpr]
        owner = company.actor_of(kpr.owner_id)
        body = {
            "name": row.name,
            "unit": row.unit,
            "direction": row.direction,
            "baseline": Decimal(row.baseline),
            "target": Decimal(row.target),
            "frequency": row.frequency,
        }
        kpis.append((row, owner, await calls.create_kpi(session, owner, kpr.id, body)))
    for owner_key, rows in ANNUAL_PLANS.items():
        await agree_plan(session, company, owner_key, kprs[rows[0].key])
    await calls.move_cycle(session, company.admin, cycle, "active")
    for key, readings in ANNUAL_READINGS.items():
        for month, value in readings:
            await check_in(session, company, kprs[key], ANNUAL, month, Decimal(value), confidence=7)
    for row, owner, kpi in kpis:
        for month, value in row.readings:
            body = {"value": Decimal(value), "recorded_at": reading_time(ANNUAL, month)}
            await calls.check_in_kpi(session, owner, kpi.id, body)
    return AnnualCycle(goals, kprs)


async def create_cycle(session: AsyncSession, company: Company, row: CycleRow) -> Cycle:
    body = {
        "name": row.name,
        "cadence": row.cadence,
        "start_date": row.start_date,
        "end_date": row.end_date,
        "policy": row.policy,
    }
    return await calls.create_cycle(session, company.admin, body)


async def create_goals(
    session: AsyncSession, company: Company, cycle: Cycle, rows: Sequence[GoalRow]
) -> dict[str, Goal]:
    """The cascade, parents first, by the admin (company goals are hers alone)."""
    goals: dict[str, Goal] = {}
    for row in rows:
        body = {
            "cycle_id": None if row.long_term else cycle.id,
            "title": row.title,
            "level": row.level,
            "department_id": company.departments[row.department].id if row.department else None,
            "parent_id": goals[row.parent].id if row.parent else None,
            "weight": Decimal(row.weight),
        }
        goals[row.key] = await calls.create_goal(session, company.admin, body)
    return goals


async def draft_plan(
    session: AsyncSession,
    company: Company,
    cycle: Cycle,
    owner: str,
    rows: Sequence[KprRow],
    goals: dict[str, Goal],
) -> list[Kpr]:
    """The owner drafts their KPRs (the first one makes their plan), each due at the end of the cycle."""
    drafted = []
    for row in rows:
        body = {
            "cycle_id": cycle.id,
            "goal_id": goals[row.goal].id,
            "title": row.title,
            "unit": row.unit,
            "direction": row.direction,
            "baseline": Decimal(row.baseline),
            "target": Decimal(row.target),
            "tolerance": None if row.tolerance is None else Decimal(row.tolerance),
            "weight": Decimal(row.weight),
            "due_date": cycle.end_date,
        }
        drafted.append(await calls.create_kpr(session, company.actors[owner], body))
    return drafted


async def agree_plan(session: AsyncSession, company: Company, owner: str, kpr: Kpr) -> None:
    """The owner submits the plan (weights total 100, SMART passes), their manager approves it."""
    await calls.move_plan(session, company.actors[owner], kpr.plan_id, "submitted")
    await calls.move_plan(session, company.manager_of(owner), kpr.plan_id, "approved")


async def check_in(
    session: AsyncSession, company: Company, kpr: Kpr, cycle: CycleRow, month: int, value: Decimal, *, confidence: int
) -> None:
    """The owner's monthly reading of their KPR."""
    body = {
        "value": value,
        "recorded_at": reading_time(cycle, month),
        "note": f"{month}月数据",
        "confidence": confidence,
    }
    await calls.check_in_kpr(session, company.actor_of(kpr.owner_id), kpr.id, body)


def reading_time(cycle: CycleRow, month: int) -> datetime:
    return datetime(cycle.start_date.year, month, READING_DAY, READING_HOUR, tzinfo=UTC)
