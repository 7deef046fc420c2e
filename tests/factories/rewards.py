"""Builders for the reward tests: closed cycles whose evaluations carry final ratings.

``closed_scenario`` walks the evaluation scenario (tests/factories/evaluations.py) through the API to a closed cycle:
员工 (employee) finalized at B (81.6), 同事 (peer) at A (100), 经理 (manager) with a draft plan and so no evaluation.
``rated_population`` writes many finalized evaluations as rows, for the statement-count tests.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.evaluations.figures import resolved_policy
from app.models import Cycle, Employee, Evaluation, Plan
from tests.factories.api import API
from tests.factories.evaluations import InReview, move_cycle, open_review, to_calibration
from tests.factories.org import Tenant, make_employees
from tests.factories.planning import make_cycle


async def closed_scenario(session: AsyncSession, client: httpx.AsyncClient, tenant: Tenant, **kwargs: Any) -> InReview:
    """The scenario's cycle closed: the employee's evaluation finalized at B, the peer's at A."""
    state = await open_review(session, client, tenant, **kwargs)
    await to_calibration(client, tenant, state)
    await move_cycle(client, tenant, state.scenario.cycle_id, "closed")
    return state


def reward_runs_path(cycle_id: object) -> str:
    return f"{API}/cycles/{cycle_id}/reward-runs"


@dataclass
class Population:
    cycle: Cycle
    employees: list[Employee]


RATINGS = ("S", "A", "B", "C", "D")


async def rated_population(session: AsyncSession, tenant: Tenant, people: int) -> Population:
    """A closed cycle and ``people`` employees, each with a finalized evaluation rated S, A, B, C, D in turn, frozen
    with the default policy (written as rows: a handful of statements whatever ``people``)."""
    cycle = await make_cycle(session, tenant.org, status="closed")
    employees = await make_employees(session, tenant.org, people)
    plans = [
        Plan(organization_id=tenant.org.id, cycle_id=cycle.id, employee_id=e.id, status="approved") for e in employees
    ]
    session.add_all(plans)
    await session.flush()
    now = datetime.now(UTC)
    snapshot = {"version": 1, "scored_at": now.isoformat(), "policy": resolved_policy({}), "items": []}
    session.add_all(
        Evaluation(
            organization_id=tenant.org.id,
            cycle_id=cycle.id,
            employee_id=employee.id,
            plan_id=plan.id,
            status="finalized",
            rating=RATINGS[index % len(RATINGS)],
            snapshot=snapshot,
            finalized_at=now,
        )
        for index, (employee, plan) in enumerate(zip(employees, plans, strict=True))
    )
    await session.commit()
    return Population(cycle, employees)
