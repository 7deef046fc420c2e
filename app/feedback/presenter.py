"""Feedback requests and an evaluation's responses as the API shows them; the response is left out where the caller
may not see it (the service decides where: ``reveals``)."""

import uuid
from collections.abc import Collection, Sequence
from typing import Any

from app.evaluations.schemas import ReviewItem
from app.feedback import schemas
from app.models import Evaluation, FeedbackRequest


def _items(raw: list[dict[str, Any]] | None) -> list[ReviewItem]:
    return [ReviewItem(kpr_id=uuid.UUID(item["kpr_id"]), comment=item.get("comment")) for item in raw or []]


def present(request: FeedbackRequest, *, reveal: bool) -> schemas.FeedbackRequest:
    return schemas.FeedbackRequest(
        id=request.id,
        evaluation_id=request.evaluation_id,
        reviewer_id=request.reviewer_id,
        relationship=request.relationship,
        status=request.status,
        due_date=request.due_date,
        message=request.message,
        score=request.score if reveal else None,
        comment=request.comment if reveal else None,
        items=_items(request.items) if reveal else [],
        submitted_at=request.submitted_at,
        created_at=request.created_at,
        updated_at=request.updated_at,
    )


def present_many(requests: Sequence[FeedbackRequest], revealed: Collection[uuid.UUID]) -> list[schemas.FeedbackRequest]:
    return [present(request, reveal=request.id in revealed) for request in requests]


def present_created(requests: Sequence[FeedbackRequest]) -> schemas.FeedbackRequests:
    # Nothing is answered yet: the nominator sees exactly what they asked.
    return schemas.FeedbackRequests(items=[present(request, reveal=False) for request in requests])


def present_feedback(
    evaluation: Evaluation, responses: Sequence[FeedbackRequest], *, named: bool
) -> schemas.EvaluationFeedback:
    return schemas.EvaluationFeedback(
        responses=evaluation.peer_responses,
        peer_score=evaluation.peer_score,
        items=[
            schemas.FeedbackEntry(
                relationship=response.relationship,
                score=response.score,
                comment=response.comment,
                items=_items(response.items),
                reviewer_id=response.reviewer_id if named else None,
            )
            for response in responses
        ],
    )
