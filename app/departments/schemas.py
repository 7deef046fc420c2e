import uuid

from pydantic import ConfigDict

from app.core.schemas import Code, CodeOut, InputModel, Name, NameOut, OutputModel, PatchModel, UtcDatetime


class Department(OutputModel):
    id: uuid.UUID
    name: NameOut
    code: CodeOut
    parent_id: uuid.UUID | None
    head_id: uuid.UUID | None
    created_at: UtcDatetime
    updated_at: UtcDatetime


class DepartmentCreate(InputModel):
    name: Name
    code: Code
    parent_id: uuid.UUID | None = None
    head_id: uuid.UUID | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "销售部", "code": "SALES", "parent_id": None}]})


class DepartmentUpdate(PatchModel):
    non_nullable = frozenset({"name", "code"})

    name: Name | None = None
    code: Code | None = None
    parent_id: uuid.UUID | None = None
    head_id: uuid.UUID | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "华东销售部"}]})
