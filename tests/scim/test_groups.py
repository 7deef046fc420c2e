"""SCIM Groups: departments, with externalId as the code and displayName as the name; members are read-only."""

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import AuditEvent, Department
from tests.factories import Tenant, make_department, make_employee
from tests.scim.helpers import GROUP, SCIM, api_key_headers, assert_scim_error, patch_body, scim_ok

GROUPS = f"{SCIM}/Groups"


async def test_create_find_patch_and_delete_a_group(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    headers = await api_key_headers(session, tenant)
    body = {"schemas": [GROUP], "displayName": "华东销售部", "externalId": "SALES-EAST", "members": []}
    response = await client.post(GROUPS, json=body, headers=headers)
    created = scim_ok(response, 201)
    group_id = created["id"]
    assert response.headers["location"] == created["meta"]["location"] == f"http://test{GROUPS}/{group_id}"
    assert response.headers["etag"] == created["meta"]["version"]
    assert created["schemas"] == [GROUP]
    assert (created["displayName"], created["externalId"]) == ("华东销售部", "SALES-EAST")
    assert created["meta"]["resourceType"] == "Group"
    department = (await client.get(f"/api/v1/departments/{group_id}", headers=tenant.headers("admin"))).json()
    assert (department["name"], department["code"]) == ("华东销售部", "SALES-EAST")

    for expression in (
        'displayName eq "华东销售部"',
        'externalId eq "SALES-EAST"',
        'displayName eq "华东销售部" and externalId eq "SALES-EAST"',
    ):
        found = scim_ok(await client.get(GROUPS, params={"filter": expression}, headers=headers))
        assert [group["id"] for group in found["Resources"]] == [group_id], expression
    # externalId is case-exact (RFC 7643 §3.1); displayName is not.
    assert (
        scim_ok(await client.get(GROUPS, params={"filter": 'externalId eq "sales-east"'}, headers=headers))[
            "totalResults"
        ]
        == 0
    )
    assert (
        scim_ok(await client.get(GROUPS, params={"filter": 'displayName EQ "华东销售部"'}, headers=headers))[
            "totalResults"
        ]
        == 1
    )

    renamed = scim_ok(
        await client.patch(
            f"{GROUPS}/{group_id}",
            json=patch_body({"op": "Replace", "path": "displayName", "value": "华东大区"}),
            headers=headers,
        )
    )
    assert renamed["displayName"] == "华东大区"
    recoded = scim_ok(
        await client.patch(
            f"{GROUPS}/{group_id}", json=patch_body({"op": "replace", "value": {"externalId": "EAST"}}), headers=headers
        )
    )
    assert recoded["externalId"] == "EAST"
    replaced = scim_ok(
        await client.put(f"{GROUPS}/{group_id}", json={"schemas": [GROUP], "displayName": "华东"}, headers=headers)
    )
    assert (replaced["displayName"], replaced["externalId"]) == ("华东", "EAST")

    deleted = await client.delete(f"{GROUPS}/{group_id}", headers=headers)
    assert deleted.status_code == 204
    assert_scim_error(await client.get(f"{GROUPS}/{group_id}", headers=headers), 404)
    actions = await session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.entity_type == "department", AuditEvent.organization_id == tenant.org.id
        )
    )
    assert sorted(actions) == ["create", "delete", "update", "update", "update"]


async def test_members_are_the_active_employees_and_read_only(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    leaver = await make_employee(session, tenant.org, department=tenant.department)
    leaver.active = False
    await session.commit()
    headers = tenant.headers("admin")
    url = f"{GROUPS}/{tenant.department.id}"
    group = scim_ok(await client.get(url, headers=headers))
    assert [member["value"] for member in group["members"]] == [
        str(tenant.manager.id),
        str(tenant.employee.id),
        str(tenant.peer.id),
    ]
    assert group["members"][0] == {"value": str(tenant.manager.id), "display": "经理", "type": "User"}
    # Entra ID asks without members; so may anyone.
    assert "members" not in scim_ok(await client.get(url, params={"excludedAttributes": "members"}, headers=headers))

    add = patch_body({"op": "Add", "path": "members", "value": [{"value": str(tenant.admin.id)}]})
    assert_scim_error(await client.patch(url, json=add, headers=headers), 400, "mutability")
    remove = patch_body({"op": "Remove", "path": f'members[value eq "{tenant.peer.id}"]'})
    assert_scim_error(await client.patch(url, json=remove, headers=headers), 400, "mutability")
    # A PUT's members are ignored (read-only), as RFC 7644 §3.5.1 says.
    put = {"schemas": [GROUP], "displayName": "销售部", "members": [{"value": str(tenant.admin.id)}]}
    assert len(scim_ok(await client.put(url, json=put, headers=headers))["members"]) == 3


async def test_deleting_a_department_with_employees_is_409(client: AsyncClient, tenant: Tenant) -> None:
    response = await client.delete(f"{GROUPS}/{tenant.department.id}", headers=tenant.headers("admin"))
    body = assert_scim_error(response, 409)
    assert "employees" in body["detail"] or "部门" in body["detail"]


async def test_the_code_is_the_name_when_none_is_sent(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    headers = tenant.headers("admin")
    created = scim_ok(
        await client.post(GROUPS, json={"schemas": [GROUP], "displayName": "Finance"}, headers=headers), 201
    )
    assert created["externalId"] == "Finance"
    long_name = {"schemas": [GROUP], "displayName": "部" * 65}
    assert_scim_error(await client.post(GROUPS, json=long_name, headers=headers), 400, "invalidValue")
    taken = {"schemas": [GROUP], "displayName": "重复", "externalId": tenant.department.code}
    assert_scim_error(await client.post(GROUPS, json=taken, headers=headers), 409, "uniqueness")
    # The code cannot be removed: a department always has one.
    remove = patch_body({"op": "remove", "path": "externalId"})
    assert_scim_error(await client.patch(f"{GROUPS}/{created['id']}", json=remove, headers=headers), 400, "mutability")
    assert await session.scalar(select(Department.code).where(Department.id == tenant.department.id)) == (
        tenant.department.code
    )


async def test_a_page_of_groups_reads_its_members_in_one_statement(
    client: AsyncClient, session: AsyncSession, tenant: Tenant, count_statements: object
) -> None:
    for _ in range(5):
        department = await make_department(session, tenant.org)
        await make_employee(session, tenant.org, department=department)
    await session.commit()
    headers = tenant.headers("admin")
    with count_statements() as counter:  # type: ignore[operator]
        page = scim_ok(await client.get(GROUPS, params={"count": "3"}, headers=headers))
    assert page["totalResults"] == 6
    assert len(page["Resources"]) == 3
    # The caller, the total, the page, its members.
    assert counter.count == 4, counter.statements
