"""Check-ins of a KPR and of a KPI: one home for both, reached through the measured resource's access rules."""

from fastapi import APIRouter

from app.checkins import service
from app.checkins.presenter import present, present_many
from app.checkins.schemas import CheckIn, CheckInCreate
from app.core.auth import CurrentActor, Session
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination
from app.core.responses import ResourceResponse, resource_response
from app.core.routing import ApiRoute
from app.core.schemas import Page
from app.kpis.dependencies import MeasurableKpi, ReadableKpi
from app.kprs.dependencies import MeasurableKpr, ReadableKpr

router = APIRouter(route_class=ApiRoute)


@router.get(
    "/kprs/{kpr_id:uuid}/check-ins",
    response_model=Page[CheckIn],
    tags=["check-ins"],
    summary="A KPR's check-ins, newest first",
)
async def list_kpr_check_ins(session: Session, kpr: ReadableKpr, page: Pagination) -> Page[CheckIn]:
    rows, cursor = await service.page_of(session, page, kpr_id=kpr.id)
    return Page(items=await present_many(session, rows), next_cursor=cursor)


@router.post(
    "/kprs/{kpr_id:uuid}/check-ins",
    status_code=201,
    response_model=CheckIn,
    responses=WRITE_RESPONSES,
    tags=["check-ins"],
    summary="Record a KPR check-in (owner, their managers, admin or a service)",
)
async def create_kpr_check_in(
    session: Session, actor: CurrentActor, kpr: MeasurableKpr, body: CheckInCreate
) -> ResourceResponse:
    check_in = await service.record_for_kpr(session, actor, kpr, body)
    return resource_response(
        await present(session, check_in), status_code=201, location=f"/api/v1/kprs/{kpr.id}/check-ins"
    )


@router.get(
    "/kpis/{kpi_id:uuid}/check-ins",
    response_model=Page[CheckIn],
    tags=["check-ins"],
    summary="A KPI's check-ins, newest first",
)
async def list_kpi_check_ins(session: Session, kpi: ReadableKpi, page: Pagination) -> Page[CheckIn]:
    rows, cursor = await service.page_of(session, page, kpi_id=kpi.id)
    return Page(items=await present_many(session, rows), next_cursor=cursor)


@router.post(
    "/kpis/{kpi_id:uuid}/check-ins",
    status_code=201,
    response_model=CheckIn,
    responses=WRITE_RESPONSES,
    tags=["check-ins"],
    summary="Record a KPI check-in",
)
async def create_kpi_check_in(
    session: Session, actor: CurrentActor, kpi: MeasurableKpi, body: CheckInCreate
) -> ResourceResponse:
    check_in = await service.record_for_kpi(session, actor, kpi, body)
    return resource_response(
        await present(session, check_in), status_code=201, location=f"/api/v1/kpis/{kpi.id}/check-ins"
    )
