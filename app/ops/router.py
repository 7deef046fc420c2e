"""Outside /api/v1, unauthenticated: health, readiness, metrics, version, the offline API docs and the error codes."""

import asyncio
from importlib import metadata
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import Settings
from app.core.db import read_engine
from app.core.errors import NotFound, public_base_url, unavailable_response
from app.core.i18n import current_locale
from app.core.problems import catalogue, describe, lookup
from app.ops.problems import as_json, index_html, prefers_html, problem_html

DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_PATH = "/docs-assets"
READINESS_TIMEOUT = 3.0
API_VERSION = "v1"
# The catalogue changes only with a release; the language and the format follow the request's headers.
CATALOGUE_HEADERS = {"Cache-Control": "public, max-age=3600", "Vary": "Accept, Accept-Language"}


def _package_version() -> str:
    try:
        return metadata.version("kpr-service")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


SERVICE_VERSION = _package_version()

router = APIRouter(include_in_schema=False)


@router.get("/")
async def root(request: Request) -> RedirectResponse:
    return RedirectResponse(request.url_for("swagger_ui"))


@router.get("/version")
async def version(request: Request) -> dict[str, str | None]:
    settings: Settings = request.app.state.settings
    return {"version": SERVICE_VERSION, "commit": settings.commit, "api": API_VERSION}


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> Response:
    # As a reader: on SQLite a readiness probe must not queue behind a long write.
    engine: AsyncEngine = read_engine(request.app.state.engine)
    try:
        async with asyncio.timeout(READINESS_TIMEOUT), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not ready"
        return unavailable_response(request)
    return JSONResponse({"status": "ready"})


@router.get("/metrics")
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=str(request.app.openapi_url),
        title=f"{request.app.title} — Swagger UI",
        swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
        swagger_ui_parameters={"persistAuthorization": True},
    )


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    return get_redoc_html(
        openapi_url=str(request.app.openapi_url),
        title=f"{request.app.title} — ReDoc",
        redoc_js_url=f"{ASSETS_PATH}/redoc.standalone.js",
        redoc_favicon_url=f"{ASSETS_PATH}/favicon.png",
        with_google_fonts=False,
    )


@router.get("/problems")
async def list_problems(request: Request) -> Response:
    base_url = public_base_url(request)
    if prefers_html(request.headers.get("accept")):
        return HTMLResponse(index_html(current_locale.get(), base_url), headers=CATALOGUE_HEADERS)
    items: list[dict[str, Any]] = [as_json(problem, base_url) for problem in catalogue()]
    return JSONResponse({"items": items}, headers=CATALOGUE_HEADERS)


@router.get("/problems/{code}")
async def get_problem(request: Request, code: str) -> Response:
    """What an error code means and what to do about it: the page a problem's ``type`` links to."""
    found = lookup(code)
    if found is None:
        raise NotFound("problem_type", code[:100])
    problem, base_url = describe(found), public_base_url(request)
    if prefers_html(request.headers.get("accept")):
        return HTMLResponse(problem_html(problem, current_locale.get(), base_url), headers=CATALOGUE_HEADERS)
    return JSONResponse(as_json(problem, base_url), headers=CATALOGUE_HEADERS)
