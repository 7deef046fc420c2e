"""KPIs: process indicators under a KPR — the means, watched along the way, never scored themselves."""

import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.core.access import Actor, authorize_employee_data
from app.core.enums import Direction
from app.core.errors import ValidationFailed
from app.core.i18n import translate
from app.core.repository import apply_changes, get_in_org
from app.cycles.rules import ensure_cycle_not_closed
from app.kpis.schemas import KpiCreate
from app.kprs.service import check_definition
from app.models import Cycle, Kpi, Kpr


async def get(
    session: AsyncSession, actor: Actor, kpi_id: uuid.UUID, *, write: bool = False, service_may_write: bool = False
) -> Kpi:
    """The KPI by the rules of its KPR: 404 to whom may not see it, 403 to whom may not change it; writers lock it."""
    kpi = await get_in_org(session, Kpi, kpi_id, actor.organization_id, "kpi", lock=write)
    kpr = await session.get(Kpr, kpi.kpr_id)
    assert kpr is not None
    await authorize_employee_data(
        session, actor, kpr.owner_id, resource="kpi", entity_id=kpi.id, write=write, service_may_write=service_may_write
    )
    if write:
        await _ensure_not_closed(session, kpr)
    return kpi


async def _ensure_not_closed(session: AsyncSession, kpr: Kpr) -> None:
    cycle = await session.get(Cycle, kpr.cycle_id)
    assert cycle is not None
    ensure_cycle_not_closed(cycle)


def list_statement(kpr_id: uuid.UUID) -> Select[Kpi]:
    return select(Kpi).where(Kpi.kpr_id == kpr_id)


def _check(direction: str, values: dict[str, Any]) -> None:
    if direction != Direction.MAINTAIN and values["baseline"] == values["target"]:
        raise ValidationFailed.field("target", translate("field.target_equals_baseline"))
    check_definition(direction, values)


async def create(session: AsyncSession, actor: Actor, kpr: Kpr, data: KpiCreate) -> Kpi:
    await _ensure_not_closed(session, kpr)
    values = data.model_dump()
    _check(data.direction, values)
    kpi = Kpi(organization_id=actor.organization_id, kpr_id=kpr.id, **values)
    session.add(kpi)
    await session.flush()
    audit.record(session, actor, "create", "kpi", kpi.id, after=values)
    return kpi


async def update(session: AsyncSession, actor: Actor, kpi: Kpi, changes: dict[str, Any]) -> Kpi:
    merged = {field: changes.get(field, getattr(kpi, field)) for field in ("baseline", "target")}
    _check(changes.get("direction", kpi.direction), merged)
    diff = apply_changes(kpi, changes)
    await session.flush()
    audit.record_diff(session, actor, "update", "kpi", kpi.id, diff)
    return kpi


async def delete(session: AsyncSession, actor: Actor, kpi: Kpi) -> None:
    audit.record(session, actor, "delete", "kpi", kpi.id, before={"name": kpi.name})
    await session.delete(kpi)
    await session.flush()
