"""KPRs over HTTP: who may create and read them, the plan made with the first KPR, and definition validation."""

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import AuditEvent, Kpr, Plan
from tests.assertions import assert_problem, ok
from tests.factories import API, Setup, Tenant, create_goal, make_setup


@pytest.fixture
async def setup(client: httpx.AsyncClient, tenant: Tenant) -> Setup:
    return await make_setup(client, tenant)


def error_types(body: dict[str, Any]) -> dict[str, str]:
    return {error["loc"][-1]: error["type"] for error in body["errors"]}


# --- creation and the plan ------------------------------------------------------------------------------------------


async def test_the_owner_creates_a_kpr_and_with_it_their_plan(setup: Setup) -> None:
    response = await setup.post_kpr("employee", weight=40)

    kpr = ok(response, 201)
    assert response.headers["location"] == f"/api/v1/kprs/{kpr['id']}"
    assert response.headers["etag"]
    employee = setup.tenant.employee
    assert kpr["owner_id"] == str(employee.id)
    assert (kpr["cycle_id"], kpr["goal_id"]) == (setup.cycle_id, setup.goal_id)
    assert kpr["title"] == "华东区销售额同比增长20%"
    assert (kpr["unit"], kpr["direction"], kpr["baseline"], kpr["target"]) == ("万元", "increase", 200, 240)
    assert (kpr["weight"], kpr["goal_weight"], kpr["status"]) == (40, 1, "active")
    assert kpr["threshold"] is None
    assert kpr["stretch"] is None
    assert kpr["tolerance"] is None
    plan = ok(await setup.get(f"/plans/{kpr['plan_id']}", "employee"))
    assert plan["employee_id"] == str(employee.id)
    assert plan["cycle_id"] == setup.cycle_id
    assert plan["status"] == "draft"
    assert plan["weight_total"] == 40
    history = ok(await setup.get(f"/plans/{kpr['plan_id']}/transitions", "employee"))
    assert [(t["from"], t["to"]) for t in history["items"]] == [(None, "draft")]


async def test_a_second_kpr_joins_the_same_plan(setup: Setup) -> None:
    first = await setup.kpr(weight=40, title="华东区销售额同比增长20%")
    second = await setup.kpr(weight=60, title="新客户回款额达到500万元")

    assert second["plan_id"] == first["plan_id"]
    plans = ok(await setup.get("/plans", "employee", cycle_id=setup.cycle_id))
    assert [p["id"] for p in plans["items"]] == [first["plan_id"]]
    assert plans["items"][0]["weight_total"] == 100
    listed = ok(await setup.get("/kprs", "employee", plan_id=first["plan_id"]))
    assert [k["id"] for k in listed["items"]] == [first["id"], second["id"]]


async def test_each_owner_gets_their_own_plan(setup: Setup) -> None:
    mine = await setup.kpr("employee")
    theirs = await setup.kpr("peer")

    assert mine["plan_id"] != theirs["plan_id"]
    assert theirs["owner_id"] == str(setup.tenant.peer.id)


async def test_a_manager_drafts_a_kpr_for_their_report(setup: Setup) -> None:
    employee = setup.tenant.employee

    kpr = await setup.kpr("manager", owner_id=str(employee.id))

    assert kpr["owner_id"] == str(employee.id)
    plan = ok(await setup.get(f"/plans/{kpr['plan_id']}", "employee"))
    assert plan["employee_id"] == str(employee.id)
    mine = ok(await setup.get("/kprs", "employee"))
    assert [k["id"] for k in mine["items"]] == [kpr["id"]]


async def test_an_admin_drafts_a_kpr_for_anyone(setup: Setup) -> None:
    peer = setup.tenant.peer

    kpr = await setup.kpr("admin", owner_id=str(peer.id))

    assert kpr["owner_id"] == str(peer.id)


async def test_a_peer_may_not_draft_for_a_colleague(setup: Setup, session: AsyncSession) -> None:
    response = await setup.post_kpr("peer", owner_id=str(setup.tenant.employee.id))

    assert_problem(response, 403, "FORBIDDEN")
    assert (
        await session.scalar(select(func.count()).select_from(Kpr).where(Kpr.organization_id == setup.tenant.org.id))
        == 0
    )
    assert (
        await session.scalar(select(func.count()).select_from(Plan).where(Plan.organization_id == setup.tenant.org.id))
        == 0
    )


async def test_an_employee_may_not_draft_for_their_manager(setup: Setup) -> None:
    response = await setup.post_kpr("employee", owner_id=str(setup.tenant.manager.id))

    assert_problem(response, 403, "FORBIDDEN")


