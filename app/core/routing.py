"""The route class every API router uses: request bodies read exactly, and text that a database cannot store refused.

- JSON numbers are parsed as ``Decimal``, never through a float: ``1234567890123.123456`` stays exactly that, and a
  field's declared digits and decimal places then refuse what is too precise (422) instead of rounding it silently.
  ``NaN`` and ``Infinity`` are not JSON and are refused.
- NUL (``\\u0000``) in any string of a body or a query parameter is refused with 422 on every database: PostgreSQL
  cannot store it in text, and no person types it.
"""

import json
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette._utils import get_route_path
from starlette.routing import Match
from starlette.types import Scope

from app.core.i18n import translate

_NUL = "\x00"


def _refuse_constant(name: str) -> Any:
    # A JSONDecodeError, so FastAPI answers it as it answers any malformed body (422 json_invalid).
    raise json.JSONDecodeError(f"{name} is not a JSON number", name, 0)


def _nul_error(loc: list[str | int]) -> dict[str, Any]:
    return {"type": "string_nul", "loc": tuple(loc), "msg": translate("validation.nul"), "input": None}


def nul_locations(value: Any, loc: list[str | int]) -> list[dict[str, Any]]:
    """Every place in a parsed JSON document where a string (value or key) holds a NUL."""
    errors: list[dict[str, Any]] = []
    if isinstance(value, str):
        if _NUL in value:
            errors.append(_nul_error(loc))
    elif isinstance(value, dict):
        for key, item in value.items():
            if _NUL in key:
                errors.append(_nul_error([*loc, key.replace(_NUL, "")]))
            errors.extend(nul_locations(item, [*loc, key]))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            errors.extend(nul_locations(item, [*loc, index]))
    return errors


class ExactJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            parsed = json.loads(await self.body(), parse_float=Decimal, parse_constant=_refuse_constant)
            # Exactness matters inside a document; a bare number is never a valid body, and as a Decimal it would
            # slip past model validation (all-optional PATCH models read it by attributes), so it stays a float.
            self._json = float(parsed) if isinstance(parsed, Decimal) else parsed
        return self._json


def _query_nul_errors(request: Request) -> list[dict[str, Any]]:
    if b"%00" not in request.scope.get("query_string", b""):
        return []
    return [_nul_error(["query", name]) for name, value in request.query_params.multi_items() if _NUL in value + name]


async def _body_nul_errors(request: ExactJsonRequest) -> list[dict[str, Any]]:
    # The escape is the only way a NUL gets into valid JSON, so almost every body is never parsed here; the parse is
    # cached for the route. A body that is not JSON is left to the route, which answers 422 as usual.
    if b"\\u0000" not in await request.body():
        return []
    try:
        parsed = await request.json()
    except ValueError:
        return []
    return nul_locations(parsed, ["body"])


class ApiRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        # The literal start of the path (up to its first parameter): a request path without it cannot match.
        self.literal_prefix = path.split("{", 1)[0]

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        # The router asks every route in turn until one matches (fifty or so for a KPR). A prefix test answers most of
        # them for a fraction of the full match (the route's regex and its effective context), with the same answer.
        if scope["type"] == "http" and not get_route_path(scope).startswith(self.literal_prefix):
            return Match.NONE, {}
        return super().matches(scope)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def exact(request: Request) -> Response:
            exact_request = ExactJsonRequest(request.scope, request.receive)
            errors = _query_nul_errors(request) + await _body_nul_errors(exact_request)
            if errors:
                raise RequestValidationError(errors)
            return await handler(exact_request)

        return exact
