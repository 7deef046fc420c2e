import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from app.core.auth import CurrentActor, Session
from app.core.enums import TaskKind, TaskStatus
from app.core.openapi import WRITE_RESPONSES
from app.core.responses import ResourceResponse, resource_response
from app.core.routing import ApiRoute
from app.core.schemas import Choice, TransitionIn
from app.models.base import utcnow
from app.tasks import service
from app.tasks.presenter import present
from app.tasks.schemas import Task, TaskList

router = APIRouter(route_class=ApiRoute, tags=["tasks"])


@router.get(
    "/me/tasks",
    response_model=TaskList,
    summary="What I must do next",
    description="The caller's tasks, derived from the state they are about: `submit_plan` (my plan is a draft, or "
    "was sent back, in a cycle in planning or active), `approve_plan` and `decide_revision` (a report's plan is "
    "submitted, a report's revision pending — for the report's direct manager, or the nearest active one above "
    "while that one is inactive), `check_in` (an active KPR of mine in an active cycle without a check-in for the "
    "policy's `check_in_every_days`; listed from a day before it falls due), `self_review`, `manager_review` (the "
    "evaluation's reviewer, else the responsible manager), `feedback` (a feedback request to me while its "
    "evaluation is in review), `acknowledge` (my evaluation is finalized), and `mention`. Doing the work closes a "
    "task, which then leaves the list; `status=done` lists closed mentions only. A caller without an employee "
    "record has none. At most 500, the most urgent first.",
)
async def list_my_tasks(
    session: Session,
    actor: CurrentActor,
    status: Annotated[Choice[TaskStatus], Query(description="open (default) or done (closed mentions).")] = (
        TaskStatus.OPEN
    ),
    kind: Annotated[Choice[TaskKind] | None, Query(description="Only tasks of this kind.")] = None,
) -> TaskList:
    now = utcnow()
    listed = await service.my_tasks(session, actor, status, kind, now)
    return TaskList(items=[present(task, now) for task in listed.tasks], total=listed.total)


@router.post(
    "/me/tasks/{task_id:uuid}/transitions",
    response_model=Task,
    responses=WRITE_RESPONSES,
    summary="Close a mention",
    description="open → done, for a `mention` task of the caller's. Every other kind closes when its work is done "
    "(409 INVALID_TRANSITION); someone else's task is 404.",
)
async def transition_my_task(
    session: Session, actor: CurrentActor, task_id: uuid.UUID, body: TransitionIn
) -> ResourceResponse:
    now = utcnow()
    task = await service.transition(session, actor, task_id, body, now)
    return resource_response(present(task, now))
