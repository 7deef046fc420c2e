"""State machines with kept history: every state change goes through ``…/{id}/transitions`` and is recorded."""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field
from sqlalchemy import ColumnElement, Insert, Select, String, Text, Uuid, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.access import Actor
from app.core.errors import InvalidTransition
from app.core.pagination import PageParams, paginate
from app.core.schemas import CommentOut, LabelOut, OutputModel, Page, SubjectOut, UtcDatetime
from app.models import StateTransition
from app.models.base import utcnow
from app.models.types import UtcDateTime


@dataclass(frozen=True)
class StateMachine:
    entity_type: str
    edges: Mapping[str, tuple[str, ...]]

    def allowed(self, current: str) -> tuple[str, ...]:
        return self.edges.get(current, ())

    def check(self, current: str, target: str) -> None:
        if target not in self.allowed(current):
            raise InvalidTransition(current, target, self.allowed(current))


def record_transition(
    session: AsyncSession,
    actor: Actor,
    machine: StateMachine,
    entity_id: uuid.UUID,
    from_state: str | None,
    to_state: str,
    comment: str | None,
    at: datetime | None = None,
) -> None:
    values: dict[str, Any] = {}
    if at is not None:
        values["at"] = at
    session.add(
        StateTransition(
            organization_id=actor.organization_id,
            entity_type=machine.entity_type,
            entity_id=entity_id,
            from_state=from_state,
            to_state=to_state,
            comment=comment,
            actor=actor.subject,
            **values,
        )
    )


async def record_transitions(
    session: AsyncSession,
    actor: Actor,
    machine: StateMachine,
    changes: Sequence[tuple[uuid.UUID, str | None, str]],
    comment: str | None = None,
    at: datetime | None = None,
) -> None:
    """Many state changes — (entity id, from, to) — in one INSERT, for bulk operations."""
    if not changes:
        return
    at = at or utcnow()
    rows = [
        {
            "id": uuid.uuid4(),
            "organization_id": actor.organization_id,
            "entity_type": machine.entity_type,
            "entity_id": entity_id,
            "from_state": from_state,
            "to_state": to_state,
            "comment": comment,
            "actor": actor.subject,
            "at": at,
        }
        for entity_id, from_state, to_state in changes
    ]
    await session.execute(insert(StateTransition), rows)


def insert_transitions_from(
    actor: Actor,
    machine: StateMachine,
    entity_ids: ColumnElement[uuid.UUID],
    from_state: str | None,
    to_state: str,
    at: datetime,
    comment: str | None = None,
) -> Insert:
    """PostgreSQL: the same state change for every entity id ``entity_ids`` selects (a column of a CTE or subquery, e.g.
    an UPDATE … RETURNING), as one INSERT … SELECT, the ids made by the server."""
    values = (
        func.gen_random_uuid(),
        literal(actor.organization_id, Uuid),
        literal(machine.entity_type, String),
        entity_ids,
        literal(from_state, String),
        literal(to_state, String),
        literal(comment, Text),
        literal(actor.subject, String),
        literal(at, UtcDateTime),
    )
    columns = ("id", "organization_id", "entity_type", "entity_id", "from_state", "to_state", "comment", "actor", "at")
    return insert(StateTransition).from_select(columns, select(*values))


def history_statement(
    organization_id: uuid.UUID, machine: StateMachine, entity_id: uuid.UUID
) -> Select[StateTransition]:
    return select(StateTransition).where(
        StateTransition.organization_id == organization_id,
        StateTransition.entity_type == machine.entity_type,
        StateTransition.entity_id == entity_id,
    )


class Transition(OutputModel):
    """One kept state change."""

    id: uuid.UUID
    from_: LabelOut | None = Field(validation_alias="from_state", serialization_alias="from")
    to: LabelOut = Field(validation_alias="to_state")
    comment: CommentOut | None
    actor: SubjectOut
    at: UtcDatetime

    model_config = ConfigDict(populate_by_name=True)


async def history_page(
    session: AsyncSession, organization_id: uuid.UUID, machine: StateMachine, entity_id: uuid.UUID, page: PageParams
) -> Page[Transition]:
    """One page of an entity's state history, oldest first (the caller has already checked it may see the entity)."""
    statement = history_statement(organization_id, machine, entity_id)
    rows, cursor = await paginate(session, statement, page, [StateTransition.at, StateTransition.id])
    return Page(items=[Transition.model_validate(r) for r in rows], next_cursor=cursor)
