"""The KPR read side: a row as the API shows it — figures from the scoring engine and the SMART report.

Services (KPRs', plans') and routers import this; it imports no service, so imports only go down.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.enums import GoalLevel, SmartStatus
from app.core.i18n import current_locale
from app.core.repository import column_values
from app.kprs import schemas, smart
from app.models import Cycle, Goal, Kpr
from app.scoring import engine
from app.scoring.policy import policy_from_json
from app.scoring.service import latest_values, score_one


@dataclass(frozen=True)
class GoalNode:
    id: uuid.UUID
    organization_id: uuid.UUID
    parent_id: uuid.UUID | None
    level: str
    cycle_id: uuid.UUID | None


async def goal_chains(session: AsyncSession, goal_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, GoalNode]:
    """These goals and every goal above them, in one recursive statement."""
    if not goal_ids:
        return {}
    columns = (Goal.id, Goal.organization_id, Goal.parent_id, Goal.level, Goal.cycle_id)
    chain = select(*columns).where(Goal.id.in_(set(goal_ids))).cte("goal_chain", recursive=True)
    chain = chain.union(select(*columns).join(chain, Goal.id == chain.c.parent_id))
    rows = await session.execute(select(chain))
    return {row.id: GoalNode(row.id, row.organization_id, row.parent_id, row.level, row.cycle_id) for row in rows}


def _reaches_company(goal_id: uuid.UUID, goals: dict[uuid.UUID, GoalNode]) -> bool:
    seen: set[uuid.UUID] = set()
    current: uuid.UUID | None = goal_id
    while current is not None and current in goals and current not in seen:
        seen.add(current)
        if goals[current].level == GoalLevel.COMPANY:
            return True
        current = goals[current].parent_id
    return False


def smart_report(
    draft: smart.SmartInput,
    organization_id: uuid.UUID,
    goal_id: uuid.UUID | None,
    cycle: Cycle | None,
    goals: dict[uuid.UUID, GoalNode],
) -> dict[str, Any]:
    goal = goals.get(goal_id) if goal_id is not None else None
    found = goal is not None and goal.organization_id == organization_id
    policy = policy_from_json(cycle.policy) if cycle is not None else engine.DEFAULT_POLICY
    context = smart.SmartContext(
        goal_found=found,
        goal_cycle_compatible=found and goal is not None and goal.cycle_id in (None, cycle.id if cycle else None),
        goal_reaches_company=found and goal_id is not None and _reaches_company(goal_id, goals),
        cycle_start=cycle.start_date if cycle else None,
        cycle_end=cycle.end_date if cycle else None,
        max_stretch=policy.max_stretch,
        min_stretch=policy.min_stretch,
    )
    return smart.check_smart(draft, context).as_dict(current_locale.get())


def smart_input(source: Any) -> smart.SmartInput:
    return smart.SmartInput(
        title=source.title,
        description=source.description,
        unit=source.unit,
        direction=source.direction,
        baseline=source.baseline,
        target=source.target,
        due_date=source.due_date,
    )


def smart_failures(report: schemas.SmartReport) -> list[str]:
    """The names of the SMART criteria that fail."""
    return [name for name in schemas.SMART_CRITERIA if getattr(report, name).status == SmartStatus.FAIL]


async def present_many(session: AsyncSession, kprs: Sequence[Kpr], as_of: datetime | None = None) -> list[schemas.Kpr]:
    """KPRs with their figures and SMART reports, in three statements however many there are."""
    if not kprs:
        return []
    actuals = await latest_values(session, [k.id for k in kprs], as_of)
    cycles = {c.id: c for c in await session.scalars(select(Cycle).where(Cycle.id.in_({k.cycle_id for k in kprs})))}
    goals = await goal_chains(session, [k.goal_id for k in kprs])
    result = []
    for kpr in kprs:
        cycle = cycles[kpr.cycle_id]
        figures = score_one(kpr, actuals.get(kpr.id), policy_from_json(cycle.policy))
        report = smart_report(smart_input(kpr), kpr.organization_id, kpr.goal_id, cycle, goals)
        result.append(
            schemas.Kpr.model_validate(
                column_values(kpr)
                | {
                    "current_value": figures.current_value,
                    "achievement": figures.achievement,
                    "progress": figures.progress,
                    "score": figures.score,
                    "smart": report,
                }
            )
        )
    return result


async def present(session: AsyncSession, kpr: Kpr, as_of: datetime | None = None) -> schemas.Kpr:
    return (await present_many(session, [kpr], as_of))[0]
