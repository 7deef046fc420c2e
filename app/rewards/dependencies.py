"""Who may reach reward runs (DESIGN §6, §11): admins only, for every endpoint, as for the audit trail and webhooks:
pay is HR's. Everyone else is refused with 403 before anything is looked up; another tenant's run or cycle answers an
admin 404 as if it did not exist."""

import uuid
from typing import Annotated

from fastapi import Depends

from app.core.access import Actor
from app.core.auth import Session, admin_only
from app.cycles import service as cycles
from app.models import Cycle, RewardRun
from app.rewards import service

RewardAdmin = Annotated[Actor, Depends(admin_only("manage reward runs"))]


async def rewarded_cycle(session: Session, actor: RewardAdmin, cycle_id: uuid.UUID) -> Cycle:
    # Locked: a reopen of the cycle (closed → calibration) waits until the run is made from its settled ratings.
    return await cycles.get(session, actor, cycle_id, lock=True)


async def listed_cycle(session: Session, actor: RewardAdmin, cycle_id: uuid.UUID) -> Cycle:
    return await cycles.get(session, actor, cycle_id)


async def readable_run(session: Session, actor: RewardAdmin, reward_run_id: uuid.UUID) -> RewardRun:
    return await service.get(session, actor, reward_run_id)


async def movable_run(session: Session, actor: RewardAdmin, reward_run_id: uuid.UUID) -> RewardRun:
    # Locked: of two admins deciding one draft at once, one wins and the other meets the decided run (409).
    return await service.get(session, actor, reward_run_id, lock=True)


RewardedCycle = Annotated[Cycle, Depends(rewarded_cycle)]
ListedCycle = Annotated[Cycle, Depends(listed_cycle)]
ReadableRewardRun = Annotated[RewardRun, Depends(readable_run)]
MovableRewardRun = Annotated[RewardRun, Depends(movable_run)]
