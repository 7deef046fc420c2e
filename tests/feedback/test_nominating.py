"""POST /evaluations/{id}/feedback-requests: who may ask whom, when, and at what cost (DESIGN §10)."""

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.feedback import service as feedback
from app.models import AuditEvent, OutboxEvent, StateTransition
from tests.assertions import assert_problem, ok
from tests.factories import (
    API,
    Tenant,
    add_reviewer,
    in_manager_review,
    make_employee,
    move,
    move_cycle,
    nominate,
    open_review,
    requested,
)


@pytest.mark.parametrize("who", ["employee", "manager", "admin"])
async def test_the_employee_their_managers_and_admins_nominate(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings, who: str
) -> None:
    state = await open_review(session, client, tenant)
    other = await add_reviewer(session, settings, tenant, "other")

    response = await nominate(
        client,
        tenant,
        state.employee_eval,
        [tenant.peer.id, other.id],
        who,
        relationship="cross_functional",
        due_date="2026-10-15",
        message="请评价协作情况",
    )

    items = ok(response, 201)["items"]
    assert [item["reviewer_id"] for item in items] == [str(tenant.peer.id), str(other.id)]
    for item in items:
        assert item["evaluation_id"] == state.employee_eval
        assert (item["relationship"], item["status"], item["due_date"]) == (
            "cross_functional",
            "requested",
            "2026-10-15",
        )
        assert item["message"] == "请评价协作情况"
        assert (item["score"], item["comment"], item["items"], item["submitted_at"]) == (None, None, [], None)


