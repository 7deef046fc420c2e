"""OpenAPI: the contract as clients' own tools read it.

On top of what FastAPI derives from the routes, the document states what the middleware and the response helpers
do (problem+json errors, Idempotency-Key, the ETag, Location, X-Request-ID and rate-limit headers, 412 where If-Match
is read), gives every schema a title of its own (FastAPI files a model that reads differently in and out twice under
one title, which generated clients cannot tell apart), and declares a limit on every string, array and integer.
"""

import copy
import typing
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from app.core.errors import PROBLEM_JSON
from app.core.responses import ResourceResponse
from app.core.schemas import INT32_MAX, Problem


def _problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description, "content": {PROBLEM_JSON: {}}}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _problem("Bad request (e.g. a tampered cursor)."),
    401: _problem("Missing or invalid credentials."),
    403: _problem("Authenticated, but not allowed to do this."),
    404: _problem("Not found, or not visible to the caller."),
    413: _problem("Body larger than 1 MiB."),
    422: _problem("Validation failed; see errors."),
    429: _problem(
        "Too many requests: a rate limit of the caller, its organization or (without valid credentials) its address "
        "is used up; wait as Retry-After says. Reads, writes and bulk operations (template apply, cycle transitions, "
        "exports) have separate limits; RateLimit and RateLimit-Policy say what is left."
    ),
    500: _problem("An unexpected error; nothing was changed. Quote request_id when reporting it."),
}
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    409: _problem("Conflicts with the current state (duplicate, illegal transition, locked)."),
}
# Added to exactly the operations that read If-Match (see _declare_preconditions).
PRECONDITION_FAILED = "If-Match did not match the current ETag."


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

# HTTP field values are visible ASCII and spaces.
_FIELD_VALUE = "^[ -~]*$"

RESPONSE_HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-ID": {
        "description": "The request's id: the X-Request-ID sent (when it is 1–128 of A-Z a-z 0-9 . _ : -), else a "
        "new one. Sent on every response; quote it when reporting a problem.",
        "required": True,
        "schema": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[A-Za-z0-9._:\\-]{1,128}$"},
    },
    "RateLimit": {
        "description": "The caller's remaining quota (IETF draft RateLimit header fields), where rate limiting is on.",
        "required": False,
        "schema": {"type": "string", "maxLength": 256, "pattern": _FIELD_VALUE},
    },
    "RateLimit-Policy": {
        "description": "The quota policy that applies to the caller (IETF draft RateLimit header fields).",
        "required": False,
        "schema": {"type": "string", "maxLength": 256, "pattern": _FIELD_VALUE},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 86400},
    },
    "Access-Control-Allow-Origin": {
        "description": "Sent when KPR_CORS_ORIGINS is configured and the request's Origin is one of them.",
        "required": False,
        "schema": {"type": "string", "maxLength": 2048, "pattern": _FIELD_VALUE},
    },
    "ETag": {
        "description": "Strong ETag of the resource as written in this body; send it as If-Match to write it.",
        "required": True,
        "schema": {"type": "string", "minLength": 34, "maxLength": 34, "pattern": '^"[0-9a-f]{32}"$'},
    },
    "Location": {
        "description": "Where the created resource (or collection it joined) is read.",
        "required": True,
        "schema": {"type": "string", "format": "uri-reference", "maxLength": 2048},
    },
    "WWW-Authenticate": {
        "description": "The scheme to authenticate with.",
        "required": True,
        "schema": {"type": "string", "maxLength": 256, "pattern": "^Bearer"},
    },
    "Idempotent-Replayed": {
        "description": "Present when this is the stored response to an earlier request with the same Idempotency-Key.",
        "required": False,
        "schema": {"type": "string", "enum": ["true"]},
    },
}


def _header_refs(*names: str) -> dict[str, Any]:
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


# Limits the middleware and the handlers keep for every problem body (Problem itself is shared with the handlers).
PROBLEM_LIMITS: dict[str, dict[str, Any]] = {
    "type": {"maxLength": 2048, "format": "uri-reference"},
    "title": {"maxLength": 200},
    "status": {"format": "int32", "minimum": 400, "maximum": 599},
    "detail": {"maxLength": 10_000},
    # The request's path, as long as the HTTP server lets one be.
    "instance": {"maxLength": 65_536},
    "code": {"maxLength": 64, "pattern": "^[A-Z][A-Z0-9_]*$"},
    "request_id": {"maxLength": 128, "pattern": "^[A-Za-z0-9._:\\-]{1,128}$"},
    # A request body is at most 1 MiB, and it takes more than a byte of it to earn an error.
    "errors": {"maxItems": 1024 * 1024},
}

