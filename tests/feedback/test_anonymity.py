"""Feedback is anonymous (DESIGN §10): GET /evaluations/{id}/feedback names reviewers to admins only and shows
nothing to the others below peer_min_responses; and the evaluated employee — an admin among them — learns who said
what from no endpoint at all."""

from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.security import mint_token
from app.models import Employee
from tests.assertions import assert_problem, ok
from tests.factories import API, InReview, Tenant, add_reviewer, in_manager_review, requested, respond


def feedback_url(evaluation_id: str) -> str:
    return f"{API}/evaluations/{evaluation_id}/feedback"


@dataclass
class Answered:
    state: InReview
    outsider: Employee
    ids: dict[str, str]  # request ids by the reviewer's token


async def _answered(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings, responses: int
) -> Answered:
    """The employee's evaluation (PEER_POLICY: two responses count) with three reviewers asked, ``responses`` of them
    answered: the peer (100, first), then an outsider (70), then the HR admin (85). The employee also gets an admin
    token (``employee-admin``): an admin being evaluated."""
    state = await in_manager_review(session, client, tenant)
    outsider = await add_reviewer(session, settings, tenant, "outsider")
    tenant.tokens["employee-admin"] = mint_token(
        settings, subject=tenant.employee.external_id, organization_id=tenant.org.id, roles=["admin"]
    )
    reviewers = {"peer": tenant.peer.id, "outsider": outsider.id, "admin": tenant.admin.id}
    ids = await requested(client, tenant, state.employee_eval, reviewers, "employee")
    for who, score in list(zip(("peer", "outsider", "admin"), (100, 70, 85), strict=True))[:responses]:
        ok(await respond(client, tenant, ids[who], who, score, comment=f"{who} 的意见"))
    return Answered(state, outsider, ids)


# --- GET /evaluations/{id}/feedback ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["employee", "employee-admin", "manager", "service"])
async def test_below_peer_min_responses_nothing_is_shown_but_the_count(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings, who: str
) -> None:
    answered = await _answered(client, session, tenant, settings, responses=1)

    body = ok(await client.get(feedback_url(answered.state.employee_eval), headers=tenant.headers(who)))

    assert body == {"responses": 1, "peer_score": None, "items": []}


@pytest.mark.parametrize("who", ["employee", "employee-admin", "manager", "service"])
async def test_from_peer_min_responses_the_responses_are_shown_without_names(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings, who: str
) -> None:
    answered = await _answered(client, session, tenant, settings, responses=3)

    body = ok(await client.get(feedback_url(answered.state.employee_eval), headers=tenant.headers(who)))

    assert (body["responses"], body["peer_score"]) == (3, 85)  # (100 + 70 + 85) / 3
    assert sorted((item["score"], item["comment"]) for item in body["items"]) == [
        (70, "outsider 的意见"),
        (85, "admin 的意见"),
        (100, "peer 的意见"),
    ]
    assert {item["reviewer_id"] for item in body["items"]} == {None}
    assert {item["relationship"] for item in body["items"]} == {"peer"}


