import uuid
from typing import Annotated, Literal, Self

from pydantic import ConfigDict, Field, model_validator

from app.core.enums import Cadence, CycleStatus
from app.core.schemas import (
    CAPACITY,
    Choice,
    Count,
    Day,
    Declared,
    Figure,
    InputModel,
    LabelOut,
    Measure,
    Name,
    NameOut,
    OutputModel,
    PatchModel,
    UtcDatetime,
)
from app.scoring.policy import MAX_BANDS, PolicyIn


class Cycle(OutputModel):
    id: uuid.UUID
    name: NameOut
    cadence: Choice[Cadence]
    start_date: Day
    end_date: Day
    status: Choice[CycleStatus]
    policy: PolicyIn
    created_at: UtcDatetime
    updated_at: UtcDatetime


class CycleCreate(InputModel):
    name: Name
    cadence: Choice[Cadence]
    start_date: Day
    end_date: Day
    policy: PolicyIn = Field(default_factory=PolicyIn, description="Scoring policy; defaults apply when omitted.")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end_date < self.start_date:
            raise ValueError("end_date must not be before start_date")
        return self

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "2026年度绩效",
                    "cadence": "annual",
                    "start_date": "2026-01-01",
                    "end_date": "2026-12-31",
                    "policy": {"curve": "linear", "cap": 120, "components": {"results": 70, "manager": 30, "self": 0}},
                }
            ]
        }
    )


class CycleUpdate(PatchModel):
    non_nullable = frozenset({"name", "cadence", "start_date", "end_date", "policy"})

    name: Name | None = None
    cadence: Choice[Cadence] | None = None
    start_date: Day | None = None
    end_date: Day | None = None
    policy: PolicyIn | None = None

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"policy": {"curve": "threshold", "threshold_score": 60}}]}
    )


class CycleSummary(OutputModel):
    cycle_id: uuid.UUID
    status: Choice[CycleStatus]
    plans_by_status: dict[str, Count]
    evaluations_by_status: dict[str, Count]
    kprs: Count
    average_progress: float | None = Field(description="Mean progress of active KPRs in approved plans, 2 decimals.")
    rating_distribution: dict[str, Count]


class BandShare(OutputModel):
    rating: LabelOut
    count: Count
    share: Figure = Field(description="Percent of the evaluations in scope, 2 decimals.")
    min_share: Measure | None
    max_share: Measure | None
    violated: bool


class Violation(OutputModel):
    rating: LabelOut
    count: Count
    share: Figure
    bound: Literal["min_share", "max_share"]
    limit: Measure
    message: Annotated[str, Declared(maxLength=1000)]


# One per band of the policy; a guideline bounds a band from below, above, or both.
Bands = Annotated[list[BandShare], Declared(maxItems=MAX_BANDS)]
Violations = Annotated[list[Violation], Declared(maxItems=2 * MAX_BANDS)]


class DepartmentCalibration(OutputModel):
    department_id: uuid.UUID | None
    department_name: NameOut | None
    total: Count
    appealed: Count = Field(
        description="Evaluations under appeal (复议), counted in the bands with their final rating."
    )
    bands: Bands
    violations: Violations


class CycleCalibration(OutputModel):
    """The cycle's rating distribution (final ratings) against the policy's guidelines, overall and per department."""

    cycle_id: uuid.UUID
    status: LabelOut
    total: Count
    appealed: Count = Field(
        description="Evaluations under appeal (复议), counted in the bands with their final rating."
    )
    bands: Bands
    violations: Violations
    departments: Annotated[list[DepartmentCalibration], Declared(maxItems=CAPACITY)]
