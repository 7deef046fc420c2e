"""Plans: weights, the submit → approve/reject workflow, who may decide, and what an approved plan freezes."""

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models import AuditEvent
from tests.assertions import assert_problem, ok
from tests.conftest import token_for
from tests.factories import Setup, Tenant, make_employee, make_setup


@pytest.fixture
async def setup(client: httpx.AsyncClient, tenant: Tenant) -> Setup:
    return await make_setup(client, tenant)


async def plan_of(setup: Setup, plan_id: str) -> dict[str, Any]:
    plan: dict[str, Any] = ok(await setup.get(f"/plans/{plan_id}"))
    return plan


async def history(setup: Setup, plan_id: str) -> list[tuple[str | None, str]]:
    items = ok(await setup.get(f"/plans/{plan_id}/transitions", "employee"))["items"]
    return [(t["from"], t["to"]) for t in items]


# --- weights ----------------------------------------------------------------------------------------------------------


async def test_weights_short_of_100_by_a_cent_are_refused(setup: Setup) -> None:
    first = await setup.kpr(weight=30)
    await setup.kpr(weight=69.99, title="新客户回款额达到500万元")

    response = await setup.move_plan(first["plan_id"], "submitted", "employee")

    body = assert_problem(response, 422, "WEIGHTS_MUST_TOTAL_100")
    assert body["weight_total"] == 99.99
    assert "99.99" in body["detail"]
    assert [e["loc"] for e in body["errors"]] == [["weight_total"]]
    plan = await plan_of(setup, first["plan_id"])
    assert (plan["status"], plan["weight_total"]) == ("draft", 99.99)
    assert await history(setup, first["plan_id"]) == [(None, "draft")]


async def test_weights_over_100_are_refused(setup: Setup) -> None:
    first = await setup.kpr(weight=30)
    await setup.kpr(weight=70.01, title="新客户回款额达到500万元")

    response = await setup.move_plan(first["plan_id"], "submitted", "employee")

    assert assert_problem(response, 422, "WEIGHTS_MUST_TOTAL_100")["weight_total"] == 100.01


async def test_weights_totalling_exactly_100_are_accepted(setup: Setup) -> None:
    first = await setup.kpr(weight=30)
    await setup.kpr(weight=70, title="新客户回款额达到500万元")

    plan = ok(await setup.move_plan(first["plan_id"], "submitted", "employee", "请审批"))

    assert (plan["status"], plan["weight_total"]) == ("submitted", 100)


async def test_cent_weights_that_total_100_are_accepted(setup: Setup) -> None:
    first = await setup.kpr(weight=33.33)
    await setup.kpr(weight=33.33, title="新客户回款额达到500万元")
    await setup.kpr(
        weight=33.34, title="应收账款周转天数降至45天", direction="decrease", baseline=60, target=45, unit="天"
    )

    plan = ok(await setup.move_plan(first["plan_id"], "submitted", "employee"))

    assert plan["weight_total"] == 100


async def test_a_cancelled_kprs_weight_leaves_the_total(setup: Setup) -> None:
    first = await setup.kpr(weight=30)
    await setup.kpr(weight=70, title="新客户回款额达到500万元")
    cancelled = await setup.kpr(weight=50, title="渠道销售额增长15%")
    assert (await plan_of(setup, first["plan_id"]))["weight_total"] == 150

    ok(await setup.patch(f"/kprs/{cancelled['id']}", {"status": "cancelled"}, "employee"))

    assert (await plan_of(setup, first["plan_id"]))["weight_total"] == 100
    plan = ok(await setup.move_plan(first["plan_id"], "submitted", "employee"))
    assert (plan["status"], plan["weight_total"]) == ("submitted", 100)


async def test_a_cancelled_kpr_does_not_block_submission_with_its_smart_failures(setup: Setup) -> None:
    first = await setup.kpr(weight=100)
    broken = await setup.kpr(weight=10, title="渠道销售额增长15%", due_date=None)
    ok(await setup.patch(f"/kprs/{broken['id']}", {"status": "cancelled"}, "employee"))

    plan = ok(await setup.move_plan(first["plan_id"], "submitted", "employee"))

    assert plan["status"] == "submitted"


