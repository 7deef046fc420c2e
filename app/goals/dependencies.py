"""Who may reach a goal (DESIGN §6), declared in the endpoint signature: everyone in the organization reads goals
(404 outside it); writing takes the row locked and answers 403 to those who may not write the goal as it is."""

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request

from app.core.access import Actor
from app.core.auth import CurrentActor, CurrentPrincipal, Session, get_actor, resolve_actor_and
from app.core.errors import NotFound
from app.goals import service
from app.models import Cycle, Goal


async def readable_goal(session: Session, actor: CurrentActor, goal_id: uuid.UUID) -> Goal:
    return await service.get(session, actor, goal_id)


async def writable_goal(session: Session, actor: CurrentActor, goal_id: uuid.UUID) -> Goal:
    return await service.get(session, actor, goal_id, write=True)


@dataclass(frozen=True)
class Forest:
    """Whose goal tree, and of which cycle (None: the long-term forest)."""

    actor: Actor
    cycle_id: uuid.UUID | None


async def readable_forest(
    request: Request,
    session: Session,
    principal: CurrentPrincipal,
    cycle_id: Annotated[
        uuid.UUID | None, Query(description="The cycle; omit for the long-term forest (see the description).")
    ] = None,
) -> Forest:
    """The caller and the cycle they name in one statement (404 for another tenant's or a missing cycle)."""
    if cycle_id is None:
        return Forest(await get_actor(request, principal, session), None)
    actor, cycle = await resolve_actor_and(request, session, principal, Cycle, cycle_id)
    if cycle is None:
        raise NotFound("cycle", cycle_id)
    return Forest(actor, cycle.id)


ReadableGoal = Annotated[Goal, Depends(readable_goal)]
ReadableForest = Annotated[Forest, Depends(readable_forest)]
WritableGoal = Annotated[Goal, Depends(writable_goal)]
