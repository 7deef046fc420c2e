import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.core.auth import CurrentActor, Session
from app.core.enums import GoalLevel
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination, paginate_changes
from app.core.params import AsOf, UpdatedSince
from app.core.repository import changed_fields
from app.core.responses import IfMatch, ResourceResponse, check_if_match, resource_response
from app.core.routing import ApiRoute
from app.core.schemas import Choice, Page
from app.goals import service
from app.goals.dependencies import ReadableForest, ReadableGoal, WritableGoal
from app.goals.presenter import present, present_many, present_tree
from app.goals.schemas import Goal, GoalCreate, GoalTree, GoalUpdate
from app.models import Goal as GoalRow

router = APIRouter(route_class=ApiRoute, prefix="/goals", tags=["goals"])

TREE_DESCRIPTION = """\
The goal cascade as a nested forest. Every node carries the goal's fields, its `progress`, the active KPRs aligned
to it (`kprs`, compact) and its `children`. Siblings are ordered by creation time.

* **With `cycle_id`**: the goals of that cycle, the long-term goals that carry KPRs of the cycle directly, and every
  (long-term) goal above them. A long-term goal's `progress` counts only its children *in this tree* — the cycle's
  goals and KPRs, not those of other cycles — so it reads as "how far this cycle has moved the strategy".
* **Without `cycle_id`**: the long-term forest — every long-term root goal with its *whole* subtree (goals and active
  KPRs of every cycle). Each node's `progress` is then exactly the one `GET /goals/{id}` reports. Cycle goals that
  hang under no long-term goal appear only in their cycle's tree.

`as_of` recomputes every figure from the check-ins recorded at or before that moment (the tree's shape is today's).
The answer takes a fixed number of statements however deep or wide the tree is.
"""


@router.get("", response_model=Page[Goal], summary="List goals")
async def list_goals(
    session: Session,
    actor: CurrentActor,
    page: Pagination,
    cycle_id: Annotated[uuid.UUID | None, Query(description="Only goals of this cycle.")] = None,
    parent_id: Annotated[uuid.UUID | None, Query(description="Only direct children of this goal.")] = None,
    level: Annotated[Choice[GoalLevel] | None, Query(description="Only goals of this level.")] = None,
    department_id: Annotated[uuid.UUID | None, Query(description="Only goals of this department.")] = None,
    updated_since: UpdatedSince = None,
) -> Page[Goal]:
    statement = service.list_statement(
        actor, cycle_id=cycle_id, parent_id=parent_id, level=level, department_id=department_id
    )
    rows, cursor = await paginate_changes(session, statement, page, GoalRow, updated_since)
    return Page(items=await present_many(session, rows), next_cursor=cursor)


@router.post("", status_code=201, response_model=Goal, responses=WRITE_RESPONSES, summary="Create a goal")
async def create_goal(session: Session, actor: CurrentActor, body: GoalCreate) -> ResourceResponse:
    goal = await service.create(session, actor, body)
    return resource_response(await present(session, goal), status_code=201, location=f"/api/v1/goals/{goal.id}")


@router.get(
    "/tree",
    response_model=GoalTree,
    summary="The goal tree of a cycle (or the long-term forest), with progress rolled up",
    description=TREE_DESCRIPTION,
)
async def get_goal_tree(session: Session, scope: ReadableForest, as_of: AsOf = None) -> GoalTree:
    forest = await service.tree(session, scope.actor, scope.cycle_id, as_of)
    return present_tree(forest, scope.cycle_id, as_of)


@router.get("/{goal_id:uuid}", response_model=Goal, summary="Get a goal with its progress")
async def get_goal(session: Session, goal: ReadableGoal) -> ResourceResponse:
    return resource_response(await present(session, goal))


@router.patch(
    "/{goal_id:uuid}", response_model=Goal, responses=WRITE_RESPONSES, summary="Update, re-level or move a goal"
)
async def update_goal(
    session: Session, actor: CurrentActor, goal: WritableGoal, body: GoalUpdate, if_match: IfMatch = None
) -> ResourceResponse:
    await check_if_match(if_match, lambda: present(session, goal))
    goal = await service.update(session, actor, goal, changed_fields(body))
    return resource_response(await present(session, goal))


@router.delete(
    "/{goal_id:uuid}",
    status_code=204,
    responses=WRITE_RESPONSES,
    summary="Delete a goal that has no child goals and no aligned KPRs",
)
async def delete_goal(session: Session, actor: CurrentActor, goal: WritableGoal, if_match: IfMatch = None) -> Response:
    await check_if_match(if_match, lambda: present(session, goal))
    await service.delete(session, actor, goal)
    return Response(status_code=204)
