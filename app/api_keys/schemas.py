import uuid
from typing import Annotated

from pydantic import ConfigDict, Field

from app.core.schemas import Declared, InputModel, Name, NameOut, OutputModel, SubjectOut, UtcDatetime


class ApiKey(OutputModel):
    id: uuid.UUID
    name: NameOut
    prefix: Annotated[str, Declared(maxLength=16)]
    created_by: SubjectOut
    created_at: UtcDatetime
    last_used_at: UtcDatetime | None


class ApiKeyCreated(ApiKey):
    secret: Annotated[str, Declared(maxLength=128)] = Field(
        description="The key itself. Shown only in this response; store it now."
    )


class ApiKeyCreate(InputModel):
    name: Name

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "ERP 销售数据同步"}]})
