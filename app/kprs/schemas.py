import uuid
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from app.core.enums import Direction, KprStatus, SmartStatus
from app.core.schemas import (
    JSON_NUMBER,
    Choice,
    Day,
    Declared,
    Figure,
    InputModel,
    Measure,
    OutputModel,
    PatchModel,
    Text,
    TextOut,
    Title,
    TitleOut,
    UtcDatetime,
)

Unit = Annotated[str, Field(min_length=1, max_length=32)]
UnitOut = Annotated[str, Declared(maxLength=32)]
Weight = Annotated[
    Decimal,
    Field(gt=0, le=100, max_digits=7, decimal_places=2, allow_inf_nan=False),
    *JSON_NUMBER,
    PlainSerializer(lambda d: int(d) if d == d.to_integral_value() else float(d), return_type=float, when_used="json"),
]


class SmartCriterion(BaseModel):
    status: Choice[SmartStatus]
    # One of each finding at most (the catalogue has 20), rendered in the request's language.
    messages: Annotated[list[Annotated[str, Declared(maxLength=1000)]], Declared(maxItems=20)]


class SmartReport(BaseModel):
    specific: SmartCriterion
    measurable: SmartCriterion
    attainable: SmartCriterion
    relevant: SmartCriterion
    time_bound: SmartCriterion
    passed: bool = Field(description="True when no criterion fails.")


class Kpr(OutputModel):
    id: uuid.UUID
    plan_id: uuid.UUID
    cycle_id: uuid.UUID
    owner_id: uuid.UUID
    goal_id: uuid.UUID
    title: TitleOut
    description: TextOut | None
    unit: UnitOut | None
    direction: Choice[Direction]
    baseline: Measure
    target: Measure
    threshold: Measure | None
    stretch: Measure | None
    tolerance: Measure | None
    weight: Weight
    goal_weight: Measure
    due_date: Day | None
    status: Choice[KprStatus]
    template_id: uuid.UUID | None
    source_kpr_id: uuid.UUID | None = Field(
        default=None, description="The KPR this one was rolled over from (POST /cycles/{id}/rollover)."
    )
    current_value: Measure | None = Field(description="Newest check-in at or before as_of; null before the first.")
    achievement: Figure | None = Field(description="100·(x−b)/(t−b); may be negative or above 100.")
    progress: Figure | None = Field(description="Achievement clamped to 0–100.")
    score: Figure | None = Field(description="By the cycle policy's curve, 0–cap.")
    smart: SmartReport
    created_at: UtcDatetime
    updated_at: UtcDatetime


_KPR_EXAMPLE: dict[str, Any] = {
    "cycle_id": "0b5e6c1e-3f3a-4a57-9a55-4f4a3f1d2c11",
    "goal_id": "5a0d2b8e-8c1d-4c7e-b1f6-0e4f7f2c9a01",
    "title": "华东区销售额同比增长20%",
    "unit": "万元",
    "direction": "increase",
    "baseline": 200,
    "target": 240,
    "stretch": 260,
    "weight": 40,
    "due_date": "2026-12-31",
}


class KprDefinition(InputModel):
    """The fields of a KPR a user writes (shared by create, the SMART check and template application)."""

    title: Title
    description: Text | None = None
    unit: Unit | None = None
    direction: Choice[Direction]
    baseline: Measure
    target: Measure
    threshold: Measure | None = None
    stretch: Measure | None = None
    tolerance: Annotated[Measure, Field(ge=0)] | None = None
    weight: Weight
    goal_weight: Annotated[Measure, Field(gt=0)] = Decimal(1)
    due_date: Day | None = None


class KprCreate(KprDefinition):
    cycle_id: uuid.UUID
    goal_id: uuid.UUID
    owner_id: uuid.UUID | None = Field(default=None, description="Defaults to the caller's own employee record.")

    model_config = ConfigDict(json_schema_extra={"examples": [_KPR_EXAMPLE]})


class KprUpdate(PatchModel):
    non_nullable = frozenset({"title", "direction", "baseline", "target", "weight", "goal_weight", "goal_id", "status"})

    title: Title | None = None
    description: Text | None = None
    unit: Unit | None = None
    direction: Choice[Direction] | None = None
    baseline: Measure | None = None
    target: Measure | None = None
    threshold: Measure | None = None
    stretch: Measure | None = None
    tolerance: Annotated[Measure, Field(ge=0)] | None = None
    weight: Weight | None = None
    goal_weight: Annotated[Measure, Field(gt=0)] | None = None
    goal_id: uuid.UUID | None = None
    due_date: Day | None = None
    status: Choice[KprStatus] | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{"title": "华东区销售额同比增长25%", "target": 250}]})


class SmartCheckRequest(InputModel):
    """A KPR body, saved or not; every field optional so a half-written draft can be checked as the user types."""

    cycle_id: uuid.UUID | None = None
    goal_id: uuid.UUID | None = None
    title: Annotated[str, Field(max_length=300)] | None = None
    description: Text | None = None
    unit: Annotated[str, Field(max_length=32)] | None = None
    direction: Choice[Direction] | None = None
    baseline: Measure | None = None
    target: Measure | None = None
    due_date: Day | None = None
    owner_id: uuid.UUID | None = None
    threshold: Measure | None = None
    stretch: Measure | None = None
    tolerance: Measure | None = None
    weight: Weight | None = None
    goal_weight: Measure | None = None

    model_config = ConfigDict(
        json_schema_extra={"examples": [{**_KPR_EXAMPLE, "title": "每月拜访客户次数", "unit": "次"}]}
    )
