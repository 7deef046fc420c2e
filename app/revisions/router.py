import uuid

from fastapi import APIRouter, Response

from app.core.auth import CurrentActor, Session
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination
from app.core.responses import resource_response
from app.core.routing import ApiRoute
from app.core.schemas import Page, TransitionIn
from app.core.transitions import Transition, history_page
from app.revisions import service
from app.revisions.schemas import Revision

router = APIRouter(route_class=ApiRoute, prefix="/revisions", tags=["revisions"])


@router.get("/{revision_id:uuid}", response_model=Revision, summary="Get a revision")
async def get_revision(session: Session, actor: CurrentActor, revision_id: uuid.UUID) -> Response:
    revision, _ = await service.get(session, actor, revision_id)
    return resource_response(Revision.model_validate(revision))


@router.get("/{revision_id:uuid}/transitions", response_model=Page[Transition], summary="A revision's decision history")
async def list_revision_transitions(
    session: Session, actor: CurrentActor, revision_id: uuid.UUID, page: Pagination
) -> Page[Transition]:
    await service.get(session, actor, revision_id)
    return await history_page(session, actor.organization_id, service.REVISION_STATES, revision_id, page)


@router.post(
    "/{revision_id:uuid}/transitions",
    response_model=Revision,
    responses=WRITE_RESPONSES,
    summary="Approve (apply atomically) or reject a revision",
    description="pending → approved | rejected, by a manager in the owner's chain or an admin; never by the owner or "
    "the requester. Approval applies the changes to the KPR in the same transaction and audits them.",
)
async def transition_revision(
    session: Session, actor: CurrentActor, revision_id: uuid.UUID, body: TransitionIn
) -> Response:
    revision, kpr = await service.get(session, actor, revision_id)
    revision = await service.transition(session, actor, revision, kpr, body.to, body.comment)
    return resource_response(Revision.model_validate(revision))
