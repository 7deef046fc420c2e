"""Employees: the org directory; admins write; external_id unique; the manager chain never loops; never deleted."""

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import assert_problem
from tests.factories import Tenant, make_department, make_employee

EMPLOYEES = "/api/v1/employees"
READERS = ["admin", "manager", "employee", "peer", "service"]
NON_ADMINS = ["manager", "employee", "service"]


async def _ids(client: AsyncClient, tenant: Tenant, **params: str) -> set[str]:
    response = await client.get(EMPLOYEES, params={**params, "limit": "200"}, headers=tenant.headers("employee"))
    assert response.status_code == 200, response.text
    return {e["id"] for e in response.json()["items"]}


async def test_admin_creates_an_employee(client: AsyncClient, tenant: Tenant) -> None:
    body = {
        "external_id": "zhang.wei",
        "name": "张伟",
        "email": "zhang.wei@example.com",
        "department_id": str(tenant.department.id),
        "manager_id": str(tenant.manager.id),
        "job_title": "销售经理",
    }
    response = await client.post(EMPLOYEES, json=body, headers=tenant.headers("admin"))
    assert response.status_code == 201
    created = response.json()
    assert {k: created[k] for k in body} == body
    assert created["active"] is True
    assert response.headers["location"] == f"{EMPLOYEES}/{created['id']}"


@pytest.mark.parametrize("who", READERS)
async def test_everyone_in_the_org_reads_the_directory(client: AsyncClient, tenant: Tenant, who: str) -> None:
    listed = await client.get(EMPLOYEES, headers=tenant.headers(who))
    assert len(listed.json()["items"]) == 4
    one = await client.get(f"{EMPLOYEES}/{tenant.peer.id}", headers=tenant.headers(who))
    assert one.json()["name"] == "同事"


@pytest.mark.parametrize("who", NON_ADMINS)
async def test_only_admins_write(client: AsyncClient, tenant: Tenant, who: str) -> None:
    url = f"{EMPLOYEES}/{tenant.employee.id}"
    headers = tenant.headers(who)
    response = await client.post(EMPLOYEES, json={"external_id": "x", "name": "某人"}, headers=headers)
    assert_problem(response, 403, "FORBIDDEN")
    assert_problem(await client.patch(url, json={"job_title": "总监"}, headers=headers), 403, "FORBIDDEN")
    assert_problem(await client.delete(url, headers=headers), 403, "FORBIDDEN")
    assert (await client.get(url, headers=headers)).json()["active"] is True


async def test_system_role_calling_employees_is_403(client: AsyncClient, tenant: Tenant) -> None:
    assert_problem(await client.get(EMPLOYEES, headers=tenant.headers("system")), 403, "FORBIDDEN")
    url = f"{EMPLOYEES}/{tenant.employee.id}"
    assert_problem(await client.get(url, headers=tenant.headers("system")), 403, "FORBIDDEN")


