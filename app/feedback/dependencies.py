"""Who may reach a feedback request (DESIGN §6, §10), declared in the endpoint signature: its reviewer, the evaluated
employee's managers, admins and services; never the evaluated employee, to whom it answers 404 as if it did not exist.
What each of them may do with it is the service's rule."""

import uuid
from typing import Annotated

from fastapi import Depends, Request

from app.core.auth import CurrentActor, CurrentPrincipal, Session, resolve_actor_and
from app.feedback import service
from app.models import Evaluation, FeedbackRequest


async def readable_feedback_request(
    request: Request, session: Session, principal: CurrentPrincipal, feedback_request_id: uuid.UUID
) -> FeedbackRequest:
    actor, row = await resolve_actor_and(request, session, principal, FeedbackRequest, feedback_request_id)
    return await service.readable(session, actor, row, feedback_request_id)


async def writable_feedback_request(
    session: Session, actor: CurrentActor, feedback_request_id: uuid.UUID
) -> FeedbackRequest:
    return await service.get(session, actor, feedback_request_id, lock=True)


async def nominated_evaluation(session: Session, actor: CurrentActor, evaluation_id: uuid.UUID) -> Evaluation:
    return await service.evaluation_to_nominate_on(session, actor, evaluation_id)


ReadableFeedbackRequest = Annotated[FeedbackRequest, Depends(readable_feedback_request)]
WritableFeedbackRequest = Annotated[FeedbackRequest, Depends(writable_feedback_request)]
NominatedEvaluation = Annotated[Evaluation, Depends(nominated_evaluation)]
