"""Who may reach a plan: its employee, a manager in their chain, admins and services (DESIGN §6)."""

import uuid
from typing import Annotated

from fastapi import Depends

from app.core.auth import CurrentActor, Session
from app.models import Plan
from app.plans import service


async def readable_plan(session: Session, actor: CurrentActor, plan_id: uuid.UUID) -> Plan:
    return await service.get(session, actor, plan_id)


async def transitionable_plan(session: Session, actor: CurrentActor, plan_id: uuid.UUID) -> Plan:
    """Readable and locked: who may move it to which state is the state machine's rule (the service's)."""
    return await service.get(session, actor, plan_id, lock=True)


ReadablePlan = Annotated[Plan, Depends(readable_plan)]
TransitionablePlan = Annotated[Plan, Depends(transitionable_plan)]