# What a string's format already bounds: a UUID, a date, an RFC 3339 timestamp (with up to 9 decimals and an offset).
FORMAT_LENGTHS = {"uuid": 36, "date": 10, "date-time": 35, "email": 320}


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
                "(e.g. `2026-01-31T08:00:00Z`), between 1900 and 8999; they are written in UTC with `Z`.\n\n"
                "**Headers.** Single resources carry a strong `ETag`; `PATCH`, `PUT` and `DELETE` take it back as "
                "`If-Match` (412 when the resource changed). Every response carries `X-Request-ID`."
            ),
            routes=app.routes,
            tags=app.openapi_tags,
            servers=app.servers,
            contact=app.contact,
            license_info=app.license_info,
        )
        for path in schema.get("paths", {}).values():
            post = path.get("post")
            if post is not None:
                # Handled by middleware, so routes do not declare it; clients still need to see it in the contract.
                parameters = post.setdefault("parameters", [])
                if not any(p.get("in") == "header" and p.get("name") == "Idempotency-Key" for p in parameters):
                    parameters.append(copy.deepcopy(IDEMPOTENCY_KEY_PARAMETER))
            for operation in path.values():
                # Problem bodies are only ever served as application/problem+json.
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if status[0] in "45" and "application/json" in content and PROBLEM_JSON in content:
                        content[PROBLEM_JSON] = content.pop("application/json")
        _no_null_parameters(schema)
        _declare_preconditions(schema)
        _declare_headers(schema, app.routes)
        _unique_titles(schema)
        _optional_where_defaulted(schema)
        _tidy_numbers(schema)
        _declare_no_nul(schema)
        _declare_limits(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = custom_openapi  # type: ignore[method-assign]


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) of every operation of ``document``."""
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in {"get", "put", "post", "delete", "patch", "head", "options", "trace"}:
                yield method, path, operation


def reads_if_match(operation: dict[str, Any]) -> bool:
    return any(p.get("in") == "header" and p.get("name") == "If-Match" for p in operation.get("parameters", []))


def _no_null_parameters(document: dict[str, Any]) -> None:
    """An optional parameter is left out, never sent as null (a query string or header has no null): its schema is
    the value's own, so clients type it as the value and linters see its limits."""
    for _, _, operation in operations(document):
        for parameter in operation.get("parameters", []):
            schema = parameter.get("schema", {})
            variants = schema.get("anyOf")
            if parameter.get("required") or not variants:
                continue
            values = [v for v in variants if v.get("type") != "null"]
            if len(values) == 1 and len(values) < len(variants):
                del schema["anyOf"]
                schema.update(values[0])


