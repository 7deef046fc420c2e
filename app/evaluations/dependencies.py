"""Who may reach an evaluation: its employee, a manager in their chain, admins and services (DESIGN §6); others get
404. Which step each of them may take is the workflow's rule (the service's)."""

import uuid
from typing import Annotated

from fastapi import Depends

from app.core.auth import CurrentActor, Session
from app.evaluations import service
from app.models import Evaluation


async def readable_evaluation(session: Session, actor: CurrentActor, evaluation_id: uuid.UUID) -> Evaluation:
    return await service.get(session, actor, evaluation_id)


async def writable_evaluation(session: Session, actor: CurrentActor, evaluation_id: uuid.UUID) -> Evaluation:
    return await service.get(session, actor, evaluation_id, lock=True)


ReadableEvaluation = Annotated[Evaluation, Depends(readable_evaluation)]
WritableEvaluation = Annotated[Evaluation, Depends(writable_evaluation)]
