"""PUT /feedback-requests/{id}/response and POST …/transitions, and the evaluation's peer score they keep current
(DESIGN §3, §4, §10). Figures worked by hand in ``tests.factories.feedback``."""

import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models import AuditEvent, Evaluation, OutboxEvent
from tests.assertions import assert_problem, ok
from tests.factories import (
    API,
    Tenant,
    add_reviewer,
    in_manager_review,
    move,
    move_cycle,
    open_review,
    requested,
    respond,
)


def evaluation_url(evaluation_id: str, leaf: str = "") -> str:
    return f"{API}/evaluations/{evaluation_id}{leaf}"


async def _evaluation(client: httpx.AsyncClient, tenant: Tenant, evaluation_id: str) -> dict[str, Any]:
    body: dict[str, Any] = ok(await client.get(evaluation_url(evaluation_id), headers=tenant.headers("admin")))
    return body


async def _move_request(
    client: httpx.AsyncClient, tenant: Tenant, request_id: str, who: str, to: str, comment: str | None = None
) -> httpx.Response:
    return await client.post(
        f"{API}/feedback-requests/{request_id}/transitions",
        json={"to": to, "comment": comment},
        headers=tenant.headers(who),
    )


# --- responding -----------------------------------------------------------------------------------------------------


async def test_the_reviewer_responds_and_the_request_is_submitted(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)
    ids = await requested(client, tenant, state.employee_eval, {"peer": tenant.peer.id})
    kpr_id = str(state.scenario.employee_kprs[0].id)

    answered = ok(
        await respond(client, tenant, ids["peer"], "peer", 95.5, comment="主动分享客户资源", items=[{"kpr_id": kpr_id}])
    )
    again = await respond(client, tenant, ids["peer"], "peer", 90, comment="改一下")

    assert answered["status"] == "submitted"
    assert (answered["score"], answered["comment"]) == (95.5, "主动分享客户资源")
    assert answered["items"] == [{"kpr_id": kpr_id, "comment": None}]
    assert answered["submitted_at"] is not None
    changed = ok(again)
    assert (changed["status"], changed["score"], changed["comment"], changed["items"]) == (
        "submitted",
        90,
        "改一下",
        [],
    )
    assert changed["submitted_at"] >= answered["submitted_at"]
    events = list(await session.scalars(select(OutboxEvent).where(OutboxEvent.type == "feedback_request.transitioned")))
    # requested, then submitted once: changing a submitted response is no change of state.
    assert sorted((e.data["from"] or "", e.data["to"]) for e in events) == [
        ("", "requested"),
        ("requested", "submitted"),
    ]
    submitted = next(e for e in events if e.data["to"] == "submitted")
    assert submitted.data["resource"]["score"] == 95.5
    audits = list(
        await session.scalars(
            select(AuditEvent).where(AuditEvent.entity_id == uuid.UUID(ids["peer"])).order_by(AuditEvent.at)
        )
    )
    assert [a.action for a in audits] == ["create", "respond", "respond"]
    before = audits[-1].before or {}
    assert (before["status"], Decimal(before["score"]), before["comment"]) == (
        "submitted",
        Decimal("95.5"),
        "主动分享客户资源",
    )


