"""Size limits: bodies above 1 MiB answer 413 however they arrive; strings have declared maximum lengths."""

from collections.abc import AsyncIterator

import pytest
from httpx import AsyncClient

from app.core.middleware import MAX_BODY_BYTES
from tests.assertions import assert_problem
from tests.factories import Tenant

DEPARTMENTS = "/api/v1/departments"


def _json_headers(tenant: Tenant, **extra: str) -> dict[str, str]:
    return {**tenant.headers("admin"), "Content-Type": "application/json", **extra}


def _too_large() -> bytes:
    return b'{"name": "' + b"x" * MAX_BODY_BYTES + b'", "code": "BIG"}'


async def _chunks(data: bytes, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def test_declared_body_above_1_mib_is_413(client: AsyncClient, tenant: Tenant) -> None:
    response = await client.post(DEPARTMENTS, content=_too_large(), headers=_json_headers(tenant))
    body = assert_problem(response, 413, "PAYLOAD_TOO_LARGE")
    assert str(MAX_BODY_BYTES) in body["detail"]


async def test_streamed_body_above_1_mib_is_413(client: AsyncClient, tenant: Tenant) -> None:
    # Chunked transfer: no Content-Length, so the limit is only found while the body is read.
    response = await client.post(DEPARTMENTS, content=_chunks(_too_large()), headers=_json_headers(tenant))
    assert "content-length" not in response.request.headers
    assert_problem(response, 413, "PAYLOAD_TOO_LARGE")


async def test_streamed_body_above_1_mib_with_idempotency_key_is_413(client: AsyncClient, tenant: Tenant) -> None:
    headers = _json_headers(tenant, **{"Idempotency-Key": "big-one"})
    response = await client.post(DEPARTMENTS, content=_chunks(_too_large()), headers=headers)
    assert_problem(response, 413, "PAYLOAD_TOO_LARGE")


async def test_payload_too_large_in_chinese(client: AsyncClient, tenant: Tenant) -> None:
    headers = _json_headers(tenant, **{"Accept-Language": "zh-CN"})
    body = assert_problem(
        await client.post(DEPARTMENTS, content=_too_large(), headers=headers), 413, "PAYLOAD_TOO_LARGE"
    )
    assert body["title"] == "请求体过大"


async def test_body_just_under_the_limit_is_read_and_validated(client: AsyncClient, tenant: Tenant) -> None:
    padding = MAX_BODY_BYTES - 100
    content = b'{"name": "' + b"x" * padding + b'", "code": "BIG"}'
    assert len(content) <= MAX_BODY_BYTES
    response = await client.post(DEPARTMENTS, content=content, headers=_json_headers(tenant))
    body = assert_problem(response, 422, "VALIDATION_FAILED")
    assert body["errors"][0]["loc"] == ["body", "name"]
    assert body["errors"][0]["type"] == "string_too_long"


@pytest.mark.parametrize(
    ("url", "payload", "field"),
    [
        (DEPARTMENTS, {"name": "名" * 201, "code": "X"}, "name"),
        (DEPARTMENTS, {"name": "部", "code": "C" * 65}, "code"),
        ("/api/v1/employees", {"external_id": "e" * 256, "name": "张三"}, "external_id"),
        ("/api/v1/employees", {"external_id": "zs", "name": "张三", "job_title": "t" * 201}, "job_title"),
        ("/api/v1/employees", {"external_id": "zs", "name": "张三", "email": "a@" + "b" * 320}, "email"),
        ("/api/v1/api-keys", {"name": "k" * 201}, "name"),
    ],
)
async def test_strings_have_maximum_lengths(
    client: AsyncClient, tenant: Tenant, url: str, payload: dict[str, str], field: str
) -> None:
    body = assert_problem(
        await client.post(url, json=payload, headers=tenant.headers("admin")), 422, "VALIDATION_FAILED"
    )
    assert ["body", field] in [error["loc"] for error in body["errors"]]


async def test_search_query_has_a_maximum_length(client: AsyncClient, tenant: Tenant) -> None:
    response = await client.get("/api/v1/employees", params={"q": "查" * 101}, headers=tenant.headers("admin"))
    body = assert_problem(response, 422, "VALIDATION_FAILED")
    assert body["errors"][0]["loc"] == ["query", "q"]


async def test_oversized_cursor_is_refused(client: AsyncClient, tenant: Tenant) -> None:
    response = await client.get("/api/v1/employees", params={"cursor": "A" * 1001}, headers=tenant.headers("admin"))
    assert_problem(response, 422, "VALIDATION_FAILED")
