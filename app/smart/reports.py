"""SMART reports of saved KPRs and of drafts: what the pure check needs (the goal chain, the cycle and its policy),
loaded set-based, and the report rendered in the caller's language.

It sits below the KPR and plan domains, so the KPR presenter and plan submission share it without importing each other.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.enums import GoalLevel, SmartStatus
from app.core.i18n import current_locale
from app.core.repository import fetch_many
from app.models import Cycle, Goal, Kpr
from app.scoring import engine
from app.scoring.policy import policy_from_json
from app.smart import check

CRITERIA = check.CRITERIA


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


def smart_input(source: Any) -> check.SmartInput:
    """The fields the check reads, from a KPR row or a draft body."""
    return check.SmartInput(
        title=source.title,
        description=source.description,
        unit=source.unit,
        direction=source.direction,
        baseline=source.baseline,
        target=source.target,
        due_date=source.due_date,
    )


def report(
    draft: check.SmartInput,
    organization_id: uuid.UUID,
    goal_id: uuid.UUID | None,
    cycle: Cycle | None,
    goals: dict[uuid.UUID, GoalNode],
) -> dict[str, Any]:
    """One report, rendered in the request's language (``SmartReport``'s shape)."""
    return assess(draft, organization_id, goal_id, cycle, goals).as_dict(current_locale.get())


def assess(
    draft: check.SmartInput,
    organization_id: uuid.UUID,
    goal_id: uuid.UUID | None,
    cycle: Cycle | None,
    goals: dict[uuid.UUID, GoalNode],
    policy: engine.Policy | None = None,
) -> check.SmartReport:
    """One report, not yet rendered: what a KPR row stores (``as_stored``) and what a draft check renders.

    ``policy`` is the cycle's, when the caller has it parsed already (a bulk refresh parses each cycle's once: parsing
    it per KPR took 60% of a 25,000-KPR rollover)."""
    goal = goals.get(goal_id) if goal_id is not None else None
    found = goal is not None and goal.organization_id == organization_id
    if policy is None:
        policy = policy_from_json(cycle.policy) if cycle is not None else engine.DEFAULT_POLICY
    context = check.SmartContext(
        goal_found=found,
        goal_cycle_compatible=found and goal is not None and goal.cycle_id in (None, cycle.id if cycle else None),
        goal_reaches_company=found and goal_id is not None and _reaches_company(goal_id, goals),
        cycle_start=cycle.start_date if cycle else None,
        cycle_end=cycle.end_date if cycle else None,
        max_stretch=policy.max_stretch,
        min_stretch=policy.min_stretch,
    )
    return check.check_smart(draft, context)


async def reports_of(session: AsyncSession, kprs: Sequence[Kpr]) -> dict[uuid.UUID, dict[str, Any]]:
    """The reports of saved KPRs (by id), fresh from their cycles and goal chains (one statement each): the engine's
    own computation, which the stored ``smart`` column must equal."""
    if not kprs:
        return {}
    cycles = await fetch_many(session, Cycle, (k.cycle_id for k in kprs))
    goals = await goal_chains(session, [k.goal_id for k in kprs])
    return {k.id: report(smart_input(k), k.organization_id, k.goal_id, cycles[k.cycle_id], goals) for k in kprs}


def rendered(stored: dict[str, Any] | None) -> dict[str, Any]:
    """A stored report in the request's language."""
    assert stored is not None, "figures not computed: run `kpr migrate`"
    return check.render_stored(stored, current_locale.get())


def failures(report: dict[str, Any]) -> list[str]:
    """The names of the criteria a report (rendered or stored) fails."""
    return [name for name in CRITERIA if report[name]["status"] == SmartStatus.FAIL]