async def test_an_empty_plan_cannot_be_submitted(setup: Setup) -> None:
    kpr = await setup.kpr(weight=100)
    ok(await setup.patch(f"/kprs/{kpr['id']}", {"status": "cancelled"}, "employee"))

    response = await setup.move_plan(kpr["plan_id"], "submitted", "employee")

    assert assert_problem(response, 422, "WEIGHTS_MUST_TOTAL_100")["weight_total"] == 0


# --- SMART gate -------------------------------------------------------------------------------------------------------


async def test_a_kpr_failing_smart_blocks_submission(setup: Setup) -> None:
    good = await setup.kpr(weight=60)
    bad = await setup.kpr(weight=40, title="新客户回款额达到500万元", due_date=None)

    response = await setup.move_plan(good["plan_id"], "submitted", "employee")

    body = assert_problem(response, 422, "SMART_CHECK_FAILED")
    assert body["kprs"] == [{"kpr_id": bad["id"], "title": bad["title"], "failed": ["time_bound"]}]
    assert [e["loc"] for e in body["errors"]] == [["kprs", bad["id"], "smart", "time_bound"]]
    assert body["errors"][0]["msg"] == bad["smart"]["time_bound"]["messages"][0]
    assert (await plan_of(setup, good["plan_id"]))["status"] == "draft"


async def test_smart_warnings_do_not_block_submission(setup: Setup) -> None:
    kpr = await setup.kpr(title="每月拜访客户次数", unit="次", baseline=20, target=30)
    assert kpr["smart"]["specific"]["status"] == "warn"

    plan = ok(await setup.move_plan(kpr["plan_id"], "submitted", "employee"))

    assert plan["status"] == "submitted"


# --- the workflow -----------------------------------------------------------------------------------------------------


async def test_owner_submits_manager_approves_and_history_is_kept(setup: Setup) -> None:
    kpr = await setup.kpr(weight=100)
    plan_id = kpr["plan_id"]

    submitted = ok(await setup.move_plan(plan_id, "submitted", "employee", "请审批"))
    approved = ok(await setup.move_plan(plan_id, "approved", "manager", "同意"))

    assert submitted["status"] == "submitted"
    assert approved["status"] == "approved"
    items = ok(await setup.get(f"/plans/{plan_id}/transitions", "manager"))["items"]
    tenant = setup.tenant
    assert [(t["from"], t["to"], t["comment"], t["actor"]) for t in items] == [
        (None, "draft", None, tenant.employee.external_id),
        ("draft", "submitted", "请审批", tenant.employee.external_id),
        ("submitted", "approved", "同意", tenant.manager.external_id),
    ]


async def test_the_owner_may_not_approve_their_own_plan(setup: Setup) -> None:
    kpr = await setup.kpr(weight=100)
    ok(await setup.move_plan(kpr["plan_id"], "submitted", "employee"))

    approve = await setup.move_plan(kpr["plan_id"], "approved", "employee")
    reject = await setup.move_plan(kpr["plan_id"], "rejected", "employee")

    assert_problem(approve, 403, "FORBIDDEN")
    assert_problem(reject, 403, "FORBIDDEN")
    assert (await plan_of(setup, kpr["plan_id"]))["status"] == "submitted"


async def test_an_admin_may_not_approve_their_own_plan(setup: Setup) -> None:
    kpr = await setup.kpr("admin", weight=100)
    assert kpr["owner_id"] == str(setup.tenant.admin.id)
    ok(await setup.move_plan(kpr["plan_id"], "submitted", "admin"))

    response = await setup.move_plan(kpr["plan_id"], "approved", "admin")

    assert_problem(response, 403, "FORBIDDEN")
    assert (await plan_of(setup, kpr["plan_id"]))["status"] == "submitted"


