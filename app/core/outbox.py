"""The transactional outbox (DESIGN §13): an event is a row written in the transaction of the change it reports.

Committed with the change or rolled back with it, so nothing committed is lost and nothing rolled back is sent. The
worker (``app.webhooks.delivery``) fans committed events out to the organization's webhooks. ``data`` is the resource
as the API shows it; a transition's is ``{"from", "to", "comment", "resource"}``.
"""

import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, ColumnElement, Insert, String, Uuid, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.enums import EventType
from app.models import OutboxEvent
from app.models.base import utcnow
from app.models.types import UtcDateTime

Resource = BaseModel | Mapping[str, Any]
# Renders resources of one type as the API shows them, by id (ids it cannot find are left out): what fills the
# ``resource`` of an event recorded in bulk, at fan-out (``publish_deferred``, ``insert_deferred_from``).
Renderer = Callable[[AsyncSession, Sequence[uuid.UUID]], Awaitable[Mapping[uuid.UUID, dict[str, Any]]]]


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


# --- events of bulk changes: recorded set-based, their resource rendered at fan-out --------------------------------


def deferred_transition(from_state: str | None, to_state: str, comment: str | None = None) -> dict[str, Any]:
    """The data of a ``*.transitioned`` event whose ``resource`` is filled at fan-out."""
    return {"from": from_state, "to": to_state, "comment": comment, "resource": None}


async def publish_deferred(
    session: AsyncSession,
    organization_id: uuid.UUID,
    event_type: EventType,
    resource_type: str,
    resource_ids: Sequence[uuid.UUID],
    data: Mapping[str, Any],
) -> int:
    """One event of ``event_type`` per resource, all with ``data``, in one INSERT; each names its resource so that
    fan-out fills ``data.resource`` with it (bulk writes whose resources are not at hand in their API shape)."""
    now = utcnow()
    rows = [
        {
            "id": uuid.uuid4(),
            "organization_id": organization_id,
            "type": event_type,
            "occurred_at": now,
            "data": dict(data),
            "resource_type": resource_type,
            "resource_id": resource_id,
        }
        for resource_id in resource_ids
    ]
    if rows:
        await session.execute(insert(OutboxEvent), rows)
    return len(rows)


def insert_deferred_from(
    organization_id: uuid.UUID,
    event_type: EventType,
    resource_type: str,
    resource_ids: ColumnElement[uuid.UUID],
    data: Mapping[str, Any],
    at: datetime,
) -> Insert:
    """PostgreSQL: ``publish_deferred`` for every id that ``resource_ids`` selects (a column of a CTE, e.g. an
    UPDATE … RETURNING), as one INSERT … SELECT in the statement of the change itself."""
    values = (
        func.gen_random_uuid(),
        literal(organization_id, Uuid),
        literal(event_type.value, String),
        literal(at, UtcDateTime),
        literal(dict(data), JSON),
        literal(resource_type, String),
        resource_ids,
    )
    columns = ("id", "organization_id", "type", "occurred_at", "data", "resource_type", "resource_id")
    return insert(OutboxEvent).from_select(columns, select(*values))


async def render_with(
    model: Any,
    present_many: Callable[[AsyncSession, Sequence[Any]], Awaitable[Sequence[BaseModel]]],
    session: AsyncSession,
    ids: Sequence[uuid.UUID],
) -> dict[uuid.UUID, dict[str, Any]]:
    """A ``Renderer`` from a domain's model and its one ``present_many``: the rows by id, presented, as JSON (bound
    with ``functools.partial``). Two statements at most, whatever the count."""
    rows = (await session.scalars(select(model).where(model.id.in_(ids)))).all()
    return {
        uuid.UUID(str(item.model_dump()["id"])): item.model_dump(mode="json")
        for item in await present_many(session, rows)
    }
