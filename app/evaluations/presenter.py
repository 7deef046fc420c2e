"""An evaluation as the API shows it: live figures until finalization, the frozen snapshot afterwards."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.evaluations import figures as fig
from app.evaluations import schemas
from app.models import Evaluation, Kpr
from app.scoring import engine
from app.scoring.service import policies


def _review_items(raw: list[dict[str, Any]] | None) -> list[schemas.ReviewItem]:
    return [schemas.ReviewItem(kpr_id=uuid.UUID(item["kpr_id"]), comment=item.get("comment")) for item in raw or []]


def _figures(evaluation: Evaluation, inputs: fig.LiveInputs, policy: engine.Policy) -> fig.Figures:
    if evaluation.status in fig.FROZEN_STATES:
        # The stored columns and the snapshot were written together at finalization; nothing live is consulted.
        items = fig.frozen_items(evaluation.snapshot or {}, evaluation.plan_id)
        return fig.Figures(items, evaluation.results_score, evaluation.final_score, evaluation.rating)
    return fig.live_figures(evaluation.plan_id, evaluation.manager_score, evaluation.self_score, inputs, policy)


def _schema(evaluation: Evaluation, figures: fig.Figures) -> schemas.Evaluation:
    return schemas.Evaluation(
        id=evaluation.id,
        cycle_id=evaluation.cycle_id,
        employee_id=evaluation.employee_id,
        plan_id=evaluation.plan_id,
        reviewer_id=evaluation.reviewer_id,
        status=evaluation.status,
        items=[
            schemas.EvaluationItem(
                kpr_id=item.kpr.id,
                title=item.kpr.title,
                weight=item.kpr.weight,
                actual=item.actual,
                achievement=item.achievement,
                progress=item.progress,
                score=item.score,
            )
            for item in figures.items
        ],
        results_score=figures.results_score,
        self_score=evaluation.self_score,
        manager_score=evaluation.manager_score,
        final_score=figures.final_score,
        rating=figures.rating,
        calibrated_rating=evaluation.calibrated_rating,
        final_rating=engine.final_rating(figures.rating, evaluation.calibrated_rating),
        self_comment=evaluation.self_comment,
        self_items=_review_items(evaluation.self_items),
        manager_comment=evaluation.manager_comment,
        manager_items=_review_items(evaluation.manager_items),
        calibration_reason=evaluation.calibration_reason,
        finalized_at=evaluation.finalized_at,
        acknowledged_at=evaluation.acknowledged_at,
        created_at=evaluation.created_at,
        updated_at=evaluation.updated_at,
    )


async def present_many(session: AsyncSession, evaluations: Sequence[Evaluation]) -> list[schemas.Evaluation]:
    """Evaluations with their figures in a fixed number of statements: KPRs, latest values and policies, once each
    (and none of them when every evaluation is frozen)."""
    live = [row for row in evaluations if row.status not in fig.FROZEN_STATES]
    inputs = fig.LiveInputs({}, {})
    by_cycle: dict[uuid.UUID, engine.Policy] = {}
    if live:
        inputs = await fig.load_live_inputs(session, Kpr.plan_id.in_({row.plan_id for row in live}))
        by_cycle = await policies(session, (row.cycle_id for row in live))
    return [
        _schema(row, _figures(row, inputs, by_cycle.get(row.cycle_id, engine.DEFAULT_POLICY))) for row in evaluations
    ]


async def present(session: AsyncSession, evaluation: Evaluation) -> schemas.Evaluation:
    return (await present_many(session, [evaluation]))[0]
