"""SCIM Users: the lifecycle an identity provider runs (create, find, read, replace, deactivate in Okta's and Entra
ID's forms, delete), and what each step does to the employee behind the user."""

from typing import Any

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import AuditEvent, OutboxEvent
from tests.factories import Tenant, make_department
from tests.scim.helpers import (
    ENTERPRISE,
    LIST,
    SCIM,
    USER,
    api_key_headers,
    assert_scim_error,
    patch_body,
    scim_ok,
    user_body,
)

USERS = f"{SCIM}/Users"


async def _events(session: AsyncSession, tenant: Tenant, entity_id: str) -> list[str]:
    rows = await session.scalars(
        select(OutboxEvent).where(OutboxEvent.organization_id == tenant.org.id).order_by(OutboxEvent.occurred_at)
    )
    return [event.type for event in rows if event.data.get("id") == entity_id]


async def _audit(session: AsyncSession, tenant: Tenant, entity_id: str) -> list[tuple[str, str]]:
    rows = await session.scalars(
        select(AuditEvent).where(AuditEvent.organization_id == tenant.org.id).order_by(AuditEvent.at, AuditEvent.id)
    )
    return [(event.action, event.actor) for event in rows if str(event.entity_id) == entity_id]


async def test_the_lifecycle_an_identity_provider_runs(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    headers = await api_key_headers(session, tenant)

    # Okta and Entra ID look the user up before they create them.
    found = scim_ok(await client.get(USERS, params={"filter": 'userName eq "zhang.wei"'}, headers=headers))
    assert found["schemas"] == [LIST]
    assert (found["totalResults"], found["Resources"]) == (0, [])

    body = user_body(
        "zhang.wei",
        **{ENTERPRISE: {"department": tenant.department.code, "manager": {"value": str(tenant.manager.id)}}},
    )
    response = await client.post(USERS, json=body, headers=headers)
    created = scim_ok(response, 201)
    user_id = created["id"]
    assert response.headers["location"] == created["meta"]["location"] == f"http://test{USERS}/{user_id}"
    assert response.headers["etag"] == created["meta"]["version"]
    assert created["schemas"] == [USER, ENTERPRISE]
    assert created["userName"] == "zhang.wei"
    assert created["name"] == {"formatted": "张伟"}
    assert created["emails"] == [{"value": "zhang.wei@example.com", "type": "work", "primary": True}]
    assert created["title"] == "销售经理"
    assert created["active"] is True
    assert created[ENTERPRISE] == {"department": tenant.department.code, "manager": {"value": str(tenant.manager.id)}}
    assert created["meta"]["resourceType"] == "User"
    assert created["meta"]["created"] <= created["meta"]["lastModified"]
    assert "phoneNumbers" not in created  # accepted, and not kept

    # The employee behind the user, as the JSON API shows it; one version for both APIs.
    employee_url = f"/api/v1/employees/{user_id}"
    employee = await client.get(employee_url, headers=tenant.headers("admin"))
    assert employee.json() | {"id": user_id} == employee.json()
    assert {k: employee.json()[k] for k in ("external_id", "name", "email", "job_title", "active")} == {
        "external_id": "zhang.wei",
        "name": "张伟",
        "email": "zhang.wei@example.com",
        "job_title": "销售经理",
        "active": True,
    }
    assert employee.json()["department_id"] == str(tenant.department.id)
    assert employee.json()["manager_id"] == str(tenant.manager.id)
    assert employee.headers["etag"] == created["meta"]["version"]

    found = scim_ok(await client.get(USERS, params={"filter": 'userName eq "ZHANG.WEI"'}, headers=headers))
    assert found["totalResults"] == 1
    assert found["Resources"][0]["id"] == user_id
    got = scim_ok(await client.get(f"{USERS}/{user_id}", headers=headers))
    assert got == created

    # PUT replaces: a new title and e-mail; the manager and the department left out are cleared.
    replacement = user_body("zhang.wei", title="大区总监", emails=[{"value": "wei@example.com", "primary": True}])
    replaced = scim_ok(await client.put(f"{USERS}/{user_id}", json=replacement, headers=headers))
    assert replaced["title"] == "大区总监"
    assert replaced["emails"][0]["value"] == "wei@example.com"
    assert ENTERPRISE not in replaced

    # Okta deactivates with a value and no path.
    okta = patch_body({"op": "replace", "value": {"active": False}})
    deactivated = scim_ok(await client.patch(f"{USERS}/{user_id}", json=okta, headers=headers))
    assert deactivated["active"] is False
    reactivated = scim_ok(
        await client.patch(
            f"{USERS}/{user_id}", json=patch_body({"op": "replace", "value": {"active": True}}), headers=headers
        )
    )
    assert reactivated["active"] is True
    # Entra ID: a capitalised op, a path, and the boolean as a string.
    entra = patch_body({"op": "Replace", "path": "active", "value": "False"})
    assert scim_ok(await client.patch(f"{USERS}/{user_id}", json=entra, headers=headers))["active"] is False
    entra = patch_body({"op": "Replace", "path": "active", "value": "True"})
    assert scim_ok(await client.patch(f"{USERS}/{user_id}", json=entra, headers=headers))["active"] is True

    # DELETE deactivates; the history stays, and the JSON API still reads the employee, inactive.
    deleted = await client.delete(f"{USERS}/{user_id}", headers=headers)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert (await client.get(employee_url, headers=tenant.headers("admin"))).json()["active"] is False
    assert scim_ok(await client.get(f"{USERS}/{user_id}", headers=headers))["active"] is False

    assert await _events(session, tenant, user_id) == [
        "employee.created",
        "employee.updated",  # PUT
        "employee.updated",  # Okta: active false
        "employee.deactivated",
        "employee.updated",  # active true
        "employee.updated",  # Entra: active "False"
        "employee.deactivated",
        "employee.updated",  # Entra: active "True"
        "employee.deactivated",  # DELETE
    ]
    audit = await _audit(session, tenant, user_id)
    assert [action for action, _ in audit] == ["create", "update", "update", "update", "update", "update", "deactivate"]
    assert {actor for _, actor in audit} == {actor for _, actor in audit if actor.startswith("api-key:")}


async def test_an_admin_token_provisions_too(client: AsyncClient, tenant: Tenant) -> None:
    headers = tenant.headers("admin")
    created = scim_ok(await client.post(USERS, json=user_body("li.na"), headers=headers), 201)
    assert created["userName"] == "li.na"


async def test_the_name_comes_from_what_the_provider_sends(client: AsyncClient, tenant: Tenant) -> None:
    headers = tenant.headers("admin")
    okta = user_body("wang.fang", name={"givenName": "Fang", "familyName": "Wang"})
    del okta["displayName"]
    assert scim_ok(await client.post(USERS, json=okta, headers=headers), 201)["name"] == {"formatted": "Fang Wang"}
    display = user_body("zhao.lei", name=None, displayName="赵磊")
    del display["name"]
    assert scim_ok(await client.post(USERS, json=display, headers=headers), 201)["displayName"] == "赵磊"
    bare = {"schemas": [USER], "userName": "chen.jing"}
    created = scim_ok(await client.post(USERS, json=bare, headers=headers), 201)
    assert created["name"] == {"formatted": "chen.jing"}
    assert "emails" not in created


async def test_creating_a_taken_user_name_is_409_uniqueness(client: AsyncClient, tenant: Tenant) -> None:
    body = user_body(tenant.employee.external_id)
    assert_scim_error(await client.post(USERS, json=body, headers=tenant.headers("admin")), 409, "uniqueness")


async def test_a_user_created_inactive_is_deactivated(client: AsyncClient, tenant: Tenant) -> None:
    created = scim_ok(
        await client.post(USERS, json=user_body("sun.li", active=False), headers=tenant.headers("admin")), 201
    )
    assert created["active"] is False


async def _patch(client: AsyncClient, tenant: Tenant, user_id: object, *operations: dict[str, Any]) -> dict[str, Any]:
    response = await client.patch(f"{USERS}/{user_id}", json=patch_body(*operations), headers=tenant.headers("admin"))
    body: dict[str, Any] = scim_ok(response)
    return body


async def test_patch_replaces_each_attribute_with_and_without_a_path(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    other = await make_department(session, tenant.org, name="人事部")
    await session.commit()
    user_id = tenant.employee.id
    patched = await _patch(
        client,
        tenant,
        user_id,
        {"op": "Replace", "path": "name.formatted", "value": "员工甲"},
        {"op": "Replace", "path": "title", "value": "主管"},
        {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "jia@example.com"},
        {"op": "Replace", "path": "userName", "value": "employee.jia"},
        {"op": "Replace", "path": f"{ENTERPRISE}:department", "value": other.code},
        # Entra ID writes the manager as a bare id.
        {"op": "Replace", "path": f"{ENTERPRISE}:manager", "value": str(tenant.admin.id)},
    )
    assert patched["name"] == {"formatted": "员工甲"}
    assert patched["title"] == "主管"
    assert patched["emails"] == [{"value": "jia@example.com", "type": "work", "primary": True}]
    assert patched["userName"] == "employee.jia"
    assert patched[ENTERPRISE] == {"department": other.code, "manager": {"value": str(tenant.admin.id)}}

    # Okta: one operation, the attributes as its value.
    patched = await _patch(
        client,
        tenant,
        user_id,
        {
            "op": "replace",
            "value": {
                "name": {"formatted": "员工乙"},
                "title": "经理",
                "emails": [{"value": "yi@example.com", "primary": True}],
                "userName": "employee.yi",
                ENTERPRISE: {"department": tenant.department.code, "manager": {"value": tenant.manager.external_id}},
            },
        },
    )
    assert patched["name"] == {"formatted": "员工乙"}
    assert patched["title"] == "经理"
    assert patched["emails"][0]["value"] == "yi@example.com"
    assert patched["userName"] == "employee.yi"
    # The manager was named by userName; SCIM answers with the id.
    assert patched[ENTERPRISE] == {"department": tenant.department.code, "manager": {"value": str(tenant.manager.id)}}

    removed = await _patch(
        client, tenant, user_id, {"op": "Remove", "path": f"{ENTERPRISE}:manager"}, {"op": "remove", "path": "title"}
    )
    assert removed[ENTERPRISE] == {"department": tenant.department.code}
    assert "title" not in removed
    employee = (await client.get(f"/api/v1/employees/{user_id}", headers=tenant.headers("admin"))).json()
    assert (employee["manager_id"], employee["job_title"], employee["external_id"]) == (None, None, "employee.yi")


async def test_a_patch_that_changes_nothing_writes_nothing(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    before = scim_ok(await client.get(f"{USERS}/{tenant.employee.id}", headers=tenant.headers("admin")))
    after = await _patch(client, tenant, tenant.employee.id, {"op": "replace", "path": "title", "value": None})
    again = await _patch(client, tenant, tenant.employee.id, {"op": "replace", "path": "active", "value": True})
    assert again["meta"]["version"] == after["meta"]["version"]
    assert before["active"] is True
    assert await _events(session, tenant, str(tenant.employee.id)) == []


async def test_references_to_nothing_are_invalid_values(client: AsyncClient, tenant: Tenant) -> None:
    headers = tenant.headers("admin")
    unknown_department = user_body("x.y", **{ENTERPRISE: {"department": "NOPE"}})
    body = assert_scim_error(await client.post(USERS, json=unknown_department, headers=headers), 400, "invalidValue")
    assert "NOPE" in body["detail"]
    unknown_manager = user_body("x.y", **{ENTERPRISE: {"manager": {"value": "nobody"}}})
    assert_scim_error(await client.post(USERS, json=unknown_manager, headers=headers), 400, "invalidValue")
    bad_email = user_body("x.y", emails=[{"value": "not an e-mail", "primary": True}])
    body = assert_scim_error(await client.post(USERS, json=bad_email, headers=headers), 400, "invalidValue")
    assert body["detail"].startswith("emails")


async def test_a_manager_loop_is_refused(client: AsyncClient, tenant: Tenant) -> None:
    # The manager's manager may not be their own report.
    operation = {"op": "replace", "path": f"{ENTERPRISE}:manager", "value": str(tenant.employee.id)}
    response = await client.patch(
        f"{USERS}/{tenant.manager.id}", json=patch_body(operation), headers=tenant.headers("admin")
    )
    assert_scim_error(response, 409)


async def test_if_match_guards_writes(client: AsyncClient, tenant: Tenant) -> None:
    headers = tenant.headers("admin")
    url = f"{USERS}/{tenant.employee.id}"
    version = scim_ok(await client.get(url, headers=headers))["meta"]["version"]
    stale = {**headers, "If-Match": '"0123456789abcdef0123456789abcdef"'}
    operation = patch_body({"op": "replace", "path": "title", "value": "总监"})
    assert_scim_error(await client.patch(url, json=operation, headers=stale), 412)
    assert_scim_error(await client.delete(url, headers=stale), 412)
    assert scim_ok(await client.patch(url, json=operation, headers={**headers, "If-Match": version}))["title"] == "总监"


async def test_a_patch_of_given_and_family_names_renames_only_with_both(client: AsyncClient, tenant: Tenant) -> None:
    user_id = tenant.employee.id
    given = await _patch(client, tenant, user_id, {"op": "Add", "path": "name.givenName", "value": "Jia"})
    assert given["name"] == {"formatted": "员工"}
    both = await _patch(
        client, tenant, user_id, {"op": "replace", "value": {"name": {"givenName": "Jia", "familyName": "Wang"}}}
    )
    assert both["name"] == {"formatted": "Jia Wang"}
    display = await _patch(client, tenant, user_id, {"op": "Replace", "path": "displayName", "value": "王佳"})
    assert display["displayName"] == display["name"]["formatted"] == "王佳"
