"""The caller's tasks (DESIGN §12) and closing a mention. Reading costs a fixed number of statements whatever the
number of reports or tasks (``app.tasks.derivation``)."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.access import Actor
from app.core.enums import TaskKind, TaskStatus
from app.core.errors import InvalidTransition, NotFound
from app.core.repository import fetch_in_org
from app.core.schemas import TransitionIn
from app.core.transitions import StateMachine, record_transition
from app.models import Task
from app.tasks.derivation import OpenTask, done_tasks, mention, open_tasks_of
from app.tasks.schemas import MAX_TASKS

# Only a mention is closed by hand; every other kind closes when its work is done, so it has no transitions at all.
TASK_STATES = StateMachine("task", {TaskStatus.OPEN: (TaskStatus.DONE,), TaskStatus.DONE: ()})


@dataclass(frozen=True)
class Listed:
    tasks: list[OpenTask]
    total: int


async def my_tasks(
    session: AsyncSession, actor: Actor, status: TaskStatus, kind: TaskKind | None, now: datetime
) -> Listed:
    """The caller's open tasks (derived and mentions), most urgent first, or their closed mentions; none for a caller
    without an employee record."""
    if actor.employee_id is None:
        return Listed([], 0)
    if status == TaskStatus.DONE:
        if kind not in (None, TaskKind.MENTION):
            return Listed([], 0)
        # One more than shown tells whether the list was cut; beyond that the total is not counted.
        done = await done_tasks(session, actor.organization_id, actor.employee_id, MAX_TASKS + 1)
        return Listed(done[:MAX_TASKS], len(done))
    tasks = await open_tasks_of(session, actor.organization_id, actor.employee_id, now)
    if kind is not None:
        tasks = [task for task in tasks if task.kind == kind]
    return Listed(tasks[:MAX_TASKS], len(tasks))


async def transition(
    session: AsyncSession, actor: Actor, task_id: uuid.UUID, body: TransitionIn, now: datetime
) -> OpenTask:
    """Close one of the caller's mentions. A derived task of theirs answers 409 (it closes when its work is done);
    anyone else's task, 404."""
    row = None
    if actor.employee_id is not None:
        row = await fetch_in_org(session, Task, task_id, actor.organization_id, lock=True)
    if row is None or row.employee_id != actor.employee_id:
        if actor.employee_id is not None:
            mine = await open_tasks_of(session, actor.organization_id, actor.employee_id, now)
            if any(task.id == task_id for task in mine):
                raise InvalidTransition(TaskStatus.OPEN, body.to, ())
        raise NotFound("task", task_id)
    TASK_STATES.check(row.status, body.to)
    before = row.status
    row.status = TaskStatus.DONE
    row.done_at = now
    record_transition(session, actor, TASK_STATES, row.id, before, row.status, body.comment, at=now)
    await session.flush()
    return await mention(session, actor.organization_id, row.id)
