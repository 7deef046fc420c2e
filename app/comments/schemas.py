import uuid
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from app.core.enums import CommentEntityType
from app.core.schemas import NOT_BLANK, Choice, Declared, InputModel, OutputModel, PatchModel, UtcDatetime

MAX_BODY = 5_000
MAX_MENTIONS = 20

Body = Annotated[str, StringConstraints(min_length=1, max_length=MAX_BODY), NOT_BLANK]


def _unique(ids: list[uuid.UUID]) -> list[uuid.UUID]:
    if len(set(ids)) != len(ids):
        raise ValueError("each person may be mentioned once")
    return ids


MentionIds = Annotated[
    list[uuid.UUID],
    Field(max_length=MAX_MENTIONS, json_schema_extra={"uniqueItems": True}),
    AfterValidator(_unique),
]


class Comment(OutputModel):
    """One comment of a thread; a deleted one stays in its place with ``deleted: true`` and no body."""

    id: uuid.UUID
    entity_type: Choice[CommentEntityType]
    entity_id: uuid.UUID
    author_id: uuid.UUID | None = Field(description="The author's employee record; null for an admin who has none.")
    body: Annotated[str, Declared(maxLength=MAX_BODY)] | None = Field(description="Null once the comment is deleted.")
    mention_ids: Annotated[list[uuid.UUID], Declared(maxItems=MAX_MENTIONS)] = Field(
        description="The employees mentioned, each given a `mention` task; emptied when the comment is deleted."
    )
    created_at: UtcDatetime
    edited_at: UtcDatetime | None = Field(description="When the author last changed the body; null if never.")
    deleted: bool
    updated_at: UtcDatetime


class CommentCreate(InputModel):
    entity_type: Choice[CommentEntityType]
    entity_id: uuid.UUID
    body: Body
    mention_ids: MentionIds = Field(
        default_factory=list,
        description="Employees to mention (at most 20, each once); each must be an active employee who may see the "
        "entity, else 422 MENTION_NOT_ALLOWED.",
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "entity_type": "kpr",
                    "entity_id": "3f0c9a1e-5b7d-4c2a-9e8f-1a2b3c4d5e6f",
                    "body": "十月销售额进度偏慢，月底前能否补上？",
                    "mention_ids": ["7d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6"],
                }
            ]
        }
    )


class CommentUpdate(PatchModel):
    non_nullable = frozenset({"body"})

    body: Body | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{"body": "已与客户确认，十一月补齐。"}]})