async def test_a_service_may_not_create_kprs(setup: Setup) -> None:
    response = await setup.post_kpr("service", owner_id=str(setup.tenant.employee.id))

    assert_problem(response, 403, "FORBIDDEN")


async def test_a_caller_without_an_employee_record_must_name_the_owner(setup: Setup) -> None:
    response = await setup.post_kpr("service")

    body = assert_problem(response, 422, "VALIDATION_FAILED")
    assert ["body", "owner_id"] in [e["loc"] for e in body["errors"]]


async def test_the_goal_must_be_of_the_organization_and_the_cycle(
    setup: Setup, other_tenant: Tenant, client: httpx.AsyncClient
) -> None:
    other_cycle = ok(
        await setup.post(
            "/cycles", {"name": "另一周期", "cadence": "monthly", "start_date": "2026-01-01", "end_date": "2026-01-31"}
        ),
        201,
    )
    goal_of_other_cycle = await create_goal(client, setup.tenant, other_cycle["id"])
    foreign = await make_setup(client, other_tenant)

    wrong_cycle = await setup.post_kpr(goal_id=goal_of_other_cycle["id"])
    foreign_goal = await setup.post_kpr(goal_id=foreign.goal_id)
    foreign_cycle = await setup.post_kpr(cycle_id=foreign.cycle_id)

    assert ["body", "goal_id"] in [e["loc"] for e in assert_problem(wrong_cycle, 422, "VALIDATION_FAILED")["errors"]]
    assert_problem(foreign_goal, 404, "NOT_FOUND")
    assert_problem(foreign_cycle, 404, "NOT_FOUND")


async def test_creating_a_kpr_is_audited(setup: Setup, session: AsyncSession) -> None:
    kpr = await setup.kpr()

    events = list(
        await session.scalars(
            select(AuditEvent).where(AuditEvent.organization_id == setup.tenant.org.id, AuditEvent.entity_type == "kpr")
        )
    )
    assert [(e.action, str(e.entity_id), e.actor) for e in events] == [
        ("create", kpr["id"], setup.tenant.employee.external_id)
    ]
    assert events[0].after is not None
    assert events[0].after["title"] == kpr["title"]


# --- reading ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("employee", 200), ("manager", 200), ("admin", 200), ("service", 200)])
async def test_the_owner_their_manager_admin_and_service_read_a_kpr(setup: Setup, who: str, status: int) -> None:
    kpr = await setup.kpr()

    response = await setup.get(f"/kprs/{kpr['id']}", who)

    assert ok(response, status)["id"] == kpr["id"]
    assert response.headers["etag"]


async def test_a_peer_does_not_see_a_colleagues_kpr(setup: Setup) -> None:
    kpr = await setup.kpr()

    assert_problem(await setup.get(f"/kprs/{kpr['id']}", "peer"), 404, "NOT_FOUND")
    assert ok(await setup.get("/kprs", "peer"))["items"] == []
    assert ok(await setup.get("/kprs", "peer", owner_id=str(setup.tenant.employee.id)))["items"] == []
    assert_problem(await setup.get(f"/plans/{kpr['plan_id']}", "peer"), 404, "NOT_FOUND")


async def test_the_kpr_list_shows_what_the_caller_may_see(setup: Setup) -> None:
    employees = await setup.kpr("employee")
    peers = await setup.kpr("peer")
    managers = await setup.kpr("manager")
    admins = await setup.kpr("admin")

    async def ids(who: str, **params: Any) -> Any:
        return await setup.get("/kprs", who, **params)

    seen = {who: {k["id"] for k in ok(await ids(who))["items"]} for who in ("employee", "peer", "manager", "admin")}
    assert seen["employee"] == {employees["id"]}
    assert seen["peer"] == {peers["id"]}
    assert seen["manager"] == {employees["id"], peers["id"], managers["id"]}
    assert seen["admin"] == {employees["id"], peers["id"], managers["id"], admins["id"]}
    filtered = ok(await ids("manager", owner_id=str(setup.tenant.peer.id)))
    assert [k["id"] for k in filtered["items"]] == [peers["id"]]
    by_goal = ok(await ids("admin", goal_id=setup.goal_id, cycle_id=setup.cycle_id))
    assert len(by_goal["items"]) == 4


async def test_a_kpr_can_be_fetched_again_and_is_identical(setup: Setup) -> None:
    kpr = await setup.kpr()

    again = await setup.get(f"/kprs/{kpr['id']}", "employee")

    assert ok(again) == kpr


