"""Racing writers of feedback, really committed (see tests/core/test_races.py): on PostgreSQL the requests run at once
on separate connections, where a check made before the insert lets every racer through and only the database's
partial unique index, or the lock on the evaluation, can hold."""

import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from decimal import Decimal

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from app.core.config import Settings
from app.core.security import mint_token
from app.models import Employee, FeedbackRequest
from app.scoring import engine
from tests.assertions import ok
from tests.core.test_races import released_together
from tests.factories import (
    API,
    PEER_POLICY,
    InReview,
    Tenant,
    make_employee,
    make_tenant,
    move,
    nominate,
    open_review,
    requested,
)

RACERS = 12
# Rounds of two nominations naming the same CROSSED reviewers, one in the other's reverse order.
ROUNDS = 8
CROSSED = 10


async def _committed(
    app: FastAPI, settings: Settings, client: httpx.AsyncClient
) -> tuple[Tenant, InReview, list[Employee]]:
    """A tenant (PEER_POLICY) with the employee's evaluation in manager review, and RACERS more employees."""
    async with app.state.sessionmaker() as session:
        tenant = await make_tenant(session, settings, f"反馈竞争{uuid.uuid4().hex[:6]}")
        await session.commit()
        state = await open_review(session, client, tenant, policy=PEER_POLICY)
        others = [await make_employee(session, tenant.org, name=f"评价人{n}") for n in range(RACERS)]
        await session.commit()
    await move(client, tenant, "employee", state.employee_eval, "manager_review")
    review = f"{API}/evaluations/{state.employee_eval}/manager-review"
    ok(await client.put(review, json={"score": 90}, headers=tenant.headers("manager")))
    return tenant, state, others


async def test_of_racing_nominations_of_one_reviewer_exactly_one_wins(
    app: FastAPI, settings: Settings, committed_client: httpx.AsyncClient
) -> None:
    tenant, state, others = await _committed(app, settings, committed_client)
    nominators = ["manager", "admin", "employee"]

    def nomination(n: int) -> Callable[[], Awaitable[httpx.Response]]:
        # Each names the same reviewer and one of their own: all or nothing, so a loser keeps neither.
        reviewers = [tenant.peer.id, others[n].id]
        return lambda: nominate(committed_client, tenant, state.employee_eval, reviewers, nominators[n % 3])

    responses = await released_together([nomination(n) for n in range(RACERS)])

    statuses = Counter(response.status_code for response in responses)
    assert statuses == {201: 1, 409: RACERS - 1}, [r.text for r in responses]
    for response in responses:
        if response.status_code == 409:
            body = response.json()
            assert body["code"] == "FEEDBACK_ALREADY_REQUESTED"
            assert body["reviewer_ids"] == [str(tenant.peer.id)]
    winner = next(r for r in responses if r.status_code == 201).json()["items"]
    async with app.state.sessionmaker() as session:
        kept = list(
            await session.scalars(
                select(FeedbackRequest.reviewer_id).where(
                    FeedbackRequest.evaluation_id == uuid.UUID(state.employee_eval)
                )
            )
        )
    assert sorted(map(str, kept)) == sorted(item["reviewer_id"] for item in winner)


async def test_nominations_naming_the_same_reviewers_in_opposite_orders_never_deadlock(
    app: FastAPI, settings: Settings, committed_client: httpx.AsyncClient
) -> None:
    tenant, state, _ = await _committed(app, settings, committed_client)
    async with app.state.sessionmaker() as session:
        people = [await make_employee(session, tenant.org, name=f"交叉{n}") for n in range(ROUNDS * CROSSED)]
        await session.commit()

    def nomination(reviewers: list[Employee], who: str) -> Callable[[], Awaitable[httpx.Response]]:
        ids = [reviewer.id for reviewer in reviewers]
        return lambda: nominate(committed_client, tenant, state.employee_eval, ids, who)

    for round_ in range(ROUNDS):
        reviewers = people[round_ * CROSSED : (round_ + 1) * CROSSED]
        responses = await released_together([nomination(reviewers, "manager"), nomination(reviewers[::-1], "admin")])

        assert sorted(response.status_code for response in responses) == [201, 409], [r.text for r in responses]


async def test_racing_responses_all_count_in_the_peer_score(
    app: FastAPI, settings: Settings, committed_client: httpx.AsyncClient
) -> None:
    """Each response re-derives the peer score from the submitted ones; committed side by side, each must see the
    others' (the evaluation is locked before they are read), or the last one stores a mean that misses some."""
    tenant, state, others = await _committed(app, settings, committed_client)
    reviewers = {f"r{n}": employee.id for n, employee in enumerate(others)}
    for n, employee in enumerate(others):
        tenant.tokens[f"r{n}"] = mint_token(
            settings, subject=employee.external_id, organization_id=tenant.org.id, roles=[]
        )
    ids = await requested(committed_client, tenant, state.employee_eval, reviewers)
    scores = {who: 60 + 3 * n for n, who in enumerate(reviewers)}

    def response(who: str) -> Callable[[], Awaitable[httpx.Response]]:
        url = f"{API}/feedback-requests/{ids[who]}/response"
        return lambda: committed_client.put(url, json={"score": scores[who]}, headers=tenant.headers(who))

    answered = await released_together([response(who) for who in reviewers])

    assert [r.status_code for r in answered] == [200] * RACERS, [r.text for r in answered if r.status_code != 200]
    evaluation = ok(
        await committed_client.get(f"{API}/evaluations/{state.employee_eval}", headers=tenant.headers("admin"))
    )
    mean = sum((Decimal(score) for score in scores.values()), Decimal(0)) / RACERS
    assert evaluation["peer_responses"] == RACERS
    assert Decimal(str(evaluation["peer_score"])) == engine.round2(mean)
    async with app.state.sessionmaker() as session:
        submitted = await session.scalar(
            select(func.count()).select_from(FeedbackRequest).where(FeedbackRequest.status == "submitted")
        )
    assert submitted == RACERS
