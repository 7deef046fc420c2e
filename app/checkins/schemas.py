import uuid
from typing import Annotated, Self

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from app.core.enums import PushStatus
from app.core.problems import ProblemCode
from app.core.schemas import (
    CAPACITY,
    Choice,
    Comment,
    CommentOut,
    Declared,
    InputModel,
    Measure,
    OutputModel,
    UtcDatetime,
)
from app.kprs.schemas import MetricKey

# A push carries at most this many items (DESIGN §14): one request, one transaction, a fixed number of statements.
MAX_PUSH_ITEMS = 1000

# Where a pushed figure comes from and its id there: the key that makes a repeat harmless. Kept exactly as sent.
Source = Annotated[str, StringConstraints(min_length=1, max_length=100)]
SourceOut = Annotated[str, Declared(maxLength=100)]
ExternalId = Annotated[str, StringConstraints(min_length=1, max_length=200)]
ExternalIdOut = Annotated[str, Declared(maxLength=200)]


class CheckIn(OutputModel):
    id: uuid.UUID
    kpr_id: uuid.UUID | None
    kpi_id: uuid.UUID | None
    value: Measure
    recorded_at: UtcDatetime
    note: CommentOut | None
    confidence: Annotated[int, Declared(minimum=0, maximum=10, format="int32")] | None
    author_id: uuid.UUID | None
    source: SourceOut | None = Field(description="Where a pushed figure came from (POST /check-ins/bulk); else null.")
    external_id: ExternalIdOut | None = Field(description="The pushed figure's id at its source; else null.")
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


class CheckInPushItem(InputModel):
    """One measurement, of exactly one of: a KPR, a KPI, or every active KPR and KPI tracking a metric key."""

    metric_key: MetricKey | None = Field(
        default=None,
        description="Records one check-in on every active KPR, and every KPI of an active KPR, with this key in the "
        "organization's active cycles (those whose period contains recorded_at).",
    )
    kpr_id: uuid.UUID | None = None
    kpi_id: uuid.UUID | None = None
    value: Measure
    recorded_at: UtcDatetime | None = Field(
        default=None, description="When measured; defaults to now. Within the cycle."
    )
    note: Comment | None = None
    source: Source | None = Field(
        default=None, description="The system the figure comes from; with external_id, makes the push idempotent."
    )
    external_id: ExternalId | None = Field(
        default=None,
        description="The figure's id at its source: a repeat of (source, external_id) on the same KPR or KPI stores "
        "nothing and answers duplicate. Give both or neither.",
    )

    @model_validator(mode="after")
    def _one_subject_and_a_whole_key(self) -> Self:
        subjects = [name for name in ("metric_key", "kpr_id", "kpi_id") if getattr(self, name) is not None]
        if len(subjects) != 1:
            raise ValueError("give exactly one of metric_key, kpr_id and kpi_id")
        if (self.source is None) != (self.external_id is None):
            raise ValueError("give source and external_id together, or neither")
        return self


class CheckInPush(InputModel):
    items: Annotated[list[CheckInPushItem], Field(min_length=1, max_length=MAX_PUSH_ITEMS)]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "metric_key": "sales.east:revenue",
                            "value": 228.5,
                            "recorded_at": "2026-07-31T16:00:00Z",
                            "note": "7月回款（ERP）",
                            "source": "erp",
                            "external_id": "revenue-2026-07",
                        },
                        {
                            "kpi_id": "7c1e2a4b-9d3f-4e5a-8b6c-0d1e2f3a4b5c",
                            "value": 12,
                            "source": "crm",
                            "external_id": "visits-w31",
                        },
                    ]
                }
            ]
        }
    )


class PushItemError(OutputModel):
    """Why one item was refused: a problem in small (its code as a whole response would carry it)."""

    code: ProblemCode
    message: Annotated[str, Declared(maxLength=1000)]
    field: Annotated[str, Declared(maxLength=32)] | None = Field(description="The item's field at fault, if one is.")


class PushItemResult(OutputModel):
    index: Annotated[int, Declared(minimum=0, maximum=MAX_PUSH_ITEMS - 1, format="int32")] = Field(
        description="The item's position in the request."
    )
    status: Choice[PushStatus] = Field(
        description="created: at least one check-in was stored; duplicate: every one was stored before (same "
        "source, external_id and KPR or KPI), nothing was; error: nothing was, see error."
    )
    check_in_ids: Annotated[list[uuid.UUID], Declared(maxItems=CAPACITY)] = Field(
        description="The check-ins the item stands for, new or stored before (several for a metric key)."
    )
    error: PushItemError | None


class CheckInPushResult(OutputModel):
    items: Annotated[list[PushItemResult], Declared(maxItems=MAX_PUSH_ITEMS)]
