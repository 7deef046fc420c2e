"""Organizations: the system role creates and lists them all; members read their own; admins update their own."""

import uuid

import pytest
from httpx import AsyncClient

from tests.assertions import assert_problem
from tests.factories import Tenant

ORGS = "/api/v1/organizations"


async def test_system_creates_an_organization(client: AsyncClient, tenant: Tenant) -> None:
    body = {"name": "华东精密制造有限公司", "locale": "en", "timezone": "Europe/Berlin"}
    response = await client.post(ORGS, json=body, headers=tenant.headers("system"))
    assert response.status_code == 201
    created = response.json()
    assert {k: created[k] for k in body} == body
    assert response.headers["location"] == f"{ORGS}/{created['id']}"
    assert created["created_at"].endswith("Z")
    fetched = await client.get(response.headers["location"], headers=tenant.headers("system"))
    assert fetched.json() == created


async def test_defaults_are_chinese(client: AsyncClient, tenant: Tenant) -> None:
    created = (await client.post(ORGS, json={"name": "乙方"}, headers=tenant.headers("system"))).json()
    assert (created["locale"], created["timezone"]) == ("zh-CN", "Asia/Shanghai")


@pytest.mark.parametrize("who", ["admin", "manager", "employee", "service"])
async def test_only_system_creates(client: AsyncClient, tenant: Tenant, who: str) -> None:
    response = await client.post(ORGS, json={"name": "新公司"}, headers=tenant.headers(who))
    assert_problem(response, 403, "FORBIDDEN")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": "x", "locale": "fr"},
        {"name": "x", "timezone": "Mars/Olympus"},
        {"name": "x", "plan": "gold"},
    ],
)
async def test_create_validation(client: AsyncClient, tenant: Tenant, body: dict[str, str]) -> None:
    assert_problem(await client.post(ORGS, json=body, headers=tenant.headers("system")), 422, "VALIDATION_FAILED")


async def test_system_lists_all_organizations(client: AsyncClient, tenant: Tenant, other_tenant: Tenant) -> None:
    response = await client.get(ORGS, headers=tenant.headers("system"))
    ids = {o["id"] for o in response.json()["items"]}
    assert {str(tenant.org.id), str(other_tenant.org.id)} <= ids


@pytest.mark.parametrize("who", ["admin", "manager", "employee", "service"])
async def test_members_list_only_their_own_organization(
    client: AsyncClient, tenant: Tenant, other_tenant: Tenant, who: str
) -> None:
    response = await client.get(ORGS, headers=tenant.headers(who))
    assert [o["id"] for o in response.json()["items"]] == [str(tenant.org.id)]


@pytest.mark.parametrize("who", ["admin", "manager", "employee", "service"])
async def test_members_read_their_own_organization(client: AsyncClient, tenant: Tenant, who: str) -> None:
    response = await client.get(f"{ORGS}/{tenant.org.id}", headers=tenant.headers(who))
    assert response.status_code == 200
    assert response.json()["name"] == "甲公司"


@pytest.mark.parametrize("who", ["admin", "manager", "employee", "service"])
async def test_another_organization_is_404(client: AsyncClient, tenant: Tenant, other_tenant: Tenant, who: str) -> None:
    url = f"{ORGS}/{other_tenant.org.id}"
    body = assert_problem(await client.get(url, headers=tenant.headers(who)), 404, "NOT_FOUND")
    assert "乙公司" not in str(body)
    assert_problem(await client.patch(url, json={"name": "改名"}, headers=tenant.headers(who)), 404, "NOT_FOUND")


async def test_unknown_organization_is_404_for_system(client: AsyncClient, tenant: Tenant) -> None:
    assert_problem(await client.get(f"{ORGS}/{uuid.uuid4()}", headers=tenant.headers("system")), 404, "NOT_FOUND")


async def test_admin_updates_their_own_organization(client: AsyncClient, tenant: Tenant) -> None:
    url = f"{ORGS}/{tenant.org.id}"
    response = await client.patch(url, json={"name": "甲集团", "locale": "en"}, headers=tenant.headers("admin"))
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["locale"], response.json()["timezone"]) == (
        "甲集团",
        "en",
        "Asia/Shanghai",  # merge semantics: absent fields are unchanged
    )
    assert (await client.get(url, headers=tenant.headers("employee"))).json()["name"] == "甲集团"


async def test_system_updates_any_organization(client: AsyncClient, tenant: Tenant) -> None:
    response = await client.patch(
        f"{ORGS}/{tenant.org.id}", json={"timezone": "America/New_York"}, headers=tenant.headers("system")
    )
    assert response.status_code == 200
    assert response.json()["timezone"] == "America/New_York"


@pytest.mark.parametrize("who", ["manager", "employee", "service"])
async def test_non_admins_may_not_update(client: AsyncClient, tenant: Tenant, who: str) -> None:
    url = f"{ORGS}/{tenant.org.id}"
    assert_problem(await client.patch(url, json={"name": "改名"}, headers=tenant.headers(who)), 403, "FORBIDDEN")
    assert (await client.get(url, headers=tenant.headers("admin"))).json()["name"] == "甲公司"


@pytest.mark.parametrize("body", [{"name": None}, {"locale": None}, {"timezone": "Nowhere/City"}, {"owner": "me"}])
async def test_update_validation(client: AsyncClient, tenant: Tenant, body: dict[str, str | None]) -> None:
    response = await client.patch(f"{ORGS}/{tenant.org.id}", json=body, headers=tenant.headers("admin"))
    assert_problem(response, 422, "VALIDATION_FAILED")


async def test_anonymous_is_401(client: AsyncClient, tenant: Tenant) -> None:
    assert_problem(await client.get(ORGS), 401, "UNAUTHENTICATED")
    assert_problem(await client.post(ORGS, json={"name": "x"}), 401, "UNAUTHENTICATED")
