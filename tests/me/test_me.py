"""GET /me: who the caller is — subject, organization, roles and, for people, their employee record."""

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from tests.assertions import assert_problem
from tests.conftest import token_for
from tests.factories import Tenant, auth, make_api_key

ME = "/api/v1/me"


@pytest.mark.parametrize("who", ["admin", "manager", "employee", "peer"])
async def test_people_see_their_employee_record(client: AsyncClient, tenant: Tenant, who: str) -> None:
    person = getattr(tenant, who)
    response = await client.get(ME, headers=tenant.headers(who))
    assert response.status_code == 200
    body = response.json()
    assert body["subject"] == person.external_id
    assert body["organization_id"] == str(tenant.org.id)
    assert body["roles"] == (["admin"] if who == "admin" else [])
    assert body["employee"]["id"] == str(person.id)
    assert body["employee"]["name"] == person.name


async def test_service_token_has_no_employee(client: AsyncClient, tenant: Tenant) -> None:
    body = (await client.get(ME, headers=tenant.headers("service"))).json()
    assert body == {
        "subject": "svc-sync",
        "organization_id": str(tenant.org.id),
        "roles": ["service"],
        "employee": None,
    }


async def test_api_key_has_no_employee_even_if_a_subject_matches(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    key, secret = await make_api_key(session, tenant.org)
    await session.commit()
    body = (await client.get(ME, headers={"X-API-Key": secret})).json()
    assert body["subject"] == f"api-key:{key.id}"
    assert body["employee"] is None


async def test_system_has_no_organization(client: AsyncClient, tenant: Tenant) -> None:
    body = (await client.get(ME, headers=tenant.headers("system"))).json()
    assert body == {"subject": "ops", "organization_id": None, "roles": ["system"], "employee": None}


async def test_subject_without_an_employee_record(client: AsyncClient, settings: Settings, tenant: Tenant) -> None:
    token = token_for(settings, "not-in-the-directory", tenant.org.id, ["service", "admin"])
    body = (await client.get(ME, headers=auth(token))).json()
    assert body["employee"] is None
    assert body["roles"] == ["admin", "service"]


async def test_employee_of_another_organization_with_the_same_subject_is_not_matched(
    client: AsyncClient, settings: Settings, tenant: Tenant, other_tenant: Tenant
) -> None:
    # The same IdP subject in another organization is another person: here they are nobody, and read nothing.
    token = token_for(settings, other_tenant.employee.external_id, tenant.org.id)
    assert_problem(await client.get(ME, headers=auth(token)), 401, "UNAUTHENTICATED")


async def test_anonymous_is_401(client: AsyncClient) -> None:
    assert_problem(await client.get(ME), 401, "UNAUTHENTICATED")
