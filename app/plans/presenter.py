"""A plan as the API shows it, with the total weight of its active KPRs."""

import uuid
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.enums import KprStatus
from app.core.repository import column_values
from app.models import Kpr, Plan
from app.plans import schemas


async def weight_totals(session: AsyncSession, plan_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Decimal]:
    if not plan_ids:
        return {}
    # Weights are summed in Python: SQLite stores exact decimals as text, and SUM would go through float.
    rows = await session.execute(
        select(Kpr.plan_id, Kpr.weight).where(Kpr.plan_id.in_(plan_ids), Kpr.status == KprStatus.ACTIVE)
    )
    totals: dict[uuid.UUID, Decimal] = dict.fromkeys(plan_ids, Decimal(0))
    for plan_id, weight in rows:
        totals[plan_id] += weight
    return totals


async def present_many(session: AsyncSession, plans: Sequence[Plan]) -> list[schemas.Plan]:
    """Plans with their weight totals in one statement, however many there are."""
    totals = await weight_totals(session, [p.id for p in plans])
    return [schemas.Plan.model_validate(column_values(p) | {"weight_total": totals[p.id]}) for p in plans]


async def present(session: AsyncSession, plan: Plan) -> schemas.Plan:
    return (await present_many(session, [plan]))[0]
