import uuid
from decimal import Decimal
from typing import Annotated

from pydantic import ConfigDict, Field

from app.core.enums import GoalLevel
from app.core.schemas import (
    CAPACITY,
    Choice,
    Declared,
    Figure,
    InputModel,
    Measure,
    OutputModel,
    PatchModel,
    Text,
    TextOut,
    Title,
    TitleOut,
    UtcDatetime,
)

# A goal's weight among its siblings: positive, and small enough that Σ w·p never strains a decimal.
GoalWeight = Annotated[Measure, Field(gt=0, le=Decimal(1_000_000))]


class Goal(OutputModel):
    id: uuid.UUID
    cycle_id: uuid.UUID | None = Field(description="The cycle the goal belongs to; null for a long-term goal.")
    title: TitleOut
    description: TextOut | None
    level: Choice[GoalLevel]
    department_id: uuid.UUID | None
    parent_id: uuid.UUID | None
    weight: Measure = Field(description="Weight among its siblings in the parent's progress.")
    progress: Figure | None = Field(
        description="Σ w·p / Σ w over child goals (w = weight) and active aligned KPRs (w = goal_weight) that have "
        "a progress; null when none has."
    )
    source_goal_id: uuid.UUID | None = Field(
        default=None, description="The goal this one was rolled over from (POST /cycles/{id}/rollover)."
    )
    created_at: UtcDatetime
    updated_at: UtcDatetime

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0b9a4c8e-6f8d-4a51-9d7e-2c1f3b5a7e90",
                    "cycle_id": "5d2e7f10-3a4b-4c6d-8e9f-0a1b2c3d4e5f",
                    "title": "华东区销售额增长 20%",
                    "description": "支撑公司年度营收目标",
                    "level": "department",
                    "department_id": "7c1d2e3f-4a5b-4c6d-9e8f-1a2b3c4d5e6f",
                    "parent_id": "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b",
                    "weight": 2,
                    "progress": 62.5,
                    "created_at": "2026-01-05T08:00:00Z",
                    "updated_at": "2026-01-05T08:00:00Z",
                }
            ]
        }
    )


class GoalCreate(InputModel):
    cycle_id: uuid.UUID | None = Field(default=None, description="Omit or null for a long-term goal.")
    title: Title
    description: Text | None = None
    level: Choice[GoalLevel]
    department_id: uuid.UUID | None = Field(
        default=None, description="Required for department and team goals; must be empty for company goals."
    )
    parent_id: uuid.UUID | None = None
    weight: GoalWeight = Decimal(1)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cycle_id": "5d2e7f10-3a4b-4c6d-8e9f-0a1b2c3d4e5f",
                    "title": "华东区销售额增长 20%",
                    "description": "支撑公司年度营收目标",
                    "level": "department",
                    "department_id": "7c1d2e3f-4a5b-4c6d-9e8f-1a2b3c4d5e6f",
                    "parent_id": "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b",
                    "weight": 2,
                }
            ]
        }
    )


class GoalUpdate(PatchModel):
    non_nullable = frozenset({"title", "level", "weight"})

    cycle_id: uuid.UUID | None = None
    title: Title | None = None
    description: Text | None = None
    level: Choice[GoalLevel] | None = None
    department_id: uuid.UUID | None = None
    parent_id: uuid.UUID | None = None
    weight: GoalWeight | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{"title": "华东区销售额增长 25%", "weight": 3}]})


class GoalTreeKpr(OutputModel):
    """An active KPR aligned to a goal of the tree, with its progress as of the tree's moment."""

    id: uuid.UUID
    title: TitleOut
    owner_id: uuid.UUID
    weight: Measure = Field(description="Weight inside the owner's plan.")
    goal_weight: Measure = Field(description="Weight in the goal's progress.")
    progress: Figure | None


class GoalNode(Goal):
    """A goal in the tree, with its aligned KPRs and its child goals."""

    kprs: Annotated[list[GoalTreeKpr], Declared(maxItems=CAPACITY)] = Field(
        description="Active KPRs aligned to this goal (in the tree's cycle)."
    )
    children: Annotated[list["GoalNode"], Declared(maxItems=CAPACITY)]

    # The nested example lives on GoalTree; the flat Goal example would show a node without kprs and children.
    model_config = ConfigDict(json_schema_extra={})


class GoalTree(OutputModel):
    cycle_id: uuid.UUID | None = Field(description="The cycle asked for; null for the long-term forest.")
    as_of: UtcDatetime | None = Field(description="The moment the figures are taken at; null for now.")
    roots: Annotated[list[GoalNode], Declared(maxItems=CAPACITY)]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cycle_id": "5d2e7f10-3a4b-4c6d-8e9f-0a1b2c3d4e5f",
                    "as_of": None,
                    "roots": [
                        {
                            "id": "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b",
                            "cycle_id": None,
                            "title": "三年内成为华东市场第一",
                            "description": None,
                            "level": "company",
                            "department_id": None,
                            "parent_id": None,
                            "weight": 1,
                            "progress": 87.5,
                            "created_at": "2025-12-01T08:00:00Z",
                            "updated_at": "2025-12-01T08:00:00Z",
                            "kprs": [],
                            "children": [
                                {
                                    "id": "0b9a4c8e-6f8d-4a51-9d7e-2c1f3b5a7e90",
                                    "cycle_id": "5d2e7f10-3a4b-4c6d-8e9f-0a1b2c3d4e5f",
                                    "title": "华东区销售额增长 20%",
                                    "description": None,
                                    "level": "department",
                                    "department_id": "7c1d2e3f-4a5b-4c6d-9e8f-1a2b3c4d5e6f",
                                    "parent_id": "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b",
                                    "weight": 1,
                                    "progress": 87.5,
                                    "created_at": "2026-01-05T08:00:00Z",
                                    "updated_at": "2026-01-05T08:00:00Z",
                                    "kprs": [
                                        {
                                            "id": "9e8d7c6b-5a49-4382-b1a0-f9e8d7c6b5a4",
                                            "title": "第三季度销售额达到 1200 万元",
                                            "owner_id": "2a3b4c5d-6e7f-4081-9a2b-3c4d5e6f7a8b",
                                            "weight": 40,
                                            "goal_weight": 3,
                                            "progress": 100,
                                        },
                                        {
                                            "id": "8d7c6b5a-4938-4271-a0f9-e8d7c6b5a493",
                                            "title": "新签客户 30 家",
                                            "owner_id": "3b4c5d6e-7f80-4192-8b3c-4d5e6f7a8b9c",
                                            "weight": 30,
                                            "goal_weight": 1,
                                            "progress": 50,
                                        },
                                    ],
                                    "children": [],
                                }
                            ],
                        }
                    ],
                }
            ]
        }
    )
