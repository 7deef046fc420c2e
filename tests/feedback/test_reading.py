"""Who sees which feedback request, and how much of it (DESIGN §6, §10): GET /feedback-requests and /{id}."""

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from tests.assertions import assert_problem, ok
from tests.factories import (
    API,
    Tenant,
    add_reviewer,
    make_employee,
    nominate,
    open_review,
    requested,
    respond,
)


async def _two_evaluations_with_requests(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings
) -> dict[str, str]:
    """On the employee's evaluation: the peer (answered, 80) and an outsider (asked); on the peer's: the employee.
    Request ids by name."""
    state = await open_review(session, client, tenant)
    outsider = await add_reviewer(session, settings, tenant, "outsider")
    on_employee = await requested(
        client, tenant, state.employee_eval, {"peer": tenant.peer.id, "outsider": outsider.id}, "employee"
    )
    ok(await respond(client, tenant, on_employee["peer"], "peer", 80, comment="乐于协作"))
    on_peer = await requested(client, tenant, state.peer_eval, {"employee": tenant.employee.id})
    return {
        "peer→employee": on_employee["peer"],
        "outsider→employee": on_employee["outsider"],
        "employee→peer": on_peer["employee"],
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", {"peer→employee", "outsider→employee", "employee→peer"}),
        ("service", {"peer→employee", "outsider→employee", "employee→peer"}),
        ("manager", {"peer→employee", "outsider→employee", "employee→peer"}),
        # The employee sees only the request they answer, never those on their own evaluation (which they asked for).
        ("employee", {"employee→peer"}),
        ("peer", {"peer→employee"}),
        ("outsider", {"outsider→employee"}),
    ],
)
async def test_each_caller_lists_what_they_may_see(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings, who: str, expected: set[str]
) -> None:
    ids = await _two_evaluations_with_requests(client, session, tenant, settings)
    names = {request_id: name for name, request_id in ids.items()}

    page = ok(await client.get(f"{API}/feedback-requests", headers=tenant.headers(who)))

    assert {names[item["id"]] for item in page["items"]} == expected
    for name, request_id in ids.items():
        response = await client.get(f"{API}/feedback-requests/{request_id}", headers=tenant.headers(who))
        if name in expected:
            assert ok(response)["id"] == request_id
        else:
            assert_problem(response, 404, "NOT_FOUND")


@pytest.mark.parametrize(("who", "shown"), [("peer", True), ("admin", True), ("manager", False), ("service", False)])
async def test_the_response_is_shown_to_its_reviewer_and_admins_only(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings, who: str, shown: bool
) -> None:
    ids = await _two_evaluations_with_requests(client, session, tenant, settings)
    request_id = ids["peer→employee"]

    one = ok(await client.get(f"{API}/feedback-requests/{request_id}", headers=tenant.headers(who)))
    listed = ok(
        await client.get(f"{API}/feedback-requests", params={"status": "submitted"}, headers=tenant.headers(who))
    )

    assert [item["id"] for item in listed["items"]] == [request_id]
    for item in (one, listed["items"][0]):
        assert item["status"] == "submitted"
        assert item["reviewer_id"] == str(tenant.peer.id)
        assert item["submitted_at"] is not None
        if shown:
            assert (item["score"], item["comment"]) == (80, "乐于协作")
        else:
            assert (item["score"], item["comment"], item["items"]) == (None, None, [])


async def test_filters(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings) -> None:
    ids = await _two_evaluations_with_requests(client, session, tenant, settings)
    headers = tenant.headers("admin")
    employee_eval = ok(await client.get(f"{API}/feedback-requests/{ids['peer→employee']}", headers=headers))[
        "evaluation_id"
    ]

    by_reviewer = ok(
        await client.get(f"{API}/feedback-requests", params={"reviewer_id": str(tenant.peer.id)}, headers=headers)
    )
    by_evaluation = ok(
        await client.get(f"{API}/feedback-requests", params={"evaluation_id": employee_eval}, headers=headers)
    )
    by_status = ok(await client.get(f"{API}/feedback-requests", params={"status": "requested"}, headers=headers))
    bad = await client.get(f"{API}/feedback-requests", params={"status": "answered"}, headers=headers)

    assert [item["id"] for item in by_reviewer["items"]] == [ids["peer→employee"]]
    assert {item["id"] for item in by_evaluation["items"]} == {ids["peer→employee"], ids["outsider→employee"]}
    assert {item["id"] for item in by_status["items"]} == {ids["outsider→employee"], ids["employee→peer"]}
    assert_problem(bad, 422, "VALIDATION_FAILED")


async def test_pages_follow_the_cursor(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    ids = await _two_evaluations_with_requests(client, session, tenant, settings)
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = ok(await client.get(f"{API}/feedback-requests", params=params, headers=tenant.headers("admin")))
        seen += [item["id"] for item in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]

    assert sorted(seen) == sorted(ids.values())
    assert len(seen) == 3


async def _statements_to_list(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, count_statements: Any, how_many: int, who: str
) -> int:
    state = await open_review(session, client, tenant)
    reviewers = [await make_employee(session, tenant.org, name=f"评价人{n}") for n in range(how_many)]
    await session.commit()
    ok(await nominate(client, tenant, state.employee_eval, [r.id for r in reviewers]), 201)
    with count_statements() as counter:
        page = ok(await client.get(f"{API}/feedback-requests", headers=tenant.headers(who)))
    assert len(page["items"]) == how_many
    count: int = counter.count
    return count


@pytest.mark.parametrize("who", ["admin", "manager"])
async def test_listing_does_not_grow_with_the_page(
    client: httpx.AsyncClient,
    session: AsyncSession,
    tenant: Tenant,
    other_tenant: Tenant,
    count_statements: Any,
    who: str,
) -> None:
    few = await _statements_to_list(client, session, tenant, count_statements, 2, who)
    many = await _statements_to_list(client, session, other_tenant, count_statements, 40, who)

    assert few == many
    assert many <= 3
