"""Request ids on every response and in problem bodies; CORS when configured; 201 + Location on create."""

import re

import pytest
from httpx import AsyncClient

from app.core.config import Settings
from tests.assertions import assert_problem
from tests.conftest import AppClientFactory
from tests.factories import Tenant

GENERATED = re.compile(r"^[0-9a-f]{32}$")


async def test_given_request_id_is_echoed(client: AsyncClient, tenant: Tenant) -> None:
    response = await client.get("/api/v1/me", headers={**tenant.headers("employee"), "X-Request-ID": "req-42.a:b"})
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "req-42.a:b"


async def test_request_id_is_generated_when_absent(client: AsyncClient, tenant: Tenant) -> None:
    first = await client.get("/api/v1/me", headers=tenant.headers("employee"))
    second = await client.get("/api/v1/me", headers=tenant.headers("employee"))
    assert GENERATED.match(first.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


@pytest.mark.parametrize("unsafe", [b"has space", b"x" * 129, b"semi;colon", "新".encode(), b"<script>"])
async def test_unsafe_request_id_is_replaced(client: AsyncClient, unsafe: bytes) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": unsafe})
    assert GENERATED.match(response.headers["x-request-id"])


async def test_request_id_is_in_problem_bodies(client: AsyncClient) -> None:
    given = await client.get("/api/v1/employees", headers={"X-Request-ID": "trace-401"})
    assert assert_problem(given, 401, "UNAUTHENTICATED")["request_id"] == "trace-401"
    generated = await client.get("/api/v1/employees")
    assert GENERATED.match(assert_problem(generated, 401, "UNAUTHENTICATED")["request_id"])


async def test_request_id_on_ops_and_on_413(client: AsyncClient, tenant: Tenant) -> None:
    assert (await client.get("/healthz", headers={"X-Request-ID": "probe-1"})).headers["x-request-id"] == "probe-1"
    too_large = await client.post(
        "/api/v1/departments",
        content=b"x" * (1024 * 1024 + 1),
        headers={**tenant.headers("admin"), "X-Request-ID": "big-1", "Content-Type": "application/json"},
    )
    assert assert_problem(too_large, 413, "PAYLOAD_TOO_LARGE")["request_id"] == "big-1"


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/departments", {"name": "研发部", "code": "RND"}),
        ("/api/v1/employees", {"external_id": "li.lei", "name": "李雷"}),
        ("/api/v1/api-keys", {"name": "ERP 同步"}),
    ],
)
async def test_create_answers_201_with_location(
    client: AsyncClient, tenant: Tenant, url: str, body: dict[str, str]
) -> None:
    response = await client.post(url, json=body, headers=tenant.headers("admin"))
    assert response.status_code == 201
    assert response.headers["location"] == f"{url}/{response.json()['id']}"


async def test_cors_when_configured(client_for: AppClientFactory, database_url: str) -> None:
    origin = "https://app.example.com"
    settings = Settings(database_url=database_url, jwt_secret="s" * 40, cors_origins=[origin])
    async with client_for(settings) as cors:
        preflight = await cors.options(
            "/api/v1/employees",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "PATCH",
                "Access-Control-Request-Headers": "If-Match, Idempotency-Key",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == origin
        refused = await cors.get("/api/v1/employees", headers={"Origin": origin})
        assert refused.status_code == 401
        assert refused.headers["access-control-allow-origin"] == origin
        exposed = {h.strip().lower() for h in refused.headers["access-control-expose-headers"].split(",")}
        assert {"etag", "location", "x-request-id"} <= exposed
        stranger = await cors.get("/healthz", headers={"Origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in stranger.headers


async def test_no_cors_headers_when_not_configured(client: AsyncClient) -> None:
    response = await client.get("/healthz", headers={"Origin": "https://app.example.com"})
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://a.example.com, https://b.example.com", ["https://a.example.com", "https://b.example.com"]),
        ('["https://a.example.com"]', ["https://a.example.com"]),
        ("", []),
    ],
)
def test_cors_origins_from_the_environment(monkeypatch: pytest.MonkeyPatch, raw: str, expected: list[str]) -> None:
    monkeypatch.setenv("KPR_CORS_ORIGINS", raw)
    assert Settings().cors_origins == expected
