import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from app.core.auth import CurrentActor, Session
from app.core.enums import PlanStatus
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination, paginate
from app.core.responses import ResourceResponse, resource_response
from app.core.routing import ApiRoute
from app.core.schemas import Choice, Page, TransitionIn
from app.core.transitions import Transition, history_page
from app.models import Plan as PlanRow
from app.plans import service
from app.plans.dependencies import ReadablePlan, TransitionablePlan
from app.plans.presenter import present, present_many
from app.plans.schemas import Plan

router = APIRouter(route_class=ApiRoute, prefix="/plans", tags=["plans"])


@router.get("", response_model=Page[Plan], summary="List plans the caller may see")
async def list_plans(
    session: Session,
    actor: CurrentActor,
    page: Pagination,
    cycle_id: uuid.UUID | None = None,
    employee_id: uuid.UUID | None = None,
    status: Annotated[Choice[PlanStatus] | None, Query()] = None,
) -> Page[Plan]:
    statement = service.list_statement(actor, cycle_id, employee_id, status)
    rows, cursor = await paginate(session, statement, page, [PlanRow.created_at, PlanRow.id])
    return Page(items=await present_many(session, rows), next_cursor=cursor)


@router.get("/{plan_id:uuid}", response_model=Plan, summary="Get a plan")
async def get_plan(session: Session, plan: ReadablePlan) -> ResourceResponse:
    return resource_response(await present(session, plan))


@router.get("/{plan_id:uuid}/transitions", response_model=Page[Transition], summary="A plan's state history")
async def list_plan_transitions(
    session: Session, actor: CurrentActor, plan: ReadablePlan, page: Pagination
) -> Page[Transition]:
    return await history_page(session, actor.organization_id, service.PLAN_STATES, plan.id, page)


@router.post(
    "/{plan_id:uuid}/transitions",
    response_model=Plan,
    responses=WRITE_RESPONSES,
    summary="Submit, approve, reject or reopen a plan",
    description=(
        "draft → submitted (owner or manager; active KPR weights must total exactly 100 — WEIGHTS_MUST_TOTAL_100 — "
        "and no SMART criterion may fail — SMART_CHECK_FAILED); submitted → approved | rejected (a manager in the "
        "owner's chain or an admin, never the owner); rejected → draft."
    ),
)
async def transition_plan(
    session: Session, actor: CurrentActor, plan: TransitionablePlan, body: TransitionIn
) -> ResourceResponse:
    plan = await service.transition(session, actor, plan, body.to, body.comment)
    return resource_response(await present(session, plan))
