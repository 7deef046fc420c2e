"""The feedback tests' builders: more reviewers with tokens, and the three steps of 360 feedback through the API.

With ``PEER_POLICY`` (results 60, manager 20, peer 20; two responses make a peer score), the scenario's employee
(results 78, see ``tests.factories.evaluations``) reviewed 90 by their manager has, without a peer score,
final = (78·60 + 90·20) / 80 = 81; with responses 100 and 70 (peer 85), final = (78·60 + 90·20 + 85·20) / 100 = 81.8.
"""

import uuid
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.security import mint_token
from app.models import Employee
from tests.assertions import ok
from tests.factories.api import API
from tests.factories.evaluations import InReview, move, open_review
from tests.factories.org import Tenant, make_employee

PEER_POLICY: dict[str, Any] = {
    "components": {"results": 60, "manager": 20, "self": 0, "peer": 20},
    "peer_min_responses": 2,
}


async def add_reviewer(session: AsyncSession, settings: Settings, tenant: Tenant, who: str) -> Employee:
    """Another employee of the tenant (reporting to nobody), with a token under ``who``."""
    employee = await make_employee(session, tenant.org, name=f"评价人{who}")
    await session.commit()
    tenant.tokens[who] = mint_token(settings, subject=employee.external_id, organization_id=tenant.org.id, roles=[])
    return employee


async def nominate(
    client: httpx.AsyncClient,
    tenant: Tenant,
    evaluation_id: str,
    reviewer_ids: list[uuid.UUID] | list[str],
    who: str = "manager",
    **body: Any,
) -> httpx.Response:
    payload = {"reviewer_ids": [str(r) for r in reviewer_ids], "relationship": "peer", **body}
    return await client.post(
        f"{API}/evaluations/{evaluation_id}/feedback-requests", json=payload, headers=tenant.headers(who)
    )


async def requested(
    client: httpx.AsyncClient, tenant: Tenant, evaluation_id: str, reviewers: dict[str, uuid.UUID], who: str = "manager"
) -> dict[str, str]:
    """Nominate each reviewer (their token: their employee id); the new requests' ids, by the reviewer's token."""
    created = ok(await nominate(client, tenant, evaluation_id, list(reviewers.values()), who), 201)["items"]
    by_reviewer = {item["reviewer_id"]: item["id"] for item in created}
    return {token: by_reviewer[str(reviewer_id)] for token, reviewer_id in reviewers.items()}


async def respond(
    client: httpx.AsyncClient, tenant: Tenant, request_id: str, who: str, score: float | int, **body: Any
) -> httpx.Response:
    return await client.put(
        f"{API}/feedback-requests/{request_id}/response",
        json={"score": score, **body},
        headers=tenant.headers(who),
    )


async def in_manager_review(
    session: AsyncSession,
    client: httpx.AsyncClient,
    tenant: Tenant,
    *,
    policy: dict[str, Any] | None = None,
    manager_score: int = 90,
) -> InReview:
    """The scenario (``PEER_POLICY`` unless told) with the employee's evaluation in manager review, reviewed."""
    state = await open_review(session, client, tenant, policy=PEER_POLICY if policy is None else policy)
    await move(client, tenant, "employee", state.employee_eval, "manager_review")
    ok(
        await client.put(
            f"{API}/evaluations/{state.employee_eval}/manager-review",
            json={"score": manager_score},
            headers=tenant.headers("manager"),
        )
    )
    return state
