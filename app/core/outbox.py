"""The transactional outbox (DESIGN §13): an event is a row written in the transaction of the change it reports.

Committed with the change or rolled back with it, so nothing committed is lost and nothing rolled back is sent. The
worker (``app.webhooks.delivery``) fans committed events out to the organization's webhooks. ``data`` is the resource
as the API shows it; a transition's is ``{"from", "to", "comment", "resource"}``.
"""

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.enums import EventType
from app.models import OutboxEvent
from app.models.base import utcnow

Resource = BaseModel | Mapping[str, Any]


def _json(resource: Resource) -> dict[str, Any]:
    if isinstance(resource, BaseModel):
        return resource.model_dump(mode="json")
    return dict(resource)


def transition(from_state: str | None, to_state: str, comment: str | None, resource: Resource) -> dict[str, Any]:
    """The data of a ``*.transitioned`` event."""
    return {"from": from_state, "to": to_state, "comment": comment, "resource": _json(resource)}


def publish(session: AsyncSession, organization_id: uuid.UUID, event_type: EventType, data: Resource) -> OutboxEvent:
    """Record one event in the session's transaction (written at its next flush)."""
    event = OutboxEvent(
        id=uuid.uuid4(), organization_id=organization_id, type=event_type, occurred_at=utcnow(), data=_json(data)
    )
    session.add(event)
    return event


async def publish_many(
    session: AsyncSession, organization_id: uuid.UUID, event_type: EventType, items: Iterable[Resource]
) -> int:
    """Record many events of one type in one INSERT (bulk writes: template apply, closing a cycle)."""
    now = utcnow()
    rows = [
        {"id": uuid.uuid4(), "organization_id": organization_id, "type": event_type, "occurred_at": now, "data": item}
        for item in map(_json, items)
    ]
    if rows:
        await session.execute(insert(OutboxEvent), rows)
    return len(rows)
