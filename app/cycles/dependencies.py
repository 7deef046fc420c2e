"""Who may reach a cycle (DESIGN §6): everyone in the organization reads it; admins manage it and move it through its
states; the cycle-wide calibration report and export are for those who read the whole organization."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends

from app.core.access import Actor
from app.core.auth import CurrentActor, Session, admin_only
from app.core.errors import Forbidden
from app.cycles import service
from app.models import Cycle

CycleAdmin = Annotated[Actor, Depends(admin_only("manage cycles"))]
CycleMover = Annotated[Actor, Depends(admin_only("change a cycle's state"))]


async def readable_cycle(session: Session, actor: CurrentActor, cycle_id: uuid.UUID) -> Cycle:
    return await service.get(session, actor, cycle_id)


async def writable_cycle(session: Session, actor: CycleAdmin, cycle_id: uuid.UUID) -> Cycle:
    return await service.get(session, actor, cycle_id, lock=True)


async def movable_cycle(session: Session, actor: CycleMover, cycle_id: uuid.UUID) -> Cycle:
    # Locked: two admins moving the same cycle at once must not both open reviews or both close it.
    return await service.get(session, actor, cycle_id, lock=True)


def whole_cycle(action: str) -> Callable[[Cycle, Actor], Awaitable[Cycle]]:
    """The cycle (404 first, as for any read), for someone who reads the whole organization (admin, service)."""

    async def dependency(cycle: Annotated[Cycle, Depends(readable_cycle)], actor: CurrentActor) -> Cycle:
        if not actor.reads_whole_org:
            raise Forbidden(action=action)
        return cycle

    return dependency


ReadableCycle = Annotated[Cycle, Depends(readable_cycle)]
MovableCycle = Annotated[Cycle, Depends(movable_cycle)]
CalibratedCycle = Annotated[Cycle, Depends(whole_cycle("read the calibration report"))]
ExportedCycle = Annotated[Cycle, Depends(whole_cycle("export the cycle's evaluations"))]
WritableCycle = Annotated[Cycle, Depends(writable_cycle)]
