"""Goal CRUD: who may write which goals, the cascade's rules, and the audit trail of every change."""

from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import Tenant, make_cycle, make_department, make_goal, make_kpr

GOALS = "/api/v1/goals"


async def _create(client: AsyncClient, tenant: Tenant, who: str = "admin", **body: Any) -> Response:
    return await client.post(GOALS, json=body, headers=tenant.headers(who))


async def test_admin_creates_reads_updates_and_deletes_a_goal(client: AsyncClient, tenant: Tenant) -> None:
    created = await _create(client, tenant, title="三年内成为华东市场第一", level="company", description="公司战略")
    assert created.status_code == 201, created.text
    goal = created.json()
    assert created.headers["Location"] == f"{GOALS}/{goal['id']}"
    assert created.headers["ETag"]
    assert goal["cycle_id"] is None
    assert goal["weight"] == 1
    assert goal["progress"] is None
    assert goal["created_at"].endswith("Z")

    read = await client.get(f"{GOALS}/{goal['id']}", headers=tenant.headers("employee"))
    assert read.status_code == 200
    assert read.json() == goal
    etag = read.headers["ETag"]

    stale = await client.patch(
        f"{GOALS}/{goal['id']}", json={"title": "x"}, headers={**tenant.headers("admin"), "If-Match": '"stale"'}
    )
    assert stale.status_code == 412

    updated = await client.patch(
        f"{GOALS}/{goal['id']}",
        json={"title": "五年内成为华东市场第一", "weight": 2.5},
        headers={**tenant.headers("admin"), "If-Match": etag},
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["title"] == "五年内成为华东市场第一"
    assert updated.json()["weight"] == 2.5
    assert updated.headers["ETag"] != etag

    deleted = await client.delete(f"{GOALS}/{goal['id']}", headers=tenant.headers("admin"))
    assert deleted.status_code == 204
    assert (await client.get(f"{GOALS}/{goal['id']}", headers=tenant.headers("admin"))).status_code == 404


async def test_list_filters_and_paginates(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    cycle = await make_cycle(session, tenant.org)
    strategy = await make_goal(session, tenant.org, title="战略")
    for n in range(3):
        await make_goal(
            session,
            tenant.org,
            cycle=cycle,
            level="department",
            department=tenant.department,
            parent=strategy,
            title=f"部门目标{n}",
        )
    await session.commit()

    everything = await client.get(GOALS, headers=tenant.headers("employee"))
    assert everything.status_code == 200
    assert len(everything.json()["items"]) == 4

    by_cycle = await client.get(GOALS, params={"cycle_id": str(cycle.id), "limit": 2}, headers=tenant.headers("peer"))
    page = by_cycle.json()
    assert [g["title"] for g in page["items"]] == ["部门目标0", "部门目标1"]
    rest = await client.get(
        GOALS,
        params={"cycle_id": str(cycle.id), "limit": 2, "cursor": page["next_cursor"]},
        headers=tenant.headers("peer"),
    )
    assert [g["title"] for g in rest.json()["items"]] == ["部门目标2"]
    assert rest.json()["next_cursor"] is None

    for params, expected in (
        ({"parent_id": str(strategy.id)}, 3),
        ({"level": "company"}, 1),
        ({"level": "team"}, 0),
        ({"department_id": str(tenant.department.id)}, 3),
    ):
        response = await client.get(GOALS, params=params, headers=tenant.headers("service"))
        assert len(response.json()["items"]) == expected, params
    assert (await client.get(GOALS, params={"level": "division"}, headers=tenant.headers("admin"))).status_code == 422


async def test_department_head_writes_goals_of_their_department_and_below(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    sub = await make_department(session, tenant.org, name="华东销售组", parent=tenant.department)
    other = await make_department(session, tenant.org, name="人力资源部")
    company = await make_goal(session, tenant.org, title="公司目标")
    await session.commit()

    own = await _create(
        client,
        tenant,
        "manager",
        title="销售额增长 20%",
        level="department",
        department_id=str(tenant.department.id),
        parent_id=str(company.id),
    )
    assert own.status_code == 201, own.text
    below = await _create(
        client,
        tenant,
        "manager",
        title="华东新客户 30 家",
        level="team",
        department_id=str(sub.id),
        parent_id=own.json()["id"],
    )
    assert below.status_code == 201, below.text
    patched = await client.patch(f"{GOALS}/{below.json()['id']}", json={"weight": 3}, headers=tenant.headers("manager"))
    assert patched.status_code == 200

    # Not their department, and not company goals.
    assert (
        await _create(client, tenant, "manager", title="招聘", level="department", department_id=str(other.id))
    ).status_code == 403
    assert (await _create(client, tenant, "manager", title="公司", level="company")).status_code == 403
    assert (
        await client.patch(f"{GOALS}/{company.id}", json={"weight": 2}, headers=tenant.headers("manager"))
    ).status_code == 403
    # Rights come before the ETag: whoever may not write the goal learns that, whatever If-Match they send.
    stale = {**tenant.headers("manager"), "If-Match": '"stale"'}
    assert (await client.patch(f"{GOALS}/{company.id}", json={"weight": 2}, headers=stale)).status_code == 403
    assert (await client.delete(f"{GOALS}/{company.id}", headers=stale)).status_code == 403
    moved = await client.patch(
        f"{GOALS}/{below.json()['id']}", json={"department_id": str(other.id)}, headers=tenant.headers("manager")
    )
    assert moved.status_code == 403
    assert (await client.delete(f"{GOALS}/{company.id}", headers=tenant.headers("manager"))).status_code == 403
    assert (await client.delete(f"{GOALS}/{below.json()['id']}", headers=tenant.headers("manager"))).status_code == 204


async def test_plain_employees_and_services_read_but_do_not_write(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    goal = await make_goal(session, tenant.org, level="department", department=tenant.department)
    await session.commit()
    for who in ("employee", "service"):
        body = {"title": "我的目标", "level": "team", "department_id": str(tenant.department.id)}
        forbidden = await _create(client, tenant, who, **body)
        assert forbidden.status_code == 403
        assert forbidden.json()["code"] == "FORBIDDEN"
        assert (
            await client.patch(f"{GOALS}/{goal.id}", json={"weight": 2}, headers=tenant.headers(who))
        ).status_code == 403
        assert (await client.delete(f"{GOALS}/{goal.id}", headers=tenant.headers(who))).status_code == 403
        assert (await client.get(f"{GOALS}/{goal.id}", headers=tenant.headers(who))).status_code == 200


async def test_another_tenants_goals_are_404(
    client: AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = await make_goal(session, other_tenant.org, title="乙公司目标")
    their_cycle = await make_cycle(session, other_tenant.org)
    await session.commit()
    url = f"{GOALS}/{theirs.id}"
    admin = tenant.headers("admin")
    assert (await client.get(url, headers=admin)).status_code == 404
    assert (await client.patch(url, json={"title": "x"}, headers=admin)).status_code == 404
    assert (await client.delete(url, headers=admin)).status_code == 404
    assert (await client.get(url, headers=tenant.headers("employee"))).status_code == 404
    for body in (
        {"title": "子目标", "level": "company", "parent_id": str(theirs.id)},
        {"title": "本期目标", "level": "company", "cycle_id": str(their_cycle.id)},
        {"title": "部门目标", "level": "department", "department_id": str(other_tenant.department.id)},
    ):
        response = await _create(client, tenant, **body)
        assert response.status_code == 404, body
    tree = await client.get(f"{GOALS}/tree", params={"cycle_id": str(their_cycle.id)}, headers=admin)
    assert tree.status_code == 404
    listed = await client.get(GOALS, headers=admin)
    assert str(theirs.id) not in {g["id"] for g in listed.json()["items"]}


async def test_a_child_never_ranks_above_its_parent(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    company = await make_goal(session, tenant.org, level="company")
    department = await make_goal(session, tenant.org, level="department", department=tenant.department)
    team = await make_goal(session, tenant.org, level="team", department=tenant.department)
    await session.commit()
    dept = str(tenant.department.id)

    async def under(parent_id: Any, level: str) -> int:
        body: dict[str, Any] = {"title": "子目标", "level": level, "parent_id": str(parent_id)}
        if level != "company":
            body["department_id"] = dept
        status: int = (await _create(client, tenant, **body)).status_code
        return status

    assert await under(company.id, "company") == 201
    assert await under(company.id, "department") == 201
    assert await under(company.id, "team") == 201
    assert await under(department.id, "team") == 201
    assert await under(department.id, "department") == 201
    assert await under(department.id, "company") == 422
    assert await under(team.id, "department") == 422
    refused = await _create(client, tenant, title="公司目标", level="company", parent_id=str(team.id))
    assert refused.json()["code"] == "VALIDATION_FAILED"
    assert refused.json()["errors"][0]["loc"] == ["body", "parent_id"]

    # Re-levelling is checked against the parent and against the children.
    assert (
        await client.patch(
            f"{GOALS}/{department.id}",
            json={"level": "company", "department_id": None},
            headers=tenant.headers("admin"),
        )
    ).status_code == 200
    relevel = await client.patch(
        f"{GOALS}/{company.id}", json={"level": "team", "department_id": dept}, headers=tenant.headers("admin")
    )
    assert relevel.status_code == 422
    assert relevel.json()["errors"][0]["loc"] == ["body", "level"]


async def test_department_is_required_below_company_level_and_refused_at_it(
    client: AsyncClient, tenant: Tenant
) -> None:
    missing = await _create(client, tenant, title="部门目标", level="department")
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["loc"] == ["body", "department_id"]
    extra = await _create(client, tenant, title="公司目标", level="company", department_id=str(tenant.department.id))
    assert extra.status_code == 422
    assert (await _create(client, tenant, title="x", level="company", weight=0)).status_code == 422
    assert (await _create(client, tenant, title="x", level="company", unknown=1)).status_code == 422
    assert (await _create(client, tenant, title="  ", level="company")).status_code == 422


async def test_cycles_must_be_compatible_and_long_term_goals_carry_several(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    q3 = await make_cycle(session, tenant.org, name="Q3")
    q4 = await make_cycle(session, tenant.org, name="Q4")
    strategy = await make_goal(session, tenant.org, title="长期战略")
    q3_goal = await make_goal(session, tenant.org, cycle=q3, title="Q3 目标")
    await session.commit()

    for cycle in (q3, q4):
        response = await _create(
            client,
            tenant,
            title=f"{cycle.name} 目标",
            level="company",
            cycle_id=str(cycle.id),
            parent_id=str(strategy.id),
        )
        assert response.status_code == 201, response.text
    children = await client.get(GOALS, params={"parent_id": str(strategy.id)}, headers=tenant.headers("admin"))
    assert {g["cycle_id"] for g in children.json()["items"]} == {str(q3.id), str(q4.id)}

    same = await _create(
        client, tenant, title="Q3 子目标", level="company", cycle_id=str(q3.id), parent_id=str(q3_goal.id)
    )
    assert same.status_code == 201
    other = await _create(
        client, tenant, title="Q4 子目标", level="company", cycle_id=str(q4.id), parent_id=str(q3_goal.id)
    )
    assert other.status_code == 422
    long_term = await _create(client, tenant, title="长期子目标", level="company", parent_id=str(q3_goal.id))
    assert long_term.status_code == 422

    # A goal that carries Q3 children or Q3 KPRs cannot move to Q4; a long-term goal can carry them.
    assert (
        await client.patch(f"{GOALS}/{q3_goal.id}", json={"cycle_id": str(q4.id)}, headers=tenant.headers("admin"))
    ).status_code == 422
    assert (
        await client.patch(f"{GOALS}/{q3_goal.id}", json={"cycle_id": None}, headers=tenant.headers("admin"))
    ).status_code == 200
    lone = await make_goal(session, tenant.org, cycle=q3)
    await make_kpr(session, tenant.org, owner=tenant.employee, cycle=q3, goal=lone)
    await session.commit()
    moved = await client.patch(f"{GOALS}/{lone.id}", json={"cycle_id": str(q4.id)}, headers=tenant.headers("admin"))
    assert moved.status_code == 422
    assert moved.json()["errors"][0]["loc"] == ["body", "cycle_id"]


async def test_reparenting_into_its_own_subtree_is_refused(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    top = await make_goal(session, tenant.org)
    middle = await make_goal(session, tenant.org, parent=top)
    bottom = await make_goal(session, tenant.org, parent=middle)
    await session.commit()
    admin = tenant.headers("admin")
    for new_parent in (bottom.id, middle.id, top.id):
        response = await client.patch(f"{GOALS}/{top.id}", json={"parent_id": str(new_parent)}, headers=admin)
        assert response.status_code == 409
        assert response.json()["code"] == "WOULD_CREATE_LOOP"
    other = await make_goal(session, tenant.org)
    await session.commit()
    moved = await client.patch(f"{GOALS}/{middle.id}", json={"parent_id": str(other.id)}, headers=admin)
    assert moved.status_code == 200
    assert moved.json()["parent_id"] == str(other.id)
    detached = await client.patch(f"{GOALS}/{middle.id}", json={"parent_id": None}, headers=admin)
    assert detached.json()["parent_id"] is None


async def test_delete_is_refused_while_children_or_kprs_hang_under_it(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    cycle = await make_cycle(session, tenant.org)
    parent = await make_goal(session, tenant.org, cycle=cycle)
    child = await make_goal(session, tenant.org, cycle=cycle, parent=parent)
    await make_kpr(session, tenant.org, owner=tenant.employee, cycle=cycle, goal=child, status="cancelled")
    await session.commit()
    admin = tenant.headers("admin")
    for goal in (parent, child):
        refused = await client.delete(f"{GOALS}/{goal.id}", headers=admin)
        assert refused.status_code == 409
        assert refused.json()["code"] == "GOAL_IN_USE"
    zh = await client.delete(f"{GOALS}/{parent.id}", headers={**admin, "Accept-Language": "zh-CN"})
    assert "子目标" in zh.json()["detail"]


async def test_every_write_is_audited(client: AsyncClient, tenant: Tenant) -> None:
    created = await _create(client, tenant, title="营收增长", level="company")
    goal_id = created.json()["id"]
    await client.patch(f"{GOALS}/{goal_id}", json={"title": "营收增长 30%"}, headers=tenant.headers("admin"))
    await client.delete(f"{GOALS}/{goal_id}", headers=tenant.headers("admin"))
    events = await client.get(
        "/api/v1/audit-events", params={"entity_type": "goal", "entity_id": goal_id}, headers=tenant.headers("admin")
    )
    assert events.status_code == 200
    items = events.json()["items"]
    assert [e["action"] for e in items] == ["delete", "update", "create"]
    assert items[1]["before"] == {"title": "营收增长"}
    assert items[1]["after"] == {"title": "营收增长 30%"}
    assert items[2]["after"]["title"] == "营收增长"
    assert items[0]["before"]["title"] == "营收增长 30%"
