import uuid
from typing import Annotated

from pydantic import ConfigDict, StringConstraints

from app.core.schemas import (
    NOT_BLANK,
    TRIMMED,
    Declared,
    Flag,
    InputModel,
    Name,
    NameOut,
    OutputModel,
    PatchModel,
    SubjectOut,
    UtcDatetime,
)

ExternalId = Annotated[str, StringConstraints(min_length=1, max_length=255), NOT_BLANK]
JobTitle = Annotated[str, StringConstraints(max_length=200), TRIMMED]
Email = Annotated[str, StringConstraints(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$"), TRIMMED]


class Employee(OutputModel):
    id: uuid.UUID
    external_id: SubjectOut
    name: NameOut
    email: Annotated[str, Declared(maxLength=320)] | None
    department_id: uuid.UUID | None
    manager_id: uuid.UUID | None
    job_title: NameOut | None
    active: bool
    created_at: UtcDatetime
    updated_at: UtcDatetime


class EmployeeCreate(InputModel):
    external_id: ExternalId
    name: Name
    email: Email | None = None
    department_id: uuid.UUID | None = None
    manager_id: uuid.UUID | None = None
    job_title: JobTitle | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "external_id": "zhang.wei",
                    "name": "张伟",
                    "email": "zhang.wei@example.com",
                    "job_title": "销售经理",
                }
            ]
        }
    )


class EmployeeUpdate(PatchModel):
    non_nullable = frozenset({"external_id", "name", "active"})

    external_id: ExternalId | None = None
    name: Name | None = None
    email: Email | None = None
    department_id: uuid.UUID | None = None
    manager_id: uuid.UUID | None = None
    job_title: JobTitle | None = None
    active: Flag | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{"job_title": "大区销售总监"}]})
