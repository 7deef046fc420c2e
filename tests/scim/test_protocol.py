"""SCIM as a protocol: who may call it, tenant isolation, errors in SCIM's own form (never a 500 for what a client
sends), pagination, filters, and the discovery endpoints."""

import json
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import Tenant, make_api_key, make_employees
from tests.scim.helpers import (
    ENTERPRISE,
    GROUP,
    LIST,
    SCIM,
    SCIM_JSON,
    USER,
    api_key_headers,
    assert_scim_error,
    patch_body,
    scim_ok,
    user_body,
)

USERS = f"{SCIM}/Users"
GROUPS = f"{SCIM}/Groups"


# --- Who may call it


async def test_an_api_key_works_as_a_bearer_token_or_as_x_api_key(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    _, secret = await make_api_key(session, tenant.org)
    await session.commit()
    for headers in ({"Authorization": f"Bearer {secret}"}, {"X-API-Key": secret}):
        assert scim_ok(await client.get(USERS, headers=headers))["totalResults"] == 4


@pytest.mark.parametrize("who", ["manager", "employee", "service"])
async def test_people_and_service_tokens_are_403(client: AsyncClient, tenant: Tenant, who: str) -> None:
    headers = tenant.headers(who)
    assert_scim_error(await client.get(USERS, headers=headers), 403)
    assert_scim_error(await client.post(USERS, json=user_body("intruder"), headers=headers), 403)
    patch = patch_body({"op": "replace", "path": "active", "value": False})
    assert_scim_error(await client.patch(f"{USERS}/{tenant.peer.id}", json=patch, headers=headers), 403)
    assert_scim_error(await client.get(f"{SCIM}/ServiceProviderConfig", headers=headers), 403)


async def test_a_system_token_is_403(client: AsyncClient, tenant: Tenant) -> None:
    assert_scim_error(await client.get(GROUPS, headers=tenant.headers("system")), 403)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer kpr_0000_not-a-key"}, {"Authorization": "Bearer not.a.jwt"}, {"X-API-Key": "nope"}],
)
async def test_no_or_bad_credentials_are_401_with_www_authenticate(
    client: AsyncClient, tenant: Tenant, headers: dict[str, str]
) -> None:
    for response in (
        await client.get(USERS, headers=headers),
        await client.post(USERS, json=user_body("x"), headers=headers),
        await client.delete(f"{GROUPS}/{tenant.department.id}", headers=headers),
    ):
        assert_scim_error(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")


# --- Tenant isolation


async def test_another_organizations_ids_are_404(
    client: AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    headers = await api_key_headers(session, tenant)
    user = f"{USERS}/{other_tenant.employee.id}"
    group = f"{GROUPS}/{other_tenant.department.id}"
    patch = patch_body({"op": "replace", "path": "active", "value": False})
    for response in (
        await client.get(user, headers=headers),
        await client.put(user, json=user_body("stolen"), headers=headers),
        await client.patch(user, json=patch, headers=headers),
        await client.delete(user, headers=headers),
        await client.get(group, headers=headers),
        await client.put(group, json={"schemas": [GROUP], "displayName": "x"}, headers=headers),
        await client.patch(
            group, json=patch_body({"op": "replace", "path": "displayName", "value": "x"}), headers=headers
        ),
        await client.delete(group, headers=headers),
    ):
        assert_scim_error(response, 404)
    # Lists, filters and references see one organization only.
    listed = scim_ok(await client.get(USERS, headers=headers))
    assert str(other_tenant.employee.id) not in {user["id"] for user in listed["Resources"]}
    by_name = {"filter": f'userName eq "{other_tenant.employee.external_id}"'}
    assert scim_ok(await client.get(USERS, params=by_name, headers=headers))["totalResults"] == 0
    groups = scim_ok(await client.get(GROUPS, headers=headers))
    assert [group["id"] for group in groups["Resources"]] == [str(tenant.department.id)]
    foreign = user_body("x.z", **{ENTERPRISE: {"manager": {"value": str(other_tenant.manager.id)}}})
    assert_scim_error(await client.post(USERS, json=foreign, headers=headers), 400, "invalidValue")
    foreign = user_body("x.z", **{ENTERPRISE: {"department": other_tenant.department.code}})
    # The other organization's code means nothing here (each tenant has its own codes, "D<n>" differ by tenant).
    assert_scim_error(await client.post(USERS, json=foreign, headers=headers), 400, "invalidValue")
    untouched = (
        await client.get(f"/api/v1/employees/{other_tenant.employee.id}", headers=other_tenant.headers("admin"))
    ).json()
    assert untouched["active"] is True


# --- Errors in SCIM's own form


GARBAGE: list[Any] = [
    "null",
    "[]",
    '"text"',
    "42",
    "{",
    "{}",
    '{"schemas": 7}',
    '{"schemas": [1, 2], "userName": {"a": 1}}',
    '{"userName": ["x"], "emails": "x@example.com"}',
    '{"userName": "x", "emails": [{"value": 5, "primary": "maybe"}]}',
    '{"userName": "x", "name": "not an object", "active": []}',
    '{"userName": "x", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": [1]}',
    '{"userName": "x", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"manager": 3}}',
    '{"userName": "", "displayName": ""}',
    '{"userName": "' + "x" * 300 + '"}',
    '{"displayName": null, "members": "x"}',
    '{"userName": "x", "meta": "m", "id": 5}',
    '{"Operations": "x"}',
    '{"schemas": [], "Operations": []}',
    '{"schemas": ["x"], "Operations": [{}]}',
    '{"schemas": ["x"], "Operations": [{"op": "delete", "path": "active"}]}',
    '{"schemas": ["x"], "Operations": [{"op": "replace", "path": "nope.nope[", "value": 1}]}',
    '{"schemas": ["x"], "Operations": [{"op": "replace", "path": "active", "value": {"a": 1}}]}',
    '{"schemas": ["x"], "Operations": [{"op": "replace", "value": "not an object"}]}',
    '{"schemas": ["x"], "Operations": [{"op": "replace", "value": [1, 2]}]}',
    '{"schemas": ["x"], "Operations": [{"op": "add", "path": "emails", "value": 5}]}',
    '{"schemas": ["x"], "Operations": [{"op": "remove"}]}',
    '{"schemas": ["x"], "Operations": [{"op": "replace", "path": "userName", "value": null}]}',
    '{"schemas": ["x"], "Operations": [{"op": "replace", "path": "displayName", "value": null}]}',
    '{"schemas": ["x"], "Operations": [{"op": "replace", "path": "id", "value": "x"}]}',
    '{"schemas": ["x"], "Operations": [{"op": "replace", "path": "meta.version", "value": "x"}]}',
    '{"schemas": ["x"], "Operations": [{"op": "replace", "path": "name.formatted", "value": "   "}]}',
    '{"schemas": ["x"], "Operations": [{"op": "replace", "path": "title", "value": 12.5}]}',
]


@pytest.mark.parametrize("body", GARBAGE)
async def test_what_a_client_sends_is_never_a_500(client: AsyncClient, tenant: Tenant, body: str) -> None:
    headers = {**tenant.headers("admin"), "Content-Type": SCIM_JSON}
    for method, url in [
        ("POST", USERS),
        ("PUT", f"{USERS}/{tenant.employee.id}"),
        ("PATCH", f"{USERS}/{tenant.employee.id}"),
        ("POST", GROUPS),
        ("PUT", f"{GROUPS}/{tenant.department.id}"),
        ("PATCH", f"{GROUPS}/{tenant.department.id}"),
    ]:
        response = await client.request(method, url, content=body, headers=headers)
        assert response.status_code < 500, (method, url, response.text)
        if response.status_code >= 400:
            assert_scim_error(response, response.status_code, response.json().get("scimType"))


async def test_unreadable_bodies_are_invalid_syntax_and_bad_values_invalid_value(
    client: AsyncClient, tenant: Tenant
) -> None:
    headers = {**tenant.headers("admin"), "Content-Type": SCIM_JSON}
    assert_scim_error(await client.post(USERS, content="{", headers=headers), 400, "invalidSyntax")
    assert_scim_error(await client.post(USERS, content="[]", headers=headers), 400, "invalidSyntax")
    body = assert_scim_error(await client.post(USERS, json=user_body("x" * 300), headers=headers), 400, "invalidValue")
    assert body["detail"].startswith("userName")
    without = {"schemas": [USER], "displayName": "无名"}
    assert_scim_error(await client.post(USERS, json=without, headers=headers), 400, "invalidValue")
    read_only = patch_body({"op": "replace", "path": "id", "value": "x"})
    assert_scim_error(
        await client.patch(f"{USERS}/{tenant.employee.id}", json=read_only, headers=headers), 400, "mutability"
    )


async def test_application_json_is_accepted_and_answers_are_scim_json(client: AsyncClient, tenant: Tenant) -> None:
    headers = {**tenant.headers("admin"), "Content-Type": "application/json"}
    created = await client.post(USERS, content=json.dumps(user_body("plain.json")), headers=headers)
    assert scim_ok(created, 201)["userName"] == "plain.json"
    text = {**tenant.headers("admin"), "Content-Type": "text/plain"}
    assert_scim_error(await client.post(USERS, content=json.dumps(user_body("t")), headers=text), 400, "invalidSyntax")


async def test_unknown_routes_methods_and_oversized_bodies_answer_in_scim_form(
    client: AsyncClient, tenant: Tenant
) -> None:
    headers = tenant.headers("admin")
    assert_scim_error(await client.get(f"{SCIM}/Pets", headers=headers), 404)
    assert_scim_error(await client.get(f"{USERS}/not-a-uuid", headers=headers), 404)
    assert_scim_error(await client.get(f"{USERS}/00000000-0000-0000-0000-000000000000", headers=headers), 404)
    not_allowed = await client.put(USERS, json=user_body("x"), headers=headers)
    assert_scim_error(not_allowed, 405)
    assert not_allowed.headers["allow"] == "GET, HEAD, POST"
    too_large = await client.post(USERS, content=b"{" + b" " * (1024 * 1024) + b"}", headers=headers)
    assert_scim_error(too_large, 413)
    # The JSON API keeps its own form.
    assert (await client.get("/api/v1/nothing", headers=headers)).headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("expression", "scim_type"),
    [
        ('userName sw "z"', "invalidFilter"),
        ('userName eq "a" or userName eq "b"', "invalidFilter"),
        ('not (userName eq "a")', "invalidFilter"),
        ("userName pr", "invalidFilter"),
        ('emails[type eq "work"]', "invalidFilter"),
        ('externalId eq "x"', "invalidFilter"),  # not kept for users
        ('title eq "x"', "invalidFilter"),
        ('nickName eq "x"', "invalidFilter"),
        ("userName eq", "invalidFilter"),
        ('userName eq "unterminated', "invalidFilter"),
    ],
)
async def test_filters_beyond_eq_and_and_are_invalid_filter(
    client: AsyncClient, tenant: Tenant, expression: str, scim_type: str
) -> None:
    response = await client.get(USERS, params={"filter": expression}, headers=tenant.headers("admin"))
    assert_scim_error(response, 400, scim_type)


async def test_the_filters_identity_providers_send(client: AsyncClient, tenant: Tenant) -> None:
    headers = tenant.headers("admin")

    async def ids(expression: str) -> list[str]:
        found = scim_ok(await client.get(USERS, params={"filter": expression}, headers=headers))
        return [user["id"] for user in found["Resources"]]

    employee = str(tenant.employee.id)
    assert await ids(f'userName eq "{tenant.employee.external_id}"') == [employee]
    assert await ids(f'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "{tenant.employee.external_id}"') == [
        employee
    ]
    assert await ids(f'displayName eq "员工" and userName eq "{tenant.employee.external_id}"') == [employee]
    assert await ids(f'emails.value eq "{tenant.employee.email}"') == [employee]
    assert await ids('displayName eq "员工" and active eq false') == []
    assert await ids("userName eq null") == []
    assert_scim_error(
        await client.get(USERS, params={"filter": "userName eq 5"}, headers=headers), 400, "invalidFilter"
    )


# --- Pagination


async def test_start_index_count_and_total_results(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    await make_employees(session, tenant.org, 6)
    await session.commit()
    headers = tenant.headers("admin")

    async def page(**params: str) -> dict[str, Any]:
        body: dict[str, Any] = scim_ok(await client.get(USERS, params=params, headers=headers))
        assert body["schemas"] == [LIST]
        return body

    everyone = await page()
    assert (everyone["totalResults"], everyone["startIndex"], everyone["itemsPerPage"]) == (10, 1, 10)
    ids = [user["id"] for user in everyone["Resources"]]
    second = await page(startIndex="4", count="3")
    assert (second["totalResults"], second["startIndex"], second["itemsPerPage"]) == (10, 4, 3)
    assert [user["id"] for user in second["Resources"]] == ids[3:6]
    last = await page(startIndex="9", count="5")
    assert [user["id"] for user in last["Resources"]] == ids[8:]
    beyond = await page(startIndex="11")
    assert (beyond["totalResults"], beyond["itemsPerPage"], beyond["Resources"]) == (10, 0, [])
    # Out of range is read as RFC 7644 §3.4.2.4 says: startIndex below 1 is 1, a negative count is 0.
    assert (await page(startIndex="-5", count="2"))["startIndex"] == 1
    only_total = await page(count="-1")
    assert (only_total["totalResults"], only_total["Resources"]) == (10, [])
    assert (await page(count="100000"))["itemsPerPage"] == 10
    assert_scim_error(await client.get(USERS, params={"count": "many"}, headers=headers), 400, "invalidValue")


async def test_attributes_select_what_is_returned(client: AsyncClient, tenant: Tenant) -> None:
    headers = tenant.headers("admin")
    url = f"{USERS}/{tenant.employee.id}"
    only = scim_ok(await client.get(url, params={"attributes": "userName"}, headers=headers))
    assert set(only) == {"schemas", "id", "userName"}
    without = scim_ok(await client.get(url, params={"excludedAttributes": "emails,title"}, headers=headers))
    assert "emails" not in without
    assert without["userName"] == tenant.employee.external_id


# --- Discovery


async def test_the_discovery_endpoints_describe_the_service(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    headers = await api_key_headers(session, tenant)
    config = scim_ok(await client.get(f"{SCIM}/ServiceProviderConfig", headers=headers))
    assert config["schemas"] == ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]
    assert config["patch"] == {"supported": True}
    assert config["bulk"]["supported"] is False
    assert config["filter"] == {"supported": True, "maxResults": 200}
    assert config["etag"] == {"supported": True}
    assert config["sort"] == {"supported": False}
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"

    types = scim_ok(await client.get(f"{SCIM}/ResourceTypes", headers=headers))
    assert types["totalResults"] == 2
    by_name = {resource["name"]: resource for resource in types["Resources"]}
    assert by_name["User"]["endpoint"] == "/Users"
    assert by_name["User"]["schema"] == USER
    assert by_name["User"]["schemaExtensions"] == [{"schema": ENTERPRISE, "required": False}]
    assert by_name["Group"]["endpoint"] == "/Groups"

    schemas = scim_ok(await client.get(f"{SCIM}/Schemas", headers=headers))
    described = {schema["id"]: schema for schema in schemas["Resources"]}
    assert set(described) == {USER, ENTERPRISE, GROUP}
    assert described[USER]["name"] == "User"
    user_attributes = {attribute["name"] for attribute in described[USER]["attributes"]}
    assert {"userName", "name", "displayName", "title", "active", "emails"} <= user_attributes
    assert "phoneNumbers" not in user_attributes
    members = next(a for a in described[GROUP]["attributes"] if a["name"] == "members")
    assert members["mutability"] == "readOnly"


async def test_a_meta_with_a_number_for_a_timestamp_is_refused(client: AsyncClient, tenant: Tenant) -> None:
    # meta is ignored, but held to its documented types: 0 is not a date-time (it was read as a Unix time).
    headers = {**tenant.headers("admin"), "Content-Type": SCIM_JSON}
    body = {"displayName": "质量部", "meta": {"created": "2000-01-01T00:00:00Z", "lastModified": 0}}
    response = await client.put(f"{GROUPS}/{tenant.department.id}", json=body, headers=headers)
    assert_scim_error(response, 400, "invalidValue")


async def test_a_number_for_a_boolean_is_refused(client: AsyncClient, tenant: Tenant) -> None:
    headers = {**tenant.headers("admin"), "Content-Type": SCIM_JSON}
    for body in ({"userName": "x.y", "active": 0}, {"userName": "x.y", "emails": [{"value": "x@e.com", "primary": 1}]}):
        response = await client.put(f"{USERS}/{tenant.employee.id}", json=body, headers=headers)
        assert_scim_error(response, 400, "invalidValue")
