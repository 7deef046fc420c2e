"""Idempotency-Key on POST: a retry replays the first response exactly, another body is refused, races create once."""

import asyncio
import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core import idempotency
from app.core.config import Settings
from app.core.security import Principal
from app.models import Department, IdempotencyKey
from tests.assertions import assert_problem
from tests.conftest import token_for
from tests.factories import Tenant, auth

DEPARTMENTS = "/api/v1/departments"


async def _department_count(session: AsyncSession, code: str) -> int:
    return int(await session.scalar(select(func.count()).select_from(Department).where(Department.code == code)) or 0)


async def test_retry_with_same_key_and_body_replays_the_first_response(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    headers = {**tenant.headers("admin"), "Idempotency-Key": "create-rnd-1"}
    body = {"name": "研发部", "code": "RND"}
    first = await client.post(DEPARTMENTS, json=body, headers=headers)
    second = await client.post(DEPARTMENTS, json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["content-type"] == first.headers["content-type"]
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert second.headers["x-request-id"] != first.headers["x-request-id"]
    assert await _department_count(session, "RND") == 1


async def test_same_key_with_another_body_is_422(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    headers = {**tenant.headers("admin"), "Idempotency-Key": "create-rnd-2"}
    first = await client.post(DEPARTMENTS, json={"name": "研发部", "code": "RND"}, headers=headers)
    assert first.status_code == 201
    other = await client.post(DEPARTMENTS, json={"name": "市场部", "code": "MKT"}, headers=headers)
    body = assert_problem(other, 422, "IDEMPOTENCY_KEY_REUSED")
    assert body["instance"] == DEPARTMENTS
    assert body["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    assert await _department_count(session, "MKT") == 0


async def test_same_key_on_another_path_is_422(client: AsyncClient, tenant: Tenant) -> None:
    headers = {**tenant.headers("admin"), "Idempotency-Key": "shared-key"}
    assert (await client.post(DEPARTMENTS, json={"name": "研发部", "code": "RND"}, headers=headers)).status_code == 201
    response = await client.post("/api/v1/api-keys", json={"name": "研发部"}, headers=headers)
    assert_problem(response, 422, "IDEMPOTENCY_KEY_REUSED")


async def test_keys_are_per_organization(
    client: AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    body = {"name": "研发部", "code": "RND"}
    mine = await client.post(DEPARTMENTS, json=body, headers={**tenant.headers("admin"), "Idempotency-Key": "k"})
    theirs = await client.post(
        DEPARTMENTS, json=body, headers={**other_tenant.headers("admin"), "Idempotency-Key": "k"}
    )
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert "idempotent-replayed" not in theirs.headers
    assert await _department_count(session, "RND") == 2


async def test_error_responses_are_replayed_too(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    headers = {**tenant.headers("employee"), "Idempotency-Key": "not-allowed"}
    body = {"name": "研发部", "code": "RND"}
    first = await client.post(DEPARTMENTS, json=body, headers=headers)
    second = await client.post(DEPARTMENTS, json=body, headers=headers)
    assert first.status_code == second.status_code == 403
    assert first.json()["code"] == second.json()["code"] == "FORBIDDEN"
    assert second.headers["idempotent-replayed"] == "true"


async def test_unauthenticated_request_does_not_consume_the_key(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    body = {"name": "研发部", "code": "RND"}
    anonymous = await client.post(DEPARTMENTS, json=body, headers={"Idempotency-Key": "k-401"})
    assert_problem(anonymous, 401, "UNAUTHENTICATED")
    created = await client.post(DEPARTMENTS, json=body, headers={**tenant.headers("admin"), "Idempotency-Key": "k-401"})
    assert created.status_code == 201
    assert await session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1


async def test_without_a_key_each_post_is_its_own_request(client: AsyncClient, tenant: Tenant) -> None:
    body = {"name": "研发部", "code": "RND"}
    assert (await client.post(DEPARTMENTS, json=body, headers=tenant.headers("admin"))).status_code == 201
    assert_problem(await client.post(DEPARTMENTS, json=body, headers=tenant.headers("admin")), 409, "DUPLICATE")


async def test_key_longer_than_255_characters_is_400(client: AsyncClient, tenant: Tenant) -> None:
    response = await client.post(
        DEPARTMENTS,
        json={"name": "研发部", "code": "RND"},
        headers={**tenant.headers("admin"), "Idempotency-Key": "k" * 256},
    )
    assert_problem(response, 400, "BAD_REQUEST")


async def test_keys_only_apply_to_post(client: AsyncClient, tenant: Tenant) -> None:
    headers = {**tenant.headers("admin"), "Idempotency-Key": "patch-key"}
    url = f"{DEPARTMENTS}/{tenant.department.id}"
    assert (await client.patch(url, json={"name": "一部"}, headers=headers)).json()["name"] == "一部"
    second = await client.patch(url, json={"name": "二部"}, headers=headers)
    assert second.json()["name"] == "二部"
    assert "idempotent-replayed" not in second.headers


def _request_hash(path: str, body: bytes) -> str:
    return hashlib.sha256(b"\n".join([b"POST", path.encode(), b"", body])).hexdigest()


async def test_keys_expire_after_24_hours(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    session.add(
        IdempotencyKey(
            scope=str(tenant.org.id),
            key="old-key",
            request_hash="0" * 64,
            status_code=201,
            response_headers=[],
            response_body=b"{}",
            created_at=datetime.now(UTC) - timedelta(hours=25),
        )
    )
    await session.commit()
    response = await client.post(
        DEPARTMENTS,
        json={"name": "研发部", "code": "RND"},
        headers={**tenant.headers("admin"), "Idempotency-Key": "old-key"},
    )
    assert response.status_code == 201
    assert "idempotent-replayed" not in response.headers


async def test_a_request_still_in_progress_is_409_once_the_wait_is_over(
    client: AsyncClient, session: AsyncSession, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idempotency, "WAIT_FOR_FIRST", 0.0)
    body = json.dumps({"name": "研发部", "code": "RND"}).encode()
    admin = Principal(subject=tenant.admin.external_id, organization_id=tenant.org.id, roles=frozenset({"admin"}))
    scope = idempotency.key_scope(admin)
    session.add(IdempotencyKey(scope=scope, key="busy", request_hash=_request_hash(DEPARTMENTS, body)))
    await session.commit()
    headers = {**tenant.headers("admin"), "Idempotency-Key": "busy", "Content-Type": "application/json"}
    response = await client.post(DEPARTMENTS, content=body, headers=headers)
    assert_problem(response, 409, "IDEMPOTENCY_IN_PROGRESS")
    assert await _department_count(session, "RND") == 0


async def test_concurrent_posts_with_one_key_create_exactly_one_row(
    committed_client: AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    system = auth(token_for(settings, "ops", None, ["system"]))
    org = await committed_client.post("/api/v1/organizations", json={"name": "并发公司"}, headers=system)
    assert org.status_code == 201
    admin = auth(token_for(settings, "hr", uuid.UUID(org.json()["id"]), ["admin"]))
    headers = {**admin, "Idempotency-Key": "race-" + uuid.uuid4().hex}
    body = {"name": "并发部", "code": "RACE"}

    first, second = await asyncio.gather(
        committed_client.post(DEPARTMENTS, json=body, headers=headers),
        committed_client.post(DEPARTMENTS, json=body, headers=headers),
    )

    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert [r.headers.get("idempotent-replayed") for r in (first, second)].count("true") == 1
    async with engine.connect() as connection:
        created = await connection.scalar(select(func.count()).select_from(Department).where(Department.code == "RACE"))
    assert created == 1
    listed = await committed_client.get(DEPARTMENTS, headers=admin)
    assert [d["id"] for d in listed.json()["items"]] == [first.json()["id"]]


async def test_a_secret_bearing_response_is_never_stored_for_replay(client, tenant, session) -> None:
    from sqlalchemy import select

    from app.models import IdempotencyKey

    headers = {**tenant.headers("admin"), "Idempotency-Key": "create-key-once"}
    first = await client.post("/api/v1/api-keys", json={"name": "ERP"}, headers=headers)
    assert first.status_code == 201
    assert first.headers["cache-control"] == "no-store"
    stored = await session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "create-key-once"))
    assert stored is not None
    assert stored.response_body is None
    retry = await client.post("/api/v1/api-keys", json={"name": "ERP"}, headers=headers)
    assert retry.status_code == 409
    assert retry.json()["code"] == "IDEMPOTENCY_NOT_REPLAYABLE"
    listed = await client.get("/api/v1/api-keys", headers=tenant.headers("admin"))
    assert [k["name"] for k in listed.json()["items"]] == ["ERP"]
