import uuid
from typing import Annotated, Self

from pydantic import ConfigDict, Field, model_validator

from app.core.enums import Direction, Frequency
from app.core.schemas import (
    Choice,
    CodeOut,
    Day,
    Declared,
    InputModel,
    Measure,
    NameOut,
    OutputModel,
    TextOut,
    TitleOut,
)
from app.kprs.schemas import UnitOut

MAX_EMPLOYEES = 1000


class SuggestedKpi(OutputModel):
    name: NameOut
    unit: UnitOut
    direction: Choice[Direction]
    frequency: Choice[Frequency]


class KprTemplate(OutputModel):
    """A reusable KPR of a business function, in the request's language (Accept-Language: zh-CN or en)."""

    id: uuid.UUID
    function: CodeOut
    title: TitleOut
    description: TextOut
    unit: UnitOut
    direction: Choice[Direction]
    suggested_kpis: Annotated[list[SuggestedKpi], Declared(maxItems=20)] = Field(
        description="Process indicators (KPIs) that usually drive the result."
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0953d770-74af-51cd-b68b-0ba1ab652b23",
                    "function": "sales",
                    "title": "销售额增长",
                    "description": "考核周期内确认的销售收入（不含税，以财务入账为准）达到目标值。",
                    "unit": "万元",
                    "direction": "increase",
                    "suggested_kpis": [
                        {"name": "客户拜访次数", "unit": "次", "direction": "increase", "frequency": "weekly"}
                    ],
                }
            ]
        }
    )


class TemplateApply(InputModel):
    cycle_id: uuid.UUID
    goal_id: uuid.UUID = Field(description="The goal every created KPR is aligned to.")
    employee_ids: Annotated[list[uuid.UUID], Field(min_length=1, max_length=MAX_EMPLOYEES)] = Field(
        description=f"The owners: one KPR each, 1 to {MAX_EMPLOYEES} distinct employees."
    )
    baseline: Measure
    target: Measure
    threshold: Measure | None = None
    stretch: Measure | None = None
    tolerance: Measure | None = None
    weight: Annotated[Measure, Field(gt=0, le=100)] = Field(description="Weight inside each owner's plan (percent).")
    due_date: Day

    @model_validator(mode="after")
    def _distinct_employees(self) -> Self:
        if len(set(self.employee_ids)) != len(self.employee_ids):
            raise ValueError("employee_ids must not repeat an employee")
        return self

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cycle_id": "5d2e7f10-3a4b-4c6d-8e9f-0a1b2c3d4e5f",
                    "goal_id": "0b9a4c8e-6f8d-4a51-9d7e-2c1f3b5a7e90",
                    "employee_ids": [
                        "2a3b4c5d-6e7f-4081-9a2b-3c4d5e6f7a8b",
                        "3b4c5d6e-7f80-4192-8b3c-4d5e6f7a8b9c",
                    ],
                    "baseline": 800,
                    "target": 1000,
                    "threshold": 850,
                    "weight": 40,
                    "due_date": "2026-09-30",
                }
            ]
        }
    )


class CreatedKpr(OutputModel):
    employee_id: uuid.UUID
    plan_id: uuid.UUID
    kpr_id: uuid.UUID


class TemplateApplied(OutputModel):
    template_id: uuid.UUID
    cycle_id: uuid.UUID
    created: Annotated[list[CreatedKpr], Declared(maxItems=MAX_EMPLOYEES)] = Field(
        description="One KPR per employee, in the order of employee_ids."
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "template_id": "0953d770-74af-51cd-b68b-0ba1ab652b23",
                    "cycle_id": "5d2e7f10-3a4b-4c6d-8e9f-0a1b2c3d4e5f",
                    "created": [
                        {
                            "employee_id": "2a3b4c5d-6e7f-4081-9a2b-3c4d5e6f7a8b",
                            "plan_id": "6e7f8091-a2b3-4c4d-8e5f-6a7b8c9d0e1f",
                            "kpr_id": "9e8d7c6b-5a49-4382-b1a0-f9e8d7c6b5a4",
                        }
                    ],
                }
            ]
        }
    )
