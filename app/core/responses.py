"""Single-resource responses with strong ETags, and the If-Match check for writes."""

import hashlib
import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Header
from fastapi.responses import Response
from pydantic import BaseModel

from app.core.errors import PreconditionFailed

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=200,
        description="ETag from a previous read; the write is refused with 412 when the resource has changed.",
    ),
]


def _body(model: BaseModel) -> bytes:
    return model.model_dump_json().encode()


def etag_for(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


class ResourceResponse(Response):
    """A single resource with its strong ETag (and Location when created).

    A route that answers with one says so in its return annotation (``-> ResourceResponse``): the OpenAPI document
    declares the ETag header, and Location on a 201, from it.
    """

    media_type = "application/json"


def resource_response(
    model: BaseModel, *, status_code: int = 200, location: str | None = None, secret: bool = False
) -> ResourceResponse:
    body = _body(model)
    headers = {"ETag": etag_for(body)}
    if secret:
        # Never cached, nor kept for Idempotency-Key replays: the body holds a secret shown once.
        headers["Cache-Control"] = "no-store"
    if location is not None:
        headers["Location"] = location
    return ResourceResponse(body, status_code=status_code, headers=headers)


Present = Callable[[], BaseModel | Awaitable[BaseModel]]


async def check_if_match(if_match: str | None, present: Present) -> None:
    """Honour If-Match (strong comparison; ``*`` matches anything). No header means an unconditional write.

    The one If-Match mechanism: every PATCH, PUT and DELETE handler calls it first, after its resource dependency
    has locked the row and checked the caller's rights — and after FastAPI has validated the body, so a malformed body
    answers 422 whatever its ETag (a dependency would run before the body is read).

    ``present`` builds the resource as a read would show it; it is called only when the header is there, so an
    unconditional write costs nothing here. The caller has locked the row first (``get_in_org(lock=True)``): the
    comparison then sees what the previous writer committed, and of many writers holding one ETag exactly one wins.
    """
    if if_match is None:
        return
    candidates = {tag.strip() for tag in if_match.split(",")}
    if "*" in candidates:
        return
    current = present()
    if inspect.isawaitable(current):
        current = await current
    if etag_for(_body(current)) not in candidates:
        raise PreconditionFailed()
