"""Lookups every domain needs: a row of this organization or 404, and merge-patch application."""

import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Select, String, Uuid, any_, bindparam, func, inspect, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.util import identity_key

from app.core.errors import NotFound
from app.models import Base

M = TypeVar("M", bound=Base)

# FOR NO KEY UPDATE: writers of one row queue, while inserts that merely reference the row (a foreign key check takes
# FOR KEY SHARE) go on; with FOR UPDATE, moving A under B while B is being written would deadlock on B's key.
NO_KEY_UPDATE = {"key_share": True}


def id_slices(ids: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """``ids`` in consecutive slices of at most ``size``: whole-company work done a bounded chunk at a time."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def among(session: AsyncSession, column: Any, ids: Sequence[uuid.UUID]) -> ColumnElement[bool]:
    """``column IN ids`` as one bound value, however many ids: a statement takes at most 32,767 parameters through
    asyncpg and 32,766 on SQLite, and an id list that grows with the company (every owner in a cycle) passes that."""
    if session.get_bind().dialect.name == "postgresql":
        listed: ColumnElement[bool] = column == any_(bindparam(None, list(ids), type_=ARRAY(Uuid)))
        return listed
    # SQLite keeps a Uuid as its 32 hex digits.
    hex_ids = json.dumps([entity_id.hex for entity_id in ids])
    values: Select[Any] = select(literal_column("value")).select_from(func.json_each(bindparam(None, hex_ids, String)))
    in_values: ColumnElement[bool] = column.in_(values.scalar_subquery())
    return in_values


async def fetch(session: AsyncSession, model: type[M], entity_id: object, *, lock: bool = False) -> M | None:
    """The row by id; ``lock`` reads it FOR NO KEY UPDATE and refreshes it if the session held it already."""
    if lock:
        return await session.get(model, entity_id, with_for_update=NO_KEY_UPDATE, populate_existing=True)
    return await session.get(model, entity_id)


async def fetch_many(session: AsyncSession, model: type[M], ids: Iterable[Any]) -> dict[Any, M]:
    """Rows by id: those the session holds already cost nothing, the rest one statement."""
    found: dict[Any, M] = {}
    missing = []
    for entity_id in set(ids):
        held = session.identity_map.get(identity_key(model, entity_id))
        if held is not None:
            found[entity_id] = held
        else:
            missing.append(entity_id)
    if missing:
        id_column = model.__table__.c.id
        for row in await session.scalars(select(model).where(among(session, id_column, missing))):
            found[inspect(row).identity[0]] = row  # type: ignore[index]
    return found


async def get_in_org(
    session: AsyncSession,
    model: type[M],
    entity_id: uuid.UUID,
    organization_id: uuid.UUID,
    resource: str,
    *,
    lock: bool = False,
) -> M:
    """The row, or 404 when it is missing or belongs to another tenant (the two are indistinguishable).

    ``lock`` is for writers: the row is read ``FOR NO KEY UPDATE`` (and refreshed if the session held it already), so
    concurrent writers of one row queue here and each sees the row as the previous one left it — an ``If-Match``
    compared after this cannot be passed by two writers holding the same ETag.
    """
    entity = await fetch_in_org(session, model, entity_id, organization_id, lock=lock)
    if entity is None:
        raise NotFound(resource, entity_id)
    return entity


async def fetch_in_org(
    session: AsyncSession, model: type[M], entity_id: uuid.UUID, organization_id: uuid.UUID, *, lock: bool = False
) -> M | None:
    """The row, or None when it is missing or belongs to another tenant."""
    entity = await fetch(session, model, entity_id, lock=lock)
    if entity is None or getattr(entity, "organization_id", None) != organization_id:
        return None
    return entity


def changed_fields(patch: BaseModel) -> dict[str, Any]:
    """The fields the client actually sent (merge-patch semantics: absent means unchanged)."""
    return patch.model_dump(exclude_unset=True)


def apply_changes(entity: Base, changes: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Set the changed attributes; returns {field: (before, after)} for the audit trail."""
    diff: dict[str, tuple[Any, Any]] = {}
    for field, value in changes.items():
        before = getattr(entity, field)
        if before != value:
            diff[field] = (before, value)
            setattr(entity, field, value)
    return diff


def column_values(entity: Base) -> dict[str, Any]:
    """The row's column values, to build a response schema together with derived figures."""
    return {column.key: getattr(entity, column.key) for column in entity.__table__.columns}
