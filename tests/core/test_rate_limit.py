"""Rate limits through the real HTTP stack: quotas per principal, per organization and per address, per route class;
429 problem+json with Retry-After and the IETF RateLimit fields; counts shared through Redis; failing open.

The suite's own app runs without limits; each test here builds apps that enable them, with small quotas.
"""

import logging
import os
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import redis.asyncio as redis
from prometheus_client import REGISTRY
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.rate_limit import RateLimitMiddleware
from app.main import create_app
from tests.assertions import assert_problem, ok
from tests.conftest import TEST_SECRET, AppClientFactory
from tests.factories import Tenant, auth, make_api_key

ME = "/api/v1/me"
DEPARTMENTS = "/api/v1/departments"
HOUR = 3600
REDIS_URL = os.environ.get("KPR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
_FIELD = re.compile(r'"(?P<name>[a-z-]+)";(?P<params>[a-z]=\d+(?:;[a-z]=\d+)*)')


def limited(database_url: str, **quotas: Any) -> Settings:
    """Settings with rate limits on: generous unless a test names a quota.

    Quotas per hour: the sliding window forgets part of the previous window's count as soon as a new window starts, so
    a burst that straddles a window's end can find one more request allowed — with minutes, a test in a hundred."""
    defaults = {
        "rate_limit_reads": "1000/hour",
        "rate_limit_writes": "1000/hour",
        "rate_limit_bulk": "1000/hour",
        "rate_limit_org_reads": "1000/hour",
        "rate_limit_org_writes": "1000/hour",
        "rate_limit_org_bulk": "1000/hour",
        "rate_limit_anonymous": "1000/hour",
    }
    return Settings(
        database_url=database_url, jwt_secret=TEST_SECRET, rate_limit_enabled=True, **{**defaults, **quotas}
    )


def fields(response: httpx.Response, name: str) -> dict[str, dict[str, int]]:
    """A RateLimit or RateLimit-Policy field as {policy: {parameter: value}}."""
    parsed = {}
    for match in _FIELD.finditer(response.headers[name]):
        parsed[match["name"]] = {k: int(v) for k, v in (p.split("=") for p in match["params"].split(";"))}
    return parsed


def assert_rate_limited(response: httpx.Response, policy: str) -> dict[str, Any]:
    body = assert_problem(response, 429, "RATE_LIMITED")
    assert body["violated_policies"] == [policy]
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= HOUR
    current = fields(response, "ratelimit")[policy]
    assert current["r"] == 0
    assert retry_after >= current["t"]  # Retry-After never comes before the reset the RateLimit field announces
    assert policy in fields(response, "ratelimit-policy")
    return body


def unchecked() -> float:
    return REGISTRY.get_sample_value("kpr_rate_limit_unchecked_total") or 0.0


async def test_a_burst_above_the_limit_answers_429_with_retry_after_and_the_ratelimit_fields(
    client_for: AppClientFactory, database_url: str, tenant: Tenant
) -> None:
    async with client_for(limited(database_url, rate_limit_reads="3/hour")) as client:
        remaining = []
        for _ in range(3):
            response = await client.get(ME, headers=tenant.headers("employee"))
            ok(response)
            policy = fields(response, "ratelimit-policy")
            assert policy["reads"] == {"q": 3, "w": HOUR}
            assert policy["org-reads"] == {"q": 1000, "w": HOUR}
            current = fields(response, "ratelimit")
            assert 0 < current["reads"]["t"] <= HOUR
            remaining.append(current["reads"]["r"])
        assert remaining == [2, 1, 0]

        refused = await client.get(ME, headers={**tenant.headers("employee"), "Accept-Language": "zh-CN"})
        body = assert_rate_limited(refused, "reads")
        assert body["title"] == "请求过于频繁"
        assert "reads" in body["detail"]
        assert refused.headers["retry-after"] in body["detail"]


async def test_an_organization_shares_its_quota_between_its_principals_and_not_with_others(
    client_for: AppClientFactory, database_url: str, tenant: Tenant, other_tenant: Tenant
) -> None:
    quotas = {"rate_limit_reads": "3/hour", "rate_limit_org_reads": "4/hour"}
    async with client_for(limited(database_url, **quotas)) as client:
        for _ in range(3):
            ok(await client.get(ME, headers=tenant.headers("employee")))
        assert_rate_limited(await client.get(ME, headers=tenant.headers("employee")), "reads")

        # A colleague has a quota of their own, up to what is left of the organization's.
        colleague = await client.get(ME, headers=tenant.headers("manager"))
        ok(colleague)
        assert fields(colleague, "ratelimit")["reads"]["r"] == 2
        assert fields(colleague, "ratelimit")["org-reads"]["r"] == 0
        assert_rate_limited(await client.get(ME, headers=tenant.headers("manager")), "org-reads")

        # Another organization is not touched.
        for _ in range(3):
            ok(await client.get(ME, headers=other_tenant.headers("employee")))


async def test_reads_writes_and_bulk_operations_are_counted_separately(
    client_for: AppClientFactory, database_url: str, tenant: Tenant
) -> None:
    quotas = {"rate_limit_reads": "2/hour", "rate_limit_writes": "1/hour", "rate_limit_bulk": "1/hour"}
    admin = tenant.headers("admin")
    export = f"/api/v1/cycles/{uuid.uuid4()}/evaluations/export"
    async with client_for(limited(database_url, **quotas)) as client:
        for _ in range(2):
            ok(await client.get(DEPARTMENTS, headers=admin))
        assert_rate_limited(await client.get(DEPARTMENTS, headers=admin), "reads")

        created = await client.post(DEPARTMENTS, json={"name": "市场部", "code": "MKT"}, headers=admin)
        ok(created, 201)
        assert "writes" in fields(created, "ratelimit-policy")
        assert_rate_limited(
            await client.post(DEPARTMENTS, json={"name": "财务部", "code": "FIN"}, headers=admin), "writes"
        )

        # An export is a GET, but a bulk one: its own quota, untouched by the reads above.
        first = await client.get(export, headers=admin)
        assert_problem(first, 404, "NOT_FOUND")
        assert set(fields(first, "ratelimit-policy")) == {"bulk", "org-bulk"}
        assert_rate_limited(await client.get(export, headers=admin), "bulk")
        cycle = f"/api/v1/cycles/{uuid.uuid4()}/transitions"
        assert_rate_limited(await client.post(cycle, json={"to": "closed"}, headers=admin), "bulk")


async def test_callers_without_valid_credentials_are_counted_per_address_and_service_routes_never(
    client_for: AppClientFactory, database_url: str, tenant: Tenant
) -> None:
    async with client_for(limited(database_url, rate_limit_anonymous="2/hour")) as client:
        assert_problem(await client.get(ME), 401, "UNAUTHENTICATED")
        refused = await client.get(ME, headers=auth("not-a-token"))
        assert_problem(refused, 401, "UNAUTHENTICATED")
        assert fields(refused, "ratelimit")["anonymous"]["r"] == 0
        # Guessing goes no further, whatever is guessed.
        assert_rate_limited(await client.get(ME, headers=auth("another-guess")), "anonymous")
        assert_rate_limited(await client.get(ME, headers={"X-API-Key": "kpr_abc_guess"}), "anonymous")
        assert_rate_limited(await client.get("/api/v1/no-such-route"), "anonymous")

        # A valid token is counted as its principal, not as the address.
        ok(await client.get(ME, headers=tenant.headers("employee")))
        for path in ("/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/redoc"):
            response = await client.get(path)
            assert response.status_code == 200, path
            assert "ratelimit" not in response.headers


async def test_an_api_key_is_counted_as_its_principal_once_a_route_has_authenticated_it(
    client_for: AppClientFactory, database_url: str, session: AsyncSession, tenant: Tenant
) -> None:
    _, secret = await make_api_key(session, tenant.org)
    await session.commit()
    key = {"X-API-Key": secret}
    async with client_for(limited(database_url)) as client:
        first = await client.get(DEPARTMENTS, headers=key)
        ok(first)
        assert set(fields(first, "ratelimit-policy")) == {"anonymous"}
        second = await client.get(DEPARTMENTS, headers=key)
        ok(second)
        assert set(fields(second, "ratelimit-policy")) == {"reads", "org-reads"}
        # A forged key with the same public prefix is not taken for it.
        forged = await client.get(DEPARTMENTS, headers={"X-API-Key": secret[:-4] + "abcd"})
        assert_problem(forged, 401, "UNAUTHENTICATED")
        assert set(fields(forged, "ratelimit-policy")) == {"anonymous"}


async def test_a_refused_post_reserves_no_idempotency_key(
    client_for: AppClientFactory, database_url: str, tenant: Tenant
) -> None:
    admin = tenant.headers("admin")
    body = {"name": "法务部", "code": "LAW"}
    async with client_for(limited(database_url, rate_limit_writes="1/hour")) as client:
        ok(await client.post(DEPARTMENTS, json={"name": "市场部", "code": "MKT"}, headers=admin), 201)
        refused = await client.post(DEPARTMENTS, json=body, headers={**admin, "Idempotency-Key": "k-1"})
        assert_rate_limited(refused, "writes")
    async with client_for(limited(database_url)) as client:
        # The same key later is a first request, not a replay of the 429.
        created = await client.post(DEPARTMENTS, json=body, headers={**admin, "Idempotency-Key": "k-1"})
        ok(created, 201)
        assert "idempotent-replayed" not in created.headers


def test_quotas_are_checked_when_the_settings_are_read() -> None:
    for bad in ("often", "10/second;100/hour"):
        with pytest.raises(ValidationError):
            Settings(rate_limit_reads=bad)
    with pytest.raises(ValidationError):
        Settings(rate_limit_storage="memcached://127.0.0.1:11211")


def test_the_limiter_is_not_in_the_stack_when_disabled(database_url: str) -> None:
    app = create_app(limited(database_url).model_copy(update={"rate_limit_enabled": False}))
    assert all(middleware.cls is not RateLimitMiddleware for middleware in app.user_middleware)


# --- Redis: the counts of every worker and replica in one place ------------------------------------------------------


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    """A Redis database of the tests' own, emptied before and after (only that database)."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        await client.flushdb()
    except redis.RedisError as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {REDIS_URL}: {exc}")
    yield REDIS_URL
    await client.flushdb()
    await client.aclose()


async def test_counts_in_redis(client_for: AppClientFactory, database_url: str, redis_url: str, tenant: Tenant) -> None:
    settings = limited(database_url, rate_limit_storage=redis_url, rate_limit_reads="2/hour")
    async with client_for(settings) as client:
        for remaining in (1, 0):
            response = await client.get(ME, headers=tenant.headers("employee"))
            ok(response)
            assert fields(response, "ratelimit")["reads"]["r"] == remaining
        assert_rate_limited(await client.get(ME, headers=tenant.headers("employee")), "reads")
    client = redis.Redis.from_url(redis_url)
    assert await client.keys("kpr-rate-limit*")  # under the service's own prefix, beside whatever else is there
    await client.aclose()


async def test_two_app_instances_on_one_redis_share_one_limit(
    client_for: AppClientFactory, database_url: str, redis_url: str, tenant: Tenant
) -> None:
    settings = limited(database_url, rate_limit_storage=redis_url, rate_limit_reads="3/hour")
    async with client_for(settings) as first, client_for(settings) as second:
        ok(await first.get(ME, headers=tenant.headers("employee")))
        ok(await second.get(ME, headers=tenant.headers("employee")))
        last = await first.get(ME, headers=tenant.headers("employee"))
        ok(last)
        assert fields(last, "ratelimit")["reads"]["r"] == 0
        assert_rate_limited(await second.get(ME, headers=tenant.headers("employee")), "reads")


async def test_an_unreachable_redis_lets_requests_through_with_a_warning(
    client_for: AppClientFactory, database_url: str, tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    settings = limited(database_url, rate_limit_storage="redis://127.0.0.1:1/0", rate_limit_reads="1/hour")
    before = unchecked()
    with caplog.at_level(logging.WARNING, logger="app.core.rate_limit"):
        async with client_for(settings) as client:
            for _ in range(3):
                response = await client.get(ME, headers=tenant.headers("employee"))
                ok(response)
                assert "ratelimit" not in response.headers
    assert unchecked() - before == 3
    warnings = [r for r in caplog.records if r.name == "app.core.rate_limit" and r.levelno == logging.WARNING]
    assert len(warnings) == 1  # once per outage, not once per request
    assert "unavailable" in warnings[0].getMessage()