# --- definition validation ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"direction": "increase", "baseline": 200, "target": 150}, {"target": "DIRECTION_MISMATCH"}),
        ({"direction": "decrease", "baseline": 200, "target": 250}, {"target": "DIRECTION_MISMATCH"}),
        ({"direction": "increase", "baseline": 200, "target": 200}, {"target": "TARGET_EQUALS_BASELINE"}),
        ({"direction": "decrease", "baseline": 5, "target": 5}, {"target": "TARGET_EQUALS_BASELINE"}),
        ({"baseline": 200, "target": 300, "threshold": 300}, {"threshold": "THRESHOLD_ORDER"}),
        ({"baseline": 200, "target": 300, "threshold": 320}, {"threshold": "THRESHOLD_ORDER"}),
        ({"baseline": 200, "target": 300, "stretch": 300}, {"stretch": "STRETCH_ORDER"}),
        ({"baseline": 200, "target": 300, "stretch": 280}, {"stretch": "STRETCH_ORDER"}),
        (
            {"direction": "decrease", "baseline": 10, "target": 5, "threshold": 4, "stretch": 6},
            {"threshold": "THRESHOLD_ORDER", "stretch": "STRETCH_ORDER"},
        ),
    ],
    ids=[
        "increase-down",
        "decrease-up",
        "increase-flat",
        "decrease-flat",
        "threshold-at-target",
        "threshold-beyond",
        "stretch-at-target",
        "stretch-short",
        "decrease-both",
    ],
)
async def test_an_unscorable_definition_is_refused_with_field_errors(
    setup: Setup, fields: dict[str, Any], expected: dict[str, str]
) -> None:
    response = await setup.post_kpr(**fields)

    body = assert_problem(response, 422, "VALIDATION_FAILED")
    assert error_types(body) == expected
    assert all(error["loc"][0] == "body" and error["msg"] for error in body["errors"])
    assert ok(await setup.get("/kprs"))["items"] == []


async def test_an_ordered_definition_is_accepted_in_both_directions(setup: Setup) -> None:
    up = await setup.kpr(baseline=200, target=300, threshold=150, stretch=350)
    down = await setup.kpr(direction="decrease", baseline=10, target=5, threshold=8, stretch=3, weight=50)

    assert (up["threshold"], up["stretch"]) == (150, 350)
    assert (down["threshold"], down["stretch"]) == (8, 3)


async def test_maintain_allows_the_target_to_equal_the_baseline(setup: Setup) -> None:
    kpr = await setup.kpr(
        title="客户满意度保持在95%以上", unit="%", direction="maintain", baseline=95, target=95, tolerance=2
    )

    assert (kpr["direction"], kpr["baseline"], kpr["target"], kpr["tolerance"]) == ("maintain", 95, 95, 2)


@pytest.mark.parametrize(
    "fields",
    [
        {"colour": "red"},
        {"plan_id": "00000000-0000-0000-0000-000000000001"},
        {"status": "active"},
        {"direction": "sideways"},
        {"weight": 0},
        {"weight": 100.5},
        {"weight": 10.123},
        {"tolerance": -1},
        {"title": "   "},
        {"baseline": "NaN"},
    ],
    ids=[
        "unknown",
        "plan_id",
        "status",
        "direction",
        "weight-0",
        "weight-over",
        "weight-3dp",
        "tolerance",
        "title",
        "nan",
    ],
)
async def test_a_malformed_body_is_refused(setup: Setup, fields: dict[str, Any]) -> None:
    response = await setup.post_kpr(**fields)

    assert_problem(response, 422, "VALIDATION_FAILED")


async def test_missing_required_fields_are_named(setup: Setup) -> None:
    response = await setup.post("/kprs", {"cycle_id": setup.cycle_id}, "employee")

    body = assert_problem(response, 422, "VALIDATION_FAILED")
    missing = {error["loc"][-1] for error in body["errors"]}
    assert {"goal_id", "title", "direction", "baseline", "target", "weight"} <= missing


# --- update and delete in a draft plan -----------------------------------------------------------------------------


async def test_the_owner_patches_a_draft_kpr_with_merge_semantics(setup: Setup) -> None:
    kpr = await setup.kpr(description="以财务口径为准")

    patched = ok(await setup.patch(f"/kprs/{kpr['id']}", {"target": 260, "description": None}, "employee"))

    assert patched["target"] == 260
    assert patched["description"] is None
    assert (patched["title"], patched["baseline"], patched["weight"]) == (kpr["title"], 200, 100)


