"""After the upgrade that added the stored figures (or rows written around the services), ``kpr migrate`` fills them
through the engine: nothing that was computed live before is missing afterwards."""

import uuid
from decimal import Decimal

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.figures import service as figures
from app.models import Evaluation, Goal, Kpr
from tests.factories import Tenant, open_review
from tests.figures.oracle import assert_consistent


async def test_backfill_fills_every_figure_the_upgrade_left_empty(
    client: httpx.AsyncClient,
    session: AsyncSession,
    tenant: Tenant,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    state = await open_review(session, client, tenant)
    # As the upgrade leaves them: no stored figure anywhere.
    await session.execute(
        update(Kpr)
        .where(Kpr.organization_id == tenant.org.id)
        .values(current_value=None, achievement=None, progress=None, score=None, smart=None)
    )
    await session.execute(update(Goal).where(Goal.organization_id == tenant.org.id).values(progress=None))
    await session.execute(
        update(Evaluation)
        .where(Evaluation.organization_id == tenant.org.id)
        .values(results_score=None, final_score=None, rating=None)
    )
    await session.flush()

    filled = await figures.backfill(session)
    await session.commit()

    kprs = await session.scalar(select(func.count()).where(Kpr.organization_id == tenant.org.id))
    assert filled >= kprs > 0
    assert await figures.backfill(session) == 0  # nothing left: a second migrate does no work
    employee = await session.get(Evaluation, uuid.UUID(state.employee_eval), populate_existing=True)
    assert employee is not None
    assert employee.results_score == Decimal(78)  # the worked scenario (tests.factories.evaluations)
    await assert_consistent(sessionmaker, tenant.org.id)
