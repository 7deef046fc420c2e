"""Check-ins of a KPR and of a KPI: one home for both, reached through the measured resource's access rules."""

from fastapi import APIRouter

from app.checkins import service
from app.checkins.dependencies import CheckInPusher
from app.checkins.presenter import present, present_many, present_push
from app.checkins.schemas import MAX_PUSH_ITEMS, CheckIn, CheckInCreate, CheckInPush, CheckInPushResult
from app.core.auth import CurrentActor, Session
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination
from app.core.rate_limit import bulk
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


@router.post(
    "/check-ins/bulk",
    response_model=CheckInPushResult,
    responses=WRITE_RESPONSES,
    tags=["check-ins"],
    summary="Push many check-ins at once, by KPR, KPI or metric key (a service or an admin)",
    description=f"For BI and ERP systems (DESIGN §14). 1 to {MAX_PUSH_ITEMS} items, each naming exactly one of "
    "`kpr_id`, `kpi_id` or `metric_key`; a metric key records one check-in on every active KPR, and every KPI of an "
    "active KPR, that tracks it in the organization's `active` cycles whose period holds `recorded_at`. Each item "
    "follows the rules of a single check-in (the cycle not closed, `recorded_at` inside it and not in the future) "
    "and succeeds or fails on its own: the answer is 200 with one result per item, in order — `created`, "
    "`duplicate` or `error` (`NOT_FOUND` for an id of no KPR or KPI of the organization, or a key that tracks "
    "nothing active; `CYCLE_NOT_OPEN`; `VALIDATION_FAILED`). With `source` and `external_id`, a repeat on the same "
    "KPR or KPI stores nothing and answers `duplicate` with the check-ins stored first, even when retries race; "
    "without them every push records anew. A body that breaks the schema is refused whole (422).",
)
@bulk
async def push_check_ins(session: Session, actor: CheckInPusher, body: CheckInPush) -> CheckInPushResult:
    return present_push(await service.push(session, actor, body.items))