@pytest.mark.parametrize(("who", "status"), [("manager", 403), ("admin", 403), ("service", 403), ("employee", 404)])
async def test_only_the_reviewer_responds(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, who: str, status: int
) -> None:
    state = await open_review(session, client, tenant)
    ids = await requested(client, tenant, state.employee_eval, {"peer": tenant.peer.id})

    response = await respond(client, tenant, ids["peer"], who, 90)

    assert_problem(response, status, "FORBIDDEN" if status == 403 else "NOT_FOUND")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"score": 121}, "score"),  # above the policy's cap of 120
        ({"score": -1}, "score"),
        ({"score": 1001}, "score"),
        ({"comment": "no score"}, "score"),
        ({"score": 80, "comment": "x" * 4001}, "comment"),
        ({"score": 80, "items": [{"kpr_id": "00000000-0000-4000-8000-000000000000"}]}, "items"),
        ({"score": 80, "extra": True}, "extra"),
    ],
)
async def test_the_response_is_checked(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    state = await open_review(session, client, tenant)
    ids = await requested(client, tenant, state.employee_eval, {"peer": tenant.peer.id})

    response = await client.put(
        f"{API}/feedback-requests/{ids['peer']}/response", json=body, headers=tenant.headers("peer")
    )

    problem = assert_problem(response, 422, "VALIDATION_FAILED")
    assert field in {str(part) for error in problem["errors"] for part in error["loc"]}


async def test_a_kpr_of_another_plan_is_not_an_item(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)
    ids = await requested(client, tenant, state.employee_eval, {"peer": tenant.peer.id})
    theirs = str(state.scenario.peer_kprs[0].id)

    response = await respond(client, tenant, ids["peer"], "peer", 80, items=[{"kpr_id": theirs}])

    problem = assert_problem(response, 422, "VALIDATION_FAILED")
    assert problem["errors"][0]["loc"] == ["body", "items", 0, "kpr_id"]


async def test_a_declined_or_cancelled_request_takes_no_response(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    state = await open_review(session, client, tenant)
    other = await add_reviewer(session, settings, tenant, "other")
    ids = await requested(client, tenant, state.employee_eval, {"peer": tenant.peer.id, "other": other.id})
    ok(await _move_request(client, tenant, ids["peer"], "peer", "declined"))
    ok(await _move_request(client, tenant, ids["other"], "manager", "cancelled"))

    assert_problem(await respond(client, tenant, ids["peer"], "peer", 80), 409, "INVALID_TRANSITION")
    assert_problem(await respond(client, tenant, ids["other"], "other", 80), 409, "INVALID_TRANSITION")


async def test_responses_are_taken_while_the_evaluation_is_in_review(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await in_manager_review(session, client, tenant)
    ids = await requested(client, tenant, state.employee_eval, {"peer": tenant.peer.id, "admin": tenant.admin.id})
    ok(await respond(client, tenant, ids["peer"], "peer", 80))  # manager_review
    await move(client, tenant, "manager", state.employee_eval, "calibration")

    late = await respond(client, tenant, ids["admin"], "admin", 80)
    changed = await respond(client, tenant, ids["peer"], "peer", 70)

    assert assert_problem(late, 409, "INVALID_STATE")["evaluation_status"] == "calibration"
    assert_problem(changed, 409, "INVALID_STATE")


async def test_if_match_guards_the_response(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    state = await open_review(session, client, tenant)
    ids = await requested(client, tenant, state.employee_eval, {"peer": tenant.peer.id})
    url = f"{API}/feedback-requests/{ids['peer']}"
    etag = (await client.get(url, headers=tenant.headers("peer"))).headers["etag"]
    ok(await respond(client, tenant, ids["peer"], "peer", 80))

    stale = await client.put(f"{url}/response", json={"score": 70}, headers=tenant.headers("peer") | {"If-Match": etag})
    fresh_etag = (await client.get(url, headers=tenant.headers("peer"))).headers["etag"]
    fresh = await client.put(
        f"{url}/response", json={"score": 70}, headers=tenant.headers("peer") | {"If-Match": fresh_etag}
    )

    assert_problem(stale, 412, "PRECONDITION_FAILED")
    assert ok(fresh)["score"] == 70


# --- declining and cancelling ---------------------------------------------------------------------------------------


async def test_the_reviewer_declines(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    state = await open_review(session, client, tenant)
    ids = await requested(client, tenant, state.employee_eval, {"peer": tenant.peer.id})

    others = [await _move_request(client, tenant, ids["peer"], who, "declined") for who in ("manager", "admin")]
    declined = ok(await _move_request(client, tenant, ids["peer"], "peer", "declined", "本季度合作不多"))

    for response in others:
        assert_problem(response, 403, "FORBIDDEN")
    assert declined["status"] == "declined"
    history = ok(await client.get(f"{API}/feedback-requests/{ids['peer']}/transitions", headers=tenant.headers("peer")))
    assert [(t["from"], t["to"], t["comment"]) for t in history["items"]] == [
        (None, "requested", None),
        ("requested", "declined", "本季度合作不多"),
    ]
    assert_problem(await _move_request(client, tenant, ids["peer"], "peer", "cancelled"), 409, "INVALID_TRANSITION")
    event = await session.scalar(
        select(OutboxEvent)
        .where(OutboxEvent.type == "feedback_request.transitioned")
        .order_by(OutboxEvent.occurred_at.desc())
    )
    assert event is not None
    assert (event.data["from"], event.data["to"], event.data["comment"]) == ("requested", "declined", "本季度合作不多")
    assert event.data["resource"]["id"] == ids["peer"]


@pytest.mark.parametrize(
    ("nominator", "canceller", "status"),
    [
        ("manager", "manager", 200),
        ("manager", "admin", 200),
        ("admin", "manager", 403),  # a manager who did not ask cancels nothing
        ("manager", "peer", 403),  # the reviewer declines instead
    ],
)
async def test_the_nominator_or_an_admin_cancels_a_request(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, nominator: str, canceller: str, status: int
) -> None:
    state = await open_review(session, client, tenant)
    ids = await requested(client, tenant, state.employee_eval, {"peer": tenant.peer.id}, nominator)

    response = await _move_request(client, tenant, ids["peer"], canceller, "cancelled")

    if status == 200:
        assert ok(response)["status"] == "cancelled"
    else:
        assert_problem(response, 403, "FORBIDDEN")


async def test_the_evaluated_employee_cancels_nothing_they_cannot_see(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    """They nominated it, but a request on their own evaluation does not exist for them (404): whether it was
    answered must not show through a refusal."""
    state = await open_review(session, client, tenant)
    ids = await requested(client, tenant, state.employee_eval, {"peer": tenant.peer.id}, "employee")

    assert_problem(await _move_request(client, tenant, ids["peer"], "employee", "cancelled"), 404, "NOT_FOUND")


@pytest.mark.parametrize("to", ["submitted", "requested", "approved"])
async def test_a_request_is_submitted_by_its_response_only(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, to: str
) -> None:
    state = await open_review(session, client, tenant)
    ids = await requested(client, tenant, state.employee_eval, {"peer": tenant.peer.id})

    problem = assert_problem(await _move_request(client, tenant, ids["peer"], "peer", to), 409, "INVALID_TRANSITION")

    assert problem["allowed"] == ["declined", "cancelled"]


# --- the peer score -------------------------------------------------------------------------------------------------


async def test_the_peer_score_counts_from_peer_min_responses_and_moves_the_final_score(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    state = await in_manager_review(session, client, tenant)
    other = await add_reviewer(session, settings, tenant, "other")
    ids = await requested(client, tenant, state.employee_eval, {"peer": tenant.peer.id, "other": other.id})
    before = await _evaluation(client, tenant, state.employee_eval)

    ok(await respond(client, tenant, ids["peer"], "peer", 100))
    one = await _evaluation(client, tenant, state.employee_eval)
    ok(await respond(client, tenant, ids["other"], "other", 70))
    two = await _evaluation(client, tenant, state.employee_eval)
    ok(await respond(client, tenant, ids["other"], "other", 90))
    changed = await _evaluation(client, tenant, state.employee_eval)

    assert (before["peer_score"], before["peer_responses"], before["final_score"]) == (None, 0, 81)
    # One response of the two the policy needs: no peer score, the peer part still left out.
    assert (one["peer_score"], one["peer_responses"], one["final_score"], one["rating"]) == (None, 1, 81, "B")
    # (100 + 70) / 2 = 85; (78·60 + 90·20 + 85·20) / 100 = 81.8
    assert (two["peer_score"], two["peer_responses"], two["final_score"]) == (85, 2, 81.8)
    # (100 + 90) / 2 = 95; (4680 + 1800 + 1900) / 100 = 83.8
    assert (changed["peer_score"], changed["peer_responses"], changed["final_score"]) == (95, 2, 83.8)


async def test_cancelling_a_submitted_response_takes_it_out_of_the_peer_score(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    state = await in_manager_review(session, client, tenant)
    other = await add_reviewer(session, settings, tenant, "other")
    ids = await requested(client, tenant, state.employee_eval, {"peer": tenant.peer.id, "other": other.id})
    ok(await respond(client, tenant, ids["peer"], "peer", 100))
    ok(await respond(client, tenant, ids["other"], "other", 70))

    by_nominator = await _move_request(client, tenant, ids["other"], "manager", "cancelled")
    by_admin = ok(
        await _move_request(client, tenant, ids["other"], "admin", "cancelled", "评价人与被评估人存在利益冲突")
    )
    after = await _evaluation(client, tenant, state.employee_eval)

    assert_problem(by_nominator, 403, "FORBIDDEN")  # a submitted response is withdrawn by an admin only
    assert (by_admin["status"], by_admin["score"]) == ("cancelled", 70)  # kept, no longer counted
    assert (after["peer_score"], after["peer_responses"], after["final_score"]) == (None, 1, 81)


async def test_the_policy_decides_when_the_peer_score_counts(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await in_manager_review(session, client, tenant)
    ids = await requested(client, tenant, state.employee_eval, {"peer": tenant.peer.id})
    ok(await respond(client, tenant, ids["peer"], "peer", 100))
    policy = {"components": {"results": 60, "manager": 20, "self": 0, "peer": 20}}

    ok(
        await client.patch(
            f"{API}/cycles/{state.scenario.cycle_id}",
            json={"policy": policy | {"peer_min_responses": 1}},
            headers=tenant.headers("admin"),
        )
    )
    one_is_enough = await _evaluation(client, tenant, state.employee_eval)
    ok(
        await client.patch(
            f"{API}/cycles/{state.scenario.cycle_id}",
            json={"policy": policy | {"peer_min_responses": 3}},
            headers=tenant.headers("admin"),
        )
    )
    three_needed = await _evaluation(client, tenant, state.employee_eval)

    # (78·60 + 90·20 + 100·20) / 100 = 84.8
    assert (one_is_enough["peer_score"], one_is_enough["final_score"]) == (100, 84.8)
    assert (three_needed["peer_score"], three_needed["peer_responses"], three_needed["final_score"]) == (None, 1, 81)


async def test_check_ins_and_reviews_keep_the_peer_score_in_the_final_score(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    state = await in_manager_review(session, client, tenant)
    other = await add_reviewer(session, settings, tenant, "other")
    ids = await requested(client, tenant, state.employee_eval, {"peer": tenant.peer.id, "other": other.id})
    ok(await respond(client, tenant, ids["peer"], "peer", 100))
    ok(await respond(client, tenant, ids["other"], "other", 70))
    sales = str(state.scenario.employee_kprs[0].id)  # b 200, t 300, weight 60: 250 → 50

    ok(
        await client.post(
            f"{API}/kprs/{sales}/check-ins",
            json={"value": 300, "recorded_at": "2026-09-01T09:00:00Z"},
            headers=tenant.headers("employee"),
        ),
        201,
    )
    checked_in = await _evaluation(client, tenant, state.employee_eval)
    ok(
        await client.put(
            evaluation_url(state.employee_eval, "/manager-review"),
            json={"score": 100},
            headers=tenant.headers("manager"),
        )
    )
    reviewed = await _evaluation(client, tenant, state.employee_eval)

    # results (60·100 + 40·120) / 100 = 108; (108·60 + 90·20 + 85·20) / 100 = 99.8
    assert (checked_in["results_score"], checked_in["peer_score"], checked_in["final_score"]) == (108, 85, 99.8)
    # (108·60 + 100·20 + 85·20) / 100 = 101.8
    assert (reviewed["peer_score"], reviewed["final_score"]) == (85, 101.8)


async def test_finalizing_freezes_the_peer_score_and_reopening_keeps_it(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    state = await in_manager_review(session, client, tenant)
    other = await add_reviewer(session, settings, tenant, "other")
    ids = await requested(client, tenant, state.employee_eval, {"peer": tenant.peer.id, "other": other.id})
    ok(await respond(client, tenant, ids["peer"], "peer", 100))
    ok(await respond(client, tenant, ids["other"], "other", 70))
    await move(client, tenant, "manager", state.employee_eval, "calibration")
    await move_cycle(client, tenant, state.scenario.cycle_id, "calibration")

    finalized = await move(client, tenant, "admin", state.employee_eval, "finalized")
    cancel = await _move_request(client, tenant, ids["other"], "admin", "cancelled")
    row = (
        await session.scalars(
            select(Evaluation)
            .where(Evaluation.id == uuid.UUID(state.employee_eval))
            .execution_options(populate_existing=True)
        )
    ).one()
    reopened = await move(client, tenant, "admin", state.employee_eval, "calibration")

    assert (finalized["peer_score"], finalized["peer_responses"], finalized["final_score"]) == (85, 2, 81.8)
    assert_problem(cancel, 409, "EVALUATION_LOCKED")
    assert row.snapshot is not None
    assert row.snapshot["inputs"]["peer_responses"] == 2
    assert Decimal(row.snapshot["inputs"]["peer_score"]) == 85
    assert row.snapshot["policy"]["peer_min_responses"] == 2
    assert row.snapshot["policy"]["components"]["peer"] == 20
    assert (reopened["peer_score"], reopened["peer_responses"], reopened["final_score"]) == (85, 2, 81.8)
    # Reopened, the evaluation is live again: an admin may now withdraw a response, and the figures follow.
    ok(await _move_request(client, tenant, ids["other"], "admin", "cancelled"))
    after = await _evaluation(client, tenant, state.employee_eval)
    assert (after["peer_score"], after["peer_responses"], after["final_score"]) == (None, 1, 81)