async def test_an_admin_approves_someone_elses_plan(setup: Setup) -> None:
    kpr = await setup.kpr(weight=100)
    ok(await setup.move_plan(kpr["plan_id"], "submitted", "employee"))

    assert ok(await setup.move_plan(kpr["plan_id"], "approved", "admin"))["status"] == "approved"


async def test_a_manager_higher_up_the_chain_approves(
    setup: Setup, session: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    # director → manager → employee: the director manages the employee through the chain.
    director = await make_employee(session, tenant.org, name="总监")
    tenant.manager.manager_id = director.id
    await session.commit()
    tenant.tokens["director"] = token_for(settings, director.external_id, tenant.org.id)
    kpr = await setup.kpr(weight=100)
    ok(await setup.move_plan(kpr["plan_id"], "submitted", "employee"))

    assert ok(await setup.move_plan(kpr["plan_id"], "approved", "director"))["status"] == "approved"


@pytest.mark.parametrize(("who", "status", "code"), [("peer", 404, "NOT_FOUND"), ("service", 403, "FORBIDDEN")])
async def test_others_cannot_decide_a_plan(setup: Setup, who: str, status: int, code: str) -> None:
    kpr = await setup.kpr(weight=100)
    ok(await setup.move_plan(kpr["plan_id"], "submitted", "employee"))

    response = await setup.move_plan(kpr["plan_id"], "approved", who)

    assert_problem(response, status, code)
    assert (await plan_of(setup, kpr["plan_id"]))["status"] == "submitted"


async def test_an_employee_cannot_decide_their_managers_plan(setup: Setup) -> None:
    kpr = await setup.kpr("manager", weight=100)
    ok(await setup.move_plan(kpr["plan_id"], "submitted", "manager"))

    assert_problem(await setup.move_plan(kpr["plan_id"], "approved", "employee"), 404, "NOT_FOUND")


async def test_a_manager_may_submit_for_their_report(setup: Setup) -> None:
    kpr = await setup.kpr(weight=100)

    assert ok(await setup.move_plan(kpr["plan_id"], "submitted", "manager"))["status"] == "submitted"


async def test_a_service_may_not_submit(setup: Setup) -> None:
    kpr = await setup.kpr(weight=100)

    assert_problem(await setup.move_plan(kpr["plan_id"], "submitted", "service"), 403, "FORBIDDEN")


async def test_rejected_goes_back_to_draft_and_can_be_resubmitted(setup: Setup) -> None:
    kpr = await setup.kpr(weight=100)
    plan_id = kpr["plan_id"]
    ok(await setup.move_plan(plan_id, "submitted", "employee"))

    rejected = ok(await setup.move_plan(plan_id, "rejected", "manager", "目标偏低，请上调"))
    assert rejected["status"] == "rejected"
    # A rejected plan is open for the changes the manager asked for.
    assert ok(await setup.patch(f"/kprs/{kpr['id']}", {"target": 260}, "employee"))["target"] == 260
    assert ok(await setup.move_plan(plan_id, "draft", "employee"))["status"] == "draft"
    ok(await setup.move_plan(plan_id, "submitted", "employee"))
    ok(await setup.move_plan(plan_id, "approved", "manager"))

    assert await history(setup, plan_id) == [
        (None, "draft"),
        ("draft", "submitted"),
        ("submitted", "rejected"),
        ("rejected", "draft"),
        ("draft", "submitted"),
        ("submitted", "approved"),
    ]


@pytest.mark.parametrize(
    ("steps", "target", "allowed"),
    [
        ([], "approved", ["submitted"]),
        ([], "rejected", ["submitted"]),
        ([("submitted", "employee")], "draft", ["approved", "rejected"]),
        ([("submitted", "employee"), ("approved", "manager")], "draft", []),
        ([("submitted", "employee"), ("approved", "manager")], "submitted", []),
        ([("submitted", "employee"), ("rejected", "manager")], "submitted", ["draft"]),
        ([], "cancelled", ["submitted"]),
    ],
)
async def test_illegal_plan_transitions_name_the_allowed_targets(
    setup: Setup, steps: list[tuple[str, str]], target: str, allowed: list[str]
) -> None:
    kpr = await setup.kpr(weight=100)
    for to, who in steps:
        ok(await setup.move_plan(kpr["plan_id"], to, who))

    response = await setup.move_plan(kpr["plan_id"], target, "admin")

    assert assert_problem(response, 409, "INVALID_TRANSITION")["allowed"] == allowed


async def test_transitions_are_audited(setup: Setup, session: AsyncSession) -> None:
    kpr = await setup.kpr(weight=100)
    ok(await setup.move_plan(kpr["plan_id"], "submitted", "employee"))

    events = list(
        await session.scalars(
            select(AuditEvent).where(
                AuditEvent.organization_id == setup.tenant.org.id,
                AuditEvent.entity_type == "plan",
                AuditEvent.action == "transition",
            )
        )
    )

    assert [(str(e.entity_id), e.before, e.after) for e in events] == [
        (kpr["plan_id"], {"status": "draft"}, {"status": "submitted"})
    ]


# --- what a submitted or approved plan freezes -----------------------------------------------------------------------


async def test_kprs_of_a_submitted_plan_are_locked(setup: Setup) -> None:
    kpr = await setup.kpr(weight=100)
    ok(await setup.move_plan(kpr["plan_id"], "submitted", "employee"))

    retitle = await setup.patch(f"/kprs/{kpr['id']}", {"title": "华东区销售额同比增长25%"}, "employee")
    retarget = await setup.patch(f"/kprs/{kpr['id']}", {"target": 250}, "manager")
    delete = await setup.delete(f"/kprs/{kpr['id']}", "employee")
    add = await setup.post_kpr(weight=10, title="新客户回款额达到500万元")

    for response in (retitle, retarget, delete, add):
        assert_problem(response, 409, "PLAN_LOCKED")
    after = ok(await setup.get(f"/kprs/{kpr['id']}"))
    assert (after["title"], after["target"]) == (kpr["title"], kpr["target"])
    assert len(ok(await setup.get("/kprs", plan_id=kpr["plan_id"]))["items"]) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"target": 250},
        {"baseline": 190},
        {"threshold": 210},
        {"stretch": 300},
        {"weight": 90},
        {"direction": "maintain"},
        {"status": "cancelled"},
    ],
)
async def test_an_approved_kprs_definition_is_locked(setup: Setup, change: dict[str, Any]) -> None:
    kpr = await setup.approved_kpr()

    response = await setup.patch(f"/kprs/{kpr['id']}", change, "employee")

    body = assert_problem(response, 409, "DEFINITION_LOCKED")
    assert next(iter(change)) in body["detail"]
    after = ok(await setup.get(f"/kprs/{kpr['id']}"))
    assert {k: after[k] for k in change} == {k: kpr[k] for k in change}


