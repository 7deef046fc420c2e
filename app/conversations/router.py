from fastapi import APIRouter

from app.conversations import service
from app.conversations.dependencies import ReadableConversation, WritableConversation
from app.conversations.presenter import present, present_many
from app.conversations.schemas import Conversation, ConversationCreate, ConversationUpdate
from app.core.auth import CurrentActor, Session
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination, paginate
from app.core.repository import changed_fields
from app.core.responses import IfMatch, ResourceResponse, check_if_match, resource_response
from app.core.routing import ApiRoute
from app.core.schemas import Page
from app.evaluations.dependencies import ReadableEvaluation
from app.models import Conversation as ConversationRow

router = APIRouter(route_class=ApiRoute, tags=["conversations"])


@router.get(
    "/evaluations/{evaluation_id:uuid}/conversations",
    response_model=Page[Conversation],
    summary="An evaluation's result conversations, oldest first",
    description="Whoever may read the evaluation: its employee, their managers, admins and services.",
)
async def list_evaluation_conversations(
    session: Session, evaluation: ReadableEvaluation, page: Pagination
) -> Page[Conversation]:
    statement = service.list_statement(evaluation)
    rows, cursor = await paginate(session, statement, page, [ConversationRow.held_at, ConversationRow.id])
    return Page(items=present_many(rows), next_cursor=cursor)


@router.post(
    "/evaluations/{evaluation_id:uuid}/conversations",
    status_code=201,
    response_model=Conversation,
    responses=WRITE_RESPONSES,
    summary="Record a result conversation (a manager in the chain, or an admin)",
    description="At any state of the evaluation, finalized included: a conversation changes none of its inputs. "
    "The evaluated employee reads it and adds their comment (PATCH /conversations/{id}).",
)
async def create_conversation(
    session: Session, actor: CurrentActor, evaluation: ReadableEvaluation, body: ConversationCreate
) -> ResourceResponse:
    conversation = await service.create(session, actor, evaluation, body)
    return resource_response(
        present(conversation), status_code=201, location=f"/api/v1/conversations/{conversation.id}"
    )


@router.get("/conversations/{conversation_id:uuid}", response_model=Conversation, summary="Get a conversation")
async def get_conversation(conversation: ReadableConversation) -> ResourceResponse:
    return resource_response(present(conversation))


@router.patch(
    "/conversations/{conversation_id:uuid}",
    response_model=Conversation,
    responses=WRITE_RESPONSES,
    summary="Update a conversation (its author; the evaluated employee sets employee_comment only)",
    description="The author changes held_at, notes and agreed_actions; the evaluated employee only employee_comment. "
    "Either sending the other's fields, or anyone else, gets 403.",
)
async def update_conversation(
    session: Session,
    actor: CurrentActor,
    conversation: WritableConversation,
    body: ConversationUpdate,
    if_match: IfMatch = None,
) -> ResourceResponse:
    await check_if_match(if_match, lambda: present(conversation))
    conversation = await service.update(session, actor, conversation, changed_fields(body))
    return resource_response(present(conversation))
