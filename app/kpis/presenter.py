"""A KPI as the API shows it: its newest check-in and the progress the engine derives from it."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.enums import Direction
from app.core.repository import column_values
from app.kpis import schemas
from app.models import CheckIn, Kpi
from app.scoring import engine
from app.scoring.service import latest_values


async def present_many(session: AsyncSession, kpis: Sequence[Kpi], as_of: datetime | None = None) -> list[schemas.Kpi]:
    """KPIs with their figures in one statement, however many there are."""
    actuals = await latest_values(session, [k.id for k in kpis], as_of, subject=CheckIn.kpi_id)
    result = []
    for kpi in kpis:
        actual = actuals.get(kpi.id)
        progress = None
        if actual is not None:
            figures = engine.KprFigures(Direction(kpi.direction), kpi.baseline, kpi.target, actual=actual)
            progress = engine.score_kpr(figures).progress
        result.append(schemas.Kpi.model_validate(column_values(kpi) | {"current_value": actual, "progress": progress}))
    return result


async def present(session: AsyncSession, kpi: Kpi) -> schemas.Kpi:
    return (await present_many(session, [kpi]))[0]
