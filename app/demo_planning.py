"""Demo cycles, goals, plans and KPRs (filled in by the planning work)."""

import uuid
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession


async def load_planning(
    session: AsyncSession, organization_id: uuid.UUID, demo_id: Callable[[str, str], uuid.UUID]
) -> None:
    return None
