"""Departments: a tree per organization with unique codes; admins write, everyone in the org reads."""

import asyncio
import uuid

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.config import Settings
from app.models import AuditEvent, Department
from tests.assertions import assert_problem
from tests.conftest import token_for
from tests.factories import Tenant, auth, make_department, make_employee

DEPARTMENTS = "/api/v1/departments"
READERS = ["admin", "manager", "employee", "peer", "service"]
NON_ADMINS = ["manager", "employee", "service"]


async def _create(client: AsyncClient, tenant: Tenant, **body: object) -> dict[str, object]:
    response = await client.post(DEPARTMENTS, json=body, headers=tenant.headers("admin"))
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created


async def test_admin_creates_a_department(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    body = {"name": "华东销售部", "code": " EAST ", "parent_id": str(tenant.department.id), "head_id": None}
    response = await client.post(DEPARTMENTS, json=body, headers=tenant.headers("admin"))
    assert response.status_code == 201
    created = response.json()
    assert (created["name"], created["code"], created["parent_id"]) == ("华东销售部", "EAST", str(tenant.department.id))
    assert response.headers["location"] == f"{DEPARTMENTS}/{created['id']}"
    audit = (await session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "department"))).all()
    assert [(a.action, str(a.entity_id), a.actor) for a in audit] == [
        ("create", created["id"], tenant.admin.external_id)
    ]


@pytest.mark.parametrize("who", READERS)
async def test_everyone_in_the_org_reads_departments(client: AsyncClient, tenant: Tenant, who: str) -> None:
    listed = await client.get(DEPARTMENTS, headers=tenant.headers(who))
    assert [d["id"] for d in listed.json()["items"]] == [str(tenant.department.id)]
    one = await client.get(f"{DEPARTMENTS}/{tenant.department.id}", headers=tenant.headers(who))
    assert one.status_code == 200
    assert one.json()["head_id"] == str(tenant.manager.id)


@pytest.mark.parametrize("who", NON_ADMINS)
async def test_only_admins_write(client: AsyncClient, tenant: Tenant, who: str) -> None:
    url = f"{DEPARTMENTS}/{tenant.department.id}"
    headers = tenant.headers(who)
    assert_problem(await client.post(DEPARTMENTS, json={"name": "x", "code": "X"}, headers=headers), 403, "FORBIDDEN")
    assert_problem(await client.patch(url, json={"name": "x"}, headers=headers), 403, "FORBIDDEN")
    assert_problem(await client.delete(url, headers=headers), 403, "FORBIDDEN")
    assert (await client.get(url, headers=headers)).json()["name"] == "销售部"


async def test_system_role_may_not_use_departments(client: AsyncClient, tenant: Tenant) -> None:
    assert_problem(await client.get(DEPARTMENTS, headers=tenant.headers("system")), 403, "FORBIDDEN")


async def test_code_is_unique_per_organization(client: AsyncClient, tenant: Tenant, other_tenant: Tenant) -> None:
    response = await client.post(
        DEPARTMENTS, json={"name": "重复", "code": tenant.department.code}, headers=tenant.headers("admin")
    )
    assert_problem(response, 409, "DUPLICATE")
    # Another organization may use the same code.
    elsewhere = await client.post(
        DEPARTMENTS, json={"name": "重复", "code": tenant.department.code}, headers=other_tenant.headers("admin")
    )
    assert elsewhere.status_code == 201


async def test_renaming_to_a_taken_code_is_409(client: AsyncClient, tenant: Tenant) -> None:
    other = await _create(client, tenant, name="市场部", code="MKT")
    url = f"{DEPARTMENTS}/{other['id']}"
    assert_problem(
        await client.patch(url, json={"code": tenant.department.code}, headers=tenant.headers("admin")),
        409,
        "DUPLICATE",
    )
    same = await client.patch(url, json={"code": "MKT", "name": "市场营销部"}, headers=tenant.headers("admin"))
    assert same.status_code == 200  # keeping one's own code is no conflict
    assert same.json()["name"] == "市场营销部"


