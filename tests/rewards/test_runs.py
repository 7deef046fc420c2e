"""Reward runs (DESIGN §11) through the API: priced from the frozen final ratings, budgeted to the cent, skipped with
a reason, refused while the cycle is open, and frozen once approved.

The scenario (tests/factories/rewards.py): 员工 (employee) finalized at B, 同事 (peer) at A, default coefficients
(S 1.5, A 1.2, B 1.0, C 0.8, D 0); 经理 (manager) and the admin have no evaluation.
"""

import uuid
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import AuditEvent, Cycle, Evaluation, OutboxEvent, RewardItem, RewardRun
from tests.assertions import assert_problem, ok
from tests.factories import API, InReview, Tenant, move, move_cycle
from tests.factories.rewards import closed_scenario, reward_runs_path


def _money(value: Any) -> Decimal:
    return Decimal(str(value))


def _by_employee(lines: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {line["employee_id"]: line for line in lines}


async def _run(
    client: httpx.AsyncClient, tenant: Tenant, cycle_id: str, base: dict[uuid.UUID, Any], **body: Any
) -> httpx.Response:
    lines = [{"employee_id": str(employee_id), "amount": amount} for employee_id, amount in base.items()]
    return await client.post(reward_runs_path(cycle_id), json={"base": lines, **body}, headers=tenant.headers("admin"))


async def _evaluation(session: AsyncSession, state: InReview, employee_id: uuid.UUID) -> Evaluation:
    evaluation = await session.scalar(
        select(Evaluation)
        .where(Evaluation.cycle_id == state.scenario.cycle.id, Evaluation.employee_id == employee_id)
        .execution_options(populate_existing=True)
    )
    assert evaluation is not None
    return evaluation


async def _runs_made(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(RewardRun)) or 0)


# --- pricing ---------------------------------------------------------------------------------------------------------


