"""Two workers, really committed, on separate connections: 1,000 events, each delivered exactly once.

PostgreSQL only: there the workers' claims run at once and only ``FOR UPDATE SKIP LOCKED`` and the lease keep them off
each other's rows. SQLite runs one worker (its writers queue), which the other delivery tests cover.
"""

import asyncio
import threading
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator

import pytest
from fastapi import FastAPI
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from werkzeug import Request, Response

from app.core import outbox
from app.core.config import Settings
from app.core.db import create_engine, create_sessionmaker
from app.core.enums import EventType
from app.models import Base, Webhook, WebhookDelivery
from app.webhooks.secrets import encrypt, new_secret
from app.worker import Worker
from tests.factories import make_org

EVENTS = 1_000


@pytest.fixture
def receiver() -> Iterator[HTTPServer]:
    """A real receiver that answers requests in parallel, as a consumer's web server would."""
    server = HTTPServer(threaded=True)
    server.start()
    try:
        yield server
    finally:
        server.clear()
        if server.is_running():
            server.stop()


@pytest.fixture
async def committed(engine: AsyncEngine) -> AsyncIterator[None]:
    yield
    async with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            await connection.execute(table.delete())


async def test_two_workers_deliver_a_thousand_events_each_exactly_once(
    app: FastAPI, settings: Settings, engine: AsyncEngine, receiver: HTTPServer, committed: None
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("several workers at once is a PostgreSQL set-up (SQLite runs one)")
    seen: Counter[str] = Counter()
    lock = threading.Lock()

    def record(request: Request) -> Response:
        with lock:
            seen[request.headers["webhook-id"]] += 1
        return Response("", status=204)

    receiver.expect_request("/hook").respond_with_handler(record)
    local = settings.model_copy(update={"webhook_allowed_hosts": ["127.0.0.1", "localhost"]})
    async with app.state.sessionmaker() as session:
        org = await make_org(session, f"两个工人{uuid.uuid4().hex[:6]}")
        session.add(
            Webhook(
                organization_id=org.id,
                url=receiver.url_for("/hook"),
                event_types=[],
                active=True,
                secret_encrypted=encrypt(local, new_secret()),
                created_by="test",
            )
        )
        await outbox.publish_many(session, org.id, EventType.CHECKIN_CREATED, ({"n": n} for n in range(EVENTS)))
        await session.commit()

    engines = [create_engine(local), create_engine(local)]
    try:
        workers = [Worker(local, create_sessionmaker(each), worker_id=f"worker-{n}") for n, each in enumerate(engines)]
        handled = await asyncio.gather(*(worker.run_once() for worker in workers))
    finally:
        for each in engines:
            await each.dispose()

    assert len(seen) == EVENTS
    assert max(seen.values()) == 1, [event for event, times in seen.items() if times > 1][:5]
    assert all(handled), f"one worker did all the work: {handled}"
    async with app.state.sessionmaker() as session:
        statuses = dict(
            (await session.execute(select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status))).all()
        )
    assert statuses == {"delivered": EVENTS}