async def test_admins_see_every_response_with_its_reviewer(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    answered = await _answered(client, session, tenant, settings, responses=1)

    body = ok(await client.get(feedback_url(answered.state.employee_eval), headers=tenant.headers("admin")))

    assert body["responses"] == 1
    assert body["peer_score"] is None
    assert [(item["reviewer_id"], item["score"]) for item in body["items"]] == [(str(tenant.peer.id), 100)]


async def test_who_may_not_read_the_evaluation_reads_no_feedback(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    """The reviewers themselves included: they see their own request, not the evaluation's feedback."""
    answered = await _answered(client, session, tenant, settings, responses=3)

    for who in ("peer", "outsider"):
        response = await client.get(feedback_url(answered.state.employee_eval), headers=tenant.headers(who))
        assert_problem(response, 404, "NOT_FOUND")


# --- the evaluated employee learns nothing of who said what ---------------------------------------------------------


@pytest.mark.parametrize("who", ["employee", "employee-admin"])
async def test_the_evaluated_employee_cannot_learn_who_said_what_from_any_endpoint(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings, who: str
) -> None:
    answered = await _answered(client, session, tenant, settings, responses=3)
    evaluation_id, cycle_id = answered.state.employee_eval, answered.state.scenario.cycle_id
    headers = tenant.headers(who)
    reviewers = {str(tenant.peer.id), str(answered.outsider.id), str(tenant.admin.id)}
    # They know whom they asked and the requests' ids (the nomination answered them); never who answered what.
    secrets = reviewers | {answered.outsider.external_id, answered.outsider.name}
    seen: list[str] = []

    async def read(path: str, **params: Any) -> httpx.Response:
        response = await client.get(f"{API}{path}", params=params, headers=headers)
        seen.append(response.text)
        return response

    # The requests: on every filter, none; by id, none of them exists.
    for params in (
        {},
        {"evaluation_id": evaluation_id},
        {"status": "submitted"},
        {"status": "requested"},
        *({"reviewer_id": reviewer} for reviewer in reviewers),
    ):
        assert ok(await read("/feedback-requests", **params))["items"] == []
    for request_id in answered.ids.values():
        assert_problem(await read(f"/feedback-requests/{request_id}"), 404, "NOT_FOUND")
        assert_problem(await read(f"/feedback-requests/{request_id}/transitions"), 404, "NOT_FOUND")
        url = f"{API}/feedback-requests/{request_id}"
        cancel = await client.post(f"{url}/transitions", json={"to": "cancelled"}, headers=headers)
        answer = await client.put(f"{url}/response", json={"score": 1}, headers=headers)
        assert_problem(cancel, 404, "NOT_FOUND")
        assert_problem(answer, 404, "NOT_FOUND")
    # The evaluation: the count and the mean, nothing else.
    evaluation = ok(await read(f"/evaluations/{evaluation_id}"))
    assert (evaluation["peer_responses"], evaluation["peer_score"]) == (3, 85)
    # (An admin lists everyone's evaluations, the reviewers' own among them: their own is the one that matters.)
    ok(await read("/evaluations", cycle_id=cycle_id, employee_id=str(tenant.employee.id)))
    ok(await read(f"/evaluations/{evaluation_id}/transitions"))
    # The responses, without names.
    assert len(ok(await read(f"/evaluations/{evaluation_id}/feedback"))["items"]) == 3
    # The audit trail: HR's, and even an admin's leaves out the requests on their own evaluation.
    audit = await read("/audit-events", limit=200)
    by_entity = [
        await read("/audit-events", entity_type="feedback_request", entity_id=i) for i in answered.ids.values()
    ]
    # The export, for whole-organization readers: no feedback in it.
    export = await read(f"/cycles/{cycle_id}/evaluations/export")
    webhooks = await read("/webhooks")

    if who == "employee":
        assert_problem(audit, 403, "FORBIDDEN")
        assert_problem(export, 403, "FORBIDDEN")
        assert_problem(webhooks, 403, "FORBIDDEN")
    else:
        entries = ok(audit)["items"]
        assert entries  # the trail is there, the evaluated admin's own feedback is not
        assert not [entry for entry in entries if entry["entity_id"] in answered.ids.values()]
        assert all(ok(response)["items"] == [] for response in by_entity)
        assert export.status_code == 200
    for text in seen:
        for secret in secrets:
            assert secret not in text, f"{secret} shown to the evaluated employee in {text[:300]}"


async def test_others_still_audit_the_requests_of_an_evaluated_admin(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    answered = await _answered(client, session, tenant, settings, responses=1)

    entries = ok(
        await client.get(
            f"{API}/audit-events",
            params={"entity_type": "feedback_request", "entity_id": answered.ids["peer"]},
            headers=tenant.headers("admin"),
        )
    )["items"]

    assert [entry["action"] for entry in entries] == ["respond", "create"]
    assert entries[0]["actor"] == tenant.peer.external_id
