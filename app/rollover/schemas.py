import uuid
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from app.core.enums import RolloverBaseline, RolloverSkip
from app.core.schemas import CAPACITY, Choice, Count, Declared, InputModel, OutputModel

# One employee per entry; as many as an organization has.
MAX_EMPLOYEES = 100_000


class RolloverIn(InputModel):
    from_cycle_id: uuid.UUID = Field(description="The cycle whose goals and KPRs are copied.")
    employee_ids: list[uuid.UUID] | None = Field(
        default=None,
        max_length=MAX_EMPLOYEES,
        description="Whose KPRs to copy; null: every active employee with active KPRs in the source cycle.",
    )
    baseline: Choice[RolloverBaseline] = Field(
        default=RolloverBaseline.LAST_ACTUAL,
        description="last_actual: each copy starts from its source's latest actual (its baseline when it has none); "
        "baseline: from the source's baseline.",
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"from_cycle_id": "3f1e2d4c-5b6a-4789-9abc-def012345678", "baseline": "last_actual"}]
        }
    )


class RolloverSkipped(OutputModel):
    entity_type: Literal["goal", "kpr"]
    source_id: uuid.UUID
    reason: Choice[RolloverSkip]
    copy_id: uuid.UUID | None = Field(description="The copy made by an earlier rollover (ALREADY_COPIED).")


class RolloverResult(OutputModel):
    """What one rollover copied (counts), and what it left because it was already copied or its plan is locked."""

    goals: Count
    plans: Count
    kprs: Count
    kpis: Count
    skipped: Annotated[list[RolloverSkipped], Declared(maxItems=CAPACITY)]
