"""Rate limits (OWASP API4): no single client, and no single tenant, can take the service for itself.

Every request under the API prefix belongs to one route class — ``reads`` (GET, HEAD), ``writes`` (POST, PUT, PATCH,
DELETE) or ``bulk`` (the routes marked with :func:`bulk`: work over many rows at once) — and is counted against two
quotas of that class: its principal's, and its organization's, larger and shared by all the organization's principals.
A request without valid credentials is counted against its client address instead (``anonymous``), which bounds
guessing tokens and keys too. Health, readiness, metrics and the docs live outside the prefix and are never counted.

The counting is the limits library's (a sliding-window counter by default), in memory — each process counts on its
own — or in Redis, so that workers and replicas share the counts. When Redis cannot be reached the limiter fails open:
requests pass unchecked (logged, and counted in ``kpr_rate_limit_unchecked_total``) rather than fail.

Answers carry the IETF RateLimit fields (draft-ietf-httpapi-ratelimit-headers): ``RateLimit-Policy`` names each quota
the request was counted against (``"reads";q=600;w=60``), ``RateLimit`` what is left of it and the seconds until more is
available (``"reads";r=599;t=60``). Over a quota: 429 problem+json (``RATE_LIMITED``) with ``Retry-After``.

The limiter is a pure ASGI middleware placed before the idempotency middleware, so a refused request costs no database
work, no body parsing and no idempotency record. It identifies the principal without verifying a token twice: the
route's verification goes through the verified-token cache (app/core/security.py), which the middleware fills or hits
first. An API key can only be verified against the database, so the middleware does not: it learns each key's
principal from the route that authenticated it (``request.state.principal``) and counts a key it has not seen
authenticated yet (or has seen refused) against the client address.
"""

import logging
import math
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from fastapi.routing import APIRoute
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import (
    FixedWindowRateLimiter,
    MovingWindowRateLimiter,
    RateLimiter,
    SlidingWindowCounterRateLimiter,
)
from prometheus_client import Counter
from starlette.requests import Request
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.config import Settings
from app.core.errors import RateLimited, app_error_response
from app.core.security import Principal, hash_api_key, principal_from_token

log = logging.getLogger(__name__)

REJECTED = Counter("kpr_rate_limited_total", "Requests refused with 429, by the quota that refused them", ["policy"])
UNCHECKED = Counter(
    "kpr_rate_limit_unchecked_total", "Requests let through unchecked because the rate-limit storage failed"
)

# After the storage fails, requests pass unchecked this long before it is tried again: an unreachable Redis then costs
# one connection attempt every few seconds, not one per request, and one warning per outage in the log.
RETRY_STORAGE_AFTER = 5.0
KEY_NAMESPACE = "kpr"
REDIS_KEY_PREFIX = "kpr-rate-limit"
KNOWN_API_KEYS = 4096
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
STRATEGIES: dict[str, Callable[[Storage], RateLimiter]] = {
    "sliding-window-counter": SlidingWindowCounterRateLimiter,
    "moving-window": MovingWindowRateLimiter,
    "fixed-window": FixedWindowRateLimiter,
}
RATE_LIMIT_CLASS = "__rate_limit_class__"


class RouteClass(StrEnum):
    READS = "reads"
    WRITES = "writes"
    BULK = "bulk"


Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def bulk(endpoint: Endpoint) -> Endpoint:
    """Counts a route in the ``bulk`` class (its own, lower quotas): put it under the route's decorator."""
    setattr(endpoint, RATE_LIMIT_CLASS, RouteClass.BULK)
    return endpoint


@dataclass(frozen=True)
class BulkRoute:
    methods: frozenset[str]
    path: re.Pattern[str]


