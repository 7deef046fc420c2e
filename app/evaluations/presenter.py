"""An evaluation as the API shows it: live figures until finalization, the frozen snapshot afterwards."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.evaluations import figures as fig
from app.evaluations import schemas
from app.models import Evaluation
from app.scoring import engine


def _review_items(raw: list[dict[str, Any]] | None) -> list[schemas.ReviewItem]:
    return [schemas.ReviewItem(kpr_id=uuid.UUID(item["kpr_id"]), comment=item.get("comment")) for item in raw or []]


def _figures(evaluation: Evaluation, items: dict[uuid.UUID, list[fig.Item]]) -> fig.Figures:
    if evaluation.status in fig.FROZEN_STATES:
        # The stored columns and the snapshot were written together at finalization; nothing live is consulted.
        frozen = fig.frozen_items(evaluation.snapshot or {}, evaluation.plan_id)
        return fig.Figures(frozen, evaluation.results_score, evaluation.final_score, evaluation.rating)
    # Kept current on write (app.figures): the evaluation's own figures and its KPRs'.
    return fig.Figures(
        items.get(evaluation.plan_id, []), evaluation.results_score, evaluation.final_score, evaluation.rating
    )


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
        # Kept current until finalization and written by nothing after it, so they are the frozen ones then.
        peer_score=evaluation.peer_score,
        peer_responses=evaluation.peer_responses,
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
    """Evaluations with their stored figures: one statement for the live ones' KPR items, none when all are frozen."""
    live = [row.plan_id for row in evaluations if row.status not in fig.FROZEN_STATES]
    items = await fig.stored_items(session, live)
    return [_schema(row, _figures(row, items)) for row in evaluations]


async def present(session: AsyncSession, evaluation: Evaluation) -> schemas.Evaluation:
    return (await present_many(session, [evaluation]))[0]
