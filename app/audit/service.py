"""The audit trail: who changed what, before and after. Who may read it (admins) is the route's to declare
(app/audit/dependencies.py)."""

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.access import Actor
from app.models import AuditEvent, Evaluation, FeedbackRequest
from app.models.base import utcnow


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def record(
    session: AsyncSession,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: uuid.UUID,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    session.add(
        AuditEvent(
            organization_id=actor.organization_id,
            actor=actor.subject,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            before=jsonable(before) if before is not None else None,
            after=jsonable(after) if after is not None else None,
        )
    )


def record_diff(
    session: AsyncSession,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: uuid.UUID,
    diff: Mapping[str, tuple[Any, Any]],
) -> None:
    if diff:
        record(
            session,
            actor,
            action,
            entity_type,
            entity_id,
            before={k: v[0] for k, v in diff.items()},
            after={k: v[1] for k, v in diff.items()},
        )


async def record_many(
    session: AsyncSession,
    actor: Actor,
    events: Sequence[tuple[str, str, uuid.UUID, Mapping[str, Any] | None, Mapping[str, Any] | None]],
) -> None:
    """Many events — (action, entity_type, entity_id, before, after) — in one INSERT, for bulk operations."""
    if not events:
        return
    at = utcnow()
    rows = [
        {
            "id": uuid.uuid4(),
            "organization_id": actor.organization_id,
            "actor": actor.subject,
            "action": action,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "before": jsonable(before) if before is not None else None,
            "after": jsonable(after) if after is not None else None,
            "at": at,
        }
        for action, entity_type, entity_id, before, after in events
    ]
    await session.execute(insert(AuditEvent), rows)


# Feedback is anonymous to the evaluated employee (DESIGN §10), an admin among them: the trail of the requests on
# their own evaluation (who was asked, who answered what) is not theirs to read.
ANONYMOUS_TO_THE_EVALUATED = "feedback_request"


def list_statement(actor: Actor, entity_type: str | None, entity_id: uuid.UUID | None) -> Select[AuditEvent]:
    statement = select(AuditEvent).where(AuditEvent.organization_id == actor.organization_id)
    if entity_type is not None:
        statement = statement.where(AuditEvent.entity_type == entity_type)
    if entity_id is not None:
        statement = statement.where(AuditEvent.entity_id == entity_id)
    if actor.employee_id is not None and entity_type in (None, ANONYMOUS_TO_THE_EVALUATED):
        about_them = (
            select(FeedbackRequest.id)
            .join(Evaluation, Evaluation.id == FeedbackRequest.evaluation_id)
            .where(Evaluation.employee_id == actor.employee_id)
        )
        statement = statement.where(
            ~((AuditEvent.entity_type == ANONYMOUS_TO_THE_EVALUATED) & AuditEvent.entity_id.in_(about_them))
        )
    return statement
