"""A cycle as the API shows it."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.cycles import schemas
from app.models import Cycle


async def present(session: AsyncSession, cycle: Cycle) -> schemas.Cycle:
    return schemas.Cycle.model_validate(cycle)


async def present_many(session: AsyncSession, cycles: Sequence[Cycle]) -> list[schemas.Cycle]:
    return [schemas.Cycle.model_validate(cycle) for cycle in cycles]
