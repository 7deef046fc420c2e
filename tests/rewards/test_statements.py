"""Making a run is set-based: one statement reads the listed employees, one their evaluations, one inserts every line,
so 3 bases and 300 cost the same statements; so does reading the run back."""

import uuid
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.rewards.service import standings_of
from tests.assertions import ok
from tests.factories import API, Tenant, admin_actor
from tests.factories.rewards import rated_population, reward_runs_path


async def _statements(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, count_statements: Any, people: int
) -> tuple[int, int]:
    population = await rated_population(session, tenant, people)
    body = {
        "base": [{"employee_id": str(employee.id), "amount": 1000} for employee in population.employees],
        "budget": 1_000_000,
    }
    with count_statements() as made:
        response = await client.post(reward_runs_path(population.cycle.id), json=body, headers=tenant.headers("admin"))
    run = ok(response, 201)
    # S, A, B, C, D in turn: everyone is priced (D at 0), and the budget is shared to the cent.
    assert run["item_count"] == people
    assert sum(Decimal(str(item["amount"])) for item in run["items"]) == 1_000_000
    with count_statements() as read:
        again = ok(await client.get(f"{API}/reward-runs/{run['id']}", headers=tenant.headers("admin")))
    assert again == run
    return made.count, read.count


async def test_making_a_run_takes_the_same_statements_for_3_or_300_bases(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, count_statements: Any
) -> None:
    small = await _statements(client, session, tenant, count_statements, 3)
    large = await _statements(client, session, tenant, count_statements, 300)

    assert small == large
    made, read = small
    assert made <= 10, made
    assert read <= 4, read


async def test_tens_of_thousands_of_ids_are_one_bound_value(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, count_statements: Any
) -> None:
    # Beyond what either database takes as separate parameters (PostgreSQL 32,767, SQLite 32,766).
    population = await rated_population(session, tenant, 2)
    ids = [uuid.uuid4() for _ in range(40_000)] + [employee.id for employee in population.employees]

    with count_statements() as counter:
        found = await standings_of(session, admin_actor(tenant), population.cycle, ids)

    assert counter.count == 2
    assert set(found) == {employee.id for employee in population.employees}
    assert sorted(standing.final_rating or "" for standing in found.values()) == ["A", "S"]
    assert {standing.status for standing in found.values()} == {"finalized"}
