"""Cycle-wide steps record one event per evaluation set-based, and fan-out fills in each resource as the API shows it.

Entering review opens every evaluation and closing finalizes them all in a few statements; their events name the
evaluation instead of carrying it, and the worker renders it with the evaluations' one presenter, only for events that
a webhook will receive.
"""

from collections.abc import Callable
from typing import Any

import httpx
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models import OutboxEvent
from app.worker import Worker
from tests.assertions import ok
from tests.factories import API, Tenant
from tests.factories.evaluations import move_cycle, open_review, to_calibration
from tests.webhooks.conftest import received, register


async def test_a_closed_cycle_sends_each_evaluation_finalized_with_its_resource(
    session: AsyncSession,
    client: httpx.AsyncClient,
    client_for: Callable[..., Any],
    tenant: Tenant,
    local_settings: Settings,
    worker: Worker,
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/hooks/evaluations", method="POST").respond_with_data("ok")
    url = httpserver.url_for("/hooks/evaluations")
    hook = await register(client_for, local_settings, tenant, url, ["evaluation.transitioned"])
    state = await open_review(session, client, tenant)
    await to_calibration(client, tenant, state)
    await move_cycle(client, tenant, state.scenario.cycle_id, "closed")

    await worker.run_once()

    events = received(httpserver, hook["secret"])
    by_evaluation: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        by_evaluation.setdefault(event["data"]["resource"]["id"], []).append(event["data"])
    assert set(by_evaluation) == {state.employee_eval, state.peer_eval}
    for evaluation_id, life in by_evaluation.items():
        assert [(step["from"], step["to"]) for step in life] == [
            (None, "self_review"),
            ("self_review", "manager_review"),
            ("manager_review", "calibration"),
            ("calibration", "finalized"),
        ]
        shown = ok(await client.get(f"{API}/evaluations/{evaluation_id}", headers=tenant.headers("admin")))
        # The event recorded in bulk carries the evaluation exactly as the API shows it, frozen figures included.
        assert life[-1]["resource"] == shown
        assert life[0]["resource"]["id"] == evaluation_id
    stored = await session.scalars(select(OutboxEvent).execution_options(populate_existing=True))
    assert all(event.resource_type is None for event in stored), "an event was sent without its resource"


async def test_events_nobody_receives_are_not_rendered(
    session: AsyncSession,
    client: httpx.AsyncClient,
    client_for: Callable[..., Any],
    tenant: Tenant,
    local_settings: Settings,
    worker: Worker,
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/hooks/goals", method="POST").respond_with_data("ok")
    await register(client_for, local_settings, tenant, httpserver.url_for("/hooks/goals"), ["goal.created"])
    state = await open_review(session, client, tenant)

    await worker.run_once()

    opened = (
        await session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.type == "evaluation.transitioned")
            .execution_options(populate_existing=True)
        )
    ).all()
    assert {str(event.resource_id) for event in opened} == {state.employee_eval, state.peer_eval}
    assert all(event.dispatched_at is not None for event in opened)
    # Fanned out to nobody: the resource is left unrendered, at no cost.
    assert all(event.resource_type == "evaluation" and event.data["resource"] is None for event in opened)
