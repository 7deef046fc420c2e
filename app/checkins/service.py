"""Check-ins: append-only, dated measurements of a KPR or a KPI."""

import uuid
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.checkins.presenter import present
from app.checkins.schemas import CheckInCreate
from app.core import outbox
from app.core.access import Actor
from app.core.enums import EventType
from app.core.errors import ValidationFailed
from app.core.i18n import translate
from app.core.pagination import PageParams, paginate
from app.cycles.rules import ensure_cycle_not_closed
from app.figures import service as figures
from app.models import CheckIn, Cycle, Kpi, Kpr

# Clocks drift; a measurement a few minutes "in the future" is a clock, not a forecast.
CLOCK_SKEW = timedelta(minutes=5)


def cycle_window(cycle: Cycle) -> tuple[datetime, datetime]:
    start = datetime.combine(cycle.start_date, time.min, tzinfo=UTC)
    end = datetime.combine(cycle.end_date + timedelta(days=1), time.min, tzinfo=UTC)
    return start, end


async def record_for_kpr(session: AsyncSession, actor: Actor, kpr: Kpr, data: CheckInCreate) -> CheckIn:
    """Record a measurement of a KPR (the caller has checked the rights: ``MeasurableKpr``)."""
    return await _record(session, actor, kpr.cycle_id, data, kpr_id=kpr.id)


async def record_for_kpi(session: AsyncSession, actor: Actor, kpi: Kpi, data: CheckInCreate) -> CheckIn:
    """Record a measurement of a KPI (the caller has checked the rights: ``MeasurableKpi``)."""
    kpr = await session.get(Kpr, kpi.kpr_id)  # loaded already, by the access check
    assert kpr is not None
    return await _record(session, actor, kpr.cycle_id, data, kpi_id=kpi.id)


async def _record(
    session: AsyncSession,
    actor: Actor,
    cycle_id: uuid.UUID,
    data: CheckInCreate,
    *,
    kpr_id: uuid.UUID | None = None,
    kpi_id: uuid.UUID | None = None,
) -> CheckIn:
    cycle = await session.get(Cycle, cycle_id)
    assert cycle is not None
    ensure_cycle_not_closed(cycle)
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
    if kpr_id is not None:
        # The KPR's figures, its goals' progress and its plan's live evaluation, in this transaction.
        await figures.kprs_changed(session, [kpr_id], smart=False)
    outbox.publish(session, actor.organization_id, EventType.CHECKIN_CREATED, await present(session, check_in))
    return check_in


async def page_of(
    session: AsyncSession, page: PageParams, *, kpr_id: uuid.UUID | None = None, kpi_id: uuid.UUID | None = None
) -> tuple[list[CheckIn], str | None]:
    """A KPR's (or KPI's) check-ins, newest first."""
    subject = CheckIn.kpr_id == kpr_id if kpr_id is not None else CheckIn.kpi_id == kpi_id
    statement = select(CheckIn).where(subject)
    return await paginate(session, statement, page, [CheckIn.recorded_at, CheckIn.id], descending=True)
