import uuid
from typing import Any

from pydantic import ConfigDict, Field

from app.core.schemas import CodeOut, OutputModel, SubjectOut, UtcDatetime


class AuditEvent(OutputModel):
    """One recorded change: who did what to which entity, with the changed fields before and after."""

    id: uuid.UUID
    actor: SubjectOut = Field(description="The subject of the caller (an employee's external id, or api-key:ID).")
    action: CodeOut
    entity_type: CodeOut
    entity_id: uuid.UUID
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: UtcDatetime

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "4c3b2a19-0817-4f6e-9d5c-4b3a29180f7e",
                    "actor": "zhang.wei",
                    "action": "update",
                    "entity_type": "goal",
                    "entity_id": "0b9a4c8e-6f8d-4a51-9d7e-2c1f3b5a7e90",
                    "before": {"title": "华东区销售额增长 20%"},
                    "after": {"title": "华东区销售额增长 25%"},
                    "at": "2026-02-01T09:30:00Z",
                }
            ]
        }
    )
