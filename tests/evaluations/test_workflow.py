"""The evaluation state machine and who may do what in it (DESIGN §3, §6)."""

import uuid
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.security import mint_token
from app.models import AuditEvent, Evaluation
from tests.assertions import assert_problem, ok
from tests.factories import (
    API,
    InReview,
    KprSpec,
    Tenant,
    add_kprs,
    make_check_in,
    make_cycle,
    make_employee,
    make_plan,
    make_tenant,
    move,
    move_cycle,
    open_review,
    to_calibration,
)


def url(evaluation_id: str, leaf: str = "") -> str:
    return f"{API}/evaluations/{evaluation_id}{leaf}"


# --- reading --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "visible"), [("employee", True), ("manager", True), ("admin", True), ("service", True), ("peer", False)]
)
async def test_who_reads_an_evaluation(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, who: str, visible: bool
) -> None:
    state = await open_review(session, client, tenant)

    response = await client.get(url(state.employee_eval), headers=tenant.headers(who))

    if visible:
        assert ok(response)["id"] == state.employee_eval
    else:
        assert_problem(response, 404, "NOT_FOUND")


async def test_a_manager_above_the_manager_reads_too(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    director = await make_employee(session, tenant.org, name="总监")
    tenant.manager.manager_id = director.id
    await session.commit()
    state = await open_review(session, client, tenant)
    token = mint_token(settings, subject=director.external_id, organization_id=tenant.org.id, roles=[])

    response = await client.get(url(state.employee_eval), headers={"Authorization": f"Bearer {token}"})

    assert ok(response)["employee_id"] == str(tenant.employee.id)


# --- self review ----------------------------------------------------------------------------------------------------


async def test_the_employee_writes_the_self_review(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)
    sales = state.scenario.employee_kprs[0]
    body = {"score": 85.5, "comment": "超额完成", "items": [{"kpr_id": str(sales.id), "comment": "新签 3 个大客户"}]}

    evaluation = ok(
        await client.put(url(state.employee_eval, "/self-review"), json=body, headers=tenant.headers("employee"))
    )

    assert (evaluation["self_score"], evaluation["self_comment"]) == (85.5, "超额完成")
    assert evaluation["self_items"] == [{"kpr_id": str(sales.id), "comment": "新签 3 个大客户"}]
    audit = await session.scalar(select(AuditEvent).where(AuditEvent.action == "self_review"))
    assert audit is not None
    assert audit.actor == tenant.employee.external_id


async def test_a_kpr_listed_twice_keeps_both_comments(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    # The schema cannot forbid repeats, so the server takes them — and loses none of what the reviewer wrote.
    state = await open_review(session, client, tenant)
    sales, complaints = (str(k.id) for k in state.scenario.employee_kprs[:2])
    items = [
        {"kpr_id": sales, "comment": "新签 3 个大客户"},
        {"kpr_id": complaints},
        {"kpr_id": sales, "comment": "回款及时"},
        {"kpr_id": complaints, "comment": "投诉下降"},
    ]

    evaluation = ok(
        await client.put(
            url(state.employee_eval, "/self-review"), json={"items": items}, headers=tenant.headers("employee")
        )
    )

    assert evaluation["self_items"] == [
        {"kpr_id": sales, "comment": "新签 3 个大客户\n\n回款及时"},
        {"kpr_id": complaints, "comment": "投诉下降"},
    ]


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("manager", 403, "FORBIDDEN"),
        ("admin", 403, "FORBIDDEN"),
        ("service", 403, "FORBIDDEN"),
        ("peer", 404, "NOT_FOUND"),
    ],
)
async def test_nobody_else_writes_the_self_review(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, who: str, status: int, code: str
) -> None:
    state = await open_review(session, client, tenant)

    response = await client.put(
        url(state.employee_eval, "/self-review"), json={"score": 80}, headers=tenant.headers(who)
    )

    assert_problem(response, status, code)


async def test_review_items_must_be_active_kprs_of_the_plan(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)
    cancelled = state.scenario.employee_kprs[2]
    someone_elses = state.scenario.peer_kprs[0]
    items = [{"kpr_id": str(cancelled.id)}, {"kpr_id": str(someone_elses.id)}]

    response = await client.put(
        url(state.employee_eval, "/self-review"), json={"items": items}, headers=tenant.headers("employee")
    )

    body = assert_problem(response, 422, "VALIDATION_FAILED")
    assert [e["loc"] for e in body["errors"]] == [["body", "items", 0, "kpr_id"], ["body", "items", 1, "kpr_id"]]