async def test_a_budgeted_run_totals_the_budget_to_the_cent(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await closed_scenario(session, client, tenant)

    response = await _run(
        client,
        tenant,
        state.scenario.cycle_id,
        {tenant.employee.id: 10000, tenant.peer.id: 10000, tenant.manager.id: 5000},
        budget=20000,
        note="2026 年度奖金",
    )

    run = ok(response, 201)
    assert response.headers["location"] == f"{API}/reward-runs/{run['id']}"
    assert response.headers["etag"]
    assert set(run) == {
        "id",
        "cycle_id",
        "status",
        "currency",
        "budget",
        "scale",
        "total",
        "items",
        "skipped",
        "item_count",
        "skipped_count",
        "note",
        "created_by",
        "created_at",
        "updated_at",
    }
    assert (run["cycle_id"], run["status"], run["currency"], run["note"]) == (
        state.scenario.cycle_id,
        "draft",
        "CNY",
        "2026 年度奖金",
    )
    assert (run["budget"], run["total"], run["item_count"], run["skipped_count"]) == (20000, 20000, 2, 1)
    # Σ base·coefficient = 10000·1.0 + 10000·1.2 = 22000, scale 20000/22000 = 0.90909…: exact amounts 9090.909…
    # and 10909.0909…, cut down to 9090.90 + 10909.09 = 19999.99; the missing cent to the larger remainder (the B).
    assert abs(_money(run["scale"]) - Decimal(20000) / Decimal(22000)) < Decimal("1e-15")
    items = _by_employee(run["items"])
    assert items == {
        str(tenant.employee.id): {
            "employee_id": str(tenant.employee.id),
            "final_rating": "B",
            "coefficient": 1,
            "base": 10000,
            "amount": 9090.91,
        },
        str(tenant.peer.id): {
            "employee_id": str(tenant.peer.id),
            "final_rating": "A",
            "coefficient": 1.2,
            "base": 10000,
            "amount": 10909.09,
        },
    }
    assert sum(_money(item["amount"]) for item in run["items"]) == Decimal(20000)
    assert [item["employee_id"] for item in run["items"]] == sorted(items)
    assert run["skipped"] == [{"employee_id": str(tenant.manager.id), "reason": "NO_FINAL_RATING"}]

    again = await client.get(f"{API}/reward-runs/{run['id']}", headers=tenant.headers("admin"))
    assert ok(again) == run
    assert again.headers["etag"] == response.headers["etag"]


async def test_an_unbudgeted_run_rounds_each_amount_half_up(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await closed_scenario(session, client, tenant)

    run = ok(
        await _run(
            client,
            tenant,
            state.scenario.cycle_id,
            {tenant.employee.id: 8333.33, tenant.peer.id: 8333.33},
            currency="USD",
        ),
        201,
    )

    items = _by_employee(run["items"])
    assert items[str(tenant.employee.id)]["amount"] == 8333.33  # × 1.0
    assert items[str(tenant.peer.id)]["amount"] == 10000  # × 1.2 = 9999.996 → 10000.00
    assert (run["budget"], run["scale"], run["total"], run["currency"]) == (None, 1, 18333.33, "USD")
    assert run["skipped"] == []


async def test_the_coefficient_comes_from_the_evaluations_frozen_policy(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await closed_scenario(session, client, tenant)
    # The cycle's policy says otherwise now (as a policy changed after the close would): the run keeps to what each
    # evaluation was finalized with.
    cycle = await session.get(Cycle, state.scenario.cycle.id, populate_existing=True)
    assert cycle is not None
    cycle.policy = {"reward_coefficients": {"S": 3, "A": 3, "B": 3, "C": 3, "D": 3}}
    # A calibrated rating is the final one: the peer calibrated to S prices at S's frozen 1.5.
    peer = await _evaluation(session, state, tenant.peer.id)
    peer.calibrated_rating = "S"
    await session.commit()

    run = ok(await _run(client, tenant, state.scenario.cycle_id, {tenant.employee.id: 100, tenant.peer.id: 100}), 201)

    items = _by_employee(run["items"])
    assert (items[str(tenant.employee.id)]["coefficient"], items[str(tenant.employee.id)]["amount"]) == (1, 100)
    assert items[str(tenant.peer.id)] == {
        "employee_id": str(tenant.peer.id),
        "final_rating": "S",
        "coefficient": 1.5,
        "base": 100,
        "amount": 150,
    }


async def test_bases_without_a_final_rating_or_coefficient_are_skipped(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await closed_scenario(session, client, tenant)
    # The employee acknowledges: still final. The peer's evaluation is under appeal: not final. The admin has none.
    await move(client, tenant, "employee", state.employee_eval, "acknowledged")
    peer = await _evaluation(session, state, tenant.peer.id)
    peer.status = "appealed"
    await session.commit()

    run = ok(
        await _run(
            client,
            tenant,
            state.scenario.cycle_id,
            {tenant.employee.id: 1000, tenant.peer.id: 1000, tenant.admin.id: 1000, tenant.manager.id: 0},
        ),
        201,
    )

    assert [(item["employee_id"], item["amount"]) for item in run["items"]] == [(str(tenant.employee.id), 1000)]
    assert _by_employee(run["skipped"]) == {
        str(who.id): {"employee_id": str(who.id), "reason": "NO_FINAL_RATING"}
        for who in (tenant.peer, tenant.admin, tenant.manager)
    }
    assert (run["item_count"], run["skipped_count"], run["total"]) == (1, 3, 1000)


async def test_a_rating_the_frozen_policy_has_no_coefficient_for_is_skipped(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await closed_scenario(session, client, tenant)
    # The peer's snapshot was frozen by a policy that priced only B (as a policy stored before every band needed a
    # coefficient); the employee's by one from before coefficients existed, which reads with the defaults.
    peer = await _evaluation(session, state, tenant.peer.id)
    assert peer.snapshot is not None
    peer.snapshot = {**peer.snapshot, "policy": {**peer.snapshot["policy"], "reward_coefficients": {"B": 1.1}}}
    employee = await _evaluation(session, state, tenant.employee.id)
    assert employee.snapshot is not None
    legacy = {key: value for key, value in employee.snapshot["policy"].items() if key != "reward_coefficients"}
    employee.snapshot = {**employee.snapshot, "policy": legacy}
    await session.commit()

    run = ok(
        await _run(
            client, tenant, state.scenario.cycle_id, {tenant.employee.id: 1000, tenant.peer.id: 1000}, budget=50
        ),
        201,
    )

    assert run["skipped"] == [{"employee_id": str(tenant.peer.id), "reason": "NO_COEFFICIENT"}]
    # The employee's legacy snapshot prices B at the default 1.0, and takes the whole budget.
    assert [(i["final_rating"], i["coefficient"], i["amount"]) for i in run["items"]] == [("B", 1, 50)]


# --- refused ---------------------------------------------------------------------------------------------------------


async def test_a_run_needs_a_closed_cycle(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    state = await closed_scenario(session, client, tenant)
    await move_cycle(client, tenant, state.scenario.cycle_id, "calibration")  # reopened

    response = await _run(client, tenant, state.scenario.cycle_id, {tenant.employee.id: 1000})

    body = assert_problem(response, 409, "CYCLE_NOT_CLOSED")
    assert "calibration" in body["detail"]
    zh = await client.post(
        reward_runs_path(state.scenario.cycle_id),
        json={"base": [{"employee_id": str(tenant.employee.id), "amount": 1}]},
        headers={**tenant.headers("admin"), "Accept-Language": "zh-CN"},
    )
    assert "周期" in assert_problem(zh, 409, "CYCLE_NOT_CLOSED")["detail"]
    assert await _runs_made(session) == 0


async def test_bad_bases_and_budgets_are_refused_naming_the_line(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    state = await closed_scenario(session, client, tenant)
    cycle_id = state.scenario.cycle_id
    employee, peer = str(tenant.employee.id), str(tenant.peer.id)

    async def refused(body: dict[str, Any]) -> list[tuple[Any, ...]]:
        response = await client.post(reward_runs_path(cycle_id), json=body, headers=tenant.headers("admin"))
        return [tuple(error["loc"]) for error in assert_problem(response, 422, "VALIDATION_FAILED")["errors"]]

    def lines(*pairs: tuple[str, Any]) -> list[dict[str, Any]]:
        return [{"employee_id": who, "amount": amount} for who, amount in pairs]

    # An employee listed twice: the repeat is named.
    assert await refused({"base": lines((employee, 1), (peer, 1), (employee, 2))}) == [
        ("body", "base", 2, "employee_id")
    ]
    # Not an employee of this organization (another tenant's, or nobody's): refused, not skipped.
    theirs, nobody = str(other_tenant.employee.id), str(uuid.uuid4())
    assert await refused({"base": lines((employee, 1), (theirs, 1), (nobody, 1))}) == [
        ("body", "base", 1, "employee_id"),
        ("body", "base", 2, "employee_id"),
    ]
    # Amounts: not negative, whole cents, JSON numbers.
    assert await refused({"base": lines((employee, -1))}) == [("body", "base", 0, "amount")]
    assert await refused({"base": lines((employee, 10.005))}) == [("body", "base", 0, "amount")]
    assert await refused({"base": lines((employee, "100"))}) == [("body", "base", 0, "amount")]
    # Budgets: above zero, whole cents.
    for budget in (0, -100, 100.001, "100"):
        assert await refused({"base": lines((employee, 1)), "budget": budget}) == [("body", "budget")]
    # Currencies: ISO 4217, three upper-case letters.
    for currency in ("cny", "CNYY", "元", ""):
        assert await refused({"base": lines((employee, 1)), "currency": currency}) == [("body", "currency")]
    assert await refused({"base": []}) == [("body", "base")]
    assert await refused({"base": lines((employee, 1)), "paid": True}) == [("body", "paid")]
    # A budget nobody can receive: every priced base is 0, or nobody is priced at all.
    assert await refused({"base": lines((employee, 0), (peer, 0)), "budget": 1000}) == [("body", "budget")]
    assert await refused({"base": lines((str(tenant.manager.id), 1000)), "budget": 1000}) == [("body", "budget")]

    assert await _runs_made(session) == 0


async def test_nothing_to_share_says_why(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    state = await closed_scenario(session, client, tenant)
    response = await client.post(
        reward_runs_path(state.scenario.cycle_id),
        json={"base": [{"employee_id": str(tenant.manager.id), "amount": 1000}], "budget": 1000},
        headers={**tenant.headers("admin"), "Accept-Language": "zh-CN"},
    )
    error = assert_problem(response, 422, "VALIDATION_FAILED")["errors"][0]
    assert error["type"] == "NOTHING_TO_SHARE"
    assert "预算" in error["msg"]


# --- states ----------------------------------------------------------------------------------------------------------


async def _transition(
    client: httpx.AsyncClient, tenant: Tenant, run_id: str, to: str, comment: str | None = None
) -> httpx.Response:
    return await client.post(
        f"{API}/reward-runs/{run_id}/transitions", json={"to": to, "comment": comment}, headers=tenant.headers("admin")
    )


async def test_approval_freezes_a_run(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    state = await closed_scenario(session, client, tenant)
    run = ok(await _run(client, tenant, state.scenario.cycle_id, {tenant.employee.id: 1000}, budget=800), 201)

    approved = ok(await _transition(client, tenant, run["id"], "approved", "财务已复核"))

    assert approved == {**run, "status": "approved", "updated_at": approved["updated_at"]}
    for target in ("cancelled", "approved", "draft"):
        body = assert_problem(await _transition(client, tenant, run["id"], target), 409, "INVALID_TRANSITION")
        assert (body["current"], body["allowed"]) == ("approved", [])
    # Reopening the cycle changes nothing in an approved run.
    await move_cycle(client, tenant, state.scenario.cycle_id, "calibration")
    assert ok(await client.get(f"{API}/reward-runs/{run['id']}", headers=tenant.headers("admin"))) == approved
    history = ok(await client.get(f"{API}/reward-runs/{run['id']}/transitions", headers=tenant.headers("admin")))
    assert [(t["from"], t["to"], t["comment"]) for t in history["items"]] == [
        (None, "draft", None),
        ("draft", "approved", "财务已复核"),
    ]


async def test_a_draft_is_cancelled_or_approved_only_while_the_cycle_is_closed(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await closed_scenario(session, client, tenant)
    first = ok(await _run(client, tenant, state.scenario.cycle_id, {tenant.employee.id: 1000}), 201)
    second = ok(await _run(client, tenant, state.scenario.cycle_id, {tenant.peer.id: 1000}), 201)
    assert_problem(await _transition(client, tenant, first["id"], "paid"), 409, "INVALID_TRANSITION")

    await move_cycle(client, tenant, state.scenario.cycle_id, "calibration")

    # Its ratings may change now: the draft waits for the close (or is cancelled, and a new run made).
    assert_problem(await _transition(client, tenant, first["id"], "approved"), 409, "CYCLE_NOT_CLOSED")
    assert ok(await _transition(client, tenant, second["id"], "cancelled"))["status"] == "cancelled"
    await move_cycle(client, tenant, state.scenario.cycle_id, "closed")
    assert ok(await _transition(client, tenant, first["id"], "approved"))["status"] == "approved"
    assert_problem(await _transition(client, tenant, second["id"], "approved"), 409, "INVALID_TRANSITION")


async def test_transitions_publish_events_and_writes_are_audited(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await closed_scenario(session, client, tenant)
    run = ok(await _run(client, tenant, state.scenario.cycle_id, {tenant.employee.id: 1000, tenant.manager.id: 5}), 201)
    assert await session.scalar(select(func.count()).where(OutboxEvent.type == "reward_run.transitioned")) == 0, (
        "making a draft is not a transition"
    )

    ok(await _transition(client, tenant, run["id"], "approved", "同意发放"))

    events = (await session.scalars(select(OutboxEvent).where(OutboxEvent.type == "reward_run.transitioned"))).all()
    assert len(events) == 1
    event = events[0]
    assert event.organization_id == tenant.org.id
    assert (event.data["from"], event.data["to"], event.data["comment"]) == ("draft", "approved", "同意发放")
    resource = event.data["resource"]
    # The run as lists show it: a run may carry 100,000 lines, which no webhook body should.
    assert (resource["id"], resource["status"], resource["total"], resource["item_count"]) == (
        run["id"],
        "approved",
        1000,
        1,
    )
    assert "items" not in resource
    audited = (
        await session.execute(
            select(AuditEvent.action, AuditEvent.actor, AuditEvent.before, AuditEvent.after)
            .where(AuditEvent.entity_type == "reward_run", AuditEvent.entity_id == uuid.UUID(run["id"]))
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    ).all()
    assert [(action, actor) for action, actor, _, _ in audited] == [
        ("create", tenant.admin.external_id),
        ("transition", tenant.admin.external_id),
    ]
    created, moved = audited[0], audited[1]
    assert Decimal(created.after["total"]) == 1000
    assert created.after["skipped_count"] == 1
    assert (moved.before, moved.after) == ({"status": "draft"}, {"status": "approved"})


# --- listing ---------------------------------------------------------------------------------------------------------


async def test_a_cycles_runs_are_listed_newest_first_without_their_lines(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await closed_scenario(session, client, tenant)
    made = [
        ok(await _run(client, tenant, state.scenario.cycle_id, {tenant.employee.id: amount}), 201)
        for amount in (100, 200, 300)
    ]
    path = reward_runs_path(state.scenario.cycle_id)

    first = ok(await client.get(path, params={"limit": 2}, headers=tenant.headers("admin")))
    rest = ok(
        await client.get(path, params={"limit": 2, "cursor": first["next_cursor"]}, headers=tenant.headers("admin"))
    )

    listed = first["items"] + rest["items"]
    assert rest["next_cursor"] is None
    assert [run["id"] for run in listed] == [run["id"] for run in reversed(made)]
    assert listed[0] == {key: value for key, value in made[-1].items() if key not in ("items", "skipped")}
    rows = await session.scalar(select(func.count()).select_from(RewardItem))
    assert rows == 3