async def test_moves_that_would_loop_are_409(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    child = await make_department(session, tenant.org, parent=tenant.department)
    grandchild = await make_department(session, tenant.org, parent=child)
    await session.commit()
    root_url = f"{DEPARTMENTS}/{tenant.department.id}"
    for new_parent in (grandchild.id, child.id, tenant.department.id):
        response = await client.patch(root_url, json={"parent_id": str(new_parent)}, headers=tenant.headers("admin"))
        assert_problem(response, 409, "WOULD_CREATE_LOOP")
    assert (await client.get(root_url, headers=tenant.headers("admin"))).json()["parent_id"] is None


async def test_legal_moves(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    child = await make_department(session, tenant.org, parent=tenant.department)
    other_root = await make_department(session, tenant.org)
    await session.commit()
    url = f"{DEPARTMENTS}/{child.id}"
    moved = await client.patch(url, json={"parent_id": str(other_root.id)}, headers=tenant.headers("admin"))
    assert moved.json()["parent_id"] == str(other_root.id)
    root = await client.patch(url, json={"parent_id": None}, headers=tenant.headers("admin"))
    assert root.json()["parent_id"] is None


async def test_parent_filter(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    child = await make_department(session, tenant.org, parent=tenant.department)
    await make_department(session, tenant.org, parent=child)
    await session.commit()
    response = await client.get(
        DEPARTMENTS, params={"parent_id": str(tenant.department.id)}, headers=tenant.headers("employee")
    )
    assert [d["id"] for d in response.json()["items"]] == [str(child.id)]


async def test_head_can_be_set_and_cleared(client: AsyncClient, tenant: Tenant) -> None:
    url = f"{DEPARTMENTS}/{tenant.department.id}"
    headers = tenant.headers("admin")
    assert (await client.patch(url, json={"head_id": str(tenant.peer.id)}, headers=headers)).json()["head_id"] == str(
        tenant.peer.id
    )
    cleared = await client.patch(url, json={"head_id": None}, headers=headers)
    assert cleared.json()["head_id"] is None
    assert cleared.json()["name"] == "销售部"


@pytest.mark.parametrize("body", [{"name": None}, {"code": None}, {"code": ""}, {"budget": 1}])
async def test_update_validation(client: AsyncClient, tenant: Tenant, body: dict[str, object]) -> None:
    response = await client.patch(f"{DEPARTMENTS}/{tenant.department.id}", json=body, headers=tenant.headers("admin"))
    assert_problem(response, 422, "VALIDATION_FAILED")


async def test_delete_non_empty_is_409(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    # The tenant's department has employees.
    url = f"{DEPARTMENTS}/{tenant.department.id}"
    assert_problem(await client.delete(url, headers=tenant.headers("admin")), 409, "DEPARTMENT_NOT_EMPTY")
    # One with only a sub-department.
    parent = await make_department(session, tenant.org)
    await make_department(session, tenant.org, parent=parent)
    await session.commit()
    response = await client.delete(f"{DEPARTMENTS}/{parent.id}", headers=tenant.headers("admin"))
    assert_problem(response, 409, "DEPARTMENT_NOT_EMPTY")
    assert (await client.get(url, headers=tenant.headers("admin"))).status_code == 200


async def test_department_with_only_inactive_employees_is_not_empty(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    department = await make_department(session, tenant.org)
    leaver = await make_employee(session, tenant.org, department=department)
    leaver.active = False
    await session.commit()
    response = await client.delete(f"{DEPARTMENTS}/{department.id}", headers=tenant.headers("admin"))
    assert_problem(response, 409, "DEPARTMENT_NOT_EMPTY")


async def test_delete_empty_is_204(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    created = await _create(client, tenant, name="临时项目组", code="TMP", parent_id=str(tenant.department.id))
    url = f"{DEPARTMENTS}/{created['id']}"
    response = await client.delete(url, headers=tenant.headers("admin"))
    assert response.status_code == 204
    assert response.content == b""
    assert_problem(await client.get(url, headers=tenant.headers("admin")), 404, "NOT_FOUND")
    actions = (
        await session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_type == "department").order_by(AuditEvent.at)
        )
    ).all()
    assert list(actions) == ["create", "delete"]


class TestTenantIsolation:
    async def test_another_organizations_department_is_404(
        self, client: AsyncClient, tenant: Tenant, other_tenant: Tenant
    ) -> None:
        url = f"{DEPARTMENTS}/{other_tenant.department.id}"
        for who in READERS:
            assert_problem(await client.get(url, headers=tenant.headers(who)), 404, "NOT_FOUND")
            # Writes are the admins': anyone else is refused before any department is looked up, whichever id.
            status, code = (404, "NOT_FOUND") if who == "admin" else (403, "FORBIDDEN")
            assert_problem(await client.patch(url, json={"name": "x"}, headers=tenant.headers(who)), status, code)
            assert_problem(await client.delete(url, headers=tenant.headers(who)), status, code)
        still = await client.get(url, headers=other_tenant.headers("admin"))
        assert still.json()["name"] == "销售部"

    async def test_lists_never_include_another_organizations_rows(
        self, client: AsyncClient, tenant: Tenant, other_tenant: Tenant
    ) -> None:
        mine = await client.get(DEPARTMENTS, headers=tenant.headers("admin"))
        assert [d["id"] for d in mine.json()["items"]] == [str(tenant.department.id)]
        filtered = await client.get(
            DEPARTMENTS, params={"parent_id": str(other_tenant.department.id)}, headers=tenant.headers("admin")
        )
        assert filtered.json()["items"] == []

    async def test_references_to_another_organization_are_404(
        self, client: AsyncClient, tenant: Tenant, other_tenant: Tenant
    ) -> None:
        headers = tenant.headers("admin")
        as_parent = {"name": "x", "code": "X1", "parent_id": str(other_tenant.department.id)}
        assert_problem(await client.post(DEPARTMENTS, json=as_parent, headers=headers), 404, "NOT_FOUND")
        as_head = {"name": "x", "code": "X2", "head_id": str(other_tenant.manager.id)}
        assert_problem(await client.post(DEPARTMENTS, json=as_head, headers=headers), 404, "NOT_FOUND")
        url = f"{DEPARTMENTS}/{tenant.department.id}"
        response = await client.patch(url, json={"parent_id": str(other_tenant.department.id)}, headers=headers)
        assert_problem(response, 404, "NOT_FOUND")


async def test_concurrent_creates_with_one_code_make_one_department(
    committed_client: AsyncClient, engine: AsyncEngine, settings: Settings
) -> None:
    system = auth(token_for(settings, "ops", None, ["system"]))
    org = await committed_client.post("/api/v1/organizations", json={"name": "并发公司"}, headers=system)
    admin = auth(token_for(settings, "hr", uuid.UUID(org.json()["id"]), ["admin"]))

    responses = await asyncio.gather(
        *(
            committed_client.post(DEPARTMENTS, json={"name": f"部门{n}", "code": "SAME"}, headers=admin)
            for n in range(4)
        )
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 409, 409, 409]
    for refused in (r for r in responses if r.status_code == 409):
        # Found by the service's check, or by the unique constraint when two inserts race: both are a 409 problem.
        assert refused.json()["code"] in {"DUPLICATE", "CONFLICT"}
        assert refused.headers["content-type"] == "application/problem+json"
    async with engine.connect() as connection:
        count = await connection.scalar(select(func.count()).select_from(Department).where(Department.code == "SAME"))
    assert count == 1