async def test_external_id_is_unique_per_organization(
    client: AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    taken = {"external_id": tenant.employee.external_id, "name": "重名"}
    assert_problem(await client.post(EMPLOYEES, json=taken, headers=tenant.headers("admin")), 409, "DUPLICATE")
    # external ids are the IdP subject inside one organization: another may reuse it.
    assert (await client.post(EMPLOYEES, json=taken, headers=other_tenant.headers("admin"))).status_code == 201
    url = f"{EMPLOYEES}/{tenant.peer.id}"
    response = await client.patch(
        url, json={"external_id": tenant.employee.external_id}, headers=tenant.headers("admin")
    )
    assert_problem(response, 409, "DUPLICATE")
    same = await client.patch(url, json={"external_id": tenant.peer.external_id}, headers=tenant.headers("admin"))
    assert same.status_code == 200


async def test_manager_loops_are_refused(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    report_of_employee = await make_employee(session, tenant.org, manager=tenant.employee)
    await session.commit()
    url = f"{EMPLOYEES}/{tenant.manager.id}"
    for new_manager in (tenant.employee.id, report_of_employee.id, tenant.manager.id):
        response = await client.patch(url, json={"manager_id": str(new_manager)}, headers=tenant.headers("admin"))
        assert_problem(response, 409, "WOULD_CREATE_LOOP")
    assert (await client.get(url, headers=tenant.headers("admin"))).json()["manager_id"] is None


async def test_legal_manager_changes(client: AsyncClient, tenant: Tenant) -> None:
    url = f"{EMPLOYEES}/{tenant.employee.id}"
    headers = tenant.headers("admin")
    moved = await client.patch(url, json={"manager_id": str(tenant.peer.id)}, headers=headers)
    assert moved.json()["manager_id"] == str(tenant.peer.id)
    cleared = await client.patch(url, json={"manager_id": None, "job_title": "独立贡献者"}, headers=headers)
    assert (cleared.json()["manager_id"], cleared.json()["job_title"]) == (None, "独立贡献者")
    assert cleared.json()["department_id"] == str(tenant.department.id)  # untouched


async def test_delete_deactivates(client: AsyncClient, tenant: Tenant) -> None:
    url = f"{EMPLOYEES}/{tenant.peer.id}"
    response = await client.delete(url, headers=tenant.headers("admin"))
    assert response.status_code == 204
    fetched = await client.get(url, headers=tenant.headers("admin"))
    assert fetched.status_code == 200
    assert fetched.json()["active"] is False
    assert str(tenant.peer.id) in await _ids(client, tenant)
    assert str(tenant.peer.id) not in await _ids(client, tenant, active="true")
    assert await _ids(client, tenant, active="false") == {str(tenant.peer.id)}
    # Deleting again is harmless.
    assert (await client.delete(url, headers=tenant.headers("admin"))).status_code == 204


async def test_deactivated_employee_can_be_reactivated(client: AsyncClient, tenant: Tenant) -> None:
    assert (await client.delete(f"{EMPLOYEES}/{tenant.peer.id}", headers=tenant.headers("admin"))).status_code == 204
    # Their token still verifies until it expires, but it reads nothing any more.
    me = await client.get("/api/v1/me", headers=tenant.headers("peer"))
    assert_problem(me, 401, "UNAUTHENTICATED")
    reactivated = await client.patch(
        f"{EMPLOYEES}/{tenant.peer.id}", json={"active": True}, headers=tenant.headers("admin")
    )
    assert reactivated.json()["active"] is True
    me = await client.get("/api/v1/me", headers=tenant.headers("peer"))
    assert me.json()["employee"]["active"] is True


async def test_search_by_name_including_chinese(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    zhang = await make_employee(session, tenant.org, name="张伟", external_id="zhang.wei")
    zhang_san = await make_employee(session, tenant.org, name="张三丰", external_id="zsf")
    await make_employee(session, tenant.org, name="李雷", external_id="li.lei")
    await session.commit()
    assert await _ids(client, tenant, q="张") == {str(zhang.id), str(zhang_san.id)}
    assert await _ids(client, tenant, q="张伟") == {str(zhang.id)}
    assert await _ids(client, tenant, q="ZHANG.W") == {str(zhang.id)}  # external id, case-insensitive
    assert await _ids(client, tenant, q=f"{zhang.email}") == {str(zhang.id)}
    assert await _ids(client, tenant, q="王") == set()


async def test_search_treats_wildcards_literally(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    percent = await make_employee(session, tenant.org, name="百分之百%", external_id="pct")
    underscore = await make_employee(session, tenant.org, name="下划线", external_id="under_score")
    await session.commit()
    assert await _ids(client, tenant, q="%") == {str(percent.id)}
    assert await _ids(client, tenant, q="_") == {str(underscore.id)}


async def test_filters_by_department_and_manager(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    other_department = await make_department(session, tenant.org, name="生产部")
    worker = await make_employee(session, tenant.org, department=other_department, manager=tenant.employee)
    await session.commit()
    in_sales = {str(e.id) for e in (tenant.manager, tenant.employee, tenant.peer)}
    assert await _ids(client, tenant, department_id=str(tenant.department.id)) == in_sales
    assert await _ids(client, tenant, department_id=str(other_department.id)) == {str(worker.id)}
    assert await _ids(client, tenant, manager_id=str(tenant.manager.id)) == {
        str(tenant.employee.id),
        str(tenant.peer.id),
    }
    both = await _ids(client, tenant, manager_id=str(tenant.employee.id), department_id=str(tenant.department.id))
    assert both == set()


@pytest.mark.parametrize(
    "body",
    [
        {"name": "无编号"},
        {"external_id": "x", "name": "某人", "email": "not-an-email"},
        {"external_id": "x", "name": "某人", "salary": 1},
        {"external_id": "x", "name": ""},
    ],
)
async def test_create_validation(client: AsyncClient, tenant: Tenant, body: dict[str, object]) -> None:
    assert_problem(await client.post(EMPLOYEES, json=body, headers=tenant.headers("admin")), 422, "VALIDATION_FAILED")


@pytest.mark.parametrize("body", [{"name": None}, {"external_id": None}, {"active": None}, {"id": "x"}])
async def test_update_validation(client: AsyncClient, tenant: Tenant, body: dict[str, object]) -> None:
    response = await client.patch(f"{EMPLOYEES}/{tenant.peer.id}", json=body, headers=tenant.headers("admin"))
    assert_problem(response, 422, "VALIDATION_FAILED")


class TestTenantIsolation:
    async def test_another_organizations_employee_is_404(
        self, client: AsyncClient, tenant: Tenant, other_tenant: Tenant
    ) -> None:
        url = f"{EMPLOYEES}/{other_tenant.employee.id}"
        for who in READERS:
            body = assert_problem(await client.get(url, headers=tenant.headers(who)), 404, "NOT_FOUND")
            assert other_tenant.employee.external_id not in str(body)
            # Writes are the admins': anyone else is refused before any employee is looked up, whichever id.
            status, code = (404, "NOT_FOUND") if who == "admin" else (403, "FORBIDDEN")
            response = await client.patch(url, json={"name": "x"}, headers=tenant.headers(who))
            assert_problem(response, status, code)
            assert_problem(await client.delete(url, headers=tenant.headers(who)), status, code)
        still = await client.get(url, headers=other_tenant.headers("admin"))
        assert still.json()["active"] is True

    async def test_lists_and_filters_never_include_another_organizations_rows(
        self, client: AsyncClient, tenant: Tenant, other_tenant: Tenant
    ) -> None:
        mine = {str(e.id) for e in (tenant.admin, tenant.manager, tenant.employee, tenant.peer)}
        assert await _ids(client, tenant) == mine
        assert await _ids(client, tenant, q="员工") == {str(tenant.employee.id)}
        assert await _ids(client, tenant, department_id=str(other_tenant.department.id)) == set()
        assert await _ids(client, tenant, manager_id=str(other_tenant.manager.id)) == set()

    async def test_references_to_another_organization_are_404(
        self, client: AsyncClient, tenant: Tenant, other_tenant: Tenant
    ) -> None:
        headers = tenant.headers("admin")
        for field, value in (("department_id", other_tenant.department.id), ("manager_id", other_tenant.manager.id)):
            body = {"external_id": f"x-{field}", "name": "某人", field: str(value)}
            assert_problem(await client.post(EMPLOYEES, json=body, headers=headers), 404, "NOT_FOUND")
            patch = await client.patch(f"{EMPLOYEES}/{tenant.peer.id}", json={field: str(value)}, headers=headers)
            assert_problem(patch, 404, "NOT_FOUND")
