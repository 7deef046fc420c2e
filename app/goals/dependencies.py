"""Who may reach a goal (DESIGN §6), declared in the endpoint signature: everyone in the organization reads goals
(404 outside it); writing takes the row locked and answers 403 to those who may not write the goal as it is."""

import uuid
from typing import Annotated

from fastapi import Depends

from app.core.auth import CurrentActor, Session
from app.goals import service
from app.models import Goal


async def readable_goal(session: Session, actor: CurrentActor, goal_id: uuid.UUID) -> Goal:
    return await service.get(session, actor, goal_id)


async def writable_goal(session: Session, actor: CurrentActor, goal_id: uuid.UUID) -> Goal:
    return await service.get(session, actor, goal_id, write=True)


ReadableGoal = Annotated[Goal, Depends(readable_goal)]
WritableGoal = Annotated[Goal, Depends(writable_goal)]
