"""A KPR as the API shows it: figures from the scoring engine and its SMART report (``app.smart``)."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.repository import column_values, fetch_many
from app.kprs import schemas
from app.models import Cycle, Kpr
from app.scoring.policy import policy_from_json
from app.scoring.service import latest_values, score_one
from app.smart.reports import reports_of


async def present_many(session: AsyncSession, kprs: Sequence[Kpr], as_of: datetime | None = None) -> list[schemas.Kpr]:
    """KPRs with their figures and SMART reports, in three statements however many there are."""
    if not kprs:
        return []
    actuals = await latest_values(session, [k.id for k in kprs], as_of)
    cycles = await fetch_many(session, Cycle, (k.cycle_id for k in kprs))
    smart = await reports_of(session, kprs)
    result = []
    for kpr in kprs:
        figures = score_one(kpr, actuals.get(kpr.id), policy_from_json(cycles[kpr.cycle_id].policy))
        result.append(
            schemas.Kpr.model_validate(
                column_values(kpr)
                | {
                    "current_value": figures.current_value,
                    "achievement": figures.achievement,
                    "progress": figures.progress,
                    "score": figures.score,
                    "smart": smart[kpr.id],
                }
            )
        )
    return result


async def present(session: AsyncSession, kpr: Kpr, as_of: datetime | None = None) -> schemas.Kpr:
    return (await present_many(session, [kpr], as_of))[0]
