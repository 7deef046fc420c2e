"""Appeals (复议, DESIGN §3): the employee appeals a finalized result within the policy's window; an admin upholds it
(the evaluation is reopened for calibration) or rejects it (with a reason). Closing a cycle is never blocked by one."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Evaluation, OutboxEvent
from tests.assertions import assert_problem as problem
from tests.assertions import ok
from tests.factories import API, Tenant
from tests.factories.evaluations import InReview, move, move_cycle, open_review, to_calibration


async def _closed(session: AsyncSession, client: httpx.AsyncClient, tenant: Tenant, **kwargs: Any) -> InReview:
    state = await open_review(session, client, tenant, **kwargs)
    await to_calibration(client, tenant, state)
    await move_cycle(client, tenant, state.scenario.cycle_id, "closed")
    return state


async def _to(
    client: httpx.AsyncClient, tenant: Tenant, who: str, evaluation_id: str, to: str, comment: str | None = None
) -> httpx.Response:
    return await client.post(
        f"{API}/evaluations/{evaluation_id}/transitions",
        json={"to": to, "comment": comment},
        headers=tenant.headers(who),
    )


async def test_the_employee_appeals_with_a_reason_and_the_result_stays_frozen(
    session: AsyncSession, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    state = await _closed(session, client, tenant)
    url = f"{API}/evaluations/{state.employee_eval}"
    before = ok(await client.get(url, headers=tenant.headers("employee")))

    problem(await _to(client, tenant, "employee", state.employee_eval, "appealed"), 422, "VALIDATION_FAILED")
    problem(await _to(client, tenant, "employee", state.employee_eval, "appealed", "  "), 422, "VALIDATION_FAILED")
    for who in ("manager", "admin"):
        problem(await _to(client, tenant, who, state.employee_eval, "appealed", "不服"), 403, "FORBIDDEN")
    appealed = ok(await _to(client, tenant, "employee", state.employee_eval, "appealed", "本季度客户数统计有误"))

    assert appealed["status"] == "appealed"
    assert {k: v for k, v in appealed.items() if k not in {"status", "updated_at"}} == {
        k: v for k, v in before.items() if k not in {"status", "updated_at"}
    }
    # Frozen while under appeal: no review can be written.
    review = {"score": 80, "comment": "改"}
    refused = await client.put(f"{url}/self-review", json=review, headers=tenant.headers("employee"))
    problem(refused, 409, "EVALUATION_LOCKED")
    history = ok(await client.get(f"{url}/transitions", headers=tenant.headers("employee")))["items"]
    assert (history[-1]["from"], history[-1]["to"], history[-1]["comment"]) == (
        "finalized",
        "appealed",
        "本季度客户数统计有误",
    )
    events = await session.scalars(select(OutboxEvent).where(OutboxEvent.type == "evaluation.transitioned"))
    assert any(e.data["to"] == "appealed" and e.data["resource"]["id"] == state.employee_eval for e in events)


async def test_an_appeal_after_the_window_is_refused(
    session: AsyncSession, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    state = await _closed(session, client, tenant, policy={"appeal_days": 3})
    long_ago = datetime.now(UTC) - timedelta(days=3, minutes=1)
    await session.execute(
        update(Evaluation).where(Evaluation.id == uuid.UUID(state.employee_eval)).values(finalized_at=long_ago)
    )
    await session.commit()

    refused = problem(
        await _to(client, tenant, "employee", state.employee_eval, "appealed", "晚了"), 409, "APPEAL_WINDOW_CLOSED"
    )
    assert refused["appeal_days"] == 3


async def test_an_acknowledged_evaluation_cannot_be_appealed(
    session: AsyncSession, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    state = await _closed(session, client, tenant)
    await move(client, tenant, "employee", state.employee_eval, "acknowledged")
    problem(await _to(client, tenant, "employee", state.employee_eval, "appealed", "不服"), 409, "INVALID_TRANSITION")


async def test_a_rejected_appeal_needs_a_reason_and_leaves_the_result_final(
    session: AsyncSession, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    state = await _closed(session, client, tenant)
    final = ok(await _to(client, tenant, "employee", state.employee_eval, "appealed", "不服"))

    problem(await _to(client, tenant, "admin", state.employee_eval, "finalized"), 422, "VALIDATION_FAILED")
    problem(await _to(client, tenant, "manager", state.employee_eval, "finalized", "维持"), 403, "FORBIDDEN")
    rejected = ok(await _to(client, tenant, "admin", state.employee_eval, "finalized", "数据核实无误，维持原结果"))

    assert rejected["status"] == "finalized"
    keep = ("final_score", "rating", "final_rating", "items", "finalized_at")
    assert {k: rejected[k] for k in keep} == {k: final[k] for k in keep}
    # The employee can still acknowledge the result.
    assert (await move(client, tenant, "employee", state.employee_eval, "acknowledged"))["status"] == "acknowledged"


async def test_an_upheld_appeal_is_recalibrated_and_the_cycle_closes_again(
    session: AsyncSession, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    state = await _closed(session, client, tenant)
    cycle_id = state.scenario.cycle_id
    ok(await _to(client, tenant, "employee", state.employee_eval, "appealed", "新客户数漏计 5 家"))

    # The cycle is closed: calibration needs it reopened first, as an admin reopen does.
    problem(
        await _to(client, tenant, "admin", state.employee_eval, "calibration", "复核"), 409, "CYCLE_NOT_IN_CALIBRATION"
    )
    await move_cycle(client, tenant, cycle_id, "calibration")
    calibration = ok(await client.get(f"{API}/cycles/{cycle_id}/calibration", headers=tenant.headers("admin")))
    assert calibration["appealed"] == 1
    assert sum(department["appealed"] for department in calibration["departments"]) == 1
    summary = ok(await client.get(f"{API}/cycles/{cycle_id}/summary", headers=tenant.headers("admin")))
    assert summary["evaluations_by_status"]["appealed"] == 1

    upheld = ok(await _to(client, tenant, "admin", state.employee_eval, "calibration", "申诉成立，重新校准"))
    assert upheld["status"] == "calibration"
    assert upheld["finalized_at"] is None
    calibrated = ok(
        await client.put(
            f"{API}/evaluations/{state.employee_eval}/calibration",
            json={"rating": "A", "reason": "复议后上调"},
            headers=tenant.headers("admin"),
        )
    )
    assert calibrated["final_rating"] == "A"
    closed = await move_cycle(client, tenant, cycle_id, "closed")
    assert closed["status"] == "closed"
    final = ok(await client.get(f"{API}/evaluations/{state.employee_eval}", headers=tenant.headers("employee")))
    assert (final["status"], final["final_rating"]) == ("finalized", "A")


async def test_a_pending_appeal_does_not_block_closing(
    session: AsyncSession, client: httpx.AsyncClient, tenant: Tenant
) -> None:
    state = await _closed(session, client, tenant)
    cycle_id = state.scenario.cycle_id
    await move_cycle(client, tenant, cycle_id, "calibration")
    ok(await _to(client, tenant, "employee", state.employee_eval, "appealed", "不服"))

    closed = await move_cycle(client, tenant, cycle_id, "closed")

    assert closed["status"] == "closed"
    still = ok(await client.get(f"{API}/evaluations/{state.employee_eval}", headers=tenant.headers("admin")))
    assert still["status"] == "appealed"
