import uuid
from decimal import Decimal
from typing import Any

from pydantic import ConfigDict, Field, field_serializer

from app.core.enums import RevisionStatus
from app.core.schemas import Choice, CommentOut, InputModel, OutputModel, SubjectOut, UtcDatetime

# Stored as exact decimal strings in the JSON column; exposed as JSON numbers like every other measurement.
NUMERIC_CHANGES = frozenset({"baseline", "target", "threshold", "stretch", "tolerance", "weight", "goal_weight"})


def _as_number(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() else float(number)


class Revision(OutputModel):
    id: uuid.UUID
    kpr_id: uuid.UUID
    changes: dict[str, Any]
    reason: CommentOut
    status: Choice[RevisionStatus]
    requested_by: SubjectOut
    decided_by: SubjectOut | None
    decided_at: UtcDatetime | None
    created_at: UtcDatetime
    updated_at: UtcDatetime

    @field_serializer("changes", when_used="json")
    def _numbers(self, changes: dict[str, Any]) -> dict[str, Any]:
        return {name: _as_number(v) if name in NUMERIC_CHANGES else v for name, v in changes.items()}


class RevisionCreate(InputModel):
    changes: dict[str, Any] = Field(
        min_length=1,
        max_length=12,
        description="New values of the KPR's measurable definition: baseline, target, threshold, stretch, tolerance, "
        "weight, goal_id, goal_weight, due_date, direction, status.",
    )
    reason: str = Field(min_length=1, max_length=4000)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"changes": {"target": 230}, "reason": "受原材料价格上涨影响，经部门协商下调年度目标"}]
        }
    )
