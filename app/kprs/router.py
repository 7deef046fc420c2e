import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from app.checkins import service as checkins
from app.checkins.schemas import CheckIn, CheckInCreate
from app.core.auth import CurrentActor, Session
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination, paginate
from app.core.repository import changed_fields
from app.core.responses import IfMatch, check_if_match, resource_response
from app.core.routing import ApiRoute
from app.core.schemas import Page, UtcDatetime
from app.kpis import service as kpis
from app.kpis.schemas import Kpi, KpiCreate
from app.kprs import service
from app.kprs.schemas import Kpr, KprCreate, KprStatus, KprUpdate, SmartCheckRequest, SmartReport
from app.models import Kpi as KpiRow
from app.models import Kpr as KprRow
from app.models import Revision as RevisionRow
from app.revisions import service as revisions
from app.revisions.schemas import Revision, RevisionCreate

router = APIRouter(route_class=ApiRoute, prefix="/kprs", tags=["KPRs"])

AsOf = Annotated[
    UtcDatetime | None,
    Query(description="RFC 3339 instant (with offset); figures as they stood then. Default: now."),
]


async def _view(session: Session, kpr: KprRow, as_of: datetime | None = None) -> Kpr:
    return Kpr.model_validate((await service.view(session, kpr, as_of)).as_dict())


@router.get("", response_model=Page[Kpr], summary="List KPRs the caller may see")
async def list_kprs(
    session: Session,
    actor: CurrentActor,
    page: Pagination,
    cycle_id: uuid.UUID | None = None,
    owner_id: uuid.UUID | None = None,
    goal_id: uuid.UUID | None = None,
    plan_id: uuid.UUID | None = None,
    status: Annotated[KprStatus | None, Query()] = None,
    as_of: AsOf = None,
) -> Page[Kpr]:
    statement = service.list_statement(
        actor, cycle_id=cycle_id, owner_id=owner_id, goal_id=goal_id, plan_id=plan_id, status=status
    )
    rows, cursor = await paginate(session, statement, page, [KprRow.created_at, KprRow.id])
    views = await service.views(session, rows, as_of)
    return Page(items=[Kpr.model_validate(v.as_dict()) for v in views], next_cursor=cursor)


@router.post(
    "",
    status_code=201,
    response_model=Kpr,
    responses=WRITE_RESPONSES,
    summary="Create a KPR (the owner's plan for the cycle is made with their first KPR)",
)
async def create_kpr(session: Session, actor: CurrentActor, body: KprCreate) -> Response:
    kpr = await service.create(session, actor, body)
    return resource_response(await _view(session, kpr), status_code=201, location=f"/api/v1/kprs/{kpr.id}")


@router.post(
    "/smart-check",
    response_model=SmartReport,
    summary="Check a KPR body (saved or not) against SMART",
    description="Messages follow Accept-Language (zh-CN or en). Nothing is stored.",
)
async def smart_check_kpr(session: Session, actor: CurrentActor, body: SmartCheckRequest) -> dict[str, Any]:
    return await service.smart_check(session, actor, body)


@router.get("/{kpr_id:uuid}", response_model=Kpr, summary="Get a KPR with its figures and SMART report")
async def get_kpr(session: Session, actor: CurrentActor, kpr_id: uuid.UUID, as_of: AsOf = None) -> Response:
    kpr = await service.get(session, actor, kpr_id)
    return resource_response(await _view(session, kpr, as_of))


@router.patch("/{kpr_id:uuid}", response_model=Kpr, responses=WRITE_RESPONSES, summary="Update a KPR")
async def update_kpr(
    session: Session, actor: CurrentActor, kpr_id: uuid.UUID, body: KprUpdate, if_match: IfMatch = None
) -> Response:
    kpr = await service.get(session, actor, kpr_id, write=True)
    await check_if_match(if_match, lambda: _view(session, kpr))
    kpr = await service.update(session, actor, kpr, changed_fields(body))
    return resource_response(await _view(session, kpr))


