import uuid

from pydantic import ConfigDict, Field

from app.core.schemas import InputModel, Name, OutputModel, UtcDatetime


class ApiKey(OutputModel):
    id: uuid.UUID
    name: str
    prefix: str
    created_by: str
    created_at: UtcDatetime
    last_used_at: UtcDatetime | None


class ApiKeyCreated(ApiKey):
    secret: str = Field(description="The key itself. Shown only in this response; store it now.")


class ApiKeyCreate(InputModel):
    name: Name

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "ERP 销售数据同步"}]})
