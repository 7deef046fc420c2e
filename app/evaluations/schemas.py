import uuid
from typing import Annotated, Self

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from app.core.enums import EvaluationStatus
from app.core.schemas import (
    CAPACITY,
    NOT_BLANK,
    Choice,
    Comment,
    CommentOut,
    Count,
    Declared,
    Figure,
    InputModel,
    Measure,
    OutputModel,
    TitleOut,
    UtcDatetime,
)

# Review scores live on the same scale as KPR scores (0 up to the policy's cap, at most 1000).
ReviewScore = Annotated[Measure, Field(ge=0, le=1000)]
Rating = Annotated[str, StringConstraints(min_length=1, max_length=16), NOT_BLANK]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=4000), NOT_BLANK]

MAX_REVIEW_ITEMS = 200
# A KPR listed more than once in a review keeps one item with the comments joined (each 4000, two newlines between).
MAX_JOINED_COMMENT = MAX_REVIEW_ITEMS * (4000 + 2)
RatingOut = Annotated[str, Declared(maxLength=16)]


class EvaluationItem(OutputModel):
    """One active KPR of the plan, with its figures: live before finalization, frozen after."""

    kpr_id: uuid.UUID
    title: TitleOut
    weight: Measure
    actual: Measure | None = Field(description="Latest check-in value; null when there is none (scored as baseline).")
    achievement: Figure | None
    progress: Figure | None
    score: Figure | None


class ReviewItem(OutputModel):
    kpr_id: uuid.UUID
    comment: Annotated[str, Declared(maxLength=MAX_JOINED_COMMENT)] | None = None


ReviewItems = Annotated[list[ReviewItem], Declared(maxItems=MAX_REVIEW_ITEMS)]


class Evaluation(OutputModel):
    id: uuid.UUID
    cycle_id: uuid.UUID
    employee_id: uuid.UUID
    plan_id: uuid.UUID
    reviewer_id: uuid.UUID | None
    status: Choice[EvaluationStatus]
    items: Annotated[list[EvaluationItem], Declared(maxItems=CAPACITY)]
    results_score: Figure | None
    self_score: Measure | None
    manager_score: Measure | None
    peer_score: Figure | None = Field(
        description="The mean score of the submitted feedback responses; null while fewer than the policy's "
        "peer_min_responses were submitted (the peer part of the final score is then left out)."
    )
    peer_responses: Count = Field(
        description="How many feedback responses were submitted (who gave them is not shown)."
    )
    final_score: Figure | None
    rating: RatingOut | None
    calibrated_rating: RatingOut | None
    final_rating: RatingOut | None = Field(description="calibrated_rating when set, else rating.")
    self_comment: CommentOut | None
    self_items: ReviewItems
    manager_comment: CommentOut | None
    manager_items: ReviewItems
    calibration_reason: CommentOut | None
    finalized_at: UtcDatetime | None
    acknowledged_at: UtcDatetime | None
    created_at: UtcDatetime
    updated_at: UtcDatetime


class ReviewItemIn(InputModel):
    kpr_id: uuid.UUID
    comment: Comment | None = None


class ReviewIn(InputModel):
    """A self or manager review; PUT replaces the whole review."""

    score: ReviewScore | None = None
    comment: Comment | None = None
    items: list[ReviewItemIn] = Field(
        default_factory=list,
        max_length=MAX_REVIEW_ITEMS,
        description="Per-KPR comments; a KPR listed more than once keeps one item, its comments joined in order.",
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "score": 90,
                    "comment": "本季度超额完成华东区销售目标 / beat the Q3 East China sales target",
                    "items": [{"kpr_id": "2f9d3c1e-8a4b-4f6e-9c2d-1b7a5e3f4d21", "comment": "新客户 32 家"}],
                }
            ]
        }
    )

    @model_validator(mode="after")
    def _one_item_per_kpr(self) -> Self:
        # JSON Schema cannot say "unique by kpr_id", so the contract accepts repeats; rather than refuse what it
        # allows, or drop what the reviewer wrote, a KPR listed twice keeps one item with its comments joined in order.
        merged: dict[uuid.UUID, ReviewItemIn] = {}
        for item in self.items:
            first = merged.get(item.kpr_id)
            if first is None:
                merged[item.kpr_id] = item.model_copy()
            elif item.comment:
                first.comment = f"{first.comment}\n\n{item.comment}" if first.comment else item.comment
        if len(merged) != len(self.items):
            self.items = list(merged.values())
        return self


class CalibrationIn(InputModel):
    rating: Rating | None = Field(description="A rating of the cycle's policy bands; null clears the calibration.")
    reason: Reason

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"rating": "A", "reason": "跨部门校准：贡献被低估 / under-rated in calibration"}]
        }
    )
