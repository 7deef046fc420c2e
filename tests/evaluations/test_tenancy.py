"""Another tenant's evaluations and cycles do not exist for the caller: 404 on every endpoint of this domain."""

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import assert_problem
from tests.factories import API, Tenant, open_review, to_calibration


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/evaluations/{evaluation}", None),
        ("PUT", "/evaluations/{evaluation}/self-review", {"score": 1}),
        ("PUT", "/evaluations/{evaluation}/manager-review", {"score": 1}),
        ("PUT", "/evaluations/{evaluation}/calibration", {"rating": "A", "reason": "r"}),
        ("GET", "/evaluations/{evaluation}/transitions", None),
        ("POST", "/evaluations/{evaluation}/transitions", {"to": "finalized"}),
        ("GET", "/cycles/{cycle}/summary", None),
        ("GET", "/cycles/{cycle}/calibration", None),
        ("GET", "/cycles/{cycle}/evaluations/export?format=csv", None),
        ("GET", "/cycles/{cycle}/evaluations/export?format=xlsx", None),
    ],
)
@pytest.mark.parametrize("who", ["admin", "service", "employee"])
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
    await to_calibration(client, other_tenant, theirs)
    url = API + path.format(evaluation=theirs.employee_eval, cycle=theirs.scenario.cycle_id)

    response = await client.request(method, url, json=body, headers=tenant.headers(who))

    assert_problem(response, 404, "NOT_FOUND")


async def test_another_tenants_evaluations_are_never_listed(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = await open_review(session, client, other_tenant)

    response = await client.get(
        f"{API}/evaluations", params={"cycle_id": theirs.scenario.cycle_id}, headers=tenant.headers("admin")
    )

    assert response.status_code == 200
    assert response.json()["items"] == []
