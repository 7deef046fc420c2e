"""Events reach a real HTTP receiver (pytest-httpserver: a real socket), signed, once, with retries on failure.

The worker runs in the test's transaction (``sessionmaker``) with a clock the test moves, so back-off and leases are
stepped through, not slept through. The receiver's signatures are checked with the `standardwebhooks` library, as a
consumer would.
"""

import asyncio
import random
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from werkzeug import Response

from app.core import outbox
from app.core.config import Settings
from app.core.enums import EventType
from app.models import OutboxEvent, WebhookDelivery
from app.webhooks import delivery
from app.worker import Worker
from tests.assertions import ok
from tests.factories import Tenant
from tests.factories.api import Setup, make_setup
from tests.webhooks.conftest import Clock, received, register


async def test_a_plans_whole_life_reaches_a_real_receiver_signed_and_each_event_once(
    client: httpx.AsyncClient,
    client_for: Callable[..., Any],
    tenant: Tenant,
    local_settings: Settings,
    worker: Worker,
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/hooks/kpr", method="POST").respond_with_data("ok")
    hook = await register(client_for, local_settings, tenant, httpserver.url_for("/hooks/kpr"))
    setup: Setup = await make_setup(client, tenant)
    kpr = await setup.kpr()
    ok(await setup.move_plan(kpr["plan_id"], "submitted", "employee", comment="请审批"))
    ok(await setup.move_plan(kpr["plan_id"], "approved", "manager"))
    await setup.check_in(kpr["id"], 220)

    handled = await worker.run_once()
    again = await worker.run_once()

    events = received(httpserver, hook["secret"])
    assert handled >= len(events) > 0
    assert again == 0
    assert len({e["id"] for e in events}) == len(events), "an event arrived twice"
    # In the order of the writes (the admin's cycle and goal came first; the webhook listens to every type).
    life = [e["type"] for e in events if e["type"] in {"kpr.created", "plan.transitioned", "checkin.created"}]
    assert life == ["kpr.created", "plan.transitioned", "plan.transitioned", "checkin.created"]
    transitions = [e["data"] for e in events if e["type"] == "plan.transitioned"]
    assert [(t["from"], t["to"], t["comment"]) for t in transitions] == [
        ("draft", "submitted", "请审批"),
        ("submitted", "approved", None),
    ]
    assert transitions[1]["resource"]["status"] == "approved"
    created = next(e for e in events if e["type"] == "kpr.created")
    assert created["data"]["id"] == kpr["id"]
    assert created["data"] == {k: created["data"][k] for k in kpr}  # the KPR as the API showed it
    assert created["organization_id"] == str(tenant.org.id)
    assert next(e for e in events if e["type"] == "checkin.created")["data"]["value"] == 220


async def test_a_receiver_that_fails_twice_gets_the_event_on_the_third_attempt(
    client_for: Callable[..., Any],
    session: AsyncSession,
    tenant: Tenant,
    local_settings: Settings,
    worker: Worker,
    clock: Clock,
    httpserver: HTTPServer,
) -> None:
    answers = iter([500, 500, 200])
    httpserver.expect_request("/flaky").respond_with_handler(lambda _: Response("", status=next(answers)))
    hook = await register(client_for, local_settings, tenant, httpserver.url_for("/flaky"))
    outbox.publish(session, tenant.org.id, EventType.GOAL_CREATED, {"id": str(uuid.uuid4()), "title": "增长"})
    await session.commit()

    async def state() -> WebhookDelivery:
        row = await session.scalar(select(WebhookDelivery).execution_options(populate_existing=True))
        assert row is not None
        return row

    await worker.run_once()
    first = await state()
    assert (first.status, first.attempts, first.last_status_code) == ("pending", 1, 500)
    assert await worker.run_once() == 0, "retried before its back-off ran out"

    clock.jump_to(first.next_attempt_at)
    await worker.run_once()
    second = await state()
    assert (second.status, second.attempts) == ("pending", 2)
    assert second.next_attempt_at - second.updated_at > timedelta(seconds=4)  # 5–10 s after the 2nd: it doubled

    clock.jump_to(second.next_attempt_at)
    await worker.run_once()
    third = await state()
    assert (third.status, third.attempts, third.last_status_code) == ("delivered", 3, 200)
    assert third.delivered_at is not None
    assert third.delivered_at >= second.next_attempt_at
    assert len(received(httpserver, hook["secret"])) == 3  # the same event, signed each time


async def test_an_event_whose_transaction_rolls_back_is_never_sent(
    client: httpx.AsyncClient,
    client_for: Callable[..., Any],
    session: AsyncSession,
    tenant: Tenant,
    local_settings: Settings,
    worker: Worker,
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/hook").respond_with_data("ok")
    await register(client_for, local_settings, tenant, httpserver.url_for("/hook"))
    setup = await make_setup(client, tenant)
    kpr = await setup.kpr()
    await worker.run_once()
    httpserver.clear_log()

    # A request that fails answers an error and leaves nothing: a check-in outside the cycle.
    refused = await setup.post(f"/kprs/{kpr['id']}/check-ins", {"value": 1, "recorded_at": "1999-01-01T00:00:00Z"})
    # A write that publishes and then rolls back.
    async with session.begin_nested():
        outbox.publish(session, tenant.org.id, EventType.KPR_UPDATED, {"id": kpr["id"]})
        await session.flush()
        await session.rollback()
    await worker.run_once()

    assert refused.status_code == 422
    assert httpserver.log == []
    assert await session.scalar(select(func.count()).where(OutboxEvent.type == "kpr.updated")) == 0


async def test_a_worker_that_dies_holding_claims_loses_nothing(
    client_for: Callable[..., Any],
    session: AsyncSession,
    tenant: Tenant,
    local_settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    worker: Worker,
    clock: Clock,
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/hook").respond_with_data("ok")
    hook = await register(client_for, local_settings, tenant, httpserver.url_for("/hook"))
    await outbox.publish_many(
        session, tenant.org.id, EventType.CHECKIN_CREATED, [{"id": str(uuid.uuid4()), "value": n} for n in range(10)]
    )
    await session.commit()
    doomed = Worker(local_settings, sessionmaker, clock=clock, worker_id="worker-doomed", concurrency=1)
    await doomed.fan_out()
    claimed = []
    while batch := await doomed.claim(delivery.CONCURRENCY):  # all ten, a few per batch …
        claimed += batch
    # … and it dies before sending any of them.

    assert await worker.run_once() == 0, "another worker took deliveries still under a live claim"
    clock.advance(seconds=delivery.LEASE.total_seconds() + 1)
    delivered = await worker.run_once()

    assert len(claimed) == delivered == 10
    assert sorted(e["data"]["value"] for e in received(httpserver, hook["secret"])) == list(range(10))
    statuses = await session.scalars(select(WebhookDelivery.status).execution_options(populate_existing=True))
    assert set(statuses) == {"delivered"}


async def test_one_webhook_with_a_backlog_does_not_hold_back_another(
    client_for: Callable[..., Any], session: AsyncSession, tenant: Tenant, local_settings: Settings, worker: Worker
) -> None:
    """A claim takes at most PER_WEBHOOK of one webhook, so the other's delivery is claimed in the same batch."""
    slow = await register(client_for, local_settings, tenant, "http://127.0.0.1:9/slow", ["goal.created"])
    quick = await register(client_for, local_settings, tenant, "http://127.0.0.1:9/quick", ["kpr.created"])
    await outbox.publish_many(session, tenant.org.id, EventType.GOAL_CREATED, [{"n": n} for n in range(20)])
    outbox.publish(session, tenant.org.id, EventType.KPR_CREATED, {"n": 20})
    await session.commit()
    await worker.fan_out()

    claimed = await worker.claim(delivery.PER_WEBHOOK + 1)

    by_hook = [str(c.webhook_id) for c in claimed]
    assert by_hook.count(slow["id"]) == delivery.PER_WEBHOOK
    assert by_hook.count(quick["id"]) == 1


async def test_retries_stop_after_a_day_and_the_delivery_fails(
    client_for: Callable[..., Any],
    session: AsyncSession,
    tenant: Tenant,
    local_settings: Settings,
    worker: Worker,
    clock: Clock,
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/down").respond_with_data("", status=503)
    await register(client_for, local_settings, tenant, httpserver.url_for("/down"))
    outbox.publish(session, tenant.org.id, EventType.GOAL_CREATED, {"n": 1})
    await session.commit()
    started = clock()

    attempts = 0
    while True:
        await worker.run_once()
        row = await session.scalar(select(WebhookDelivery).execution_options(populate_existing=True))
        assert row is not None
        if row.status != "pending":
            break
        attempts += 1
        clock.jump_to(row.next_attempt_at)
        assert attempts < 40, "never gave up"

    assert row.status == "failed"
    assert row.last_status_code == 503
    assert clock() - started <= delivery.RETRY_WINDOW + timedelta(minutes=1)
    assert 10 <= row.attempts <= 25  # seconds at first, hours at the end


def test_back_off_doubles_with_jitter_up_to_four_hours() -> None:
    rng = random.Random(7)
    waits = [delivery.backoff_seconds(n, rng) for n in range(1, 16)]

    assert 2.5 <= waits[0] <= 5
    assert 5 <= waits[1] <= 10
    assert all(w <= delivery.LONGEST_WAIT_SECONDS for w in waits)
    assert waits[-1] >= delivery.LONGEST_WAIT_SECONDS / 2


async def test_a_name_that_now_resolves_inside_the_network_is_not_called(
    client_for: Callable[..., Any],
    session: AsyncSession,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    tenant: Tenant,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DNS rebinding: the name was public when the webhook was saved; at delivery it points at 10.0.0.5."""
    loop_getaddrinfo: list[str] = []

    async def rebound(host: str, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        loop_getaddrinfo.append(host)
        return [(2, 1, 6, "", ("10.0.0.5", 443))]

    hook = await register(client_for, settings, tenant, "https://hooks.example.com/kpr")
    outbox.publish(session, tenant.org.id, EventType.GOAL_CREATED, {"n": 1})
    await session.commit()
    worker = Worker(settings, sessionmaker, clock=clock, worker_id="worker-a", concurrency=1)
    monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", rebound)
    await worker.run_once()

    row = await session.scalar(select(WebhookDelivery).execution_options(populate_existing=True))
    assert row is not None
    assert str(row.webhook_id) == hook["id"]
    assert loop_getaddrinfo == ["hooks.example.com"]
    assert (row.status, row.attempts, row.last_status_code) == ("pending", 1, None)
    assert row.last_error is not None


async def test_the_pruning_job_runs_once_a_day_and_keeps_what_is_pending(
    client_for: Callable[..., Any],
    session: AsyncSession,
    tenant: Tenant,
    local_settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    worker: Worker,
    clock: Clock,
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/hook").respond_with_data("ok")
    await register(client_for, local_settings, tenant, httpserver.url_for("/hook"), ["goal.created"])
    outbox.publish(session, tenant.org.id, EventType.GOAL_CREATED, {"n": "delivered"})
    outbox.publish(session, tenant.org.id, EventType.KPR_CREATED, {"n": "nobody listens"})
    await session.commit()
    await worker.run_once()
    outbox.publish(session, tenant.org.id, EventType.GOAL_CREATED, {"n": "still pending"})
    await session.commit()
    await worker.fan_out()

    clock.advance(days=31)
    other = Worker(local_settings, sessionmaker, clock=clock, worker_id="worker-b", concurrency=1)
    first, second = await worker.run_jobs(), await other.run_jobs()

    assert first == ["prune_outbox", "remind_tasks"]
    assert second == [], "two workers ran the daily jobs"
    left = await session.execute(select(OutboxEvent.data).execution_options(populate_existing=True))
    assert [row.data["n"] for row in left] == ["still pending"]


async def test_a_stopped_worker_finishes_the_send_in_flight_and_leaves_nothing_claimed(
    client_for: Callable[..., Any],
    session: AsyncSession,
    tenant: Tenant,
    local_settings: Settings,
    worker: Worker,
    httpserver: HTTPServer,
) -> None:
    started = asyncio.Event()
    loop = asyncio.get_running_loop()

    def slow(_: Any) -> Response:
        loop.call_soon_threadsafe(started.set)
        time.sleep(0.5)  # the consumer takes its time; the stop arrives meanwhile
        return Response("", status=204)

    httpserver.expect_request("/slow").respond_with_handler(slow)
    await register(client_for, local_settings, tenant, httpserver.url_for("/slow"))
    outbox.publish(session, tenant.org.id, EventType.GOAL_CREATED, {"n": 1})
    await session.commit()
    stop = asyncio.Event()

    running = asyncio.create_task(worker.run(stop))
    await asyncio.wait_for(started.wait(), timeout=10)
    stop.set()
    await asyncio.wait_for(running, timeout=15)

    row = await session.scalar(select(WebhookDelivery).execution_options(populate_existing=True))
    assert row is not None
    assert (row.status, row.attempts, row.claimed_by, row.claimed_until) == ("delivered", 1, None, None)
