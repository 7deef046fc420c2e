import uuid
from typing import Annotated

from pydantic import Field

from app.core.enums import TaskEntityType, TaskKind, TaskStatus
from app.core.schemas import Choice, Count, Declared, OutputModel, TitleOut, UtcDatetime

# GET /me/tasks answers at most this many, the most urgent first: a to-do list, not an archive to page through.
MAX_TASKS = 500


class Task(OutputModel):
    """Something the caller must do. Every kind but `mention` follows the state it is about: doing the work closes
    it (and it leaves the list); a `mention` is closed by its person."""

    id: uuid.UUID = Field(
        description="Stable while the task is open: a derived task's id is made from its kind, entity and person."
    )
    kind: Choice[TaskKind]
    title: TitleOut = Field(description="In the caller's language.")
    entity_type: Choice[TaskEntityType] = Field(
        description="What the work is about (for a mention: what the comment hangs on)."
    )
    entity_id: uuid.UUID
    comment_id: uuid.UUID | None = Field(description="The comment of a mention; null for other kinds.")
    due_at: UtcDatetime | None = Field(description="Null for a mention, which has no deadline.")
    overdue: bool
    status: Choice[TaskStatus]
    created_at: UtcDatetime = Field(description="Since when the work has been waiting.")


class TaskList(OutputModel):
    items: Annotated[list[Task], Declared(maxItems=MAX_TASKS)] = Field(
        description=f"Open tasks most urgent first (soonest due, undated last), or closed mentions most recently "
        f"closed first; at most {MAX_TASKS}."
    )
    total: Count = Field(description="How many there are in all; above the items' length when the list was cut.")
