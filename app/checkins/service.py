"""Check-ins: append-only, dated measurements of a KPR or a KPI."""

import uuid
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.checkins.schemas import CheckInCreate
from app.core.access import Actor
from app.core.errors import Conflict, ValidationFailed
from app.core.i18n import translate
from app.core.pagination import PageParams, paginate
from app.models import CheckIn, Cycle

# Clocks drift; a measurement a few minutes "in the future" is a clock, not a forecast.
CLOCK_SKEW = timedelta(minutes=5)


def cycle_window(cycle: Cycle) -> tuple[datetime, datetime]:
    start = datetime.combine(cycle.start_date, time.min, tzinfo=UTC)
    end = datetime.combine(cycle.end_date + timedelta(days=1), time.min, tzinfo=UTC)
    return start, end


async def create(
    session: AsyncSession,
    actor: Actor,
    cycle_id: uuid.UUID,
    data: CheckInCreate,
    *,
    kpr_id: uuid.UUID | None = None,
    kpi_id: uuid.UUID | None = None,
) -> CheckIn:
    """Record a measurement of a KPR or (with ``kpi_id``) a KPI of the cycle; the caller has checked the rights."""
    cycle = await session.get(Cycle, cycle_id)
    assert cycle is not None
    if cycle.status == "closed":
        raise Conflict(translate("detail.cycle_closed"), code="CYCLE_NOT_OPEN")
    now = datetime.now(UTC)
    recorded_at = data.recorded_at or now
    start, end = cycle_window(cycle)
    if not start <= recorded_at < end:
        raise ValidationFailed.field(
            "recorded_at", translate("field.outside_cycle", start=cycle.start_date, end=cycle.end_date)
        )
    if recorded_at > now + CLOCK_SKEW:
        raise ValidationFailed.field("recorded_at", translate("field.in_future"))
    check_in = CheckIn(
        organization_id=actor.organization_id,
        kpr_id=kpr_id,
        kpi_id=kpi_id,
        value=data.value,
        recorded_at=recorded_at,
        note=data.note,
        confidence=data.confidence,
        author_id=actor.employee_id,
        author=actor.subject,
        created_at=now,
    )
    session.add(check_in)
    await session.flush()
    return check_in


async def page_of(
    session: AsyncSession, page: PageParams, *, kpr_id: uuid.UUID | None = None, kpi_id: uuid.UUID | None = None
) -> tuple[list[CheckIn], str | None]:
    """A KPR's (or KPI's) check-ins, newest first."""
    subject = CheckIn.kpr_id == kpr_id if kpr_id is not None else CheckIn.kpi_id == kpi_id
    statement = select(CheckIn).where(subject)
    return await paginate(session, statement, page, [CheckIn.recorded_at, CheckIn.id], descending=True)
