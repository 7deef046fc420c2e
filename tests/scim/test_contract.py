"""What SCIM answers is what the contract says it answers: each body against the schema documented for its operation,
status and media type (as the contract run checks every operation), and every reference in the document resolves."""

from typing import Any

import jsonschema_rs
import pytest
from fastapi import FastAPI
from httpx import AsyncClient, Response

from tests.factories import Tenant
from tests.scim.helpers import ENTERPRISE, GROUP, SCIM, patch_body, user_body


@pytest.fixture(scope="module")
def document(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def _conforms(document: dict[str, Any], method: str, path: str, response: Response) -> None:
    operation = document["paths"][path][method]
    declared = operation["responses"].get(str(response.status_code)) or operation["responses"]["4XX"]
    if response.status_code == 204:
        assert "content" not in declared
        return
    media_type = response.headers["content-type"]
    schema = declared["content"][media_type]["schema"]
    validator = jsonschema_rs.validator_for({**schema, "components": document["components"]})
    errors = [error.message for error in validator.iter_errors(response.json())]
    assert not errors, (method, path, response.status_code, errors[:3])


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in _refs(item)]
    return []


def test_every_reference_resolves(document: dict[str, Any]) -> None:
    for ref in _refs(document):
        section, kind, name = ref.removeprefix("#/").split("/")
        assert name in document[section][kind], ref


async def test_answers_conform_to_the_contract(client: AsyncClient, tenant: Tenant, document: dict[str, Any]) -> None:
    headers = tenant.headers("admin")
    users, user = "/scim/v2/Users", "/scim/v2/Users/{user_id}"
    groups, group = "/scim/v2/Groups", "/scim/v2/Groups/{group_id}"
    one_user = f"{SCIM}/Users/{tenant.employee.id}"
    one_group = f"{SCIM}/Groups/{tenant.department.id}"
    manager = {"department": tenant.department.code, "manager": {"value": str(tenant.manager.id)}}
    checks = [
        ("get", users, await client.get(f"{SCIM}/Users", headers=headers)),
        ("get", users, await client.get(f"{SCIM}/Users", params={"count": "0"}, headers=headers)),
        ("get", users, await client.get(f"{SCIM}/Users", params={"filter": "userName pr"}, headers=headers)),
        ("get", users, await client.get(f"{SCIM}/Users")),
        (
            "post",
            users,
            await client.post(f"{SCIM}/Users", json=user_body("c.t", **{ENTERPRISE: manager}), headers=headers),
        ),
        ("post", users, await client.post(f"{SCIM}/Users", json=user_body("c.t"), headers=headers)),
        ("post", users, await client.post(f"{SCIM}/Users", content="{", headers=headers)),
        ("get", user, await client.get(one_user, headers=headers)),
        ("get", user, await client.get(f"{SCIM}/Users/{tenant.org.id}", headers=headers)),
        ("get", user, await client.get(one_user, headers=tenant.headers("employee"))),
        ("put", user, await client.put(one_user, json=user_body("p.t"), headers=headers)),
        (
            "patch",
            user,
            await client.patch(
                one_user, json=patch_body({"op": "Replace", "path": "active", "value": "False"}), headers=headers
            ),
        ),
        ("patch", user, await client.patch(one_user, json={"Operations": []}, headers=headers)),
        ("delete", user, await client.delete(one_user, headers=headers)),
        ("get", groups, await client.get(f"{SCIM}/Groups", headers=headers)),
        (
            "post",
            groups,
            await client.post(f"{SCIM}/Groups", json={"schemas": [GROUP], "displayName": "法务部"}, headers=headers),
        ),
        ("get", group, await client.get(one_group, headers=headers)),
        (
            "put",
            group,
            await client.put(one_group, json={"schemas": [GROUP], "displayName": "销售部"}, headers=headers),
        ),
        (
            "patch",
            group,
            await client.patch(
                one_group, json=patch_body({"op": "add", "path": "members", "value": []}), headers=headers
            ),
        ),
        ("delete", group, await client.delete(one_group, headers=headers)),
        ("get", "/scim/v2/ServiceProviderConfig", await client.get(f"{SCIM}/ServiceProviderConfig", headers=headers)),
        ("get", "/scim/v2/ResourceTypes", await client.get(f"{SCIM}/ResourceTypes", headers=headers)),
        ("get", "/scim/v2/Schemas", await client.get(f"{SCIM}/Schemas", headers=headers)),
    ]
    statuses = set()
    for method, path, response in checks:
        _conforms(document, method, path, response)
        statuses.add(response.status_code)
    assert statuses == {200, 201, 204, 400, 401, 403, 404, 409}
