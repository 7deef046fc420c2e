"""Health, readiness, metrics and the offline API docs."""

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import create_async_engine

from tests.assertions import assert_problem

UNREACHABLE_DATABASE = "postgresql+asyncpg://postgres@127.0.0.1:1/unreachable"


@pytest.fixture
async def plain_client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client over the app's own engine, outside any test transaction (readiness checks the real database)."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


@pytest.fixture
async def database_down(app: FastAPI) -> AsyncIterator[None]:
    """Point the app at a database that refuses connections, then restore it."""
    original = app.state.engine
    unreachable = create_async_engine(UNREACHABLE_DATABASE)
    app.state.engine = unreachable
    try:
        yield
    finally:
        app.state.engine = original
        await unreachable.dispose()


async def test_healthz(plain_client: httpx.AsyncClient) -> None:
    response = await plain_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_healthz_needs_no_database(plain_client: httpx.AsyncClient, database_down: None) -> None:
    assert (await plain_client.get("/healthz")).status_code == 200


async def test_readyz(plain_client: httpx.AsyncClient) -> None:
    response = await plain_client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_readyz_follows_the_database(app: FastAPI, plain_client: httpx.AsyncClient) -> None:
    original = app.state.engine
    unreachable = create_async_engine(UNREACHABLE_DATABASE)
    try:
        app.state.engine = unreachable
        down = await plain_client.get("/readyz", headers={"Accept-Language": "zh-CN"})
        body = assert_problem(down, 503, "SERVICE_UNAVAILABLE")
        assert body["detail"] == "数据库不可达。"
        assert "127.0.0.1" not in down.text
    finally:
        app.state.engine = original
        await unreachable.dispose()
    assert (await plain_client.get("/readyz")).status_code == 200


async def test_metrics(plain_client: httpx.AsyncClient) -> None:
    await plain_client.get("/healthz")
    await plain_client.get("/api/v1/employees/not-even-a-uuid")
    await plain_client.get("/api/v1/employees/0b5e6c1e-3f3a-4a57-9a55-4f4a3f1d2c11")
    response = await plain_client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "# TYPE kpr_http_requests_total counter" in text
    assert re.search(r'kpr_http_requests_total\{method="GET",route="/healthz",status="200"\} [1-9]', text)
    # Route templates, never raw ids, become labels.
    assert re.search(r'route="(/api/v1)?/employees/\{employee_id\}",status="(401|422)"', text)
    assert "not-even-a-uuid" not in text
    assert "0b5e6c1e" not in text
    assert "kpr_http_request_duration_seconds_bucket" in text


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_work_offline(plain_client: httpx.AsyncClient, page: str) -> None:
    response = await plain_client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "http://" not in html
    assert "https://" not in html
    assert "//cdn" not in html
    assert "fonts.googleapis" not in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets
    assert "/openapi.json" in html
    for asset in assets:
        assert asset.startswith("/docs-assets/"), asset
        served = await plain_client.get(asset)
        assert served.status_code == 200, asset
        assert served.content


async def test_openapi_document_is_served(plain_client: httpx.AsyncClient) -> None:
    response = await plain_client.get("/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "KPR service"


async def test_missing_docs_asset_is_404(plain_client: httpx.AsyncClient) -> None:
    assert (await plain_client.get("/docs-assets/nope.js")).status_code == 404
