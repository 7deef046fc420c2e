"""API keys: admins create (secret shown once), list and revoke them; a key authenticates as the service role."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.security import hash_api_key
from app.models import ApiKey
from tests.assertions import assert_problem
from tests.factories import Tenant, make_api_key

API_KEYS = "/api/v1/api-keys"


async def _create_key(client: AsyncClient, tenant: Tenant, name: str = "ERP 销售数据同步") -> dict[str, str]:
    response = await client.post(API_KEYS, json={"name": name}, headers=tenant.headers("admin"))
    assert response.status_code == 201, response.text
    created: dict[str, str] = response.json()
    return created


async def test_admin_creates_a_key_and_sees_the_secret_once(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    response = await client.post(API_KEYS, json={"name": "ERP 销售数据同步"}, headers=tenant.headers("admin"))
    assert response.status_code == 201
    created = response.json()
    assert response.headers["location"] == f"{API_KEYS}/{created['id']}"
    assert created["secret"].startswith(f"kpr_{created['prefix']}_")
    assert created["created_by"] == tenant.admin.external_id
    assert created["last_used_at"] is None
    # Only a hash is stored.
    row = await session.get(ApiKey, uuid.UUID(created["id"]))
    assert row is not None
    assert row.secret_hash == hash_api_key(created["secret"])
    assert created["secret"] not in row.secret_hash
    # Listing never shows it again.
    listed = await client.get(API_KEYS, headers=tenant.headers("admin"))
    [item] = listed.json()["items"]
    assert item["id"] == created["id"]
    assert "secret" not in item
    assert "secret_hash" not in item
    assert created["secret"] not in listed.text


@pytest.mark.parametrize("who", ["manager", "employee", "service", "system"])
async def test_only_admins_manage_keys(client: AsyncClient, session: AsyncSession, tenant: Tenant, who: str) -> None:
    key, _ = await make_api_key(session, tenant.org)
    await session.commit()
    headers = tenant.headers(who)
    assert_problem(await client.get(API_KEYS, headers=headers), 403, "FORBIDDEN")
    assert_problem(await client.post(API_KEYS, json={"name": "x"}, headers=headers), 403, "FORBIDDEN")
    assert_problem(await client.delete(f"{API_KEYS}/{key.id}", headers=headers), 403, "FORBIDDEN")
    assert await session.get(ApiKey, key.id) is not None


async def test_key_authenticates_as_service(client: AsyncClient, tenant: Tenant) -> None:
    created = await _create_key(client, tenant)
    headers = {"X-API-Key": created["secret"]}
    me = await client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    assert me.json() == {
        "subject": f"api-key:{created['id']}",
        "organization_id": str(tenant.org.id),
        "roles": ["service"],
        "employee": None,
    }
    employees = await client.get("/api/v1/employees", headers=headers)
    assert len(employees.json()["items"]) == 4
    one = await client.get(f"/api/v1/employees/{tenant.employee.id}", headers=headers)
    assert one.status_code == 200
    departments = await client.get("/api/v1/departments", headers=headers)
    assert departments.status_code == 200


async def test_key_may_not_write_the_org_chart(client: AsyncClient, tenant: Tenant) -> None:
    headers = {"X-API-Key": (await _create_key(client, tenant))["secret"]}
    response = await client.post("/api/v1/employees", json={"external_id": "bot", "name": "机器人"}, headers=headers)
    assert_problem(response, 403, "FORBIDDEN")
    assert_problem(
        await client.post("/api/v1/departments", json={"name": "x", "code": "X"}, headers=headers), 403, "FORBIDDEN"
    )
    assert_problem(await client.post(API_KEYS, json={"name": "more"}, headers=headers), 403, "FORBIDDEN")


async def test_key_use_is_recorded(client: AsyncClient, tenant: Tenant) -> None:
    created = await _create_key(client, tenant)
    assert (await client.get("/api/v1/employees", headers={"X-API-Key": created["secret"]})).status_code == 200
    [item] = (await client.get(API_KEYS, headers=tenant.headers("admin"))).json()["items"]
    assert item["last_used_at"] is not None
    assert item["last_used_at"].endswith("Z")


async def test_key_use_is_written_at_most_once_a_minute(
    client: AsyncClient, session: AsyncSession, tenant: Tenant, count_statements: Any
) -> None:
    # Writing it on every request would hold the key's row lock for every request's whole transaction.
    key, secret = await make_api_key(session, tenant.org)
    await session.commit()
    headers = {"X-API-Key": secret}
    with count_statements() as first:
        assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    with count_statements() as second:
        assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    assert any(s.lstrip().upper().startswith("UPDATE API_KEYS") for s in first.statements)
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in second.statements)
    await session.refresh(key)
    assert key.last_used_at is not None
    key.last_used_at = datetime.now(UTC) - timedelta(minutes=5)
    await session.commit()
    with count_statements() as later:
        assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    assert any(s.lstrip().upper().startswith("UPDATE API_KEYS") for s in later.statements)


async def test_deleted_key_is_401(client: AsyncClient, tenant: Tenant) -> None:
    created = await _create_key(client, tenant)
    headers = {"X-API-Key": created["secret"]}
    assert (await client.get("/api/v1/employees", headers=headers)).status_code == 200
    deleted = await client.delete(f"{API_KEYS}/{created['id']}", headers=tenant.headers("admin"))
    assert deleted.status_code == 204
    response = await client.get("/api/v1/employees", headers=headers)
    assert_problem(response, 401, "UNAUTHENTICATED")
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert (await client.get(API_KEYS, headers=tenant.headers("admin"))).json()["items"] == []
    assert_problem(
        await client.delete(f"{API_KEYS}/{created['id']}", headers=tenant.headers("admin")), 404, "NOT_FOUND"
    )


async def test_altered_secret_is_401(client: AsyncClient, tenant: Tenant) -> None:
    secret = (await _create_key(client, tenant))["secret"]
    altered = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert_problem(await client.get("/api/v1/me", headers={"X-API-Key": altered}), 401, "UNAUTHENTICATED")


async def test_bearer_token_takes_precedence_over_a_key(client: AsyncClient, tenant: Tenant) -> None:
    secret = (await _create_key(client, tenant))["secret"]
    me = await client.get("/api/v1/me", headers={**tenant.headers("employee"), "X-API-Key": secret})
    assert me.json()["subject"] == tenant.employee.external_id


async def test_name_is_required(client: AsyncClient, tenant: Tenant) -> None:
    for body in ({}, {"name": ""}, {"name": "x", "scopes": ["all"]}):
        response = await client.post(API_KEYS, json=body, headers=tenant.headers("admin"))
        assert_problem(response, 422, "VALIDATION_FAILED")


class TestTenantIsolation:
    async def test_another_organizations_key_is_404_and_unlisted(
        self, client: AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
    ) -> None:
        theirs, _ = await make_api_key(session, other_tenant.org)
        mine, _ = await make_api_key(session, tenant.org)
        await session.commit()
        listed = await client.get(API_KEYS, headers=tenant.headers("admin"))
        assert [k["id"] for k in listed.json()["items"]] == [str(mine.id)]
        response = await client.delete(f"{API_KEYS}/{theirs.id}", headers=tenant.headers("admin"))
        assert_problem(response, 404, "NOT_FOUND")
        assert (await session.scalars(select(ApiKey.id).where(ApiKey.id == theirs.id))).one() == theirs.id

    async def test_a_key_only_sees_its_own_organization(
        self, client: AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
    ) -> None:
        _, secret = await make_api_key(session, tenant.org)
        await session.commit()
        headers = {"X-API-Key": secret}
        names = {e["id"] for e in (await client.get("/api/v1/employees", headers=headers)).json()["items"]}
        assert str(other_tenant.employee.id) not in names
        url = f"/api/v1/employees/{other_tenant.employee.id}"
        assert_problem(await client.get(url, headers=headers), 404, "NOT_FOUND")
        other_org = f"/api/v1/organizations/{other_tenant.org.id}"
        assert_problem(await client.get(other_org, headers=headers), 404, "NOT_FOUND")
