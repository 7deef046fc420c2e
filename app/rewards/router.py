from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from app.core.auth import Session
from app.core.enums import ExportFormat
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination, paginate
from app.core.rate_limit import bulk
from app.core.responses import ResourceResponse, resource_response
from app.core.routing import ApiRoute
from app.core.schemas import Choice, Page, TransitionIn
from app.core.transitions import Transition, history_page
from app.cycles.export import FILE_RESPONSES
from app.models import RewardRun as RewardRunRow
from app.rewards import export, service
from app.rewards.dependencies import (
    ListedCycle,
    MovableRewardRun,
    ReadableRewardRun,
    RewardAdmin,
    RewardedCycle,
)
from app.rewards.presenter import present, present_many
from app.rewards.schemas import RewardRun, RewardRunCreate, RewardRunSummary

router = APIRouter(route_class=ApiRoute, tags=["rewards"])

# A run's body may be this large (the rest of the API 1 MiB): 100,000 lines of about 70 bytes each, with room for
# pretty-printing. (The body-size middleware lets a route's own max_body_size through once it reads it.)
MAX_RUN_BODY_BYTES = 16 * 1024 * 1024


@router.get(
    "/cycles/{cycle_id:uuid}/reward-runs",
    response_model=Page[RewardRunSummary],
    summary="A cycle's reward runs, newest first (admin; without their lines)",
)
async def list_reward_runs(
    session: Session, actor: RewardAdmin, cycle: ListedCycle, page: Pagination
) -> Page[RewardRunSummary]:
    rows, cursor = await paginate(
        session,
        service.list_statement(actor, cycle),
        page,
        [RewardRunRow.created_at, RewardRunRow.id],
        descending=True,
    )
    return Page(items=await present_many(session, rows), next_cursor=cursor)


@router.post(
    "/cycles/{cycle_id:uuid}/reward-runs",
    status_code=201,
    response_model=RewardRun,
    responses=WRITE_RESPONSES,
    max_body_size=MAX_RUN_BODY_BYTES,
    summary="Turn a closed cycle's final ratings into amounts (admin; a draft run)",
    description=(
        "Each base is multiplied by the coefficient of the employee's final rating, taken from the reward_coefficients "
        "of their evaluation's frozen policy. Without a budget, each amount is rounded half-up to the cent (scale 1); "
        "with one, scale = budget / Σ base·coefficient, each amount is cut down to the cent and the missing cents go "
        "to the largest remainders (ties: larger base, then employee id), so that the amounts total the budget "
        "exactly. A base without a finalized or acknowledged evaluation (or one under appeal) is skipped with "
        "NO_FINAL_RATING; a rating the frozen policy has no coefficient for with NO_COEFFICIENT. The cycle must be "
        "closed (409 CYCLE_NOT_CLOSED); an employee listed twice, or not of this organization, is refused (422); so "
        "is a budget no one can receive (every priced base × coefficient is 0)."
    ),
)
@bulk  # prices up to 100,000 bases
async def create_reward_run(
    session: Session, actor: RewardAdmin, cycle: RewardedCycle, body: RewardRunCreate
) -> ResourceResponse:
    run = await service.create(session, actor, cycle, body)
    return resource_response(await present(session, run), status_code=201, location=f"/api/v1/reward-runs/{run.id}")


@router.get("/reward-runs/{reward_run_id:uuid}", response_model=RewardRun, summary="Get a reward run (admin)")
async def get_reward_run(session: Session, run: ReadableRewardRun) -> ResourceResponse:
    return resource_response(await present(session, run))


@router.get(
    "/reward-runs/{reward_run_id:uuid}/transitions",
    response_model=Page[Transition],
    summary="A reward run's state history (admin)",
)
async def list_reward_run_transitions(
    session: Session, actor: RewardAdmin, run: ReadableRewardRun, page: Pagination
) -> Page[Transition]:
    return await history_page(session, actor.organization_id, service.REWARD_RUN_STATES, run.id, page)


@router.post(
    "/reward-runs/{reward_run_id:uuid}/transitions",
    response_model=RewardRun,
    responses=WRITE_RESPONSES,
    summary="Approve or cancel a draft reward run (admin)",
    description=(
        "draft → approved | cancelled. An approved run is frozen: nothing changes it afterwards. A draft is approved "
        "only while its cycle is still closed (409 CYCLE_NOT_CLOSED after a reopen: make a new run)."
    ),
)
async def transition_reward_run(
    session: Session, actor: RewardAdmin, run: MovableRewardRun, body: TransitionIn
) -> ResourceResponse:
    run = await service.transition(session, actor, run, body.to, body.comment)
    return resource_response(await present(session, run))


@router.get(
    "/reward-runs/{reward_run_id:uuid}/export",
    response_class=StreamingResponse,
    summary="Export a reward run as CSV or XLSX (admin)",
    description=(
        "One row per base: employee number, name, final rating, coefficient, base, amount, and for a skipped base the "
        "reason. The header row follows Accept-Language (zh-CN / en). CSV is UTF-8 with a byte-order mark so that "
        "Excel shows Chinese correctly."
    ),
    responses=FILE_RESPONSES,
)
@bulk
async def export_reward_run(
    session: Session,
    run: ReadableRewardRun,
    format: Annotated[Choice[ExportFormat], Query(description="csv (default) or xlsx")] = ExportFormat.CSV,
) -> StreamingResponse:
    return (await export.export_run(session, run, format)).response()
