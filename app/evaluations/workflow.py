"""Cycle-level evaluation steps: opening the reviews when a cycle enters review, finalizing them when it closes.

Both are set-based and go through the cycle in chunks of CHUNK evaluations, a fixed number of statements each, so memory
stays bounded and a cycle of fifty thousand people opens and closes in seconds. Figures are the stored ones
(DESIGN §15): nothing is re-scored.
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.access import Actor
from app.core.enums import EvaluationStatus, PlanStatus
from app.core.errors import Conflict
from app.core.i18n import translate
from app.core.transitions import StateMachine, insert_transitions_from, record_transitions
from app.evaluations import figures as fig
from app.figures import service as figures
from app.models import Cycle, Employee, Evaluation, Plan

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
# Evaluations per chunk of a cycle-wide step: a few MiB of rows and snapshots at a time.
CHUNK = 2000


def _now() -> datetime:
    return datetime.now(UTC)


async def open_reviews(session: AsyncSession, actor: Actor, cycle: Cycle) -> None:
    """One evaluation in self review for every approved plan of the cycle, reviewed by the employee's manager.

    The plans still without an evaluation are found in one pass (three ids each); then, CHUNK plans at a time, their
    KPRs' stored scores, one INSERT of the evaluations and one of their transitions. (Paging the anti-join itself
    re-read the whole cycle per page whenever the planner's statistics lagged a bulk load.)
    """
    already = exists().where(Evaluation.cycle_id == cycle.id, Evaluation.employee_id == Plan.employee_id)
    plans = (
        await session.execute(
            select(Plan.id, Plan.employee_id, Employee.manager_id)
            .join(Employee, Employee.id == Plan.employee_id)
            .where(Plan.cycle_id == cycle.id, Plan.status == PlanStatus.APPROVED, ~already)
        )
    ).all()
    now = _now()
    for start in range(0, len(plans), CHUNK):
        await _open_chunk(session, actor, cycle, plans[start : start + CHUNK], now)


async def _open_chunk(session: AsyncSession, actor: Actor, cycle: Cycle, rows: Sequence[Any], now: datetime) -> None:
    scored = await figures.new_evaluations(session, cycle.policy, [plan_id for plan_id, _, _ in rows])
    evaluations: list[dict[str, Any]] = []
    transitions: list[tuple[uuid.UUID, str | None, str]] = []
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
    await session.execute(insert(Evaluation), evaluations)
    await record_transitions(session, actor, EVALUATION_STATES, transitions, at=now)


def frozen_snapshot(
    evaluation: Any, items: list[fig.Item], policy_json: dict[str, Any], at: datetime
) -> dict[str, Any]:
    """The snapshot finalization freezes on ``evaluation`` (a row or a model with its review scores and stored
    figures): the policy, its plan's active KPRs with their stored figures, and its own stored figures.

    Stored figures are kept current on write by the one engine (app.figures), so they are what it would compute now.
    """
    figures = fig.Figures(items, evaluation.results_score, evaluation.final_score, evaluation.rating)
    return fig.snapshot(figures, evaluation.manager_score, evaluation.self_score, policy_json, at)


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


FINALIZE_COLUMNS = (
    Evaluation.id,
    Evaluation.plan_id,
    Evaluation.manager_score,
    Evaluation.self_score,
    Evaluation.results_score,
    Evaluation.final_score,
    Evaluation.rating,
)


async def finalize_for_close(session: AsyncSession, actor: Actor, cycle: Cycle) -> None:
    """Refuse while any evaluation is still in self or manager review; else finalize all those in calibration.

    Their stored figures are frozen with their plans' KPRs' in the snapshot, CHUNK evaluations at a time along the
    (cycle, status, id) index: on PostgreSQL one statement per chunk builds the snapshots in the server and records the
    transitions (UPDATE … RETURNING feeding INSERT … SELECT); elsewhere per chunk the evaluations, their KPRs' stored
    figures, one executemany UPDATE and one INSERT of the transitions.
    """
    await _blockers(session, cycle)
    policy_json = fig.resolved_policy(cycle.policy)
    now = _now()
    in_calibration = (Evaluation.cycle_id == cycle.id, Evaluation.status == EvaluationStatus.CALIBRATION)
    if session.get_bind().dialect.name == "postgresql":
        chunk = select(Evaluation.id).where(*in_calibration).order_by(Evaluation.id).limit(CHUNK)
        finalized = (
            update(Evaluation)
            .where(Evaluation.id.in_(chunk.scalar_subquery()))
            .values(
                status=EvaluationStatus.FINALIZED,
                snapshot=fig.snapshot_sql(policy_json, now),
                finalized_at=now,
                updated_at=now,
            )
            .returning(Evaluation.id)
            .cte("finalized")
        )
        statement = insert_transitions_from(
            actor, EVALUATION_STATES, finalized.c.id, EvaluationStatus.CALIBRATION, EvaluationStatus.FINALIZED, now
        )
        while True:
            result = await session.execute(statement)
            if result.rowcount < CHUNK:  # type: ignore[attr-defined]
                return
    statement_rows = select(*FINALIZE_COLUMNS).where(*in_calibration).order_by(Evaluation.id).limit(CHUNK)
    last: uuid.UUID | None = None
    while True:
        page = statement_rows if last is None else statement_rows.where(Evaluation.id > last)
        rows = (await session.execute(page)).all()
        if not rows:
            return
        last = rows[-1].id
        await _finalize_chunk(session, actor, rows, policy_json, now)
        if len(rows) < CHUNK:
            return


async def _finalize_chunk(
    session: AsyncSession, actor: Actor, rows: Sequence[Any], policy_json: dict[str, Any], now: datetime
) -> None:
    items = await fig.stored_items(session, [row.plan_id for row in rows])
    updates: list[dict[str, Any]] = []
    transitions: list[tuple[uuid.UUID, str | None, str]] = []
    for row in rows:
        updates.append(
            {
                "id": row.id,
                "status": EvaluationStatus.FINALIZED,
                "snapshot": frozen_snapshot(row, items.get(row.plan_id, []), policy_json, now),
                "finalized_at": now,
                "updated_at": now,
            }
        )
        transitions.append((row.id, EvaluationStatus.CALIBRATION, EvaluationStatus.FINALIZED))
    # ORM bulk UPDATE by primary key: one executemany, not one round trip per evaluation.
    await session.execute(update(Evaluation), updates)
    await record_transitions(session, actor, EVALUATION_STATES, transitions, at=now)
