"""Who may reach a KPI: the rules of the KPR it measures (DESIGN §6), declared in the endpoint signature."""

import uuid
from typing import Annotated

from fastapi import Depends

from app.core.auth import CurrentActor, Session
from app.kpis import service
from app.models import Kpi


async def readable_kpi(session: Session, actor: CurrentActor, kpi_id: uuid.UUID) -> Kpi:
    return await service.get(session, actor, kpi_id)


async def writable_kpi(session: Session, actor: CurrentActor, kpi_id: uuid.UUID) -> Kpi:
    return await service.get(session, actor, kpi_id, write=True)


async def measurable_kpi(session: Session, actor: CurrentActor, kpi_id: uuid.UUID) -> Kpi:
    """Check-ins may also come from a service (an API key), which writes nothing else."""
    return await service.get(session, actor, kpi_id, write=True, service_may_write=True)


ReadableKpi = Annotated[Kpi, Depends(readable_kpi)]
WritableKpi = Annotated[Kpi, Depends(writable_kpi)]
MeasurableKpi = Annotated[Kpi, Depends(measurable_kpi)]
