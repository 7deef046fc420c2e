"""Another tenant's feedback requests, conversations and evaluations do not exist for the caller: 404 on every
endpoint of §10, and never listed."""

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import assert_problem, ok
from tests.factories import API, Tenant, open_review, requested


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        (
            "POST",
            "/evaluations/{evaluation}/feedback-requests",
            {"reviewer_ids": ["{reviewer}"], "relationship": "peer"},
        ),
        ("GET", "/feedback-requests/{request}", None),
        ("PUT", "/feedback-requests/{request}/response", {"score": 80}),
        ("GET", "/feedback-requests/{request}/transitions", None),
        ("POST", "/feedback-requests/{request}/transitions", {"to": "cancelled"}),
        ("GET", "/evaluations/{evaluation}/feedback", None),
        ("GET", "/evaluations/{evaluation}/conversations", None),
        ("POST", "/evaluations/{evaluation}/conversations", {"held_at": "2026-10-12T06:30:00Z", "notes": "面谈"}),
        ("GET", "/conversations/{conversation}", None),
        ("PATCH", "/conversations/{conversation}", {"employee_comment": "同意"}),
    ],
)
@pytest.mark.parametrize("who", ["admin", "service", "manager", "employee", "peer"])
async def test_another_tenants_ids_are_404(
    client: httpx.AsyncClient,
    session: AsyncSession,
    tenant: Tenant,
    other_tenant: Tenant,
    method: str,
    path: str,
    body: dict[str, object] | None,
    who: str,
) -> None:
    theirs = await open_review(session, client, other_tenant)
    ids = await requested(client, other_tenant, theirs.employee_eval, {"peer": other_tenant.peer.id})
    conversation = ok(
        await client.post(
            f"{API}/evaluations/{theirs.employee_eval}/conversations",
            json={"held_at": "2026-10-12T06:30:00Z", "notes": "结果面谈"},
            headers=other_tenant.headers("manager"),
        ),
        201,
    )
    url = API + path.format(evaluation=theirs.employee_eval, request=ids["peer"], conversation=conversation["id"])
    if body is not None and "reviewer_ids" in body:  # one of the caller's own people, asked about their evaluation
        body = {**body, "reviewer_ids": [str(tenant.peer.id)]}

    response = await client.request(method, url, json=body, headers=tenant.headers(who))

    assert_problem(response, 404, "NOT_FOUND")


async def test_another_tenants_requests_are_never_listed(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = await open_review(session, client, other_tenant)
    await requested(client, other_tenant, theirs.employee_eval, {"peer": other_tenant.peer.id})

    for params in ({}, {"evaluation_id": theirs.employee_eval}, {"reviewer_id": str(other_tenant.peer.id)}):
        page = ok(await client.get(f"{API}/feedback-requests", params=params, headers=tenant.headers("admin")))
        assert page["items"] == []
