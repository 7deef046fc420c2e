import uuid
from typing import Literal

from pydantic import Field

from app.core.schemas import Figure, OutputModel, UtcDatetime

PlanStatus = Literal["draft", "submitted", "approved", "rejected"]


class Plan(OutputModel):
    id: uuid.UUID
    cycle_id: uuid.UUID
    employee_id: uuid.UUID
    status: PlanStatus
    weight_total: Figure = Field(description="Sum of the active KPRs' weights; must be exactly 100 to submit.")
    created_at: UtcDatetime
    updated_at: UtcDatetime
