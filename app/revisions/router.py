from fastapi import APIRouter

from app.core.auth import CurrentActor, Session
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination, paginate
from app.core.responses import ResourceResponse, resource_response
from app.core.routing import ApiRoute
from app.core.schemas import Page, TransitionIn
from app.core.transitions import Transition, history_page
from app.kprs.dependencies import ReadableKpr, WritableKpr
from app.models import Revision as RevisionRow
from app.revisions import service
from app.revisions.dependencies import DecidableRevision, ReadableRevision
from app.revisions.presenter import present, present_many
from app.revisions.schemas import Revision, RevisionCreate

router = APIRouter(route_class=ApiRoute)


@router.get(
    "/kprs/{kpr_id:uuid}/revisions",
    response_model=Page[Revision],
    tags=["revisions"],
    summary="A KPR's revision requests",
)
async def list_kpr_revisions(session: Session, kpr: ReadableKpr, page: Pagination) -> Page[Revision]:
    statement = service.list_statement(kpr.id)
    rows, cursor = await paginate(session, statement, page, [RevisionRow.created_at, RevisionRow.id])
    return Page(items=await present_many(session, rows), next_cursor=cursor)


@router.post(
    "/kprs/{kpr_id:uuid}/revisions",
    status_code=201,
    response_model=Revision,
    responses=WRITE_RESPONSES,
    tags=["revisions"],
    summary="Request a change to an approved KPR's definition",
)
async def create_kpr_revision(
    session: Session, actor: CurrentActor, kpr: WritableKpr, body: RevisionCreate
) -> ResourceResponse:
    revision = await service.create(session, actor, kpr, body)
    return resource_response(
        await present(session, revision), status_code=201, location=f"/api/v1/revisions/{revision.id}"
    )


@router.get("/revisions/{revision_id:uuid}", response_model=Revision, tags=["revisions"], summary="Get a revision")
async def get_revision(session: Session, revision: ReadableRevision) -> ResourceResponse:
    return resource_response(await present(session, revision))


@router.get(
    "/revisions/{revision_id:uuid}/transitions",
    response_model=Page[Transition],
    tags=["revisions"],
    summary="A revision's decision history",
)
async def list_revision_transitions(
    session: Session, actor: CurrentActor, revision: ReadableRevision, page: Pagination
) -> Page[Transition]:
    return await history_page(session, actor.organization_id, service.REVISION_STATES, revision.id, page)


@router.post(
    "/revisions/{revision_id:uuid}/transitions",
    response_model=Revision,
    responses=WRITE_RESPONSES,
    tags=["revisions"],
    summary="Approve (apply atomically) or reject a revision",
    description="pending → approved | rejected, by a manager in the owner's chain or an admin; never by the owner or "
    "the requester. Approval applies the changes to the KPR in the same transaction and audits them.",
)
async def transition_revision(
    session: Session, actor: CurrentActor, revision: DecidableRevision, body: TransitionIn
) -> ResourceResponse:
    revision = await service.transition(session, actor, revision, body.to, body.comment)
    return resource_response(await present(session, revision))
