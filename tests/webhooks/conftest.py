"""The webhook tests' worker, clock and receiver helpers."""

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks.webhooks import Webhook as Verifier

from app.core.config import Settings
from app.models.base import utcnow
from app.worker import Worker
from tests.assertions import ok
from tests.factories import API, Tenant


class Clock:
    """The real time (signatures are checked against it), moved on by the test when it wants a later moment."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)

    def jump_to(self, moment: datetime) -> None:
        self.offset += max(moment - self(), timedelta())


@pytest.fixture
def local_settings(settings: Settings) -> Settings:
    """The receiver listens on 127.0.0.1 over http: allowed only because the host is in the allowlist."""
    return settings.model_copy(update={"webhook_allowed_hosts": ["127.0.0.1", "localhost"]})


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def worker(local_settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock) -> Worker:
    # One send at a time: the test's sessions share its one connection.
    return Worker(local_settings, sessionmaker, clock=clock, worker_id="worker-a", concurrency=1)


async def register(
    client_for: Callable[..., Any], settings: Settings, tenant: Tenant, url: str, event_types: list[str] | None = None
) -> dict[str, Any]:
    async with client_for(settings) as client:
        body = {"url": url, "event_types": event_types or []}
        created: dict[str, Any] = ok(
            await client.post(f"{API}/webhooks", json=body, headers=tenant.headers("admin")), 201
        )
    return created


def received(httpserver: HTTPServer, secret: str) -> list[dict[str, Any]]:
    """Every request the receiver got, each verified as a consumer verifies it."""
    verifier = Verifier(secret)
    events = []
    for request, _ in httpserver.log:
        body = request.get_data(as_text=True)
        payload = verifier.verify(body, dict(request.headers))
        assert request.headers["webhook-id"] == payload["id"]
        events.append(json.loads(body))
    return events
