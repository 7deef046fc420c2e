from fastapi import APIRouter

from app.core.auth import Session
from app.core.openapi import WRITE_RESPONSES
from app.core.rate_limit import bulk
from app.core.routing import ApiRoute
from app.cycles.dependencies import CycleAdmin, WritableCycle
from app.rollover import service
from app.rollover.schemas import RolloverIn, RolloverResult

router = APIRouter(route_class=ApiRoute, prefix="/cycles", tags=["cycles"])


@router.post(
    "/{cycle_id:uuid}/rollover",
    response_model=RolloverResult,
    responses=WRITE_RESPONSES,
    summary="Copy a cycle's goals and KPRs into this one (admin)",
    description=(
        "The target cycle must be in planning. Copies the source cycle's goals (the tree kept; long-term goals are "
        "shared, not copied) and each chosen employee's active KPRs with their KPIs into draft plans, each KPR "
        "aligned to the copy of its goal. With `baseline: last_actual` each copy starts from its source's latest "
        "actual. Every copy keeps its source's id, so a second rollover copies nothing twice: what it finds already "
        "copied (or whose plan is submitted or approved) is listed in `skipped`."
    ),
)
@bulk  # a whole company's KPRs in one request
async def rollover_cycle(session: Session, actor: CycleAdmin, cycle: WritableCycle, body: RolloverIn) -> RolloverResult:
    return await service.rollover(session, actor, cycle, body)
