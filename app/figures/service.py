"""What writers call, in the transaction that changes an input: the KPRs, goals and evaluations it reaches are
recomputed by the one engine and stored (DESIGN §15)."""

import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.figures import evaluations, goals, kprs
from app.figures.kprs import CHUNK, Touched
from app.figures.trees import subtrees_of
from app.models import Cycle, Evaluation, Goal, Kpr
from app.scoring.engine import Policy
from app.scoring.policy import policy_from_json

__all__ = [
    "backfill",
    "cycle_changed",
    "evaluation_from_sums",
    "evaluations_changed",
    "goals_changed",
    "kprs_changed",
    "new_evaluations",
]


async def kprs_changed(
    session: AsyncSession,
    where: ColumnElement[bool] | Iterable[uuid.UUID],
    *,
    values: bool = True,
    smart: bool = True,
    goals_reached: Iterable[uuid.UUID | None] = (),
    plans_reached: Iterable[uuid.UUID] = (),
) -> None:
    """KPRs whose inputs changed (a check-in, the definition, a revision, the goal chain, bulk creation): their
    figures, then their goals and the live evaluations of their plans. ``goals_reached``/``plans_reached`` add what the
    change reaches whatever the figures do (a KPR moved to another goal, cancelled, re-weighted or deleted)."""
    touched = await kprs.refresh(session, where, values=values, smart=smart)
    touched.add(Touched({goal for goal in goals_reached if goal is not None}, set(plans_reached)))
    await _settle(session, touched)


async def _settle(session: AsyncSession, touched: Touched) -> None:
    await goals.refresh(session, touched.goals)
    plans = list(touched.plans)
    for start in range(0, len(plans), CHUNK):
        await evaluations.refresh(session, Evaluation.plan_id.in_(plans[start : start + CHUNK]))


async def new_kprs(session: AsyncSession, rows: list[dict[str, Any]], cycle: Cycle) -> None:
    """The figures of KPRs about to be inserted (bulk creation), written into their rows; after the INSERT, the goals
    they align to need ``goals_changed``."""
    await kprs.fill_new(session, rows, cycle)


async def goals_changed(
    session: AsyncSession, goal_ids: Iterable[uuid.UUID | None], *, smart_below: Iterable[uuid.UUID] = ()
) -> None:
    """Goals moved, re-weighted, re-levelled, given another cycle, created or deleted: the progress of ``goal_ids``
    and everything above them; with ``smart_below``, the SMART reports of the KPRs aligned anywhere below those goals
    (their chain to a company goal, or their goal's cycle, may have changed)."""
    below = list(smart_below)
    if below:
        below_ids = subtrees_of(select(Goal.id).where(Goal.id.in_(below)))
        await kprs.refresh(session, Kpr.goal_id.in_(below_ids), values=False, smart=True)
    await goals.refresh(session, (goal_id for goal_id in goal_ids if goal_id is not None))


async def new_evaluations(
    session: AsyncSession, policy: dict[str, Any] | None, plan_ids: list[uuid.UUID]
) -> dict[uuid.UUID, dict[str, Any]]:
    """The figures of evaluations about to be made for these plans (no reviews yet), by plan: one statement."""
    scores = await evaluations.plan_scores(session, plan_ids)
    engine_policy = policy_from_json(policy)
    return {plan_id: evaluations.computed(scores.get(plan_id, []), None, None, engine_policy) for plan_id in plan_ids}


def evaluation_from_sums(weighted: Decimal | None, weight: Decimal | None, policy: Policy) -> dict[str, Any]:
    """The figures of an evaluation about to be made, from its plan's sums (Σ w·s, Σ w) over scorable KPRs."""
    return evaluations.from_sums(weighted, weight, policy)


async def evaluations_changed(session: AsyncSession, where: ColumnElement[bool]) -> None:
    """Evaluations whose own inputs changed (a review's score, a feedback response given or withdrawn, a reopen, new
    evaluations): their figures, the peer score re-derived from the submitted responses."""
    await evaluations.refresh(session, where, peer=True)


async def cycle_changed(session: AsyncSession, cycle_id: uuid.UUID, *, policy: bool, dates: bool) -> None:
    """A cycle's policy (scores, SMART attainability, final scores and ratings) or dates (SMART time-bound) changed:
    every KPR and live evaluation of the cycle, set-based."""
    if not (policy or dates):
        return
    touched = await kprs.refresh(session, Kpr.cycle_id == cycle_id, values=policy, smart=True)
    # Progress does not depend on the policy; goals move only if a stored figure was stale.
    await goals.refresh(session, touched.goals)
    if policy:
        # The peer score too: whether it counts depends on the policy's peer_min_responses.
        await evaluations.refresh(session, Evaluation.cycle_id == cycle_id, peer=True)


async def backfill(session: AsyncSession) -> int:
    """Compute the figures that were never stored (KPRs whose ``smart`` is NULL, after the upgrade that added the
    columns, or rows written around the services); returns how many KPRs it filled."""
    missing = Kpr.smart.is_(None)
    count = 0
    while await session.scalar(select(exists().where(missing))):
        ids = list(await session.scalars(select(Kpr.id).where(missing).order_by(Kpr.id).limit(CHUNK)))
        touched = await kprs.refresh(session, ids)
        await _settle(session, touched)
        count += len(ids)
    return count