async def test_an_approved_kprs_goal_is_locked(setup: Setup) -> None:
    kpr = await setup.approved_kpr()
    other_goal = ok(
        await setup.post("/goals", {"title": "利润率提升", "level": "company", "cycle_id": setup.cycle_id}), 201
    )

    response = await setup.patch(f"/kprs/{kpr['id']}", {"goal_id": other_goal["id"]}, "manager")

    assert_problem(response, 409, "DEFINITION_LOCKED")


async def test_an_approved_kprs_wording_may_still_change(setup: Setup) -> None:
    kpr = await setup.approved_kpr()

    patched = ok(
        await setup.patch(
            f"/kprs/{kpr['id']}", {"title": "华东区销售额同比增长20%（含新品）", "description": "口径调整"}, "employee"
        )
    )

    assert patched["title"] == "华东区销售额同比增长20%（含新品）"
    assert patched["description"] == "口径调整"
    assert patched["target"] == kpr["target"]


async def test_an_approved_kpr_may_be_patched_with_its_unchanged_definition(setup: Setup) -> None:
    # A form that sends the whole KPR back with only the wording edited changes nothing that is locked.
    kpr = await setup.approved_kpr(threshold=210)
    unchanged = {
        field: kpr[field] for field in ("direction", "baseline", "target", "threshold", "weight", "goal_id", "due_date")
    }

    patched = ok(
        await setup.patch(
            f"/kprs/{kpr['id']}", {**unchanged, "baseline": 200.00, "title": "华东区销售额增长二成"}, "employee"
        )
    )

    assert patched["title"] == "华东区销售额增长二成"
    assert {field: patched[field] for field in unchanged} == unchanged
    still_locked = await setup.patch(f"/kprs/{kpr['id']}", {**unchanged, "target": 241}, "employee")
    assert_problem(still_locked, 409, "DEFINITION_LOCKED")


