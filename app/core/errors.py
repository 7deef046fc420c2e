"""The one family of domain errors, and the handlers that render every error as RFC 9457 problem+json."""

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from app.core.i18n import current_locale, translate
from app.core.messages import MESSAGES
from app.core.problems import ProblemCode, type_url
from app.core.request_context import request_id_var

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
RETRY_AFTER_SECONDS = 2
# SQLSTATE classes that mean "the database cannot serve this now; the same request may succeed later": connection
# exceptions, insufficient resources, operator intervention (shutdown, cancelled by statement_timeout), and the
# transaction rollbacks PostgreSQL asks the client to retry (serialization failure, deadlock), lock timeouts.
_UUID_PARAM = re.compile(r"\{(\w+_id)\}")
_HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}
_RETRYABLE_SQLSTATES = ("08", "53", "57", "40", "55P03")
# Statuses Starlette's own HTTPException may carry (FastAPI's security helpers, the body-size limit).
_HTTP_CODES = {
    401: ProblemCode.UNAUTHENTICATED,
    403: ProblemCode.FORBIDDEN,
    413: ProblemCode.PAYLOAD_TOO_LARGE,
}


class AppError(Exception):
    """A failure the caller can act on. Services raise these; only the handler below turns them into HTTP."""

    status = 400
    code = ProblemCode.BAD_REQUEST
    detail_key = "detail.bad_request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: ProblemCode | None = None,
        errors: Sequence[Mapping[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
        **params: object,
    ) -> None:
        self.code = code or self.code
        self.params = params
        self._detail = detail
        self.errors = list(errors) if errors else None
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})
        super().__init__(detail or self.code)

    @property
    def detail(self) -> str:
        return self._detail if self._detail is not None else translate(self.detail_key, None, **self.params)


class InvalidCursor(AppError):
    status = 400
    code = ProblemCode.INVALID_CURSOR
    detail_key = "detail.cursor"


class Unauthenticated(AppError):
    status = 401
    code = ProblemCode.UNAUTHENTICATED
    detail_key = "detail.unauthenticated"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="kpr"'}, **kwargs)


class Forbidden(AppError):
    status = 403
    code = ProblemCode.FORBIDDEN
    detail_key = "detail.forbidden"

    @property
    def detail(self) -> str:
        # ``action`` is English prose; it is only shown as such in English, so a zh-CN reader never gets a mixed
        # sentence: a catalogued action is translated (its placeholders filled from the other parameters, as in
        # ``Forbidden(action="move this evaluation to '{target}'", target=…)``), any other falls back to a generic
        # message.
        if self._detail is not None:
            return self._detail
        action = str(self.params.get("action") or "")
        if f"action.{action}" in MESSAGES:
            return translate(self.detail_key, action=translate(f"action.{action}", None, **self.params))
        if action and current_locale.get() == "en":
            return translate(self.detail_key, action=action)
        return translate("detail.forbidden_generic")


class NotFound(AppError):
    status = 404
    code = ProblemCode.NOT_FOUND
    detail_key = "detail.not_found"

    def __init__(self, resource: str, id: object, **kwargs: Any) -> None:
        super().__init__(resource=translate(f"resource.{resource}"), id=id, **kwargs)


class Conflict(AppError):
    status = 409
    code = ProblemCode.CONFLICT
    detail_key = "detail.integrity"


class InvalidTransition(Conflict):
    code = ProblemCode.INVALID_TRANSITION
    detail_key = "detail.invalid_transition"

    def __init__(self, current: str, target: str, allowed: Sequence[str]) -> None:
        super().__init__(
            current=current,
            target=target,
            allowed=", ".join(allowed) or "—",
            extra={"current": current, "allowed": list(allowed)},
        )


class PreconditionFailed(AppError):
    status = 412
    code = ProblemCode.PRECONDITION_FAILED
    detail_key = "detail.if_match"


class RateLimited(AppError):
    """A quota is used up (app/core/rate_limit.py); ``headers`` carry Retry-After and the RateLimit fields."""

    status = 429
    code = ProblemCode.RATE_LIMITED
    detail_key = "detail.rate_limited"


class ValidationFailed(AppError):
    status = 422
    code = ProblemCode.VALIDATION_FAILED
    detail_key = "detail.validation"

    @classmethod
    def field(cls, field: str, message: str, type_: str = "value_error") -> "ValidationFailed":
        return cls(errors=[{"loc": ["body", field], "msg": message, "type": type_}])


class ImportInvalid(AppError):
    """An imported file with problems: ``errors`` are ``{"row", "field", "code", "message"}``, ``row`` as the sheet
    numbers it (the header is row 1). Nothing of the file was written."""

    status = 422
    code = ProblemCode.IMPORT_INVALID
    detail_key = "detail.import_invalid"


class UnsupportedMediaType(AppError):
    status = 415
    code = ProblemCode.UNSUPPORTED_MEDIA_TYPE
    detail_key = "detail.unsupported_media_type"


def public_base_url(request: Request) -> str:
    """Where clients reach the service: ``KPR_PUBLIC_URL`` when set (behind a proxy that rewrites the host or the
    path), else the request's own base URL, so a link the service writes works wherever the response was read."""
    settings = getattr(getattr(request.scope.get("app"), "state", None), "settings", None)
    public_url: str | None = getattr(settings, "public_url", None)
    return public_url or str(request.base_url)


def problem_type(request: Request | None, code: ProblemCode) -> str:
    """The problem's ``type``: a link to the page describing ``code`` (``GET /problems/{code}``) on this service;
    relative without a request."""
    return type_url(public_base_url(request) if request is not None else "", code)


