"""Application factory."""

import contextlib
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlalchemy.ext.asyncio import AsyncEngine

from app.api_keys.router import router as api_keys
from app.audit.router import router as audit
from app.checkins.router import router as checkins
from app.comments.router import router as comments
from app.conversations.router import router as conversations
from app.core.config import Settings, get_settings
from app.core.db import create_engine, create_sessionmaker, read_engine
from app.core.errors import install_error_handlers, register_error_dialect
from app.core.idempotency import IdempotencyMiddleware
from app.core.logging import configure_logging
from app.core.middleware import ConcurrencyLimit, RequestContextMiddleware, body_limits
from app.core.openapi import ERROR_RESPONSES, install_openapi
from app.core.pagination import CursorCodec, cursor_key
from app.core.rate_limit import Limiter, RateLimitMiddleware, bulk_routes
from app.cycles.router import router as cycles
from app.departments.router import router as departments
from app.employees.router import router as employees
from app.evaluations.router import router as evaluations
from app.feedback.router import router as feedback
from app.goals.router import router as goals
from app.imports.router import router as imports
from app.kpis.router import router as kpis
from app.kpr_templates.router import router as kpr_templates
from app.kprs.router import router as kprs
from app.me.router import router as me
from app.ops.router import ASSETS_PATH, DOCS_ASSETS
from app.ops.router import router as ops_router
from app.organizations.router import router as organizations
from app.plans.router import router as plans
from app.revisions.router import router as revisions
from app.rewards.router import router as rewards
from app.rollover.router import router as rollover
from app.scim.responses import scim_error_response
from app.scim.router import SCIM_PREFIX
from app.scim.router import router as scim
from app.scoring.router import router as scoring
from app.tasks.router import router as tasks
from app.webhooks.router import router as webhooks
from app.worker import Worker, running

API_PREFIX = "/api/v1"
# Probes and scrapes answer at once, however busy the process (app.core.middleware.ConcurrencyLimit).
UNLIMITED_PATHS = ("/healthz", "/readyz", "/metrics")


def request_concurrency(settings: Settings, engine: AsyncEngine) -> int:
    """Requests one process works on at once (app.core.middleware.ConcurrencyLimit); 0 for no limit. Unset, as many
    as the pool has connections on PostgreSQL; none on SQLite, whose one writer serializes writes anyway."""
    if settings.request_concurrency is not None:
        return settings.request_concurrency
    if engine.dialect.name == "sqlite":
        return 0
    return settings.db_pool_size + settings.db_max_overflow


def _operation_id(route: APIRoute) -> str:
    # The function name is the stable operationId (list_kprs, create_kpr, get_kpr, …).
    return route.name


def include_flat(
    app: FastAPI, router: APIRouter, *, prefix: str = "", responses: dict[int | str, Any] | None = None
) -> None:
    """Add ``router``'s routes to the app itself, as plain routes under ``prefix``.

    ``include_router`` keeps an included router as a node that is matched lazily, and a request is matched again at
    every level it passes (the app, /api/v1, the domain): a fifth of a read's CPU went to finding its route. Plain
    routes on the app are matched once, in the same order, and describe themselves exactly as before (the OpenAPI
    document is unchanged). Domain routers hold routes only.
    """
    for route in router.routes:
        if not isinstance(route, APIRoute):
            raise TypeError(f"{route!r} is not a route: include_flat takes routers of routes only")
        app.router.add_api_route(
            prefix + route.path,
            route.endpoint,
            response_model=route.response_model,
            status_code=route.status_code,
            tags=route.tags,
            dependencies=route.dependencies,
            summary=route.summary,
            description=route.description,
            response_description=route.response_description,
            responses={**(responses or {}), **route.responses},
            deprecated=route.deprecated,
            methods=route.methods,
            operation_id=route.operation_id,
            response_model_include=route.response_model_include,
            response_model_exclude=route.response_model_exclude,
            response_model_by_alias=route.response_model_by_alias,
            response_model_exclude_unset=route.response_model_exclude_unset,
            response_model_exclude_defaults=route.response_model_exclude_defaults,
            response_model_exclude_none=route.response_model_exclude_none,
            include_in_schema=route.include_in_schema,
            response_class=route.response_class,
            name=route.name,
            route_class_override=type(route),
            callbacks=route.callbacks,
            openapi_extra=route.openapi_extra,
            generate_unique_id_function=route.generate_unique_id_function,
            strict_content_type=route.strict_content_type,
            max_body_size=route.max_body_size,
        )


# In the order their routes are matched.
DOMAINS = (
    organizations,
    me,
    departments,
    employees,
    api_keys,
    cycles,
    rollover,
    goals,
    plans,
    kprs,
    kpis,
    checkins,
    revisions,
    kpr_templates,
    evaluations,
    scoring,
    audit,
    webhooks,
    imports,
    rewards,
    comments,
    tasks,
    feedback,
    conversations,
)


