import uuid
from typing import Annotated, Self

from pydantic import ConfigDict, Field, model_validator

from app.core.enums import FeedbackRelationship, FeedbackStatus
from app.core.schemas import (
    CAPACITY,
    Choice,
    Comment,
    CommentOut,
    Count,
    Day,
    Declared,
    Figure,
    InputModel,
    Measure,
    OutputModel,
    UtcDatetime,
)
from app.evaluations.schemas import ReviewIn, ReviewItems, ReviewScore

MAX_REVIEWERS = 50


class FeedbackRequest(OutputModel):
    """A request to one reviewer for feedback on one evaluation, and their response.

    Who sees it: the reviewer, the evaluated employee's managers, admins and services — never the evaluated employee.
    The response (`score`, `comment`, `items`) is shown to the reviewer and admins only; for the others it is null
    (empty), so that feedback stays anonymous: `GET /evaluations/{id}/feedback` shows it without names.
    """

    id: uuid.UUID
    evaluation_id: uuid.UUID
    reviewer_id: uuid.UUID
    relationship: Choice[FeedbackRelationship]
    status: Choice[FeedbackStatus]
    due_date: Day | None
    message: CommentOut | None
    score: Measure | None
    comment: CommentOut | None
    items: ReviewItems
    submitted_at: UtcDatetime | None = Field(description="When the response was last written.")
    created_at: UtcDatetime
    updated_at: UtcDatetime


class FeedbackRequests(OutputModel):
    items: Annotated[list[FeedbackRequest], Declared(maxItems=MAX_REVIEWERS)] = Field(
        description="One request per reviewer, in the order of reviewer_ids."
    )


class FeedbackRequestCreate(InputModel):
    reviewer_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=MAX_REVIEWERS)] = Field(
        description=f"1 to {MAX_REVIEWERS} distinct active employees of the organization; never the evaluated one."
    )
    relationship: Choice[FeedbackRelationship]
    due_date: Day | None = None
    message: Comment | None = Field(default=None, description="What the reviewers are asked, shown to them.")

    @model_validator(mode="after")
    def _distinct_reviewers(self) -> Self:
        if len(set(self.reviewer_ids)) != len(self.reviewer_ids):
            raise ValueError("reviewer_ids must not repeat a reviewer")
        return self

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "reviewer_ids": ["2a3b4c5d-6e7f-4081-9a2b-3c4d5e6f7a8b", "3b4c5d6e-7f80-4192-8b3c-4d5e6f7a8b9c"],
                    "relationship": "peer",
                    "due_date": "2026-10-15",
                    "message": "请就本季度的协作情况给出反馈 / how was working with them this quarter?",
                }
            ]
        }
    )


class FeedbackResponseIn(ReviewIn):
    """A reviewer's response; PUT replaces the whole response (and keeps the request submitted)."""

    score: ReviewScore = Field(description="On the review scale: 0 up to the cycle policy's cap.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "score": 92,
                    "comment": "跨部门协作积极，响应及时 / responsive and a good partner across teams",
                    "items": [{"kpr_id": "2f9d3c1e-8a4b-4f6e-9c2d-1b7a5e3f4d21", "comment": "大客户交付配合到位"}],
                }
            ]
        }
    )


class FeedbackEntry(OutputModel):
    """One submitted response, without a name unless the caller is an admin."""

    relationship: Choice[FeedbackRelationship]
    score: Measure
    comment: CommentOut | None
    items: ReviewItems
    reviewer_id: uuid.UUID | None = Field(description="Null for everyone but admins: feedback is anonymous.")


class EvaluationFeedback(OutputModel):
    responses: Count = Field(description="How many responses were submitted.")
    peer_score: Figure | None = Field(
        description="Their mean score; null while fewer than the policy's peer_min_responses were submitted."
    )
    items: Annotated[list[FeedbackEntry], Declared(maxItems=CAPACITY)] = Field(
        description="The submitted responses (in no telling order); empty for everyone but admins while fewer than "
        "peer_min_responses were submitted."
    )
