from fastapi import APIRouter, Response

from app.comments import service
from app.comments.dependencies import DeletableComment, EditableComment, ReadableComment, ReadableThread
from app.comments.presenter import present
from app.comments.schemas import Comment, CommentCreate, CommentUpdate
from app.core.auth import CurrentActor, Session
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination, paginate
from app.core.repository import changed_fields
from app.core.responses import IfMatch, ResourceResponse, check_if_match, resource_response
from app.core.routing import ApiRoute
from app.core.schemas import Page
from app.models import Comment as CommentRow

router = APIRouter(route_class=ApiRoute, tags=["comments"])


@router.get(
    "/comments",
    response_model=Page[Comment],
    summary="A thread: the comments on a goal, KPR or evaluation, oldest first",
    description="Whoever may see the entity reads its thread; for anyone else it does not exist (404). Deleted "
    "comments keep their place, with `deleted: true` and no body.",
)
async def list_comments(session: Session, thread: ReadableThread, page: Pagination) -> Page[Comment]:
    actor, found = thread
    statement = service.list_statement(actor, found)
    rows, cursor = await paginate(session, statement, page, [CommentRow.created_at, CommentRow.id])
    return Page(items=[present(row) for row in rows], next_cursor=cursor)


@router.post(
    "/comments",
    status_code=201,
    response_model=Comment,
    responses=WRITE_RESPONSES,
    summary="Comment on a goal, KPR or evaluation, mentioning people",
    description="Whoever may see the entity may comment (404 otherwise). Each mentioned person must be an active "
    "employee who may see it — for a KPR or an evaluation its employee or a manager above them — else 422 "
    "MENTION_NOT_ALLOWED; each gets a `mention` task. Publishes `comment.created`.",
)
async def create_comment(session: Session, actor: CurrentActor, body: CommentCreate) -> ResourceResponse:
    comment = await service.create(session, actor, body)
    return resource_response(present(comment), status_code=201, location=f"/api/v1/comments/{comment.id}")


@router.get("/comments/{comment_id:uuid}", response_model=Comment, summary="Get a comment")
async def get_comment(comment: ReadableComment) -> ResourceResponse:
    return resource_response(present(comment))


@router.patch(
    "/comments/{comment_id:uuid}",
    response_model=Comment,
    responses=WRITE_RESPONSES,
    summary="Edit a comment (its author)",
    description="Sets `edited_at`. A deleted comment cannot be edited (409 INVALID_STATE).",
)
async def update_comment(
    session: Session, actor: CurrentActor, comment: EditableComment, body: CommentUpdate, if_match: IfMatch = None
) -> ResourceResponse:
    await check_if_match(if_match, lambda: present(comment))
    comment = await service.update_body(session, actor, comment, changed_fields(body))
    return resource_response(present(comment))


@router.delete(
    "/comments/{comment_id:uuid}",
    status_code=204,
    responses=WRITE_RESPONSES,
    summary="Delete a comment (its author or an admin)",
    description="The comment stays in the thread with `deleted: true`, no body and no mentions; the tasks its "
    "mentions gave are withdrawn.",
)
async def delete_comment(
    session: Session, actor: CurrentActor, comment: DeletableComment, if_match: IfMatch = None
) -> Response:
    await check_if_match(if_match, lambda: present(comment))
    await service.delete_comment(session, actor, comment)
    return Response(status_code=204)
