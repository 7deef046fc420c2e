import uuid
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from app.core.schemas import (
    NOT_BLANK,
    Comment,
    CommentOut,
    Declared,
    InputModel,
    OutputModel,
    PatchModel,
    TextOut,
    UtcDatetime,
)

MAX_ACTIONS = 50
MAX_ACTION_LENGTH = 500

Notes = Annotated[str, StringConstraints(min_length=1, max_length=10_000), NOT_BLANK]
Action = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ACTION_LENGTH), NOT_BLANK]
AgreedActions = Annotated[list[Action], Field(max_length=MAX_ACTIONS)]
AgreedActionsOut = Annotated[
    list[Annotated[str, Declared(maxLength=MAX_ACTION_LENGTH)]], Declared(maxItems=MAX_ACTIONS)
]


class Conversation(OutputModel):
    """A recorded result conversation (绩效面谈) on an evaluation."""

    id: uuid.UUID
    evaluation_id: uuid.UUID
    author_id: uuid.UUID | None = Field(description="The author's employee record; null for an admin who has none.")
    held_at: UtcDatetime
    notes: TextOut
    agreed_actions: AgreedActionsOut
    employee_comment: CommentOut | None = Field(description="The evaluated employee's own words on it.")
    created_at: UtcDatetime
    updated_at: UtcDatetime


class ConversationCreate(InputModel):
    held_at: UtcDatetime
    notes: Notes
    agreed_actions: AgreedActions = Field(default_factory=list, description="What both agreed to do next.")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "held_at": "2026-10-12T06:30:00Z",
                    "notes": "回顾第三季度结果：新客户开发超额完成，回款节奏偏慢。",
                    "agreed_actions": ["每月第一周复盘回款计划", "参加大客户谈判培训"],
                }
            ]
        }
    )


class ConversationUpdate(PatchModel):
    """The author changes what was recorded; the evaluated employee adds only their comment."""

    non_nullable = frozenset({"held_at", "notes", "agreed_actions"})

    held_at: UtcDatetime | None = None
    notes: Notes | None = None
    agreed_actions: AgreedActions | None = None
    employee_comment: Comment | None = None

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"employee_comment": "认可本次面谈的结论，会按计划改进。"}]}
    )
