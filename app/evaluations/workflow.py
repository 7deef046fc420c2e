"""Cycle-level evaluation steps: opening the reviews when a cycle enters review, finalizing them when it closes.

Both are set-based and go through the cycle in chunks of CHUNK evaluations, a fixed number of statements each, so memory
stays bounded and a cycle of fifty thousand people opens and closes in seconds. Figures are the stored ones
(DESIGN §15): nothing is re-scored.
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Numeric,
    String,
    Uuid,
    bindparam,
    exists,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import outbox
from app.core.access import Actor
from app.core.enums import EvaluationStatus, EventType, KprStatus, PlanStatus
from app.core.errors import Conflict
from app.core.i18n import translate
from app.core.problems import ProblemCode
from app.core.transitions import StateMachine, insert_transitions_from, record_transitions
from app.evaluations import figures as fig
from app.figures import service as figures
from app.models import Cycle, Employee, Evaluation, Kpr, Plan, StateTransition
from app.models.types import UtcDateTime
from app.scoring.policy import policy_from_json

EVALUATION_STATES = StateMachine(
    "evaluation",
    {
        EvaluationStatus.SELF_REVIEW: (EvaluationStatus.MANAGER_REVIEW,),
        EvaluationStatus.MANAGER_REVIEW: (EvaluationStatus.CALIBRATION,),
        EvaluationStatus.CALIBRATION: (EvaluationStatus.FINALIZED,),
        EvaluationStatus.FINALIZED: (
            EvaluationStatus.ACKNOWLEDGED,
            EvaluationStatus.CALIBRATION,
            EvaluationStatus.APPEALED,
        ),
        # An appeal (复议): upheld, the evaluation is reopened for calibration; rejected, it is final again.
        EvaluationStatus.APPEALED: (EvaluationStatus.CALIBRATION, EvaluationStatus.FINALIZED),
    },
)
REVIEW_STATES = (EvaluationStatus.SELF_REVIEW, EvaluationStatus.MANAGER_REVIEW)
MAX_BLOCKERS = 100
# Evaluations per chunk of a cycle-wide step: a few MiB of rows and snapshots at a time.
CHUNK = 2000

# The events of the cycle-wide steps: one per evaluation, its resource rendered at fan-out (app.core.outbox).
OPENED_EVENT = outbox.deferred_transition(None, EvaluationStatus.SELF_REVIEW)
FINALIZED_EVENT = outbox.deferred_transition(EvaluationStatus.CALIBRATION, EvaluationStatus.FINALIZED)


async def _publish(session: AsyncSession, actor: Actor, ids: Sequence[uuid.UUID], data: dict[str, Any]) -> None:
    await outbox.publish_deferred(
        session, actor.organization_id, EventType.EVALUATION_TRANSITIONED, EVALUATION_STATES.entity_type, ids, data
    )


def _now() -> datetime:
    return datetime.now(UTC)


async def open_reviews(session: AsyncSession, actor: Actor, cycle: Cycle) -> None:
    """One evaluation in self review for every approved plan of the cycle, reviewed by the employee's manager.

    The plans still without an evaluation are found in one pass (three ids each); then, CHUNK plans at a time, their
    KPRs' stored scores, one INSERT of the evaluations and one of their transitions. (Paging the anti-join itself
    re-read the whole cycle per page whenever the planner's statistics lagged a bulk load.)
    """
    already = exists().where(Evaluation.cycle_id == cycle.id, Evaluation.employee_id == Plan.employee_id)
    now = _now()
    if session.get_bind().dialect.name == "postgresql":
        await _open_postgres(session, actor, cycle, ~already, now)
        return
    plans = (
        await session.execute(
            select(Plan.id, Plan.employee_id, Employee.manager_id)
            .join(Employee, Employee.id == Plan.employee_id)
            .where(Plan.cycle_id == cycle.id, Plan.status == PlanStatus.APPROVED, ~already)
        )
    ).all()
    for start in range(0, len(plans), CHUNK):
        await _open_chunk(session, actor, cycle, plans[start : start + CHUNK], now)


# PostgreSQL: a chunk of new evaluations, passed as arrays (one bound value per column, not per row), inserted and
# their transitions recorded by one statement.
OPEN_CHUNK = 10_000
OPEN_COLUMNS = ("plans", "employees", "reviewers", "results", "finals", "ratings")
_OPEN_STATEMENT = text(
    """
    WITH opened AS (
        INSERT INTO evaluations (id, organization_id, cycle_id, employee_id, plan_id, reviewer_id, status,
                                 results_score, final_score, rating, created_at, updated_at)
        SELECT gen_random_uuid(), :org, :cycle, u.employee_id, u.plan_id, u.reviewer_id, :status,
               u.results_score, u.final_score, u.rating, :now, :now
        FROM unnest(:plans, :employees, :reviewers, :results, :finals, :ratings)
             AS u(plan_id, employee_id, reviewer_id, results_score, final_score, rating)
        RETURNING id
    )
    , recorded AS (
        INSERT INTO state_transitions (id, organization_id, entity_type, entity_id, from_state, to_state, comment,
                                       actor, at)
        SELECT gen_random_uuid(), :org, :entity_type, opened.id, NULL, :status, NULL, :actor, :now FROM opened
    )
    INSERT INTO outbox_events (id, organization_id, type, occurred_at, data, resource_type, resource_id)
    SELECT gen_random_uuid(), :org, :event_type, :now, :event_data, :entity_type, opened.id FROM opened
    """
).bindparams(
    bindparam("event_data", type_=JSON),
    bindparam("org", type_=Uuid),
    bindparam("cycle", type_=Uuid),
    bindparam("now", type_=UtcDateTime),
    bindparam("plans", type_=postgresql.ARRAY(Uuid)),
    bindparam("employees", type_=postgresql.ARRAY(Uuid)),
    bindparam("reviewers", type_=postgresql.ARRAY(Uuid)),
    bindparam("results", type_=postgresql.ARRAY(Numeric())),
    bindparam("finals", type_=postgresql.ARRAY(Numeric())),
    bindparam("ratings", type_=postgresql.ARRAY(String)),
)


async def _open_postgres(
    session: AsyncSession, actor: Actor, cycle: Cycle, without_evaluation: ColumnElement[bool], now: datetime
) -> None:
    """The approved plans without an evaluation, each with the sums of its active KPRs' stored scores (Σ w·s, Σ w) in
    one pass, scored by the engine here, and inserted OPEN_CHUNK at a time as arrays."""
    scored = Kpr.score.is_not(None)
    # The KPRs are summed per plan first, on their narrow columns, then joined to the plans: grouping the joined rows
    # (three ids wide) spilled the aggregate to disk at 50,000 plans and took twice as long.
    sums = (
        select(
            Kpr.plan_id,
            func.sum(Kpr.weight * Kpr.score).filter(scored).label("weighted"),
            func.sum(Kpr.weight).filter(scored).label("weights"),
        )
        .where(Kpr.cycle_id == cycle.id, Kpr.status == KprStatus.ACTIVE)
        .group_by(Kpr.plan_id)
        .subquery("sums")
    )
    rows = await session.stream(
        select(Plan.id, Plan.employee_id, Employee.manager_id, sums.c.weighted, sums.c.weights)
        .join(Employee, Employee.id == Plan.employee_id)
        .outerjoin(sums, sums.c.plan_id == Plan.id)
        .where(Plan.cycle_id == cycle.id, Plan.status == PlanStatus.APPROVED, without_evaluation)
        .execution_options(yield_per=OPEN_CHUNK)
    )
    policy = policy_from_json(cycle.policy)
    params: dict[str, Any] = {
        "org": cycle.organization_id,
        "cycle": cycle.id,
        "now": now,
        "status": EvaluationStatus.SELF_REVIEW.value,
        "entity_type": EVALUATION_STATES.entity_type,
        "actor": actor.subject,
        "event_type": EventType.EVALUATION_TRANSITIONED.value,
        "event_data": OPENED_EVENT,
    }
    chunks = []
    async for partition in rows.partitions():
        columns: dict[str, list[Any]] = {
            name: [] for name in ("plans", "employees", "reviewers", "results", "finals", "ratings")
        }
        for plan_id, employee_id, manager_id, weighted, weight in partition:
            new = figures.evaluation_from_sums(weighted, weight, policy)
            for name, value in zip(
                columns,
                (plan_id, employee_id, manager_id, new["results_score"], new["final_score"], new["rating"]),
                strict=True,
            ):
                columns[name].append(value)
        chunks.append(columns)
    # The stream is read to its end before writing (one connection runs one statement at a time).
    for columns in chunks:
        await session.execute(_OPEN_STATEMENT, params | columns)


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
    await _publish(session, actor, [row["id"] for row in evaluations], OPENED_EVENT)


def frozen_snapshot(
    evaluation: Any, items: list[fig.Item], policy_json: dict[str, Any], at: datetime
) -> dict[str, Any]:
    """The snapshot finalization freezes on ``evaluation`` (a row or a model with its review and peer scores and stored
    figures): the policy, its plan's active KPRs with their stored figures, and its own stored figures.

    Stored figures are kept current on write by the one engine (app.figures), so they are what it would compute now.
    """
    figures = fig.Figures(items, evaluation.results_score, evaluation.final_score, evaluation.rating)
    return fig.snapshot(
        figures,
        evaluation.manager_score,
        evaluation.self_score,
        policy_json,
        at,
        evaluation.peer_score,
        evaluation.peer_responses,
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
        code=ProblemCode.CYCLE_BLOCKED,
        extra={"blockers": blockers, "blocker_count": total, "blockers_truncated": total > len(blockers)},
    )


async def finalize_for_close(session: AsyncSession, actor: Actor, cycle: Cycle) -> None:
    """Refuse while any evaluation is still in self or manager review; else finalize all those in calibration.

    Their stored figures are frozen with their plans' KPRs' in the snapshot, which the database builds (DESIGN §15:
    the figures are stored, nothing is re-scored), CHUNK evaluations at a time along the (cycle, status, id) index. On
    PostgreSQL one statement per chunk also records the transitions and the events (UPDATE … RETURNING feeding
    INSERT … SELECT); SQLite, whose RETURNING cannot feed another statement, records them from the ids it returns.
    """
    await _blockers(session, cycle)
    policy_json = fig.resolved_policy(cycle.policy)
    now = _now()
    dialect = session.get_bind().dialect.name
    chunk = (
        select(Evaluation.id)
        .where(Evaluation.cycle_id == cycle.id, Evaluation.status == EvaluationStatus.CALIBRATION)
        .order_by(Evaluation.id)
        .limit(CHUNK)
    )
    finalize = (
        update(Evaluation)
        .where(Evaluation.id.in_(chunk.scalar_subquery()))
        .values(
            status=EvaluationStatus.FINALIZED,
            snapshot=fig.snapshot_sql(policy_json, now, dialect),
            finalized_at=now,
            updated_at=now,
        )
        .returning(Evaluation.id)
    )
    if dialect != "postgresql":
        while True:
            ids = list(await session.scalars(finalize))
            if ids:
                moved = [(one, EvaluationStatus.CALIBRATION, EvaluationStatus.FINALIZED) for one in ids]
                await record_transitions(session, actor, EVALUATION_STATES, moved, at=now)
                await _publish(session, actor, ids, FINALIZED_EVENT)
            if len(ids) < CHUNK:
                return
    finalized = finalize.cte("finalized")
    recorded = (
        insert_transitions_from(
            actor, EVALUATION_STATES, finalized.c.id, EvaluationStatus.CALIBRATION, EvaluationStatus.FINALIZED, now
        )
        .returning(StateTransition.entity_id)
        .cte("recorded")
    )
    statement = outbox.insert_deferred_from(
        actor.organization_id,
        EventType.EVALUATION_TRANSITIONED,
        EVALUATION_STATES.entity_type,
        recorded.c.entity_id,
        FINALIZED_EVENT,
        now,
    )
    while True:
        result = await session.execute(statement)
        if result.rowcount < CHUNK:  # type: ignore[attr-defined]
            return
