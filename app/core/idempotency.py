"""``Idempotency-Key`` on POST: a retry with the same key and body replays the first response.

The key is reserved in its own committed transaction before the request runs, so two concurrent requests with one key
meet at the unique constraint: the second waits for the first's response and replays it; nothing is created twice.
"""

import asyncio
import hashlib
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.auth import resolve_actor
from app.core.errors import AppError, problem_response
from app.core.i18n import translate
from app.core.problems import ProblemCode
from app.core.security import Principal, principal_from_api_key, principal_from_token
from app.models import IdempotencyKey

log = logging.getLogger(__name__)

RETENTION = timedelta(hours=24)
WAIT_FOR_FIRST = 30.0
_SKIPPED_HEADERS = {b"x-request-id", b"date", b"server"}


def key_scope(principal: Principal) -> str:
    """The owner of a key: the organization (or "system") and a hash of who exactly is calling, with which roles."""
    identity = "\n".join([principal.subject, str(principal.api_key_id or ""), ",".join(sorted(principal.roles))])
    return f"{principal.organization_id or 'system'}:{hashlib.sha256(identity.encode()).hexdigest()}"


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _header(scope, b"idempotency-key")
        if scope["type"] != "http" or scope["method"] != "POST" or key is None:
            await self.app(scope, receive, send)
            return
        if not 1 <= len(key) <= 255:
            await problem_response(
                Request(scope),
                400,
                ProblemCode.BAD_REQUEST,
                translate("detail.bad_request", reason="Idempotency-Key: 1-255 characters"),
            )(scope, receive, send)
            return
        body = await _read_body(receive)
        replay_receive = _replaying(body)
        owner = await self._owner(scope)
        if owner is None:  # not authenticated: let the route answer 401
            await self.app(scope, replay_receive, send)
            return
        sessionmaker: async_sessionmaker[AsyncSession] = scope["app"].state.sessionmaker
        request_hash = hashlib.sha256(
            b"\n".join([scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b""), body])
        ).hexdigest()
        reserved = await self._reserve(Request(scope), sessionmaker, owner, key, request_hash)
        if not isinstance(reserved, uuid.UUID):
            await reserved(scope, replay_receive, send)  # a replay of the first response, or a refusal
            return
        captured: dict[str, Any] = {"status": 500, "headers": [], "body": b""}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = [
                    [k.decode("latin-1"), v.decode("latin-1")]
                    for k, v in message.get("headers", [])
                    if k.lower() not in _SKIPPED_HEADERS
                ]
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, replay_receive, capture)
        finally:
            await self._complete(sessionmaker, reserved, captured)

    async def _owner(self, scope: Scope) -> str | None:
        """Whose key this is: the organization and the principal (subject, API key, roles), authenticated as the
        route would authenticate them — so a colleague resending someone's request with their key gets no replay,
        and a replay is refused to a caller the route itself would refuse (a deactivated employee, say)."""
        state = scope["app"].state
        authorization = _header(scope, b"authorization")
        api_key = _header(scope, b"x-api-key")
        if not (authorization and authorization.lower().startswith("bearer ")) and not api_key:
            return None
        try:
            async with state.sessionmaker() as session:
                if authorization and authorization.lower().startswith("bearer "):
                    principal = await principal_from_token(state.settings, authorization[7:].strip())
                else:
                    principal = await principal_from_api_key(session, api_key or "")
                if principal.organization_id is not None and not principal.is_system:
                    await resolve_actor(session, principal)
        except AppError:
            return None  # the route answers the same 401/403, and nothing is reserved
        return key_scope(principal)

    async def _reserve(
        self,
        request: Request,
        sessionmaker: async_sessionmaker[AsyncSession],
        owner: str,
        key: str,
        request_hash: str,
    ) -> uuid.UUID | ASGIApp:
        deadline = asyncio.get_running_loop().time() + WAIT_FOR_FIRST
        while True:
            now = datetime.now(UTC)
            async with sessionmaker() as session:
                try:
                    await session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < now - RETENTION))
                    record = IdempotencyKey(scope=owner, key=key, request_hash=request_hash, created_at=now)
                    session.add(record)
                    await session.commit()
                    return record.id
                except IntegrityError:
                    await session.rollback()
                existing = await session.scalar(
                    select(IdempotencyKey).where(IdempotencyKey.scope == owner, IdempotencyKey.key == key)
                )
                await session.commit()
            if existing is None:
                continue  # completed with a server error and released meanwhile: take it
            if existing.request_hash != request_hash:
                return _problem(
                    request,
                    422,
                    ProblemCode.IDEMPOTENCY_KEY_REUSED,
                    "detail.idempotency_reused",
                    errors=[
                        {
                            "loc": ["header", "Idempotency-Key"],
                            "msg": translate("detail.idempotency_reused"),
                            "type": "idempotency_key_reused",
                        }
                    ],
                )
            if existing.status_code is not None and existing.response_body is None:
                # The first response carried a secret (Cache-Control: no-store), which is never kept.
                return _problem(
                    request, 409, ProblemCode.IDEMPOTENCY_NOT_REPLAYABLE, "detail.idempotency_not_replayable"
                )
            if existing.status_code is not None:
                return _replay(existing)
            if asyncio.get_running_loop().time() > deadline:
                return _problem(request, 409, ProblemCode.IDEMPOTENCY_IN_PROGRESS, "detail.idempotency_in_progress")
            await asyncio.sleep(0.05)

    async def _complete(
        self, sessionmaker: async_sessionmaker[AsyncSession], record_id: uuid.UUID, captured: dict[str, Any]
    ) -> None:
        async with sessionmaker() as session:
            if captured["status"] >= 500:
                # Nothing was done, or it was undone: free the key so the client can retry for real.
                await session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == record_id))
            else:
                secret = any(k.lower() == "cache-control" and "no-store" in v for k, v in captured["headers"])
                await session.execute(
                    update(IdempotencyKey)
                    .where(IdempotencyKey.id == record_id)
                    .values(
                        status_code=captured["status"],
                        response_headers=captured["headers"],
                        response_body=None if secret else captured["body"],
                    )
                )
            await session.commit()


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # no more body; a real server would report disconnect
        return {"type": "http.disconnect"}

    return receive


class _Ready:
    def __init__(self, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body})


def _replay(record: IdempotencyKey) -> _Ready:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in record.response_headers or []]
    headers.append((b"idempotent-replayed", b"true"))
    return _Ready(record.status_code or 200, headers, record.response_body or b"")


def _problem(
    request: Request, status: int, code: ProblemCode, detail_key: str, errors: list[dict[str, Any]] | None = None
) -> ASGIApp:
    return problem_response(request, status, code, translate(detail_key), errors=errors)
