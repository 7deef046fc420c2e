"""Keyset (cursor) pagination: a stable order with the id as tie-break, cursors signed against tampering."""

import base64
import binascii
import hashlib
import hmac
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, ClassVar, Protocol, TypeVar

from fastapi import Depends, Query, Request
from sqlalchemy import Select, Uuid, literal, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import InvalidCursor
from app.models.types import UtcDateTime

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
# ?limit= above MAX_LIMIT is cut to it (DESIGN §7); the contract still bounds the integer, at the int32 range, and
# only a value beyond it (no page size) is refused.
LIMIT_BOUND = 2**31 - 1
# The longest ?cursor= the service reads; the cursors it writes are far shorter.
MAX_CURSOR_LENGTH = 1000

T = TypeVar("T")


@dataclass(frozen=True)
class CursorCodec:
    key: bytes

    def encode(self, values: Sequence[Any]) -> str:
        payload = json.dumps([_to_json(v) for v in values], separators=(",", ":")).encode()
        signature = hmac.new(self.key, payload, hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(payload + signature).decode().rstrip("=")

    def decode(self, cursor: str) -> list[Any]:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError) as exc:
            raise InvalidCursor() from exc
        payload, signature = raw[:-16], raw[-16:]
        expected = hmac.new(self.key, payload, hashlib.sha256).digest()[:16]
        if len(raw) <= 16 or not hmac.compare_digest(signature, expected):
            raise InvalidCursor()
        try:
            values = json.loads(payload)
        except ValueError as exc:
            raise InvalidCursor() from exc
        if not isinstance(values, list):
            raise InvalidCursor()
        return values


def _to_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def _from_json(column: InstrumentedAttribute[Any], value: Any) -> Any:
    try:
        if isinstance(column.type, UtcDateTime):
            return datetime.fromisoformat(value)
        if isinstance(column.type, Uuid):
            return uuid.UUID(value)
    except (TypeError, ValueError) as exc:
        raise InvalidCursor() from exc
    return value


@dataclass(frozen=True)
class PageParams:
    limit: int
    cursor: str | None
    codec: CursorCodec


def cursor_key(secret: str) -> bytes:
    return hashlib.sha256(b"kpr-cursor:" + secret.encode()).digest()


async def page_params(
    request: Request,
    limit: Annotated[
        int,
        Query(
            ge=1,
            le=LIMIT_BOUND,
            description=f"Page size, default {DEFAULT_LIMIT}; above {MAX_LIMIT} is cut to {MAX_LIMIT}.",
            json_schema_extra={"format": "int32"},
        ),
    ] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None, Query(max_length=MAX_CURSOR_LENGTH, description="next_cursor of the previous page.")
    ] = None,
) -> PageParams:
    # An empty ?cursor= is the first page, as clients naturally send it.
    return PageParams(limit=min(limit, MAX_LIMIT), cursor=cursor or None, codec=request.app.state.cursor_codec)


Pagination = Annotated[PageParams, Depends(page_params)]


async def paginate(
    session: AsyncSession,
    statement: Select[T],
    params: PageParams,
    order_by: Sequence[InstrumentedAttribute[Any]],
    *,
    descending: bool = False,
    scope: str | None = None,
) -> tuple[list[T], str | None]:
    """One page of ``statement`` ordered by ``order_by`` (whose last column must be unique, e.g. the id).

    ``scope`` names an order that a list offers besides its default one over columns of the same types: its cursors
    carry the name, so a cursor of one order is refused by the other (400) instead of silently resuming elsewhere.
    """
    if params.cursor is not None:
        values = params.codec.decode(params.cursor)
        if scope is not None:
            if not values or values[-1] != scope:
                raise InvalidCursor()
            values = values[:-1]
        if len(values) != len(order_by):
            raise InvalidCursor()
        after = tuple_(*[_bound(col, val) for col, val in zip(order_by, values, strict=True)])
        keys = tuple_(*order_by)
        statement = statement.where(keys < after if descending else keys > after)
    ordering = [col.desc() if descending else col.asc() for col in order_by]
    rows = list((await session.scalars(statement.order_by(*ordering).limit(params.limit + 1))).all())
    next_cursor = None
    if len(rows) > params.limit:
        rows = rows[: params.limit]
        last = rows[-1]
        key = [getattr(last, col.key) for col in order_by]
        next_cursor = params.codec.encode(key if scope is None else [*key, scope])
    return rows, next_cursor


class Synced(Protocol):
    """A mapped class whose list sync clients read incrementally (``?updated_since=``, DESIGN §14): its columns."""

    id: ClassVar[InstrumentedAttribute[uuid.UUID]]
    created_at: ClassVar[InstrumentedAttribute[datetime]]
    updated_at: ClassVar[InstrumentedAttribute[datetime]]


# The name an ``updated_since`` walk's cursors carry (see ``paginate``'s ``scope``).
CHANGES = "changes"


async def paginate_changes(
    session: AsyncSession,
    statement: Select[T],
    params: PageParams,
    model: type[Synced],
    updated_since: datetime | None,
) -> tuple[list[T], str | None]:
    """A page of a list a sync client follows: in creation order, or with ``updated_since`` only the rows updated at
    or after it, in (updated_at, id) order — the (organization_id, updated_at, id) index's.

    The cursor is the last row's (updated_at, id), so a walk sees every row that stays unchanged during it exactly
    once, whatever else changes: a row updated meanwhile moves behind the cursor's end (seen again further on, or by
    the next walk), and never shifts the rows still ahead the way an offset would. Every write of these rows moves
    their ``updated_at`` (the ORM's onupdate; the set-based writers set it themselves, app.figures' ``store`` too).
    """
    if updated_since is None:
        return await paginate(session, statement, params, [model.created_at, model.id])
    changed = statement.where(model.updated_at >= updated_since)
    return await paginate(session, changed, params, [model.updated_at, model.id], scope=CHANGES)


def _bound(column: InstrumentedAttribute[Any], value: Any) -> Any:
    return literal(_from_json(column, value), type_=column.type)
