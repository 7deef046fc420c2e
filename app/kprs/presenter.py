"""A KPR as the API shows it: its stored figures and SMART report (kept current on write by ``app.figures``), or
with ``as_of`` the figures computed from the check-ins recorded by then."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.repository import column_values, fetch_many
from app.kprs import schemas
from app.models import Cycle, Kpr
from app.scoring.policy import policy_from_json
from app.scoring.service import latest_values, score_one
from app.smart.reports import rendered


async def present_many(session: AsyncSession, kprs: Sequence[Kpr], as_of: datetime | None = None) -> list[schemas.Kpr]:
    """KPRs with their figures and SMART reports: no statement for current figures, two for figures as of a moment."""
    if as_of is None:
        return [schemas.Kpr.model_validate(column_values(kpr) | {"smart": rendered(kpr.smart)}) for kpr in kprs]
    if not kprs:
        return []
    actuals = await latest_values(session, [k.id for k in kprs], as_of)
    cycles = await fetch_many(session, Cycle, (k.cycle_id for k in kprs))
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
                    # The report is about the definition, which history does not keep: today's.
                    "smart": rendered(kpr.smart),
                }
            )
        )
    return result


async def present(session: AsyncSession, kpr: Kpr, as_of: datetime | None = None) -> schemas.Kpr:
    return (await present_many(session, [kpr], as_of))[0]
