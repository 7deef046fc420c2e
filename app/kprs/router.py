import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from app.core.auth import CurrentActor, Session
from app.core.enums import KprStatus
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination, paginate_changes
from app.core.params import AsOf, UpdatedSince
from app.core.repository import changed_fields
from app.core.responses import IfMatch, ResourceResponse, check_if_match, resource_response
from app.core.routing import ApiRoute
from app.core.schemas import Choice, Page
from app.kprs import service
from app.kprs.dependencies import ReadableKpr, WritableKpr
from app.kprs.presenter import present, present_many
from app.kprs.schemas import Kpr, KprCreate, KprUpdate, SmartCheckRequest, SmartReport
from app.models import Kpr as KprRow

router = APIRouter(route_class=ApiRoute, prefix="/kprs", tags=["kprs"])


@router.get("", response_model=Page[Kpr], summary="List KPRs the caller may see")
async def list_kprs(
    session: Session,
    actor: CurrentActor,
    page: Pagination,
    cycle_id: uuid.UUID | None = None,
    owner_id: uuid.UUID | None = None,
    goal_id: uuid.UUID | None = None,
    plan_id: uuid.UUID | None = None,
    status: Annotated[Choice[KprStatus] | None, Query()] = None,
    as_of: AsOf = None,
    updated_since: UpdatedSince = None,
) -> Page[Kpr]:
    statement = service.list_statement(
        actor, cycle_id=cycle_id, owner_id=owner_id, goal_id=goal_id, plan_id=plan_id, status=status
    )
    rows, cursor = await paginate_changes(session, statement, page, KprRow, updated_since)
    return Page(items=await present_many(session, rows, as_of), next_cursor=cursor)


@router.post(
    "",
    status_code=201,
    response_model=Kpr,
    responses=WRITE_RESPONSES,
    summary="Create a KPR (the owner's plan for the cycle is made with their first KPR)",
)
async def create_kpr(session: Session, actor: CurrentActor, body: KprCreate) -> ResourceResponse:
    kpr = await service.create(session, actor, body)
    return resource_response(await present(session, kpr), status_code=201, location=f"/api/v1/kprs/{kpr.id}")


@router.post(
    "/smart-check",
    response_model=SmartReport,
    summary="Check a KPR body (saved or not) against SMART",
    description="Messages follow Accept-Language (zh-CN or en). Nothing is stored.",
)
async def smart_check_kpr(session: Session, actor: CurrentActor, body: SmartCheckRequest) -> dict[str, Any]:
    return await service.smart_check(session, actor, body)


@router.get("/{kpr_id:uuid}", response_model=Kpr, summary="Get a KPR with its figures and SMART report")
async def get_kpr(session: Session, kpr: ReadableKpr, as_of: AsOf = None) -> ResourceResponse:
    return resource_response(await present(session, kpr, as_of))


@router.patch("/{kpr_id:uuid}", response_model=Kpr, responses=WRITE_RESPONSES, summary="Update a KPR")
async def update_kpr(
    session: Session, actor: CurrentActor, kpr: WritableKpr, body: KprUpdate, if_match: IfMatch = None
) -> ResourceResponse:
    await check_if_match(if_match, lambda: present(session, kpr))
    kpr = await service.update(session, actor, kpr, changed_fields(body))
    return resource_response(await present(session, kpr))


@router.delete("/{kpr_id:uuid}", status_code=204, responses=WRITE_RESPONSES, summary="Delete a KPR of a draft plan")
async def delete_kpr(session: Session, actor: CurrentActor, kpr: WritableKpr, if_match: IfMatch = None) -> Response:
    await check_if_match(if_match, lambda: present(session, kpr))
    await service.delete(session, actor, kpr)
    return Response(status_code=204)
