"""Who may reach a KPR (DESIGN §6), declared in the endpoint signature: each loads the row once, answers 404 to those
who may not see it and 403 to those who may see but not change it, and is shared by every endpoint of the resource."""

import uuid
from typing import Annotated

from fastapi import Depends, Request

from app.core.auth import CurrentActor, CurrentPrincipal, Session, resolve_actor_and
from app.kprs import service
from app.models import Kpr


async def readable_kpr(request: Request, session: Session, principal: CurrentPrincipal, kpr_id: uuid.UUID) -> Kpr:
    actor, kpr = await resolve_actor_and(request, session, principal, Kpr, kpr_id)
    return await service.readable(session, actor, kpr, kpr_id)


async def writable_kpr(session: Session, actor: CurrentActor, kpr_id: uuid.UUID) -> Kpr:
    return await service.get(session, actor, kpr_id, write=True)


async def measurable_kpr(session: Session, actor: CurrentActor, kpr_id: uuid.UUID) -> Kpr:
    """Check-ins may also come from a service (an API key), which writes nothing else."""
    return await service.get(session, actor, kpr_id, write=True, service_may_write=True)


ReadableKpr = Annotated[Kpr, Depends(readable_kpr)]
WritableKpr = Annotated[Kpr, Depends(writable_kpr)]
MeasurableKpr = Annotated[Kpr, Depends(measurable_kpr)]
