"""Keyset pagination: a full walk sees every row once, limits are bounded, cursors are signed, queries do not grow."""

import base64
from datetime import UTC, datetime
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.pagination import CursorCodec, cursor_key
from tests.assertions import assert_problem
from tests.factories import Tenant, make_api_key, make_department, make_employees, make_org


async def walk(client: AsyncClient, url: str, headers: dict[str, str], limit: int) -> list[list[dict[str, Any]]]:
    """Every page of ``url``, following next_cursor until it is null."""
    pages: list[list[dict[str, Any]]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor is not None:
            params["cursor"] = cursor
        response = await client.get(url, params=params, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"items", "next_cursor"}
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 100, "pagination does not terminate"


async def test_walk_over_23_employees_has_no_duplicates_and_no_gaps(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    await make_employees(session, tenant.org, 19)  # the tenant already has 4
    await session.commit()
    pages = await walk(client, "/api/v1/employees", tenant.headers("employee"), limit=5)
    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]
    ids = [item["id"] for page in pages for item in page]
    assert len(ids) == len(set(ids)) == 23
    everything = await client.get("/api/v1/employees", params={"limit": 200}, headers=tenant.headers("employee"))
    assert ids == [item["id"] for item in everything.json()["items"]]


async def test_exact_multiple_ends_with_a_null_cursor(client: AsyncClient, tenant: Tenant) -> None:
    pages = await walk(client, "/api/v1/employees", tenant.headers("admin"), limit=2)
    assert [len(page) for page in pages] == [2, 2]


async def test_ties_on_created_at_are_broken_by_id(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    same_instant = datetime(2030, 1, 1, 8, 0, tzinfo=UTC)
    tied = await make_employees(session, tenant.org, 11, created_at=same_instant)
    await session.commit()
    pages = await walk(client, "/api/v1/employees", tenant.headers("admin"), limit=3)
    ids = [item["id"] for page in pages for item in page]
    assert len(ids) == len(set(ids)) == 15
    tied_ids = [i for i in ids if i in {str(e.id) for e in tied}]
    # They all come last (newest created_at), in id order.
    assert tied_ids == ids[-11:]
    assert tied_ids == sorted(tied_ids)


async def test_limit_above_200_is_cut_to_200(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    await make_employees(session, tenant.org, 201)
    await session.commit()
    response = await client.get("/api/v1/employees", params={"limit": 500}, headers=tenant.headers("admin"))
    assert response.status_code == 200
    body = response.json()
    assert len(body["items"]) == 200
    assert body["next_cursor"] is not None
    rest = await client.get(
        "/api/v1/employees", params={"limit": 500, "cursor": body["next_cursor"]}, headers=tenant.headers("admin")
    )
    assert len(rest.json()["items"]) == 5
    assert rest.json()["next_cursor"] is None


async def test_default_limit_is_50(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    await make_employees(session, tenant.org, 60)
    await session.commit()
    body = (await client.get("/api/v1/employees", headers=tenant.headers("admin"))).json()
    assert len(body["items"]) == 50
    assert body["next_cursor"] is not None


async def test_limit_up_to_the_declared_int32_bound_is_cut_to_200(client: AsyncClient, tenant: Tenant) -> None:
    # The contract bounds ?limit= at the int32 range (every integer has declared limits) and still cuts to 200.
    response = await client.get("/api/v1/employees", params={"limit": 2**31 - 1}, headers=tenant.headers("admin"))
    assert response.status_code == 200


@pytest.mark.parametrize("limit", ["0", "-1", "ten", str(2**31)])
async def test_invalid_limit_is_422(client: AsyncClient, tenant: Tenant, limit: str) -> None:
    response = await client.get("/api/v1/employees", params={"limit": limit}, headers=tenant.headers("admin"))
    body = assert_problem(response, 422, "VALIDATION_FAILED")
    assert body["errors"][0]["loc"] == ["query", "limit"]


async def _first_cursor(client: AsyncClient, tenant: Tenant) -> str:
    body = (await client.get("/api/v1/employees", params={"limit": 1}, headers=tenant.headers("admin"))).json()
    cursor: str = body["next_cursor"]
    assert cursor
    return cursor


async def test_flipped_character_in_cursor_is_400(client: AsyncClient, tenant: Tenant) -> None:
    cursor = await _first_cursor(client, tenant)
    middle = len(cursor) // 2
    flipped = cursor[:middle] + ("A" if cursor[middle] != "A" else "B") + cursor[middle + 1 :]
    response = await client.get(
        "/api/v1/employees", params={"limit": 1, "cursor": flipped}, headers=tenant.headers("admin")
    )
    assert_problem(response, 400, "INVALID_CURSOR")


async def test_rewritten_cursor_payload_is_400(client: AsyncClient, tenant: Tenant) -> None:
    cursor = await _first_cursor(client, tenant)
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    payload, signature = raw[:-16], raw[-16:]
    forged_payload = payload.replace(b"20", b"19", 1)
    assert forged_payload != payload
    forged = base64.urlsafe_b64encode(forged_payload + signature).decode().rstrip("=")
    response = await client.get("/api/v1/employees", params={"cursor": forged}, headers=tenant.headers("admin"))
    assert_problem(response, 400, "INVALID_CURSOR")


@pytest.mark.parametrize("garbage", ["garbage", "!!!!", "游标", "eyJ9", "A" * 64])
async def test_garbage_cursor_is_400(client: AsyncClient, tenant: Tenant, garbage: str) -> None:
    response = await client.get("/api/v1/employees", params={"cursor": garbage}, headers=tenant.headers("admin"))
    assert_problem(response, 400, "INVALID_CURSOR")


async def test_cursor_signed_with_another_key_is_400(client: AsyncClient, tenant: Tenant) -> None:
    foreign = CursorCodec(cursor_key("another deployment's secret")).encode(
        ["2030-01-01T00:00:00+00:00", str(tenant.admin.id)]
    )
    response = await client.get("/api/v1/employees", params={"cursor": foreign}, headers=tenant.headers("admin"))
    assert_problem(response, 400, "INVALID_CURSOR")


def test_codec_round_trip_and_shape_checks() -> None:
    codec = CursorCodec(cursor_key("k"))
    assert codec.decode(codec.encode(["a", 1, None])) == ["a", 1, None]
    assert "=" not in codec.encode(["a"])


async def test_well_signed_cursor_with_the_wrong_shape_is_400(client: AsyncClient, app: Any, tenant: Tenant) -> None:
    codec: CursorCodec = app.state.cursor_codec
    for values in (["only-one"], ["not-a-date", "not-a-uuid"], [1, 2]):
        response = await client.get(
            "/api/v1/employees", params={"cursor": codec.encode(values)}, headers=tenant.headers("admin")
        )
        assert_problem(response, 400, "INVALID_CURSOR")


async def test_department_list_walk(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    for _ in range(6):
        await make_department(session, tenant.org)
    await session.commit()
    pages = await walk(client, "/api/v1/departments", tenant.headers("employee"), limit=4)
    ids = [item["id"] for page in pages for item in page]
    assert len(ids) == len(set(ids)) == 7


async def test_organization_list_walk_for_system(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    for _ in range(4):
        await make_org(session)
    await session.commit()
    pages = await walk(client, "/api/v1/organizations", tenant.headers("system"), limit=2)
    ids = [item["id"] for page in pages for item in page]
    assert len(ids) == len(set(ids)) == 5
    assert str(tenant.org.id) in ids


async def test_api_key_list_walk(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    for n in range(3):
        await make_api_key(session, tenant.org, name=f"服务{n}")
    await session.commit()
    pages = await walk(client, "/api/v1/api-keys", tenant.headers("admin"), limit=2)
    assert [len(page) for page in pages] == [2, 1]


async def test_list_query_count_does_not_grow_with_the_page(
    client: AsyncClient, session: AsyncSession, tenant: Tenant, count_statements: Any
) -> None:
    await make_employees(session, tenant.org, 40)
    await session.commit()
    counts = []
    for limit in (2, 40):
        with count_statements() as counter:
            response = await client.get("/api/v1/employees", params={"limit": limit}, headers=tenant.headers("admin"))
        assert len(response.json()["items"]) == limit
        counts.append(counter.count)
    assert counts[0] == counts[1]