# The contract's groups, in the order of DOMAINS: generated clients make a module of each (kprs, check_ins, …).
OPENAPI_TAGS = [
    {"name": "organizations", "description": "Tenants: every other resource belongs to one (system role)."},
    {"name": "me", "description": "Who the caller is: subject, organization, roles and employee record."},
    {"name": "departments", "description": "The org chart: a tree of departments with unique codes."},
    {"name": "employees", "description": "People, matched to identity-provider subjects by external_id."},
    {"name": "api-keys", "description": "Keys for services; the secret is shown once, at creation."},
    {"name": "cycles", "description": "Performance periods, their scoring policy, summary, calibration and export."},
    {"name": "goals", "description": "Company and department objectives, cascading as a tree."},
    {"name": "plans", "description": "One employee's set of KPRs for a cycle, and its approval."},
    {"name": "kprs", "description": "Key performance results: owned, weighted, aligned to a goal, scored."},
    {"name": "kpis", "description": "Process indicators attached to a KPR."},
    {"name": "check-ins", "description": "Dated measurements of a KPR or KPI (append-only)."},
    {"name": "revisions", "description": "Change requests to approved KPRs, and their approval."},
    {"name": "kpr-templates", "description": "Reusable KPRs by business function, applied to many employees."},
    {"name": "evaluations", "description": "Reviews: self, manager, calibration, and the final rating."},
    {"name": "scoring", "description": "Score a policy and KPR figures without storing anything."},
    {"name": "audit", "description": "Who changed what, and when."},
    {"name": "webhooks", "description": "Events out: signed deliveries of what happened, to subscribed URLs (admins)."},
    {
        "name": "scim",
        "description": "SCIM 2.0 at /scim/v2 for identity providers (Okta, Entra ID): Users are employees, Groups are "
        "departments. application/scim+json; errors in SCIM's own form. An organization's API key or an admin.",
    },
    {"name": "imports", "description": "Sync in: departments and employees upserted from CSV or XLSX (admins)."},
    {"name": "rewards", "description": "Reward runs: a closed cycle's final ratings turned into amounts (admins)."},
    {"name": "comments", "description": "Discussion threads on goals, KPRs and evaluations, with mentions."},
    {"name": "tasks", "description": "What the caller must do next: derived from the state, closed by doing the work."},
    {"name": "feedback", "description": "360 feedback on an evaluation: requests to reviewers, anonymous responses."},
    {"name": "conversations", "description": "Result conversations (绩效面谈) on an evaluation, and what was agreed."},
]
SERVERS = [
    {
        "url": "/",
        "description": "The deployment that serves this document (local, staging or production).",
        "x-internal": False,
    }
]
CONTACT = {"name": "KPR service team"}
LICENSE = {"name": "Proprietary"}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = create_engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Each worker process runs this, so workers spawned by `kpr serve --workers N` log JSON too.
        configure_logging(settings.log_level)
        # What exists by now (modules, routes, compiled statements, the engine) lives as long as the process. Frozen,
        # it leaves the collector's generations, so the collections a busy worker runs no longer walk it: they cost
        # a read 184 µs of CPU before, 43 µs after (scripts/bench_http.py).
        gc.collect()
        gc.freeze()
        async with contextlib.AsyncExitStack() as stack:
            if settings.embedded_worker:
                # One process does everything on the embedded default; production runs `kpr worker` replicas.
                await stack.enter_async_context(running(Worker(settings, app.state.sessionmaker)))
            yield
        await app.state.engine.dispose()

    app = FastAPI(
        title="KPR service",
        version="1.0.0",
        summary="Key Performance Results: goals, plans, KPRs, check-ins, evaluations and scores.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        openapi_tags=OPENAPI_TAGS,
        servers=SERVERS,
        contact=CONTACT,
        license_info=LICENSE,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine)
    app.state.read_sessionmaker = create_sessionmaker(read_engine(engine))
    app.state.cursor_codec = CursorCodec(cursor_key(settings.signing_secret()))

    install_error_handlers(app)
    include_flat(app, ops_router)
    app.mount(ASSETS_PATH, StaticFiles(directory=DOCS_ASSETS), name="docs-assets")
    for domain in DOMAINS:
        include_flat(app, domain, prefix=API_PREFIX, responses=ERROR_RESPONSES)
    # Outside /api/v1 (DESIGN §14), with errors in SCIM's own form: the routes document theirs.
    include_flat(app, scim, prefix=SCIM_PREFIX)
    register_error_dialect(app, SCIM_PREFIX, scim_error_response)
    install_openapi(app)

    # Added innermost first: CORS wraps everything so even errors carry its headers. The rate limiter answers before
    # the idempotency middleware reserves a key, and inside the request context (request id, language, access log);
    # a request over its quota is refused without waiting for a slot of the concurrency limit.
    app.add_middleware(IdempotencyMiddleware)
    if concurrency := request_concurrency(settings, engine):
        app.add_middleware(ConcurrencyLimit, limit=concurrency, exempt=UNLIMITED_PATHS, wait=settings.db_pool_timeout)
    if settings.rate_limit_enabled:
        app.state.rate_limiter = Limiter(settings)
        app.add_middleware(
            RateLimitMiddleware, limiter=app.state.rate_limiter, prefix=API_PREFIX, bulk=bulk_routes(app.routes)
        )
    app.add_middleware(RequestContextMiddleware, limits=body_limits(app.routes))
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-Match",
                "Idempotency-Key",
                "X-API-Key",
                "X-Request-ID",
                "Accept-Language",
            ],
            expose_headers=[
                "ETag",
                "Location",
                "X-Request-ID",
                "Idempotent-Replayed",
                "RateLimit",
                "RateLimit-Policy",
                "Retry-After",
            ],
        )
    return app
