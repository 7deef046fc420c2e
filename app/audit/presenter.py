"""An audit event as the API shows it."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import schemas
from app.models import AuditEvent


async def present(session: AsyncSession, event: AuditEvent) -> schemas.AuditEvent:
    return schemas.AuditEvent.model_validate(event)


async def present_many(session: AsyncSession, events: Sequence[AuditEvent]) -> list[schemas.AuditEvent]:
    return [schemas.AuditEvent.model_validate(event) for event in events]