async def test_a_manager_above_the_manager_nominates_too(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    state = await open_review(session, client, tenant)
    director = await add_reviewer(session, settings, tenant, "director")
    tenant.manager.manager_id = director.id
    await session.commit()

    ok(await nominate(client, tenant, state.employee_eval, [tenant.peer.id], "director"), 201)


@pytest.mark.parametrize(("who", "status", "code"), [("peer", 404, "NOT_FOUND"), ("service", 403, "FORBIDDEN")])
async def test_others_may_not_nominate(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, who: str, status: int, code: str
) -> None:
    """Who cannot see the evaluation gets 404; a service sees it but asks no one (403)."""
    state = await open_review(session, client, tenant)

    response = await nominate(client, tenant, state.employee_eval, [tenant.manager.id], who)

    assert_problem(response, status, code)


async def test_the_evaluated_employee_is_never_a_reviewer(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)

    response = await nominate(client, tenant, state.employee_eval, [tenant.peer.id, tenant.employee.id])

    body = assert_problem(response, 422, "VALIDATION_FAILED")
    assert [error["loc"] for error in body["errors"]] == [["body", "reviewer_ids", 1]]
    assert str(tenant.employee.id) in body["errors"][0]["msg"]


async def test_reviewers_are_active_employees_of_the_organization(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)
    gone = await make_employee(session, tenant.org, name="已离职")
    gone.active = False
    await session.commit()
    unknown = uuid.uuid4()

    response = await nominate(
        client, tenant, state.employee_eval, [tenant.peer.id, gone.id, other_tenant.peer.id, unknown]
    )

    body = assert_problem(response, 422, "VALIDATION_FAILED")
    assert [error["loc"][-1] for error in body["errors"]] == [1, 2, 3]
    # Inactive, another tenant's and unknown read alike: nothing about the other tenant shows.
    messages = [
        error["msg"].replace(str(reviewer), "ID")
        for error, reviewer in zip(body["errors"], [gone.id, other_tenant.peer.id, unknown], strict=True)
    ]
    assert len(set(messages)) == 1


@pytest.mark.parametrize(
    "reviewers",
    [
        pytest.param([], id="none"),
        pytest.param(["same", "same"], id="repeated"),
        pytest.param([str(uuid.uuid4()) for _ in range(51)], id="more-than-50"),
    ],
)
async def test_the_list_of_reviewers_is_bounded_and_distinct(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, reviewers: list[str]
) -> None:
    state = await open_review(session, client, tenant)
    ids = [str(tenant.peer.id) if r == "same" else r for r in reviewers]

    assert_problem(await nominate(client, tenant, state.employee_eval, ids), 422, "VALIDATION_FAILED")


@pytest.mark.parametrize(
    "body",
    [
        {"relationship": "friend"},
        {"message": "x" * 4001},
        {"due_date": "2026-10-15T00:00:00Z"},
        {"unknown": 1},
    ],
)
async def test_the_body_is_checked(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, body: dict[str, Any]
) -> None:
    state = await open_review(session, client, tenant)

    response = await nominate(client, tenant, state.employee_eval, [tenant.peer.id], **body)

    assert_problem(response, 422, "VALIDATION_FAILED")


async def test_a_reviewer_with_a_live_request_is_refused_and_nothing_is_made(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    state = await open_review(session, client, tenant)
    other = await add_reviewer(session, settings, tenant, "other")
    ok(await nominate(client, tenant, state.employee_eval, [tenant.peer.id]), 201)

    response = await nominate(client, tenant, state.employee_eval, [other.id, tenant.peer.id], "employee")

    body = assert_problem(response, 409, "FEEDBACK_ALREADY_REQUESTED")
    assert body["reviewer_ids"] == [str(tenant.peer.id)]
    assert str(tenant.peer.id) in body["detail"]
    listed = ok(await client.get(f"{API}/feedback-requests", headers=tenant.headers("admin")))["items"]
    assert [item["reviewer_id"] for item in listed] == [str(tenant.peer.id)]


async def test_a_submitted_request_is_live_too_a_declined_or_cancelled_one_is_not(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    state = await open_review(session, client, tenant)
    other = await add_reviewer(session, settings, tenant, "other")
    ids = await requested(client, tenant, state.employee_eval, {"peer": tenant.peer.id, "other": other.id})
    ok(
        await client.put(
            f"{API}/feedback-requests/{ids['peer']}/response", json={"score": 80}, headers=tenant.headers("peer")
        )
    )
    ok(
        await client.post(
            f"{API}/feedback-requests/{ids['other']}/transitions",
            json={"to": "declined"},
            headers=tenant.headers("other"),
        )
    )

    assert_problem(
        await nominate(client, tenant, state.employee_eval, [tenant.peer.id]), 409, "FEEDBACK_ALREADY_REQUESTED"
    )
    again = ok(await nominate(client, tenant, state.employee_eval, [other.id]), 201)["items"]
    assert again[0]["status"] == "requested"
    assert again[0]["id"] != ids["other"]


async def test_one_reviewer_may_be_asked_about_several_evaluations(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)

    ok(await nominate(client, tenant, state.employee_eval, [tenant.admin.id]), 201)
    ok(await nominate(client, tenant, state.peer_eval, [tenant.admin.id]), 201)


async def test_only_while_the_evaluation_is_in_review(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await in_manager_review(session, client, tenant)
    ok(await nominate(client, tenant, state.employee_eval, [tenant.peer.id]), 201)  # manager_review: still open
    await move(client, tenant, "manager", state.employee_eval, "calibration")
    await move_cycle(client, tenant, state.scenario.cycle_id, "calibration")

    in_calibration = await nominate(client, tenant, state.employee_eval, [tenant.admin.id], "admin")
    await move(client, tenant, "admin", state.employee_eval, "finalized")
    finalized = await nominate(client, tenant, state.employee_eval, [tenant.admin.id], "admin")

    body = assert_problem(in_calibration, 409, "INVALID_STATE")
    assert body["evaluation_status"] == "calibration"
    assert body["expected_statuses"] == ["self_review", "manager_review"]
    assert_problem(finalized, 409, "EVALUATION_LOCKED")


async def test_each_request_is_recorded_as_a_transition_an_audit_entry_and_an_event(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)

    items = ok(
        await nominate(client, tenant, state.employee_eval, [tenant.peer.id, tenant.admin.id], message="请反馈"), 201
    )["items"]

    ids = {uuid.UUID(item["id"]) for item in items}
    transitions = list(await session.scalars(select(StateTransition).where(StateTransition.entity_id.in_(ids))))
    assert {(t.entity_type, t.from_state, t.to_state, t.comment) for t in transitions} == {
        ("feedback_request", None, "requested", "请反馈")
    }
    assert len(transitions) == 2
    audits = list(await session.scalars(select(AuditEvent).where(AuditEvent.entity_id.in_(ids))))
    assert {(a.action, a.entity_type) for a in audits} == {("create", "feedback_request")}
    assert {a.after["reviewer_id"] for a in audits if a.after} == {str(tenant.peer.id), str(tenant.admin.id)}
    events = list(await session.scalars(select(OutboxEvent).where(OutboxEvent.type == "feedback_request.transitioned")))
    assert sorted(e.data["resource"]["id"] for e in events) == sorted(item["id"] for item in items)
    assert {(e.data["from"], e.data["to"], e.data["comment"]) for e in events} == {(None, "requested", "请反馈")}
    history = ok(
        await client.get(f"{API}/feedback-requests/{items[0]['id']}/transitions", headers=tenant.headers("admin"))
    )
    assert [(t["from"], t["to"]) for t in history["items"]] == [(None, "requested")]


async def test_a_racing_nomination_that_the_check_missed_meets_the_index(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one-query check sees no live request when a racing nomination has not committed yet; the partial unique
    index then refuses the second, and the answer is the same 409 naming the reviewer (tests/feedback/test_race.py
    races real requests on PostgreSQL)."""
    state = await open_review(session, client, tenant)
    ok(await nominate(client, tenant, state.employee_eval, [tenant.peer.id]), 201)
    real = feedback._reviewers
    calls = 0

    async def blind_once(*args: Any) -> list[uuid.UUID]:
        nonlocal calls
        calls += 1
        found = await real(*args)
        return [] if calls == 1 else found

    monkeypatch.setattr(feedback, "_reviewers", blind_once)

    response = await nominate(client, tenant, state.employee_eval, [tenant.admin.id, tenant.peer.id])

    body = assert_problem(response, 409, "FEEDBACK_ALREADY_REQUESTED")
    assert body["reviewer_ids"] == [str(tenant.peer.id)]
    count = await session.scalar(
        select(func.count()).select_from(StateTransition).where(StateTransition.entity_type == "feedback_request")
    )
    assert count == 1  # nothing of the refused nomination was kept


async def _statements_to_nominate(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, count_statements: Any, how_many: int
) -> int:
    state = await open_review(session, client, tenant)
    reviewers = [await make_employee(session, tenant.org, name=f"评价人{n}") for n in range(how_many)]
    await session.commit()
    with count_statements() as counter:
        items = ok(await nominate(client, tenant, state.employee_eval, [r.id for r in reviewers]), 201)["items"]
    assert len(items) == how_many
    count: int = counter.count
    return count


async def test_nominating_costs_the_same_for_3_or_30_reviewers(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant, count_statements: Any
) -> None:
    few = await _statements_to_nominate(client, session, tenant, count_statements, 3)
    many = await _statements_to_nominate(client, session, other_tenant, count_statements, 30)

    assert few == many
    assert many <= 10
