"""The audit trail: admins only, one organization's events, newest first, filtered by entity."""

from httpx import AsyncClient

from tests.factories import Tenant

AUDIT = "/api/v1/audit-events"


async def _goal(client: AsyncClient, tenant: Tenant, title: str) -> str:
    response = await client.post(
        "/api/v1/goals", json={"title": title, "level": "company"}, headers=tenant.headers("admin")
    )
    assert response.status_code == 201
    goal_id: str = response.json()["id"]
    return goal_id


async def test_admin_lists_a_goals_changes_newest_first(client: AsyncClient, tenant: Tenant) -> None:
    goal_id = await _goal(client, tenant, "客户满意度 ≥ 90%")
    patched = await client.patch(
        f"/api/v1/goals/{goal_id}", json={"description": "年度战略"}, headers=tenant.headers("admin")
    )
    assert patched.status_code == 200
    response = await client.get(AUDIT, params={"entity_id": goal_id}, headers=tenant.headers("admin"))
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["action"] for item in items] == ["update", "create"]
    update = items[0]
    assert set(update) == {"id", "actor", "action", "entity_type", "entity_id", "before", "after", "at"}
    assert update["actor"] == tenant.admin.external_id
    assert update["entity_type"] == "goal"
    assert update["entity_id"] == goal_id
    assert update["before"] == {"description": None}
    assert update["after"] == {"description": "年度战略"}
    assert update["at"].endswith("Z")
    assert items[1]["before"] is None
    assert items[1]["after"]["title"] == "客户满意度 ≥ 90%"


async def test_only_admins_read_the_audit_trail(client: AsyncClient, tenant: Tenant) -> None:
    await _goal(client, tenant, "营收增长")
    for who in ("employee", "manager", "service"):
        response = await client.get(AUDIT, headers=tenant.headers(who))
        assert response.status_code == 403, who
        assert response.json()["code"] == "FORBIDDEN"
    zh = await client.get(AUDIT, headers={**tenant.headers("employee"), "Accept-Language": "zh-CN"})
    assert "审计" in zh.json()["detail"]
    assert (await client.get(AUDIT, headers=tenant.headers("system"))).status_code == 403
    assert (await client.get(AUDIT)).status_code == 401


async def test_events_stay_in_their_organization(client: AsyncClient, tenant: Tenant, other_tenant: Tenant) -> None:
    ours = await _goal(client, tenant, "我们的目标")
    theirs = await _goal(client, other_tenant, "他们的目标")
    mine = await client.get(AUDIT, headers=tenant.headers("admin"))
    assert {item["entity_id"] for item in mine.json()["items"]} == {ours}
    # Another tenant's entity reads as one with no history.
    foreign = await client.get(AUDIT, params={"entity_id": theirs}, headers=tenant.headers("admin"))
    assert foreign.status_code == 200
    assert foreign.json() == {"items": [], "next_cursor": None}


async def test_filters_and_pages_backwards_in_time(client: AsyncClient, tenant: Tenant) -> None:
    ids = [await _goal(client, tenant, f"目标{n}") for n in range(5)]
    first = await client.get(AUDIT, params={"entity_type": "goal", "limit": 3}, headers=tenant.headers("admin"))
    page = first.json()
    assert [item["entity_id"] for item in page["items"]] == ids[::-1][:3]
    second = await client.get(
        AUDIT,
        params={"entity_type": "goal", "limit": 3, "cursor": page["next_cursor"]},
        headers=tenant.headers("admin"),
    )
    assert [item["entity_id"] for item in second.json()["items"]] == ids[::-1][3:]
    assert second.json()["next_cursor"] is None
    none = await client.get(AUDIT, params={"entity_type": "evaluation"}, headers=tenant.headers("admin"))
    assert none.json()["items"] == []
    tampered = await client.get(
        AUDIT, params={"cursor": page["next_cursor"][:-2] + "xx"}, headers=tenant.headers("admin")
    )
    assert tampered.status_code == 400
    assert (
        await client.get(AUDIT, params={"entity_type": "x" * 65}, headers=tenant.headers("admin"))
    ).status_code == 422
    assert (await client.get(AUDIT, params={"entity_id": "nope"}, headers=tenant.headers("admin"))).status_code == 422