async def test_an_approved_kpr_cannot_be_deleted(setup: Setup) -> None:
    kpr = await setup.approved_kpr()

    response = await setup.delete(f"/kprs/{kpr['id']}", "admin")

    assert_problem(response, 409, "DEFINITION_LOCKED")
    assert ok(await setup.get(f"/kprs/{kpr['id']}"))["id"] == kpr["id"]


async def test_no_kpr_joins_an_approved_plan(setup: Setup) -> None:
    kpr = await setup.approved_kpr()

    response = await setup.post_kpr(weight=10, title="新客户回款额达到500万元")

    assert_problem(response, 409, "PLAN_LOCKED")
    assert len(ok(await setup.get("/kprs", plan_id=kpr["plan_id"]))["items"]) == 1


async def test_check_ins_continue_on_an_approved_plan(setup: Setup) -> None:
    kpr = await setup.approved_kpr(baseline=200, target=300)

    await setup.check_in(kpr["id"], 250)

    assert ok(await setup.get(f"/kprs/{kpr['id']}"))["score"] == 50


# --- listing and reading -------------------------------------------------------------------------------------------


async def test_plans_list_what_the_caller_may_see_and_filter(setup: Setup) -> None:
    employees = (await setup.kpr("employee"))["plan_id"]
    peers = (await setup.kpr("peer"))["plan_id"]
    admins = (await setup.kpr("admin"))["plan_id"]
    ok(await setup.move_plan(peers, "submitted", "peer"))

    def ids(page: dict[str, Any]) -> set[str]:
        return {p["id"] for p in page["items"]}

    assert ids(ok(await setup.get("/plans", "employee"))) == {employees}
    assert ids(ok(await setup.get("/plans", "manager"))) == {employees, peers}
    assert ids(ok(await setup.get("/plans", "admin"))) == {employees, peers, admins}
    assert ids(ok(await setup.get("/plans", "service"))) == {employees, peers, admins}
    assert ids(ok(await setup.get("/plans", "manager", status="submitted"))) == {peers}
    assert ids(ok(await setup.get("/plans", "admin", employee_id=str(setup.tenant.peer.id)))) == {peers}
    assert ids(ok(await setup.get("/plans", "admin", cycle_id=setup.cycle_id))) == {employees, peers, admins}


async def test_a_plan_is_read_by_owner_manager_admin_and_service_only(setup: Setup) -> None:
    plan_id = (await setup.kpr())["plan_id"]

    for who in ("employee", "manager", "admin", "service"):
        response = await setup.get(f"/plans/{plan_id}", who)
        assert ok(response)["id"] == plan_id
        assert response.headers["etag"]
    assert_problem(await setup.get(f"/plans/{plan_id}", "peer"), 404, "NOT_FOUND")
    assert_problem(await setup.get(f"/plans/{plan_id}/transitions", "peer"), 404, "NOT_FOUND")


async def test_plans_per_cycle_are_separate(client: httpx.AsyncClient, tenant: Tenant, setup: Setup) -> None:
    other = await make_setup(client, tenant)
    first = await setup.kpr()
    second = await other.kpr()

    assert first["plan_id"] != second["plan_id"]
    listed = ok(await setup.get("/plans", "employee"))
    assert {p["cycle_id"] for p in listed["items"]} == {setup.cycle_id, other.cycle_id}