def bulk_routes(routes: Iterable[BaseRoute]) -> tuple[BulkRoute, ...]:
    """The routes marked with :func:`bulk`, as the middleware matches them (on the path, before routing)."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute) and getattr(route.endpoint, RATE_LIMIT_CLASS, None) == RouteClass.BULK:
            methods = set(route.methods or ())
            if "GET" in methods:
                methods.add("HEAD")
            found.append(BulkRoute(frozenset(methods), route.path_regex))
    return tuple(found)


@dataclass(frozen=True)
class Policy:
    """One quota, named as the RateLimit fields name it."""

    name: str
    item: RateLimitItem

    @property
    def field(self) -> str:
        # A Structured Field item (RFC 9651): the policy's name, its quota q and window w in seconds.
        return f'"{self.name}";q={self.item.amount};w={self.item.get_expiry()}'


@dataclass(frozen=True)
class Usage:
    """Where a request left one quota: accepted or not, what remains, and seconds until more is available."""

    policy: Policy
    allowed: bool
    remaining: int
    reset: int


@dataclass(frozen=True)
class Identity:
    """Whom a request is counted against: a principal and its organization, or else a client address."""

    principal: str | None = None
    organization: str | None = None
    address: str | None = None

    @classmethod
    def of(cls, principal: Principal) -> "Identity":
        organization = str(principal.organization_id) if principal.organization_id is not None else None
        return cls(principal=f"{organization or 'system'}/{principal.subject}", organization=organization)


def create_storage(settings: Settings) -> Storage:
    url = settings.rate_limit_storage
    if url.startswith("memory://"):
        return MemoryStorage()
    timeout = settings.rate_limit_storage_timeout
    # redis-py's asyncio client rather than limits' default (coredis): a third less CPU per call, measured here.
    return RedisStorage(
        f"async+{url}",
        wrap_exceptions=True,
        implementation="redispy",
        key_prefix=REDIS_KEY_PREFIX,
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
    )


class Limiter:
    """The quotas of the settings, counted in one storage."""

    def __init__(self, settings: Settings, storage: Storage | None = None) -> None:
        self.settings = settings
        self.storage = storage if storage is not None else create_storage(settings)
        self.strategy: RateLimiter = STRATEGIES[settings.rate_limit_strategy](self.storage)
        quotas = {
            RouteClass.READS: (settings.rate_limit_reads, settings.rate_limit_org_reads),
            RouteClass.WRITES: (settings.rate_limit_writes, settings.rate_limit_org_writes),
            RouteClass.BULK: (settings.rate_limit_bulk, settings.rate_limit_org_bulk),
        }
        self.principal_policies = {kind: Policy(kind.value, parse(own)) for kind, (own, _) in quotas.items()}
        self.organization_policies = {kind: Policy(f"org-{kind}", parse(org)) for kind, (_, org) in quotas.items()}
        self.anonymous_policy = Policy("anonymous", parse(settings.rate_limit_anonymous))
        self._retry_at = 0.0

    def quotas(self, identity: Identity, kind: RouteClass) -> list[tuple[Policy, tuple[str, ...]]]:
        """The quotas a request of ``kind`` from ``identity`` is counted against, each with its counter's name."""
        if identity.principal is None:
            return [(self.anonymous_policy, (KEY_NAMESPACE, "anonymous", identity.address or "unknown"))]
        quotas: list[tuple[Policy, tuple[str, ...]]] = [
            (self.principal_policies[kind], (KEY_NAMESPACE, kind.value, "principal", identity.principal))
        ]
        if identity.organization is not None:
            quotas.append((self.organization_policies[kind], (KEY_NAMESPACE, kind.value, "org", identity.organization)))
        return quotas

    async def hit(self, identity: Identity, kind: RouteClass) -> list[Usage] | None:
        """Counts one request; the usage of each quota it was counted against, the refusing one last — or None when
        the storage failed and the request passes unchecked."""
        if time.monotonic() < self._retry_at:
            UNCHECKED.inc()
            return None
        now = time.time()
        usages = []
        try:
            for policy, counter in self.quotas(identity, kind):
                allowed = await self.strategy.hit(policy.item, *counter)
                stats = await self.strategy.get_window_stats(policy.item, *counter)
                reset = max(0, math.ceil(stats.reset_time - now))
                usages.append(Usage(policy, allowed, max(0, stats.remaining), reset))
                if not allowed:
                    break  # the organization's quota is not spent on a request its principal may not make
        except Exception as exc:  # whatever the storage raises: the limiter must not take the service down with it
            UNCHECKED.inc()
            if self._retry_at == 0.0:
                log.warning(
                    "rate-limit storage unavailable, requests pass unchecked (retried every %.0f s): %s: %s",
                    RETRY_STORAGE_AFTER,
                    type(exc).__name__,
                    exc,
                )
            self._retry_at = time.monotonic() + RETRY_STORAGE_AFTER
            return None
        if self._retry_at:
            log.info("rate-limit storage reachable again, requests are counted")
            self._retry_at = 0.0
        return usages


