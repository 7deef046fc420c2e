import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from app.core.auth import CurrentActor, Session
from app.core.enums import FeedbackStatus
from app.core.errors import PROBLEM_JSON
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination, paginate
from app.core.responses import IfMatch, ResourceResponse, check_if_match, resource_response
from app.core.routing import ApiRoute
from app.core.schemas import Choice, Page, Problem, TransitionIn
from app.core.transitions import Transition, history_page
from app.evaluations.dependencies import ReadableEvaluation
from app.feedback import service
from app.feedback.dependencies import NominatedEvaluation, ReadableFeedbackRequest, WritableFeedbackRequest
from app.feedback.presenter import present, present_created, present_feedback, present_many
from app.feedback.schemas import (
    EvaluationFeedback,
    FeedbackRequest,
    FeedbackRequestCreate,
    FeedbackRequests,
    FeedbackResponseIn,
)
from app.models import FeedbackRequest as FeedbackRequestRow

router = APIRouter(route_class=ApiRoute, tags=["feedback"])

FEEDBACK_WRITE_RESPONSES = {
    **WRITE_RESPONSES,
    409: {
        "model": Problem,
        "content": {PROBLEM_JSON: {}},
        "description": "A reviewer already has a live request (FEEDBACK_ALREADY_REQUESTED), the evaluation is not in "
        "self or manager review (INVALID_STATE) or is frozen (EVALUATION_LOCKED), or the request's state forbids "
        "the change (INVALID_TRANSITION).",
    },
}


@router.post(
    "/evaluations/{evaluation_id:uuid}/feedback-requests",
    status_code=201,
    response_model=FeedbackRequests,
    responses=FEEDBACK_WRITE_RESPONSES,
    summary="Ask reviewers for feedback on an evaluation (the employee, a manager in the chain, an admin)",
    description="One `requested` request per reviewer, all or none, while the evaluation is in self_review or "
    "manager_review. Reviewers are active employees of the organization, never the evaluated employee (422); one "
    "who already has a requested or submitted request on the evaluation answers 409 FEEDBACK_ALREADY_REQUESTED. "
    "The evaluated employee nominates but never sees a request afterwards: feedback is anonymous to them.",
)
async def create_feedback_requests(
    session: Session, actor: CurrentActor, evaluation: NominatedEvaluation, body: FeedbackRequestCreate
) -> FeedbackRequests:
    return present_created(await service.nominate(session, actor, evaluation, body))


@router.get(
    "/feedback-requests",
    response_model=Page[FeedbackRequest],
    summary="List feedback requests",
    description="A reviewer sees their own; managers those on their reports' evaluations, admins and services "
    "every one; nobody sees those on their own evaluation. The response (score, comment, items) is shown to its "
    "reviewer and to admins only.",
)
async def list_feedback_requests(
    session: Session,
    actor: CurrentActor,
    page: Pagination,
    reviewer_id: uuid.UUID | None = None,
    evaluation_id: uuid.UUID | None = None,
    status: Annotated[Choice[FeedbackStatus] | None, Query()] = None,
) -> Page[FeedbackRequest]:
    statement = service.list_statement(actor, reviewer_id, evaluation_id, status)
    rows, cursor = await paginate(session, statement, page, [FeedbackRequestRow.created_at, FeedbackRequestRow.id])
    return Page(items=present_many(rows, service.revealed(actor, rows)), next_cursor=cursor)


@router.get(
    "/feedback-requests/{feedback_request_id:uuid}", response_model=FeedbackRequest, summary="Get a feedback request"
)
async def get_feedback_request(
    session: Session, actor: CurrentActor, request: ReadableFeedbackRequest
) -> ResourceResponse:
    return resource_response(present(request, reveal=await service.reveals_to(session, actor, request)))


@router.put(
    "/feedback-requests/{feedback_request_id:uuid}/response",
    response_model=FeedbackRequest,
    responses=FEEDBACK_WRITE_RESPONSES,
    summary="Respond to a feedback request (its reviewer, while the evaluation is in review)",
    description="Replaces the whole response and makes (or keeps) the request `submitted`. `score` is on the review "
    "scale, up to the cycle policy's cap; `items` name active KPRs of the evaluation's plan. The evaluation's "
    "peer score, final score and rating follow at once.",
)
async def put_feedback_response(
    session: Session,
    actor: CurrentActor,
    request: WritableFeedbackRequest,
    body: FeedbackResponseIn,
    if_match: IfMatch = None,
) -> ResourceResponse:
    reveal = await service.reveals_to(session, actor, request)
    await check_if_match(if_match, lambda: present(request, reveal=reveal))
    request = await service.respond(session, actor, request, body)
    return resource_response(present(request, reveal=True))


@router.get(
    "/feedback-requests/{feedback_request_id:uuid}/transitions",
    response_model=Page[Transition],
    summary="A feedback request's state history",
)
async def list_feedback_request_transitions(
    session: Session, actor: CurrentActor, request: ReadableFeedbackRequest, page: Pagination
) -> Page[Transition]:
    return await history_page(session, actor.organization_id, service.FEEDBACK_STATES, request.id, page)


@router.post(
    "/feedback-requests/{feedback_request_id:uuid}/transitions",
    response_model=FeedbackRequest,
    responses=FEEDBACK_WRITE_RESPONSES,
    summary="Decline or cancel a feedback request",
    description="requested → declined (its reviewer); requested → cancelled (whoever nominated, or an admin); "
    "submitted → cancelled (an admin: the response stops counting towards the peer score). Refused once the "
    "evaluation is finalized (EVALUATION_LOCKED). A request becomes submitted by its response, not here.",
)
async def transition_feedback_request(
    session: Session, actor: CurrentActor, request: WritableFeedbackRequest, body: TransitionIn
) -> ResourceResponse:
    request = await service.transition(session, actor, request, body)
    return resource_response(present(request, reveal=await service.reveals_to(session, actor, request)))


@router.get(
    "/evaluations/{evaluation_id:uuid}/feedback",
    response_model=EvaluationFeedback,
    summary="An evaluation's submitted feedback, anonymous",
    description="Whoever may read the evaluation (the employee, their managers, admins, services). `reviewer_id` is "
    "null for everyone but admins, and `items` stays empty for everyone but admins while fewer than the policy's "
    "peer_min_responses were submitted.",
)
async def get_evaluation_feedback(
    session: Session, actor: CurrentActor, evaluation: ReadableEvaluation
) -> ResourceResponse:
    responses, named = await service.responses_of(session, actor, evaluation)
    return resource_response(present_feedback(evaluation, responses, named=named))
