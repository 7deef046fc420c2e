import uuid
from typing import Annotated

from pydantic import ConfigDict, Field

from app.core.schemas import Comment, CommentOut, Declared, InputModel, Measure, OutputModel, UtcDatetime


class CheckIn(OutputModel):
    id: uuid.UUID
    kpr_id: uuid.UUID | None
    kpi_id: uuid.UUID | None
    value: Measure
    recorded_at: UtcDatetime
    note: CommentOut | None
    confidence: Annotated[int, Declared(minimum=0, maximum=10, format="int32")] | None
    author_id: uuid.UUID | None
    created_at: UtcDatetime


class CheckInCreate(InputModel):
    value: Measure
    recorded_at: UtcDatetime | None = Field(
        default=None, description="When measured; defaults to now. Within the cycle."
    )
    note: Comment | None = None
    confidence: Annotated[int, Field(ge=0, le=10, json_schema_extra={"format": "int32"})] | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"value": 228.5, "recorded_at": "2026-06-30T09:00:00Z", "note": "6月回款已确认", "confidence": 7}
            ]
        }
    )