def rate_limit_fields(usages: Sequence[Usage]) -> list[tuple[bytes, bytes]]:
    policies = ", ".join(usage.policy.field for usage in usages)
    current = ", ".join(f'"{usage.policy.name}";r={usage.remaining};t={usage.reset}' for usage in usages)
    return [(b"ratelimit-policy", policies.encode()), (b"ratelimit", current.encode())]


def rate_limited(usages: Sequence[Usage]) -> RateLimited:
    refused = usages[-1]
    # Retry-After never names a point earlier than the refusing quota's reset (the draft's rule), and is at least 1.
    seconds = max(1, refused.reset)
    headers = {"Retry-After": str(seconds)}
    headers.update((name.decode(), value.decode()) for name, value in rate_limit_fields(usages))
    return RateLimited(
        policy=refused.policy.name,
        seconds=seconds,
        headers=headers,
        extra={"violated_policies": [refused.policy.name]},
    )


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, limiter: Limiter, prefix: str, bulk: Sequence[BulkRoute] = ()) -> None:
        self.app = app
        self.limiter = limiter
        self.prefix = prefix.rstrip("/") + "/"
        self.bulk = tuple(bulk)
        # API keys seen authenticated by a route: their digest → whom they are counted against.
        self.api_keys: OrderedDict[str, Identity] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        identity, api_key_digest = await self._identify(scope)
        usages = await self.limiter.hit(identity, self._route_class(scope))
        if usages and not usages[-1].allowed:
            REJECTED.labels(usages[-1].policy.name).inc()
            await app_error_response(Request(scope), rate_limited(usages))(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        status = 500
        fields = rate_limit_fields(usages) if usages else []

        async def send_with_fields(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if fields:
                    message["headers"] = [*message.get("headers", []), *fields]
            await send(message)

        try:
            await self.app(scope, receive, send_with_fields)
        finally:
            if api_key_digest is not None:
                self._learn(api_key_digest, state.get("principal"), status)

    def _route_class(self, scope: Scope) -> RouteClass:
        method = scope["method"]
        for route in self.bulk:
            if method in route.methods and route.path.match(scope["path"]):
                return RouteClass.BULK
        return RouteClass.WRITES if method in WRITE_METHODS else RouteClass.READS

    async def _identify(self, scope: Scope) -> tuple[Identity, str | None]:
        """Whom to count the request against, and the digest of its API key if it came with one."""
        authorization = api_key = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value.decode("latin-1")
            elif name == b"x-api-key":
                api_key = value.decode("latin-1")
        address = Identity(address=scope["client"][0] if scope.get("client") else None)
        scheme, _, token = (authorization or "").partition(" ")
        # The precedence of app/core/auth.py: a bearer token, else an API key.
        if scheme.lower() == "bearer" and token.strip():
            try:
                principal = await principal_from_token(self.limiter.settings, token.strip())
            except Exception:  # refused (or unverifiable): the route answers it, counted against the address
                return address, None
            return Identity.of(principal), None
        if api_key:
            digest = hash_api_key(api_key)
            known = self.api_keys.get(digest)
            return (known if known is not None else address), digest
        return address, None

    def _learn(self, digest: str, principal: object, status: int) -> None:
        if isinstance(principal, Principal) and principal.api_key_id is not None:
            self.api_keys[digest] = Identity.of(principal)
            self.api_keys.move_to_end(digest)
            if len(self.api_keys) > KNOWN_API_KEYS:
                self.api_keys.popitem(last=False)
        elif status == 401:
            self.api_keys.pop(digest, None)  # revoked: counted against the address again
