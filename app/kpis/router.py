from fastapi import APIRouter, Response

from app.core.auth import CurrentActor, Session
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination, paginate
from app.core.repository import changed_fields
from app.core.responses import IfMatch, ResourceResponse, check_if_match, resource_response
from app.core.routing import ApiRoute
from app.core.schemas import Page
from app.kpis import service
from app.kpis.dependencies import ReadableKpi, WritableKpi
from app.kpis.presenter import present, present_many
from app.kpis.schemas import Kpi, KpiCreate, KpiUpdate
from app.kprs.dependencies import ReadableKpr, WritableKpr
from app.models import Kpi as KpiRow

router = APIRouter(route_class=ApiRoute)


@router.get("/kprs/{kpr_id:uuid}/kpis", response_model=Page[Kpi], tags=["kpis"], summary="The KPIs under a KPR")
async def list_kpr_kpis(session: Session, kpr: ReadableKpr, page: Pagination) -> Page[Kpi]:
    rows, cursor = await paginate(session, service.list_statement(kpr.id), page, [KpiRow.created_at, KpiRow.id])
    return Page(items=await present_many(session, rows), next_cursor=cursor)


@router.post(
    "/kprs/{kpr_id:uuid}/kpis",
    status_code=201,
    response_model=Kpi,
    responses=WRITE_RESPONSES,
    tags=["kpis"],
    summary="Add a KPI",
)
async def create_kpr_kpi(session: Session, actor: CurrentActor, kpr: WritableKpr, body: KpiCreate) -> ResourceResponse:
    kpi = await service.create(session, actor, kpr, body)
    return resource_response(await present(session, kpi), status_code=201, location=f"/api/v1/kpis/{kpi.id}")


@router.get("/kpis/{kpi_id:uuid}", response_model=Kpi, tags=["kpis"], summary="Get a KPI")
async def get_kpi(session: Session, kpi: ReadableKpi) -> ResourceResponse:
    return resource_response(await present(session, kpi))


@router.patch(
    "/kpis/{kpi_id:uuid}", response_model=Kpi, responses=WRITE_RESPONSES, tags=["kpis"], summary="Update a KPI"
)
async def update_kpi(
    session: Session, actor: CurrentActor, kpi: WritableKpi, body: KpiUpdate, if_match: IfMatch = None
) -> ResourceResponse:
    await check_if_match(if_match, lambda: present(session, kpi))
    kpi = await service.update(session, actor, kpi, changed_fields(body))
    return resource_response(await present(session, kpi))


@router.delete("/kpis/{kpi_id:uuid}", status_code=204, responses=WRITE_RESPONSES, tags=["kpis"], summary="Delete a KPI")
async def delete_kpi(session: Session, actor: CurrentActor, kpi: WritableKpi, if_match: IfMatch = None) -> Response:
    await check_if_match(if_match, lambda: present(session, kpi))
    await service.delete(session, actor, kpi)
    return Response(status_code=204)
