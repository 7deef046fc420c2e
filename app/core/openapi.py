"""OpenAPI: documented problem+json error responses on every operation, stable document for the committed copy."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.core.errors import PROBLEM_JSON
from app.core.schemas import Problem


def _problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description, "content": {PROBLEM_JSON: {}}}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _problem("Bad request (e.g. a tampered cursor)."),
    401: _problem("Missing or invalid credentials."),
    403: _problem("Authenticated, but not allowed to do this."),
    404: _problem("Not found, or not visible to the caller."),
    413: _problem("Body larger than 1 MiB."),
    422: _problem("Validation failed; see errors."),
    429: {
        **_problem(
            "Too many requests: a rate limit of the caller, its organization or (without valid credentials) its "
            "address is used up. Reads, writes and bulk operations (template apply, cycle transitions, exports) "
            "have separate limits; successful answers carry RateLimit and RateLimit-Policy too."
        ),
        "headers": {
            "Retry-After": {
                "description": "Seconds to wait before retrying.",
                "schema": {"type": "integer", "minimum": 1},
            },
            "RateLimit": {
                "description": "What is left of each limit and the seconds until more is available "
                '(draft-ietf-httpapi-ratelimit-headers), e.g. `"reads";r=0;t=12`.',
                "schema": {"type": "string"},
            },
            "RateLimit-Policy": {
                "description": "Each limit the request was counted against, its quota and window in seconds, e.g. "
                '`"reads";q=600;w=60`.',
                "schema": {"type": "string"},
            },
        },
    },
}
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    409: _problem("Conflicts with the current state (duplicate, illegal transition, locked)."),
    412: _problem("If-Match did not match the current ETag."),
}


IDEMPOTENCY_KEY_PARAMETER: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Makes the POST safe to retry: the same key with the same body replays the first response; the same key "
        "with another body answers 422. Keys are per organization and kept 24 h."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "example": "5f1c9a0e-0b7d-4c35-9a51-3d2f0f4f7a10",
}


def install_openapi(app: FastAPI) -> None:
    def custom_openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=(
                "Authenticate with `Authorization: Bearer <JWT>` (claims `sub`, `org`, `roles`, `exp`) or "
                "`X-API-Key`. Errors are RFC 9457 `application/problem+json` with a stable `code`. "
                "`Accept-Language: zh-CN` returns messages in Chinese.\n\n"
                "**Numbers.** Decimals are read exactly as written (never through a float). A measurement (baseline, "
                "target, check-in value, …) takes at most 15 significant digits and 6 after the point — what a "
                "double holds exactly — and is written back as the same JSON number; more precise input is refused "
                "with 422, never rounded. Derived figures (achievement, progress, score, …) are computed unrounded "
                "and written as JSON numbers rounded half-up to 2 decimals. `NaN` and `Infinity` are refused.\n\n"
                "**Text and time.** Strings may not contain NUL (`\\u0000`). Timestamps are RFC 3339 with an offset "
                "(e.g. `2026-01-31T08:00:00Z`), between 1900 and 8999; they are written in UTC with `Z`."
            ),
            routes=app.routes,
        )
        # Problem bodies are only ever served as application/problem+json.
        for path in schema.get("paths", {}).values():
            post = path.get("post")
            if post is not None:
                # Handled by middleware, so routes do not declare it; clients still need to see it in the contract.
                parameters = post.setdefault("parameters", [])
                if not any(p.get("in") == "header" and p.get("name") == "Idempotency-Key" for p in parameters):
                    parameters.append(dict(IDEMPOTENCY_KEY_PARAMETER))
            for operation in path.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if status[0] in "45" and "application/json" in content and PROBLEM_JSON in content:
                        content[PROBLEM_JSON] = content.pop("application/json")
        _tidy_numbers(schema)
        _declare_no_nul(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = custom_openapi  # type: ignore[method-assign]


_BOUNDS = {
    "ge": ("minimum", max),
    "gt": ("exclusiveMinimum", max),
    "le": ("maximum", min),
    "lt": ("exclusiveMaximum", min),
}


def _number(value: Any) -> Any:
    if isinstance(value, str):
        number = float(value)
        return int(number) if number.is_integer() else number
    return value


def _tidy_numbers(node: Any) -> None:
    """Pydantic writes a bound it cannot fold into a decimal's schema as a stray ``ge``/``le`` (and a Decimal default
    as a string): make them the JSON Schema keywords a generated client or a fuzzer understands, keeping the tighter
    bound, so the document states the limits the server enforces."""
    if isinstance(node, list):
        for item in node:
            _tidy_numbers(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") in ("number", "integer"):
        for short, (keyword, tighter) in _BOUNDS.items():
            if short in node:
                bound = _number(node.pop(short))
                node[keyword] = tighter(bound, node[keyword]) if keyword in node else bound
        if "default" in node:
            node["default"] = _number(node["default"])
    for value in node.values():
        _tidy_numbers(value)


NO_NUL_PATTERN = "^[^\\u0000]*$"


def _declare_no_nul(document: dict[str, Any]) -> None:
    """Free-text query parameters say what the route class enforces: no NUL (refused with 422)."""
    for path in document.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "query":
                    continue
                schema = parameter.get("schema", {})
                for variant in schema.get("anyOf", [schema]):
                    if variant.get("type") == "string" and not {"format", "pattern", "enum"} & set(variant):
                        variant["pattern"] = NO_NUL_PATTERN
