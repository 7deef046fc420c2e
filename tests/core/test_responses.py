"""Strong ETags on single resources; If-Match on PATCH and DELETE refuses stale writes with 412."""

import re
from typing import Any

import pytest
from httpx import AsyncClient

from tests.assertions import assert_problem
from tests.factories import Tenant

STRONG_ETAG = re.compile(r'^"[0-9a-f]{32}"$')


def _resources(tenant: Tenant) -> list[tuple[str, dict[str, Any], str]]:
    """(url, patch body, who may patch) for every foundation resource with a GET by id."""
    return [
        (f"/api/v1/organizations/{tenant.org.id}", {"name": "甲公司（新）"}, "admin"),
        (f"/api/v1/departments/{tenant.department.id}", {"name": "销售一部"}, "admin"),
        (f"/api/v1/employees/{tenant.employee.id}", {"job_title": "销售代表"}, "admin"),
    ]


@pytest.mark.parametrize("index", [0, 1, 2], ids=["organization", "department", "employee"])
async def test_get_carries_a_strong_stable_etag(client: AsyncClient, tenant: Tenant, index: int) -> None:
    url, _, who = _resources(tenant)[index]
    first = await client.get(url, headers=tenant.headers(who))
    second = await client.get(url, headers=tenant.headers("service"))
    assert first.status_code == 200
    assert STRONG_ETAG.match(first.headers["etag"])
    assert second.headers["etag"] == first.headers["etag"]


@pytest.mark.parametrize("index", [0, 1, 2], ids=["organization", "department", "employee"])
async def test_patch_honours_if_match(client: AsyncClient, tenant: Tenant, index: int) -> None:
    url, patch, who = _resources(tenant)[index]
    headers = tenant.headers(who)
    etag = (await client.get(url, headers=headers)).headers["etag"]

    stale = await client.patch(url, json=patch, headers={**headers, "If-Match": '"0123456789abcdef0123456789abcdef"'})
    assert_problem(stale, 412, "PRECONDITION_FAILED")
    assert (await client.get(url, headers=headers)).headers["etag"] == etag  # nothing changed

    updated = await client.patch(url, json=patch, headers={**headers, "If-Match": etag})
    assert updated.status_code == 200
    for field, value in patch.items():
        assert updated.json()[field] == value
    new_etag = updated.headers["etag"]
    assert new_etag != etag
    assert (await client.get(url, headers=headers)).headers["etag"] == new_etag

    # The ETag read before the change is now stale.
    again = await client.patch(url, json=patch, headers={**headers, "If-Match": etag})
    assert_problem(again, 412, "PRECONDITION_FAILED")


async def test_if_match_accepts_a_list_and_star(client: AsyncClient, tenant: Tenant) -> None:
    url = f"/api/v1/departments/{tenant.department.id}"
    headers = tenant.headers("admin")
    etag = (await client.get(url, headers=headers)).headers["etag"]
    listed = await client.patch(url, json={"name": "一部"}, headers={**headers, "If-Match": f'"old", {etag}'})
    assert listed.status_code == 200
    star = await client.patch(url, json={"name": "二部"}, headers={**headers, "If-Match": "*"})
    assert star.status_code == 200


async def test_weak_etag_never_matches(client: AsyncClient, tenant: Tenant) -> None:
    url = f"/api/v1/departments/{tenant.department.id}"
    headers = tenant.headers("admin")
    etag = (await client.get(url, headers=headers)).headers["etag"]
    response = await client.patch(url, json={"name": "一部"}, headers={**headers, "If-Match": f"W/{etag}"})
    assert_problem(response, 412, "PRECONDITION_FAILED")


async def test_write_without_if_match_is_unconditional(client: AsyncClient, tenant: Tenant) -> None:
    response = await client.patch(
        f"/api/v1/departments/{tenant.department.id}", json={"name": "一部"}, headers=tenant.headers("admin")
    )
    assert response.status_code == 200


async def test_delete_department_honours_if_match(client: AsyncClient, tenant: Tenant) -> None:
    created = await client.post(
        "/api/v1/departments", json={"name": "临时部", "code": "TMP"}, headers=tenant.headers("admin")
    )
    url = created.headers["location"]
    etag = created.headers["etag"]
    assert etag == (await client.get(url, headers=tenant.headers("admin"))).headers["etag"]
    stale = await client.delete(url, headers={**tenant.headers("admin"), "If-Match": '"stale"'})
    assert_problem(stale, 412, "PRECONDITION_FAILED")
    assert (await client.get(url, headers=tenant.headers("admin"))).status_code == 200
    deleted = await client.delete(url, headers={**tenant.headers("admin"), "If-Match": etag})
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert_problem(await client.get(url, headers=tenant.headers("admin")), 404, "NOT_FOUND")


async def test_delete_employee_honours_if_match(client: AsyncClient, tenant: Tenant) -> None:
    url = f"/api/v1/employees/{tenant.peer.id}"
    etag = (await client.get(url, headers=tenant.headers("admin"))).headers["etag"]
    stale = await client.delete(url, headers={**tenant.headers("admin"), "If-Match": '"stale"'})
    assert_problem(stale, 412, "PRECONDITION_FAILED")
    assert (await client.get(url, headers=tenant.headers("admin"))).json()["active"] is True
    assert (await client.delete(url, headers={**tenant.headers("admin"), "If-Match": etag})).status_code == 204
    assert (await client.get(url, headers=tenant.headers("admin"))).json()["active"] is False


async def test_create_response_carries_the_etag_of_the_resource(client: AsyncClient, tenant: Tenant) -> None:
    created = await client.post(
        "/api/v1/employees", json={"external_id": "han.meimei", "name": "韩梅梅"}, headers=tenant.headers("admin")
    )
    assert created.status_code == 201
    fetched = await client.get(created.headers["location"], headers=tenant.headers("admin"))
    assert fetched.json() == created.json()
    assert fetched.headers["etag"] == created.headers["etag"]
