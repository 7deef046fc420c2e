"""Pure ASGI middleware: request id, locale, access log, metrics, body-size limit, last-resort error body."""

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute
from prometheus_client import Counter, Histogram
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.errors import RETRY_AFTER_SECONDS, is_unavailable, problem_response, unavailable_response
from app.core.i18n import current_locale, negotiate, translate
from app.core.problems import ProblemCode
from app.core.request_context import request_id_var

log = logging.getLogger("kpr.access")

MAX_BODY_BYTES = 1024 * 1024
_CONVERTOR = re.compile(r":\w+\}")  # {kpr_id:uuid} is labelled {kpr_id}, as the contract names it
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")

REQUESTS = Counter("kpr_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "kpr_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class _BodyTooLarge(StarletteHTTPException):
    # An HTTPException, because FastAPI turns any other error raised while it reads the body into a 400; this one it
    # re-raises, and the error handlers answer 413.
    def __init__(self, limit: int) -> None:
        super().__init__(413, translate("detail.too_large", limit=limit))
        self.limit = limit


@dataclass(frozen=True)
class BodyLimit:
    """A route that takes bodies larger than MAX_BODY_BYTES (its own ``max_body_size``), as matched before routing."""

    methods: frozenset[str]
    path: re.Pattern[str]
    limit: int


def body_limits(routes: Iterable[BaseRoute]) -> tuple[BodyLimit, ...]:
    """The routes that declare a ``max_body_size`` above the default (file uploads): the middleware lets their bodies
    grow to it, and every other body stays bounded by MAX_BODY_BYTES."""
    return tuple(
        BodyLimit(frozenset(route.methods or ()), route.path_regex, route.max_body_size)
        for route in routes
        if isinstance(route, APIRoute) and route.max_body_size is not None and route.max_body_size > MAX_BODY_BYTES
    )


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, limits: Iterable[BodyLimit] = ()) -> None:
        self.app = app
        self.limits = tuple(limits)

    def _limit(self, scope: Scope) -> int:
        method = scope.get("method", "")
        for route in self.limits:
            if method in route.methods and route.path.match(scope.get("path", "")):
                return route.limit
        return MAX_BODY_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        incoming = headers.get("x-request-id", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        rid_token = request_id_var.set(request_id)
        locale_token = current_locale.set(negotiate(headers.get("accept-language")))
        started = time.perf_counter()
        status_holder: dict[str, int] = {"status": 500}
        response_started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                status_holder["status"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        declared = headers.get("content-length")
        limit = self._limit(scope)
        received = 0

        async def receive_limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge(limit)
            return message

        try:
            if declared is not None and declared.isdigit() and int(declared) > limit:
                raise _BodyTooLarge(limit)
            await self.app(scope, receive_limited, send_wrapper)
        except _BodyTooLarge as too_large:
            if not response_started:
                response = problem_response(
                    Request(scope),
                    413,
                    ProblemCode.PAYLOAD_TOO_LARGE,
                    translate("detail.too_large", limit=too_large.limit),
                )
                await response(scope, receive, send_wrapper)
        except Exception as exc:
            # What escaped the routes' handlers: a middleware's own database work (Idempotency-Key) included.
            if is_unavailable(exc):
                log.error("database unavailable: %s: %s", type(exc).__name__, exc)
                response = unavailable_response(Request(scope))
            else:
                log.exception("unhandled error")
                response = problem_response(
                    Request(scope), 500, ProblemCode.INTERNAL_ERROR, translate("detail.internal")
                )
            if not response_started:
                await response(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            method = scope.get("method", "")
            REQUESTS.labels(method, route, str(status_holder["status"])).inc()
            LATENCY.labels(method, route).observe(elapsed)
            log.info(
                "%s %s %s",
                method,
                scope.get("path", ""),
                status_holder["status"],
                extra={"status": status_holder["status"], "duration_ms": round(elapsed * 1000, 2), "route": route},
            )
            request_id_var.reset(rid_token)
            current_locale.reset(locale_token)


def _route_template(scope: dict[str, Any] | Scope) -> str:
    # The path template keeps metric label cardinality bounded (ids never become labels).
    route = scope.get("route")
    path = getattr(route, "path", None)
    return _CONVERTOR.sub("}", str(path)) if path else "unmatched"


class ConcurrencyLimit:
    """At most ``limit`` requests of this process worked on at once; the others wait their turn, first come first
    served, before any of their work starts (``KPR_REQUEST_CONCURRENCY``: by default the pool's size on PostgreSQL).

    Without it, every request a server accepts competes for the event loop and the connection pool at once. The pool's
    queue is not fair (a connection given back goes to whoever asks next, and a woken waiter that finds it gone queues
    again at the back), so past what one process serves the unlucky requests wait many times over. Measured with 50
    connections on one core (scripts/bench_http.py): with a limit equal to the pool (20), `GET /kprs/{id}` had a p99
    of 129 ms instead of 545 ms, and served 663 req/s instead of 520, the goal tree as many as without. (A limit of 16,
    below the pool, cost the tree about 15% of its throughput: fewer of its reads overlapped their database time.)

    A slot is given back when the response starts: what follows is sending bytes (an export streams its finished
    file), not work. A request that waits ``wait`` seconds without a slot is answered 503 with Retry-After, as one
    that waited that long for a pooled connection was. Health, readiness and metrics never wait: a probe must see a
    busy process as alive and ready.
    """

    def __init__(self, app: ASGIApp, limit: int, exempt: Iterable[str] = (), wait: float | None = None) -> None:
        self.app = app
        self.slots = asyncio.Semaphore(limit)
        self.exempt = frozenset(exempt)
        self.wait = wait

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        try:
            async with asyncio.timeout(self.wait):
                await self.slots.acquire()
        except TimeoutError:
            log.warning("no request slot within %s s", self.wait)
            busy = problem_response(
                Request(scope),
                503,
                ProblemCode.SERVICE_UNAVAILABLE,
                translate("detail.busy", seconds=self.wait),
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
            await busy(scope, receive, send)
            return
        held = True

        def give_back() -> None:
            nonlocal held
            if held:
                held = False
                self.slots.release()

        async def send_and_give_back(message: Message) -> None:
            if message["type"] == "http.response.start":
                give_back()
            await send(message)

        try:
            await self.app(scope, receive, send_and_give_back)
        finally:
            give_back()