@router.delete("/{kpr_id:uuid}", status_code=204, responses=WRITE_RESPONSES, summary="Delete a KPR of a draft plan")
async def delete_kpr(session: Session, actor: CurrentActor, kpr_id: uuid.UUID, if_match: IfMatch = None) -> Response:
    kpr = await service.get(session, actor, kpr_id, write=True)
    await check_if_match(if_match, lambda: _view(session, kpr))
    await service.delete(session, actor, kpr)
    return Response(status_code=204)


@router.get("/{kpr_id:uuid}/check-ins", response_model=Page[CheckIn], summary="A KPR's check-ins, newest first")
async def list_kpr_check_ins(
    session: Session, actor: CurrentActor, kpr_id: uuid.UUID, page: Pagination
) -> Page[CheckIn]:
    await service.get(session, actor, kpr_id)
    rows, cursor = await checkins.page_of(session, page, kpr_id=kpr_id)
    return Page(items=[CheckIn.model_validate(r) for r in rows], next_cursor=cursor)


@router.post(
    "/{kpr_id:uuid}/check-ins",
    status_code=201,
    response_model=CheckIn,
    responses=WRITE_RESPONSES,
    summary="Record a KPR check-in (owner, their managers, admin or a service)",
)
async def create_kpr_check_in(
    session: Session, actor: CurrentActor, kpr_id: uuid.UUID, body: CheckInCreate
) -> Response:
    kpr = await service.get(session, actor, kpr_id, write=True, service_may_write=True)
    check_in = await checkins.create(session, actor, kpr.cycle_id, body, kpr_id=kpr.id)
    return resource_response(
        CheckIn.model_validate(check_in), status_code=201, location=f"/api/v1/kprs/{kpr.id}/check-ins"
    )


@router.get("/{kpr_id:uuid}/kpis", response_model=Page[Kpi], summary="The KPIs under a KPR")
async def list_kpr_kpis(session: Session, actor: CurrentActor, kpr_id: uuid.UUID, page: Pagination) -> Page[Kpi]:
    await service.get(session, actor, kpr_id)
    rows, cursor = await paginate(session, kpis.list_statement(kpr_id), page, [KpiRow.created_at, KpiRow.id])
    return Page(items=[Kpi.model_validate(v) for v in await kpis.views(session, rows)], next_cursor=cursor)


@router.post("/{kpr_id:uuid}/kpis", status_code=201, response_model=Kpi, responses=WRITE_RESPONSES, summary="Add a KPI")
async def create_kpr_kpi(session: Session, actor: CurrentActor, kpr_id: uuid.UUID, body: KpiCreate) -> Response:
    kpr = await service.get(session, actor, kpr_id, write=True)
    kpi = await kpis.create(session, actor, kpr, body)
    view = Kpi.model_validate((await kpis.views(session, [kpi]))[0])
    return resource_response(view, status_code=201, location=f"/api/v1/kpis/{kpi.id}")


@router.get("/{kpr_id:uuid}/revisions", response_model=Page[Revision], summary="A KPR's revision requests")
async def list_kpr_revisions(
    session: Session, actor: CurrentActor, kpr_id: uuid.UUID, page: Pagination
) -> Page[Revision]:
    await service.get(session, actor, kpr_id)
    statement = revisions.list_statement(kpr_id)
    rows, cursor = await paginate(session, statement, page, [RevisionRow.created_at, RevisionRow.id])
    return Page(items=[Revision.model_validate(r) for r in rows], next_cursor=cursor)


@router.post(
    "/{kpr_id:uuid}/revisions",
    status_code=201,
    response_model=Revision,
    responses=WRITE_RESPONSES,
    summary="Request a change to an approved KPR's definition",
)
async def create_kpr_revision(
    session: Session, actor: CurrentActor, kpr_id: uuid.UUID, body: RevisionCreate
) -> Response:
    kpr = await service.get(session, actor, kpr_id, write=True)
    revision = await revisions.create(session, actor, kpr, body)
    return resource_response(
        Revision.model_validate(revision), status_code=201, location=f"/api/v1/revisions/{revision.id}"
    )
