"""Cycle-level evaluation steps: opening the reviews when a cycle enters review, finalizing them when it closes.

Both are set-based: the number of statements does not grow with the number of employees, so a cycle of ten thousand
people opens and closes in seconds.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.access import Actor
from app.core.enums import EvaluationStatus, PlanStatus
from app.core.errors import Conflict
from app.core.i18n import translate
from app.core.transitions import StateMachine, record_transitions
from app.evaluations import figures as fig
from app.figures import service as figures
from app.models import Cycle, Employee, Evaluation, Kpr, Plan
from app.scoring.policy import policy_from_json

EVALUATION_STATES = StateMachine(
    "evaluation",
    {
        EvaluationStatus.SELF_REVIEW: (EvaluationStatus.MANAGER_REVIEW,),
        EvaluationStatus.MANAGER_REVIEW: (EvaluationStatus.CALIBRATION,),
        EvaluationStatus.CALIBRATION: (EvaluationStatus.FINALIZED,),
        EvaluationStatus.FINALIZED: (EvaluationStatus.ACKNOWLEDGED, EvaluationStatus.CALIBRATION),
    },
)
REVIEW_STATES = (EvaluationStatus.SELF_REVIEW, EvaluationStatus.MANAGER_REVIEW)
MAX_BLOCKERS = 100


def _now() -> datetime:
    return datetime.now(UTC)


async def open_reviews(session: AsyncSession, actor: Actor, cycle: Cycle) -> None:
    """One evaluation in self review for every approved plan of the cycle, reviewed by the employee's manager."""
    already = exists().where(Evaluation.cycle_id == cycle.id, Evaluation.employee_id == Plan.employee_id)
    plans = await session.execute(
        select(Plan.id, Plan.employee_id, Employee.manager_id)
        .join(Employee, Employee.id == Plan.employee_id)
        .where(Plan.cycle_id == cycle.id, Plan.status == PlanStatus.APPROVED, ~already)
    )
    now = _now()
    evaluations: list[dict[str, Any]] = []
    transitions: list[tuple[uuid.UUID, str | None, str]] = []
    rows = plans.all()
    scored = await figures.new_evaluations(session, cycle.policy, [plan_id for plan_id, _, _ in rows])
    for plan_id, employee_id, manager_id in rows:
        evaluation_id = uuid.uuid4()
        evaluations.append(
            {
                "id": evaluation_id,
                "organization_id": cycle.organization_id,
                "cycle_id": cycle.id,
                "employee_id": employee_id,
                "plan_id": plan_id,
                "reviewer_id": manager_id,
                "status": EvaluationStatus.SELF_REVIEW,
                **scored[plan_id],
                "created_at": now,
                "updated_at": now,
            }
        )
        transitions.append((evaluation_id, None, EvaluationStatus.SELF_REVIEW))
    if evaluations:
        await session.execute(insert(Evaluation), evaluations)
        await record_transitions(session, actor, EVALUATION_STATES, transitions, at=now)


@dataclass(frozen=True)
class Finalized:
    """What finalization stores on one evaluation."""

    results_score: Decimal | None
    final_score: Decimal | None
    rating: str | None
    snapshot: dict[str, Any]


def finalize_figures(
    plan_id: uuid.UUID,
    manager_score: Decimal | None,
    self_score: Decimal | None,
    inputs: fig.LiveInputs,
    cycle_policy: dict[str, Any] | None,
    at: datetime,
) -> Finalized:
    """Score one evaluation from its live inputs and freeze the policy, inputs and figures that produced it."""
    policy_json = fig.resolved_policy(cycle_policy)
    policy = policy_from_json(policy_json)
    figures = fig.live_figures(plan_id, manager_score, self_score, inputs, policy)
    return Finalized(
        figures.results_score,
        figures.final_score,
        figures.rating,
        fig.snapshot(figures, manager_score, self_score, policy_json, at),
    )


async def _blockers(session: AsyncSession, cycle: Cycle) -> None:
    in_review = (Evaluation.cycle_id == cycle.id, Evaluation.status.in_(REVIEW_STATES))
    total = await session.scalar(select(func.count()).select_from(Evaluation).where(*in_review))
    if not total:
        return
    rows = await session.execute(
        select(Evaluation.id, Evaluation.employee_id, Evaluation.status)
        .where(*in_review)
        .order_by(Evaluation.status, Evaluation.id)
        .limit(MAX_BLOCKERS)
    )
    blockers = [
        {"evaluation_id": str(evaluation_id), "employee_id": str(employee_id), "status": status}
        for evaluation_id, employee_id, status in rows
    ]
    raise Conflict(
        detail=translate("evaluation.cycle_blocked", total=total),
        code="CYCLE_BLOCKED",
        extra={"blockers": blockers, "blocker_count": total, "blockers_truncated": total > len(blockers)},
    )


async def finalize_for_close(session: AsyncSession, actor: Actor, cycle: Cycle) -> None:
    """Refuse while any evaluation is still in self or manager review; else finalize all those in calibration."""
    await _blockers(session, cycle)
    rows = (
        await session.execute(
            select(Evaluation.id, Evaluation.plan_id, Evaluation.manager_score, Evaluation.self_score).where(
                Evaluation.cycle_id == cycle.id, Evaluation.status == EvaluationStatus.CALIBRATION
            )
        )
    ).all()
    if not rows:
        return
    inputs = await fig.load_live_inputs(session, Kpr.cycle_id == cycle.id)
    await _store_finalized(session, actor, cycle, [tuple(row) for row in rows], inputs, None)


async def _store_finalized(
    session: AsyncSession,
    actor: Actor,
    cycle: Cycle,
    rows: Sequence[tuple[Any, ...]],
    inputs: fig.LiveInputs,
    comment: str | None,
) -> None:
    now = _now()
    policy_json = fig.resolved_policy(cycle.policy)
    policy = policy_from_json(policy_json)
    updates: list[dict[str, Any]] = []
    transitions: list[tuple[uuid.UUID, str | None, str]] = []
    for evaluation_id, plan_id, manager_score, self_score in rows:
        figures = fig.live_figures(plan_id, manager_score, self_score, inputs, policy)
        updates.append(
            {
                "id": evaluation_id,
                "status": EvaluationStatus.FINALIZED,
                "results_score": figures.results_score,
                "final_score": figures.final_score,
                "rating": figures.rating,
                "snapshot": fig.snapshot(figures, manager_score, self_score, policy_json, now),
                "finalized_at": now,
                "updated_at": now,
            }
        )
        transitions.append((evaluation_id, EvaluationStatus.CALIBRATION, EvaluationStatus.FINALIZED))
    # ORM bulk UPDATE by primary key: one executemany, not one round trip per evaluation.
    await session.execute(update(Evaluation), updates)
    await record_transitions(session, actor, EVALUATION_STATES, transitions, comment, at=now)