@pytest.mark.parametrize(
    "body",
    [{"score": -1}, {"score": 121}, {"score": 50, "extra": 1}, {"comment": "x" * 4001}],
)
async def test_review_bodies_are_validated(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, body: dict[str, object]
) -> None:
    state = await open_review(session, client, tenant)

    response = await client.put(url(state.employee_eval, "/self-review"), json=body, headers=tenant.headers("employee"))

    assert_problem(response, 422, "VALIDATION_FAILED")


async def test_put_honours_if_match(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    state = await open_review(session, client, tenant)
    read = await client.get(url(state.employee_eval), headers=tenant.headers("employee"))
    etag = read.headers["etag"]
    headers = {**tenant.headers("employee"), "If-Match": etag}

    first = await client.put(url(state.employee_eval, "/self-review"), json={"score": 70}, headers=headers)
    second = await client.put(url(state.employee_eval, "/self-review"), json={"score": 75}, headers=headers)

    assert ok(first)["self_score"] == 70
    assert first.headers["etag"] != etag
    assert_problem(second, 412, "PRECONDITION_FAILED")


async def test_self_review_closes_when_the_evaluation_moves_on(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)
    await move(client, tenant, "employee", state.employee_eval, "manager_review")

    response = await client.put(
        url(state.employee_eval, "/self-review"), json={"score": 1}, headers=tenant.headers("employee")
    )

    body = assert_problem(response, 409, "INVALID_STATE")
    assert (body["evaluation_status"], body["expected_status"]) == ("manager_review", "self_review")


# --- manager review -------------------------------------------------------------------------------------------------


async def test_manager_review_by_the_manager_in_the_chain(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)
    await move(client, tenant, "employee", state.employee_eval, "manager_review")

    evaluation = ok(
        await client.put(
            url(state.employee_eval, "/manager-review"),
            json={"score": 90, "comment": "很好"},
            headers=tenant.headers("manager"),
        )
    )

    assert evaluation["manager_score"] == 90
    # final = (78·70 + 90·30)/100 = 81.6 → B
    assert (evaluation["final_score"], evaluation["rating"], evaluation["final_rating"]) == (81.6, "B", "B")


async def test_a_manager_outside_the_chain_may_not_review(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    outsider = await make_employee(session, tenant.org, name="其他经理")
    await make_employee(session, tenant.org, manager=outsider)
    await session.commit()
    state = await open_review(session, client, tenant)
    await move(client, tenant, "employee", state.employee_eval, "manager_review")
    token = mint_token(settings, subject=outsider.external_id, organization_id=tenant.org.id, roles=[])

    response = await client.put(
        url(state.employee_eval, "/manager-review"), json={"score": 90}, headers={"Authorization": f"Bearer {token}"}
    )

    assert_problem(response, 404, "NOT_FOUND")


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [("employee", 403, "FORBIDDEN"), ("service", 403, "FORBIDDEN"), ("peer", 404, "NOT_FOUND")],
)
async def test_nobody_else_writes_the_manager_review(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, who: str, status: int, code: str
) -> None:
    state = await open_review(session, client, tenant)
    await move(client, tenant, "employee", state.employee_eval, "manager_review")

    response = await client.put(
        url(state.employee_eval, "/manager-review"), json={"score": 90}, headers=tenant.headers(who)
    )

    assert_problem(response, status, code)


async def test_moving_to_calibration_needs_the_weighted_manager_score(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)
    await move(client, tenant, "employee", state.employee_eval, "manager_review")

    response = await client.post(
        url(state.employee_eval, "/transitions"), json={"to": "calibration"}, headers=tenant.headers("manager")
    )

    assert_problem(response, 409, "REVIEW_INCOMPLETE")


# --- transitions ----------------------------------------------------------------------------------------------------


async def test_illegal_transitions_name_the_allowed_targets(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)

    response = await client.post(
        url(state.employee_eval, "/transitions"), json={"to": "finalized"}, headers=tenant.headers("admin")
    )

    body = assert_problem(response, 409, "INVALID_TRANSITION")
    assert body["allowed"] == ["manager_review"]


@pytest.mark.parametrize(("who", "status"), [("manager", 403), ("service", 403), ("peer", 404)])
async def test_only_the_employee_or_an_admin_ends_the_self_review(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, who: str, status: int
) -> None:
    state = await open_review(session, client, tenant)

    response = await client.post(
        url(state.employee_eval, "/transitions"), json={"to": "manager_review"}, headers=tenant.headers(who)
    )

    assert response.status_code == status, response.text


async def test_an_admin_may_move_a_silent_employee_on(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)

    evaluation = await move(client, tenant, "admin", state.employee_eval, "manager_review")

    assert evaluation["status"] == "manager_review"


async def test_the_full_path_is_kept_in_the_history(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)
    await to_calibration(client, tenant, state)
    await move(client, tenant, "admin", state.employee_eval, "finalized")
    await move(client, tenant, "employee", state.employee_eval, "acknowledged")

    history = ok(await client.get(url(state.employee_eval, "/transitions"), headers=tenant.headers("manager")))

    assert [(t["from"], t["to"]) for t in history["items"]] == [
        (None, "self_review"),
        ("self_review", "manager_review"),
        ("manager_review", "calibration"),
        ("calibration", "finalized"),
        ("finalized", "acknowledged"),
    ]
    assert [t["actor"] for t in history["items"]][1:] == [
        tenant.employee.external_id,
        tenant.manager.external_id,
        tenant.admin.external_id,
        tenant.employee.external_id,
    ]


# --- calibration ----------------------------------------------------------------------------------------------------


async def test_admin_calibrates_only_while_the_cycle_is_in_calibration(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)
    for evaluation_id, who in ((state.employee_eval, "employee"), (state.peer_eval, "peer")):
        await move(client, tenant, who, evaluation_id, "manager_review")
        await client.put(url(evaluation_id, "/manager-review"), json={"score": 90}, headers=tenant.headers("manager"))
        await move(client, tenant, "manager", evaluation_id, "calibration")
    body = {"rating": "A", "reason": "跨部门校准"}

    early = await client.put(url(state.employee_eval, "/calibration"), json=body, headers=tenant.headers("admin"))
    await move_cycle(client, tenant, state.scenario.cycle_id, "calibration")
    calibrated = ok(
        await client.put(url(state.employee_eval, "/calibration"), json=body, headers=tenant.headers("admin"))
    )

    assert_problem(early, 409, "CYCLE_NOT_IN_CALIBRATION")
    assert (calibrated["rating"], calibrated["calibrated_rating"], calibrated["final_rating"]) == ("B", "A", "A")
    assert calibrated["calibration_reason"] == "跨部门校准"
    audit = await session.scalar(select(AuditEvent).where(AuditEvent.action == "calibrate"))
    assert audit is not None
    assert audit.after == {"calibrated_rating": "A", "calibration_reason": "跨部门校准"}


@pytest.mark.parametrize(("who", "status"), [("manager", 403), ("employee", 403), ("service", 403), ("peer", 404)])
async def test_only_admins_calibrate(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, who: str, status: int
) -> None:
    state = await open_review(session, client, tenant)
    await to_calibration(client, tenant, state)

    response = await client.put(
        url(state.employee_eval, "/calibration"), json={"rating": "A", "reason": "r"}, headers=tenant.headers(who)
    )

    assert response.status_code == status, response.text


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"rating": "Z", "reason": "r"}, ["body", "rating"]),
        ({"rating": "A", "reason": " "}, ["body", "reason"]),
        ({"rating": "A"}, ["body", "reason"]),
    ],
)
async def test_calibration_needs_a_band_and_a_reason(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, body: dict[str, str], loc: list[str]
) -> None:
    state = await open_review(session, client, tenant)
    await to_calibration(client, tenant, state)

    response = await client.put(url(state.employee_eval, "/calibration"), json=body, headers=tenant.headers("admin"))

    assert loc in [e["loc"] for e in assert_problem(response, 422, "VALIDATION_FAILED")["errors"]]