async def test_a_patch_is_validated_against_the_stored_definition(setup: Setup) -> None:
    kpr = await setup.kpr(baseline=200, target=300, stretch=350)

    to_baseline = await setup.patch(f"/kprs/{kpr['id']}", {"target": 200}, "employee")
    past_stretch = await setup.patch(f"/kprs/{kpr['id']}", {"target": 400}, "employee")
    null_target = await setup.patch(f"/kprs/{kpr['id']}", {"target": None}, "employee")

    assert error_types(assert_problem(to_baseline, 422, "VALIDATION_FAILED")) == {"target": "TARGET_EQUALS_BASELINE"}
    assert error_types(assert_problem(past_stretch, 422, "VALIDATION_FAILED")) == {"stretch": "STRETCH_ORDER"}
    assert_problem(null_target, 422, "VALIDATION_FAILED")
    assert ok(await setup.get(f"/kprs/{kpr['id']}"))["target"] == 300


async def test_patch_honours_if_match(setup: Setup) -> None:
    kpr = await setup.kpr()
    url = f"{API}/kprs/{kpr['id']}"
    etag = (await setup.client.get(url, headers=setup.headers("employee"))).headers["etag"]

    first = await setup.client.patch(url, json={"target": 250}, headers=setup.headers("employee", **{"If-Match": etag}))
    stale = await setup.client.patch(url, json={"target": 260}, headers=setup.headers("employee", **{"If-Match": etag}))

    assert ok(first)["target"] == 250
    assert first.headers["etag"] != etag
    assert_problem(stale, 412, "PRECONDITION_FAILED")
    assert ok(await setup.get(f"/kprs/{kpr['id']}"))["target"] == 250


async def test_a_peer_cannot_patch_or_delete_and_sees_404(setup: Setup) -> None:
    kpr = await setup.kpr()

    assert_problem(await setup.patch(f"/kprs/{kpr['id']}", {"title": "改标题"}, "peer"), 404, "NOT_FOUND")
    assert_problem(await setup.delete(f"/kprs/{kpr['id']}", "peer"), 404, "NOT_FOUND")


async def test_a_service_reads_but_does_not_patch(setup: Setup) -> None:
    kpr = await setup.kpr()

    assert_problem(await setup.patch(f"/kprs/{kpr['id']}", {"title": "改标题"}, "service"), 403, "FORBIDDEN")


async def test_the_manager_edits_and_deletes_a_draft_kpr(setup: Setup) -> None:
    kpr = await setup.kpr()

    assert ok(await setup.patch(f"/kprs/{kpr['id']}", {"weight": 50}, "manager"))["weight"] == 50
    deleted = await setup.delete(f"/kprs/{kpr['id']}", "manager")

    assert deleted.status_code == 204
    assert deleted.content == b""
    assert_problem(await setup.get(f"/kprs/{kpr['id']}"), 404, "NOT_FOUND")
    assert ok(await setup.get(f"/plans/{kpr['plan_id']}"))["weight_total"] == 0


async def test_an_unknown_kpr_is_not_found(setup: Setup) -> None:
    missing = "00000000-0000-4000-8000-000000000000"

    assert_problem(await setup.get(f"/kprs/{missing}"), 404, "NOT_FOUND")
    assert_problem(await setup.patch(f"/kprs/{missing}", {"title": "x标题"}), 404, "NOT_FOUND")
    assert_problem(await setup.delete(f"/kprs/{missing}"), 404, "NOT_FOUND")


@pytest.mark.parametrize(
    "change",
    [{"owner_id": "00000000-0000-4000-8000-000000000000"}, {"plan_id": None}, {"cycle_id": None}, {"current_value": 1}],
)
async def test_ownership_and_derived_fields_cannot_be_patched(setup: Setup, change: dict[str, Any]) -> None:
    kpr = await setup.kpr()

    assert_problem(await setup.patch(f"/kprs/{kpr['id']}", change, "admin"), 422, "VALIDATION_FAILED")
    assert ok(await setup.get(f"/kprs/{kpr['id']}")) == kpr


async def test_no_kpr_for_an_inactive_employee(setup: Setup, session: AsyncSession) -> None:
    setup.tenant.peer.active = False
    await session.commit()

    response = await setup.post_kpr("admin", owner_id=str(setup.tenant.peer.id))

    body = assert_problem(response, 422, "VALIDATION_FAILED")
    assert body["errors"][0]["loc"] == ["body", "owner_id"]
