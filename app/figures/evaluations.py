"""An evaluation's stored figures (results, peer and final score, rating) until it is finalized; frozen ones are left
alone.

Recomputed from the plan's stored KPR scores, in keyset chunks: per chunk the evaluations, their plans' active KPRs and
the cycles' policies (and, where the feedback or the policy changed, the submitted feedback responses' scores), then
one executemany for the rows whose figures changed.
"""

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.enums import FROZEN_EVALUATION_STATES, FeedbackStatus, KprStatus
from app.figures.kprs import CHUNK, store
from app.models import Cycle, Evaluation, FeedbackRequest, Kpr
from app.scoring import engine
from app.scoring.policy import policy_from_json

FROZEN_STATES = FROZEN_EVALUATION_STATES
COLUMNS = (
    Evaluation.id,
    Evaluation.plan_id,
    Evaluation.cycle_id,
    Evaluation.self_score,
    Evaluation.manager_score,
    Evaluation.peer_score,
    Evaluation.peer_responses,
    Evaluation.results_score,
    Evaluation.final_score,
    Evaluation.rating,
)


def from_sums(weighted: Decimal | None, weight: Decimal | None, policy: engine.Policy) -> dict[str, Any]:
    """A new evaluation's figures (no review scores yet) from its plan's sums Σ w·s and Σ w over scorable KPRs."""
    results = engine.results_score_of_sums(weighted, weight)
    final = engine.final_score(results, None, None, policy)
    return {"results_score": results, "final_score": final, "rating": engine.rating_for(final, policy)}


def computed(
    scores: list[tuple[Decimal, Decimal | None]],
    manager_score: Decimal | None,
    self_score: Decimal | None,
    policy: engine.Policy,
    peer_score: Decimal | None = None,
) -> dict[str, Any]:
    """Results, final score and rating from the plan's (weight, score) pairs and the review and peer scores, fresh
    from the engine."""
    results = engine.results_score(scores)
    final = engine.final_score(results, manager_score, self_score, policy, peer_score)
    return {"results_score": results, "final_score": final, "rating": engine.rating_for(final, policy)}


async def refresh(session: AsyncSession, where: ColumnElement[bool], *, peer: bool = False) -> None:
    """Recompute the live (not frozen) evaluations ``where`` selects; store what changed.

    ``peer`` re-derives the peer score and response count from the submitted feedback responses too (they or the
    policy's ``peer_min_responses`` changed); otherwise the stored peer score enters the final score as it is.
    """
    await session.flush()
    live = Evaluation.status.not_in(list(FROZEN_STATES))
    policies: dict[uuid.UUID, engine.Policy] = {}
    last: uuid.UUID | None = None
    while True:
        # Locked in id order before the plans' scores are read: two check-ins on two KPRs of one plan, committing
        # side by side, would otherwise each store a results score that misses the other's KPR.
        statement = (
            select(*COLUMNS).where(where, live).order_by(Evaluation.id).limit(CHUNK).with_for_update(key_share=True)
        )
        if last is not None:
            statement = statement.where(Evaluation.id > last)
        rows = list((await session.execute(statement)).all())
        if not rows:
            return
        last = rows[-1].id
        await _refresh_chunk(session, rows, policies, peer)
        if len(rows) < CHUNK:
            return


async def _refresh_chunk(
    session: AsyncSession, rows: list[Any], policies: dict[uuid.UUID, engine.Policy], peer: bool
) -> None:
    missing = {row.cycle_id for row in rows} - policies.keys()
    if missing:
        for cycle_id, policy in await session.execute(select(Cycle.id, Cycle.policy).where(Cycle.id.in_(missing))):
            policies[cycle_id] = policy_from_json(policy)
    scores = await plan_scores(session, [row.plan_id for row in rows])
    responses = await feedback_scores(session, [row.id for row in rows]) if peer else {}
    changes = []
    for row in rows:
        policy = policies[row.cycle_id]
        peer_figures = (
            peer_from(responses.get(row.id, []), policy)
            if peer
            else {"peer_score": row.peer_score, "peer_responses": row.peer_responses}
        )
        new = {
            **computed(
                scores.get(row.plan_id, []), row.manager_score, row.self_score, policy, peer_figures["peer_score"]
            ),
            **peer_figures,
        }
        changed = {name: value for name, value in new.items() if getattr(row, name) != value}
        if changed:
            changes.append({"id": row.id, **changed})
    await store(session, Evaluation, changes)


def peer_from(scores: list[Decimal], policy: engine.Policy) -> dict[str, Any]:
    """The peer score and response count from the submitted responses' scores."""
    return {"peer_score": engine.peer_score(scores, policy), "peer_responses": len(scores)}


async def feedback_scores(session: AsyncSession, evaluation_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Decimal]]:
    """The scores of each evaluation's submitted feedback responses: one statement (the rows themselves, not a SQL
    mean, so SQLite's text decimals never pass through floats)."""
    by_evaluation: dict[uuid.UUID, list[Decimal]] = {}
    rows = await session.execute(
        select(FeedbackRequest.evaluation_id, FeedbackRequest.score).where(
            FeedbackRequest.evaluation_id.in_(evaluation_ids),
            FeedbackRequest.status == FeedbackStatus.SUBMITTED,
        )
    )
    for evaluation_id, score in rows:
        if score is not None:  # a submitted response always carries one
            by_evaluation.setdefault(evaluation_id, []).append(score)
    return by_evaluation


async def plan_scores(
    session: AsyncSession, plan_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[Decimal, Decimal | None]]]:
    """(weight, stored score) of each plan's active KPRs, in the order the items list shows them."""
    by_plan: dict[uuid.UUID, list[tuple[Decimal, Decimal | None]]] = {}
    unique = list(dict.fromkeys(plan_ids))
    for start in range(0, len(unique), CHUNK):
        rows = await session.execute(
            select(Kpr.plan_id, Kpr.weight, Kpr.score)
            .where(Kpr.plan_id.in_(unique[start : start + CHUNK]), Kpr.status == KprStatus.ACTIVE)
            .order_by(Kpr.plan_id, Kpr.created_at, Kpr.id)
        )
        for plan_id, weight, score in rows:
            by_plan.setdefault(plan_id, []).append((weight, score))
    return by_plan