# --- finalization, lock, reopen -------------------------------------------------------------------------------------


async def _finalized(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> InReview:
    state = await open_review(session, client, tenant)
    await to_calibration(client, tenant, state)
    await move(client, tenant, "admin", state.employee_eval, "finalized")
    return state


async def test_finalizing_freezes_figures_and_the_snapshot(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await _finalized(client, session, tenant)

    evaluation = ok(await client.get(url(state.employee_eval), headers=tenant.headers("employee")))

    assert evaluation["status"] == "finalized"
    assert evaluation["finalized_at"].endswith("Z")
    assert (evaluation["results_score"], evaluation["final_score"], evaluation["rating"]) == (78, 81.6, "B")
    assert [(i["title"], i["actual"], i["score"]) for i in evaluation["items"]] == [
        ("华东区销售额", 250, 50),
        ("客户投诉率", 4, 120),
    ]
    row = await session.get(Evaluation, uuid.UUID(state.employee_eval), populate_existing=True)
    assert row is not None
    assert row.snapshot is not None
    assert row.snapshot["policy"]["components"] == {"results": 70.0, "manager": 30.0, "self": 0.0, "peer": 0.0}
    assert row.snapshot["inputs"]["self_score"] is None
    assert Decimal(row.snapshot["inputs"]["manager_score"]) == 90
    figures = ("baseline", "target", "actual", "score")
    assert [tuple(int(Decimal(i[k])) for k in figures) for i in row.snapshot["items"]] == [
        (200, 300, 250, 50),
        (10, 5, 4, 120),
    ]


async def test_a_finalized_evaluation_is_locked(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await _finalized(client, session, tenant)

    for leaf, who, body in (
        ("/self-review", "employee", {"score": 1}),
        ("/manager-review", "manager", {"score": 1}),
        ("/calibration", "admin", {"rating": "S", "reason": "r"}),
    ):
        response = await client.put(url(state.employee_eval, leaf), json=body, headers=tenant.headers(who))
        assert_problem(response, 409, "EVALUATION_LOCKED")


async def test_an_acknowledged_evaluation_is_locked_for_good(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await _finalized(client, session, tenant)
    acknowledged = await move(client, tenant, "employee", state.employee_eval, "acknowledged")

    lock = await client.put(
        url(state.employee_eval, "/calibration"), json={"rating": "S", "reason": "r"}, headers=tenant.headers("admin")
    )
    reopen = await client.post(
        url(state.employee_eval, "/transitions"), json={"to": "calibration"}, headers=tenant.headers("admin")
    )

    assert acknowledged["acknowledged_at"].endswith("Z")
    assert_problem(lock, 409, "EVALUATION_LOCKED")
    assert_problem(reopen, 409, "INVALID_TRANSITION")


@pytest.mark.parametrize(("who", "status"), [("manager", 403), ("admin", 403), ("peer", 404)])
async def test_only_the_employee_acknowledges(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, who: str, status: int
) -> None:
    state = await _finalized(client, session, tenant)

    response = await client.post(
        url(state.employee_eval, "/transitions"), json={"to": "acknowledged"}, headers=tenant.headers(who)
    )

    assert response.status_code == status, response.text


@pytest.mark.parametrize("who", ["manager", "employee", "service"])
async def test_only_admins_finalize_and_reopen(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, who: str
) -> None:
    state = await open_review(session, client, tenant)
    await to_calibration(client, tenant, state)

    finalize = await client.post(
        url(state.employee_eval, "/transitions"), json={"to": "finalized"}, headers=tenant.headers(who)
    )
    await move(client, tenant, "admin", state.employee_eval, "finalized")
    reopen = await client.post(
        url(state.employee_eval, "/transitions"), json={"to": "calibration"}, headers=tenant.headers(who)
    )

    assert_problem(finalize, 403, "FORBIDDEN")
    assert_problem(reopen, 403, "FORBIDDEN")


async def test_figures_are_reproducible_after_finalization(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await _finalized(client, session, tenant)
    before = await client.get(url(state.employee_eval), headers=tenant.headers("admin"))
    # A new check-in, a policy change and a KPR edit after finalization change nothing.
    sales = state.scenario.employee_kprs[0]
    await make_check_in(session, tenant.org, kpr=sales, value=300)
    sales.title = "改过的标题"
    await session.commit()
    cycle_url = f"{API}/cycles/{state.scenario.cycle_id}"
    patched = await client.patch(
        cycle_url,
        json={"policy": {"components": {"results": 50, "manager": 50, "self": 0}}},
        headers=tenant.headers("admin"),
    )

    after = await client.get(url(state.employee_eval), headers=tenant.headers("admin"))

    assert ok(patched)["policy"]["components"]["manager"] == 50
    assert ok(after) == ok(before)
    assert after.headers["etag"] == before.headers["etag"]
    # The peer's evaluation is still live: it follows the new policy (results 100·50 + manager 100·50 = 100).
    peer = ok(await client.get(url(state.peer_eval), headers=tenant.headers("admin")))
    assert peer["final_score"] == 100


async def test_reopen_makes_figures_live_again_and_refinalizing_freezes_the_new_ones(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await _finalized(client, session, tenant)
    sales = state.scenario.employee_kprs[0]
    await make_check_in(session, tenant.org, kpr=sales, value=300)  # sales now a = 1 → score 100
    await session.commit()

    reopened = await move(client, tenant, "admin", state.employee_eval, "calibration")
    calibrated = ok(
        await client.put(
            url(state.employee_eval, "/calibration"),
            json={"rating": "S", "reason": "复核"},
            headers=tenant.headers("admin"),
        )
    )
    refinalized = await move(client, tenant, "admin", state.employee_eval, "finalized")

    # results = (60·100 + 40·120)/100 = 108; final = (108·70 + 90·30)/100 = 102.6 → A
    assert reopened["status"] == "calibration"
    assert reopened["finalized_at"] is None
    assert (reopened["results_score"], reopened["final_score"], reopened["rating"]) == (108, 102.6, "A")
    assert calibrated["final_rating"] == "S"
    assert (refinalized["results_score"], refinalized["final_score"], refinalized["rating"]) == (108, 102.6, "A")
    assert refinalized["final_rating"] == "S"
    reopen_audit = await session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "transition", AuditEvent.before["status"].as_string() == "finalized"
        )
    )
    assert reopen_audit is not None
    assert reopen_audit.before is not None
    assert reopen_audit.before["rating"] == "B"


async def test_reopening_needs_the_cycle_in_calibration(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)
    await to_calibration(client, tenant, state)
    await move_cycle(client, tenant, state.scenario.cycle_id, "closed")

    response = await client.post(
        url(state.employee_eval, "/transitions"), json={"to": "calibration"}, headers=tenant.headers("admin")
    )
    await move_cycle(client, tenant, state.scenario.cycle_id, "calibration")
    reopened = await move(client, tenant, "admin", state.employee_eval, "calibration")

    assert_problem(response, 409, "CYCLE_NOT_IN_CALIBRATION")
    assert reopened["status"] == "calibration"


async def test_messages_follow_accept_language(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await _finalized(client, session, tenant)

    response = await client.put(
        url(state.employee_eval, "/calibration"),
        json={"rating": "S", "reason": "r"},
        headers={**tenant.headers("admin"), "Accept-Language": "zh-CN"},
    )

    assert "已冻结" in assert_problem(response, 409, "EVALUATION_LOCKED")["detail"]


async def test_an_employee_with_no_manager_is_reviewed_by_an_admin(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    tenant = await make_tenant(session, settings, "丙公司")
    cycle = await make_cycle(session, tenant.org, status="planning")
    plan = await make_plan(session, tenant.org, cycle=cycle, employee=tenant.manager, status="approved")
    await add_kprs(session, tenant.org, plan, [KprSpec("利润", "increase", 0, 100, 100, [100])])
    await session.commit()
    await move_cycle(client, tenant, str(cycle.id), "active", "review")
    page = ok(await client.get(f"{API}/evaluations?cycle_id={cycle.id}", headers=tenant.headers("admin")))
    [evaluation] = page["items"]
    assert evaluation["reviewer_id"] is None

    await move(client, tenant, "manager", evaluation["id"], "manager_review")
    reviewed = ok(
        await client.put(url(evaluation["id"], "/manager-review"), json={"score": 95}, headers=tenant.headers("admin"))
    )
    own = await client.put(
        url(evaluation["id"], "/manager-review"), json={"score": 120}, headers=tenant.headers("manager")
    )

    assert reviewed["reviewer_id"] == str(tenant.admin.id)
    assert_problem(own, 403, "FORBIDDEN")
