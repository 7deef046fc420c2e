import uuid

from pydantic import Field

from app.core.enums import PlanStatus
from app.core.schemas import Choice, Figure, OutputModel, UtcDatetime


class Plan(OutputModel):
    id: uuid.UUID
    cycle_id: uuid.UUID
    employee_id: uuid.UUID
    status: Choice[PlanStatus]
    weight_total: Figure = Field(description="Sum of the active KPRs' weights; must be exactly 100 to submit.")
    created_at: UtcDatetime
    updated_at: UtcDatetime
