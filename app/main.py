"""Application factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles

from app.api_keys.router import router as api_keys
from app.audit.router import router as audit
from app.checkins.router import router as checkins
from app.core.config import Settings, get_settings
from app.core.db import create_engine, create_sessionmaker, read_engine
from app.core.errors import install_error_handlers
from app.core.idempotency import IdempotencyMiddleware
from app.core.logging import configure_logging
from app.core.middleware import RequestContextMiddleware
from app.core.openapi import ERROR_RESPONSES, install_openapi
from app.core.pagination import CursorCodec, cursor_key
from app.cycles.router import router as cycles
from app.departments.router import router as departments
from app.employees.router import router as employees
from app.evaluations.router import router as evaluations
from app.goals.router import router as goals
from app.kpis.router import router as kpis
from app.kpr_templates.router import router as kpr_templates
from app.kprs.router import router as kprs
from app.me.router import router as me
from app.ops.router import ASSETS_PATH, DOCS_ASSETS
from app.ops.router import router as ops_router
from app.organizations.router import router as organizations
from app.plans.router import router as plans
from app.revisions.router import router as revisions
from app.scoring.router import router as scoring

API_PREFIX = "/api/v1"


def _operation_id(route: APIRoute) -> str:
    # The function name is the stable operationId (list_kprs, create_kpr, get_kpr, …).
    return route.name


def api_router() -> APIRouter:
    router = APIRouter(prefix=API_PREFIX, responses=ERROR_RESPONSES)
    for domain in (
        organizations,
        me,
        departments,
        employees,
        api_keys,
        cycles,
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
    ):
        router.include_router(domain)
    return router


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    engine = create_engine(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Each worker process runs this, so workers spawned by `kpr serve --workers N` log JSON too.
        configure_logging(settings.log_level)
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
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = create_sessionmaker(engine)
    app.state.read_sessionmaker = create_sessionmaker(read_engine(engine))
    app.state.cursor_codec = CursorCodec(cursor_key(settings.signing_secret()))

    install_error_handlers(app)
    app.include_router(ops_router)
    app.mount(ASSETS_PATH, StaticFiles(directory=DOCS_ASSETS), name="docs-assets")
    app.include_router(api_router())
    install_openapi(app)

    # Added innermost first: CORS wraps everything so even errors carry its headers.
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(RequestContextMiddleware)
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
            expose_headers=["ETag", "Location", "X-Request-ID", "Idempotent-Replayed"],
        )
    return app