def _declare_preconditions(document: dict[str, Any]) -> None:
    """412 is documented on exactly the operations that read If-Match: no other can answer it."""
    problem = {
        "description": PRECONDITION_FAILED,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for _, _, operation in operations(document):
        responses = operation.get("responses", {})
        if reads_if_match(operation):
            responses.setdefault("412", problem)
        else:
            responses.pop("412", None)
        operation["responses"] = dict(sorted(responses.items()))


def sends_resource(route: APIRoute) -> bool:
    """Whether the route answers with ``resource_response`` (and so an ETag), as its return annotation says."""
    returned = typing.get_type_hints(route.endpoint).get("return")
    return isinstance(returned, type) and issubclass(returned, ResourceResponse)


def _routes(routes: Iterable[Any]) -> Iterator[tuple[str, str, APIRoute]]:
    for route in routes:
        if isinstance(route, APIRoute) and route.include_in_schema:
            for method in sorted(route.methods or ()):
                yield method.lower(), route.path_format, route


def _declare_headers(document: dict[str, Any], routes: Iterable[Any]) -> None:
    document.setdefault("components", {})["headers"] = copy.deepcopy(RESPONSE_HEADERS)
    resources = {(method, path) for method, path, route in _routes(routes) if sends_resource(route)}
    for method, path, operation in operations(document):
        for status, response in operation.get("responses", {}).items():
            names = ["X-Request-ID", "Access-Control-Allow-Origin"]
            if status[0] in "24":
                names += ["RateLimit", "RateLimit-Policy"]
            if status == "401":
                names.append("WWW-Authenticate")
            if status in ("429", "503"):
                names.append("Retry-After")
            if status[0] == "2" and method == "post":
                names.append("Idempotent-Replayed")
            if status in ("200", "201", "202") and (method, path) in resources:
                names.append("ETag")
                if status == "201":
                    names.append("Location")
            response["headers"] = {**response.get("headers", {}), **_header_refs(*sorted(names))}


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            yield ref.removeprefix("#/components/schemas/")
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _rename_refs(node: Any, renames: dict[str, str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.removeprefix("#/components/schemas/")
            if name in renames:
                node["$ref"] = "#/components/schemas/" + renames[name]
        for value in node.values():
            _rename_refs(value, renames)
    elif isinstance(node, list):
        for item in node:
            _rename_refs(item, renames)


def _output_name(name: str, taken: set[str]) -> str:
    # The input form keeps the model's name (PolicyIn); the output form is the noun (Policy), or NameOutput.
    candidate = name.removesuffix("In") if name.endswith("In") and len(name) > 2 else ""
    return candidate if candidate and candidate not in taken else f"{name}Output"


def _unique_titles(document: dict[str, Any]) -> None:
    """A model that reads differently in and out is filed twice, as ``X-Input`` and ``X-Output``, both titled ``X``:
    generators name classes by title, so one of them is dropped. Each gets a name and title of its own."""
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    taken = {key for key in schemas if not key.endswith(("-Input", "-Output"))}
    renames: dict[str, str] = {}
    for key in schemas:
        if key.endswith("-Input"):
            name = key.removesuffix("-Input")
            renames[key] = name
            taken.add(name)
    for key in schemas:
        if key.endswith("-Output"):
            name = _output_name(key.removesuffix("-Output"), taken)
            renames[key] = name
            taken.add(name)
    if not renames:
        return
    renamed: dict[str, Any] = {}
    for key, schema in schemas.items():
        name = renames.get(key, key)
        if key in renames:
            schema["title"] = name
        renamed[name] = schema
    document["components"]["schemas"] = dict(sorted(renamed.items()))
    _rename_refs(document, renames)


def _reachable(document: dict[str, Any], roots: Iterable[str]) -> set[str]:
    schemas = document.get("components", {}).get("schemas", {})
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name not in seen and name in schemas:
            seen.add(name)
            todo.extend(_refs(schemas[name]))
    return seen


def schemas_in_and_out(document: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The component schemas requests use, and those responses use."""
    inputs: list[str] = []
    outputs: list[str] = []
    for _, _, operation in operations(document):
        inputs += _refs([operation.get("requestBody", {}), operation.get("parameters", [])])
        outputs += _refs(operation.get("responses", {}))
    return _reachable(document, inputs), _reachable(document, outputs)


def _optional_where_defaulted(document: dict[str, Any]) -> None:
    """A request field the service fills in when it is left out is optional, and its default is said in words.

    The ``default`` keyword itself stays out of request schemas: openapi-typescript (by default) types a property
    with a default as always present, which is true of a response and wrong for a request.
    """
    inputs, outputs = schemas_in_and_out(document)
    schemas = document["components"]["schemas"]
    for name in sorted(inputs - outputs):
        for prop in schemas[name].get("properties", {}).values():
            if "default" in prop:
                default = prop.pop("default")
                note = f"Default: `{_json_text(default)}`."
                prop["description"] = f"{prop['description']} {note}" if prop.get("description") else note


def _json_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _tidy_numbers(node: Any) -> None:
    """Pydantic writes a bound it cannot fold into a decimal's schema as a stray ``ge``/``le`` (and a Decimal default
    as a string): make them the JSON Schema keywords a generated client or a fuzzer understands, keeping the tighter
    bound, so the document states the limits the server enforces. Whole numbers are written as integers (100, not
    100.0), as the service writes them."""
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
        for keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "default"):
            if keyword in node:
                node[keyword] = _number(node[keyword])
    for value in node.values():
        _tidy_numbers(value)


NO_NUL_PATTERN = "^[^\\u0000]*$"


def _declare_no_nul(node: Any) -> None:
    """Free text says what the route class enforces on every string of a body or query (refused with 422) and so
    never appears in a response: no NUL. Strings with a format, pattern or fixed values say more already; a request
    header (If-Match, Idempotency-Key) is left as it is, since HTTP itself keeps NUL out of it."""
    if isinstance(node, list):
        for item in node:
            _declare_no_nul(item)
        return
    if not isinstance(node, dict) or node.get("in") == "header":
        return
    if node.get("type") == "string" and not {"format", "pattern", "enum", "const"} & set(node):
        node["pattern"] = NO_NUL_PATTERN
    for value in node.values():
        _declare_no_nul(value)


def _declare_limits(document: dict[str, Any]) -> None:
    """Strings whose format bounds them say so; the problem body states the limits its handlers keep."""
    problem = document.get("components", {}).get("schemas", {}).get("Problem")
    if problem is not None:
        for name, limits in PROBLEM_LIMITS.items():
            field = problem["properties"][name]
            for variant in field.get("anyOf", [field]):
                if variant.get("type") != "null":
                    variant.update({k: v for k, v in limits.items() if k not in variant or k.startswith("max")})
    _format_lengths(document)


def _format_lengths(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _format_lengths(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "string" and node.get("format") in FORMAT_LENGTHS and "maxLength" not in node:
        node["maxLength"] = FORMAT_LENGTHS[node["format"]]
    if node.get("type") == "integer" and "format" not in node:
        fits = node.get("minimum", 0) >= -INT32_MAX - 1 and node.get("maximum", 0) <= INT32_MAX
        if fits and "minimum" in node and "maximum" in node:
            node["format"] = "int32"
    for value in node.values():
        _format_lengths(value)