# How a part of the service whose clients expect errors in another standard's form (SCIM under /scim/v2) writes them:
# (status, code, detail, errors, headers, extra) -> the response.
ErrorDialect = Callable[
    [int, ProblemCode, str, Sequence[Mapping[str, Any]] | None, Mapping[str, str], Mapping[str, Any]], JSONResponse
]


def register_error_dialect(app: FastAPI, prefix: str, render: ErrorDialect) -> None:
    """Every error under ``prefix`` is written by ``render`` instead of as problem+json: the handlers' (domain errors,
    validation, unknown routes and methods, 500, 503) and the middleware's (413, Idempotency-Key) alike, so a client
    of that part never meets another form."""
    app.state.error_dialects = (*getattr(app.state, "error_dialects", ()), (prefix.rstrip("/"), render))


def _dialect(request: Request | None) -> ErrorDialect | None:
    if request is None:
        return None
    dialects = getattr(getattr(request.scope.get("app"), "state", None), "error_dialects", ())
    path = request.scope.get("path", "")
    for prefix, render in dialects:
        if path == prefix or path.startswith(prefix + "/"):
            dialect: ErrorDialect = render
            return dialect
    return None


def problem_response(
    request: Request | None,
    status: int,
    code: ProblemCode,
    detail: str,
    *,
    errors: Sequence[Mapping[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSONResponse:
    code = ProblemCode(code)  # a plain string is accepted only if it is registered (mypy already insists on the enum)
    render = _dialect(request)
    if render is not None:
        return render(status, code, detail, errors, headers or {}, extra or {})
    body: dict[str, Any] = {
        "type": problem_type(request, code),
        "title": translate(code),
        "status": status,
        "detail": detail,
        "instance": request.url.path if request is not None else None,
        "code": code,
        "request_id": request_id_var.get(),
    }
    if errors is not None:
        body["errors"] = list(errors)
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_JSON)


def _jsonable_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    cleaned = []
    for error in errors:
        item = {"loc": list(error.get("loc", ())), "msg": str(error.get("msg", "")), "type": error.get("type", "")}
        cleaned.append(item)
    return cleaned


def app_error_response(request: Request | None, exc: AppError) -> JSONResponse:
    """The problem+json answer to ``exc``, for the handler below and for middleware that answers before any route."""
    return problem_response(
        request, exc.status, exc.code, exc.detail, errors=exc.errors, headers=exc.headers, extra=exc.extra
    )


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return app_error_response(request, exc)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _jsonable_errors(exc.errors())
    return problem_response(request, 422, ProblemCode.VALIDATION_FAILED, translate("detail.validation"), errors=errors)


async def _integrity_error(request: Request, exc: Exception) -> JSONResponse:
    log.info("integrity error mapped to 409: %s", exc)
    return problem_response(request, 409, ProblemCode.CONFLICT, translate("detail.integrity"))


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` means the database is unreachable, frozen or shedding load (503), not a bug (500).

    A refused or timed-out connection surfaces as a bare ``OSError`` (``TimeoutError`` is one) from the driver,
    a full pool as SQLAlchemy's ``TimeoutError``, the rest as DBAPI errors with a SQLSTATE.
    """
    if isinstance(exc, OSError | PoolTimeout):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError):
            return True
        sqlstate = getattr(exc.orig, "sqlstate", None)
        return isinstance(sqlstate, str) and sqlstate.startswith(_RETRYABLE_SQLSTATES)
    return False


def unavailable_response(request: Request | None) -> JSONResponse:
    return problem_response(
        request,
        503,
        ProblemCode.SERVICE_UNAVAILABLE,
        translate("detail.db_unavailable"),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    if is_unavailable(exc):
        log.error("database unavailable: %s: %s", type(exc).__name__, exc)
        return unavailable_response(request)
    return await _unhandled(request, exc)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return problem_response(request, 404, ProblemCode.NOT_FOUND, translate("detail.route_not_found"))
    if exc.status_code == 405:
        headers = {"Allow": _allowed_methods(request, (exc.headers or {}).get("Allow", ""))}
        return problem_response(
            request, 405, ProblemCode.METHOD_NOT_ALLOWED, translate("detail.method"), headers=headers
        )
    code = _HTTP_CODES.get(exc.status_code, ProblemCode.BAD_REQUEST)
    return problem_response(request, exc.status_code, code, str(exc.detail), headers=exc.headers)


def _allowed_methods(request: Request, fallback: str) -> str:
    # Starlette names the methods of the first route whose path matched, but one path is often served by several
    # routes (GET, PATCH and DELETE of /kprs/{id} are three). The contract knows them all: match the path against it.
    table: list[tuple[re.Pattern[str], set[str]]] | None = getattr(request.app.state, "allowed_methods", None)
    if table is None:
        table = []
        for path, operations in request.app.openapi().get("paths", {}).items():
            methods = {method.upper() for method in operations if method.upper() in _HTTP_METHODS}
            if "GET" in methods:
                methods.add("HEAD")
            # Ids are UUIDs in the routes too ({kpr_id:uuid}), so /goals/tree is not /goals/{goal_id}.
            table.append((compile_path(_UUID_PARAM.sub(r"{\1:uuid}", path))[0], methods))
        request.app.state.allowed_methods = table
    allowed: set[str] = set()
    for pattern, methods in table:
        if pattern.match(request.url.path):
            allowed |= methods
    return ", ".join(sorted(allowed)) if allowed else fallback


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return problem_response(request, 500, ProblemCode.INTERNAL_ERROR, translate("detail.internal"))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    for unavailable in (DBAPIError, PoolTimeout, OSError):
        app.add_exception_handler(unavailable, _database_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unhandled)
