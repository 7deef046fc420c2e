"""Delivering the outbox (DESIGN §13): fan-out, claims with a lease, signed sends, retries with back-off.

At least once: a delivery is pending until a 2xx answer. A worker claims a batch by writing a lease on each row
(``claimed_until``, ``claimed_by``) in a short transaction — ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so workers
claiming at once take different rows — and sends outside any transaction. The result is written only while the claim
is still its own, so a worker whose lease ran out (it froze, or died and another took over) cannot overwrite the
delivery's newer state. A lease (60 s) far longer than a send (10 s) means normal operation delivers nothing twice.

One slow consumer stalls nobody: a worker keeps at most ``PER_WEBHOOK`` deliveries of one webhook in flight, and a
claim takes at most that many per webhook, so the other webhooks' deliveries are claimed beside a slow one's.
"""

import asyncio
import json
import logging
import random
import uuid
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from prometheus_client import Counter, Gauge
from sqlalchemy import and_, delete, func, insert, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks.webhooks import Webhook as Signer

from app.core.config import Settings
from app.core.db import is_postgres
from app.core.enums import DeliveryStatus
from app.core.outbox import Renderer
from app.models import OutboxEvent, Webhook, WebhookDelivery
from app.webhooks.secrets import SecretUnreadable, decrypt
from app.webhooks.ssrf import TargetRefused, host_and_port, resolve_public

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
TIMEOUT_SECONDS = 10.0
RETRY_WINDOW = timedelta(hours=24)
FIRST_RETRY_SECONDS = 5.0
LONGEST_WAIT_SECONDS = 4 * 3600.0
FAN_OUT_BATCH = 500
CONCURRENCY = 32
PER_WEBHOOK = 16
ERROR_LENGTH = 500

Clock = Callable[[], datetime]

EVENTS = Counter("kpr_events_recorded_total", "Events taken from the outbox and fanned out to webhooks", ["type"])
DELIVERIES = Counter("kpr_webhook_deliveries_total", "Delivery attempts by outcome", ["outcome"])
LAG = Gauge("kpr_outbox_lag_seconds", "Age of the oldest event not yet fanned out, or delivery overdue")


def backoff_seconds(attempts: int, rng: random.Random) -> float:
    """The wait before attempt ``attempts + 1``: doubling from 5 s to at most 4 h, with jitter (a half to all of it),
    so a consumer coming back up is not met by every retry at the same instant."""
    ceiling = min(FIRST_RETRY_SECONDS * 2.0 ** max(attempts - 1, 0), LONGEST_WAIT_SECONDS)
    return ceiling * (0.5 + rng.random() / 2)


async def fan_out(session: AsyncSession, now: datetime, renderers: Mapping[str, Renderer] | None = None) -> int:
    """One batch of committed events becomes deliveries to the webhooks that subscribe to them. Set-based: three
    statements a batch (the events, their organizations' active webhooks, the deliveries) and the mark.

    Events recorded in bulk name their resource instead of carrying it: those that some webhook will receive get it
    rendered here by ``renderers`` (by resource type), two statements more per type; the others stay as they are.
    """
    events_query = (
        select(
            OutboxEvent.id,
            OutboxEvent.organization_id,
            OutboxEvent.type,
            OutboxEvent.occurred_at,
            OutboxEvent.resource_type,
            OutboxEvent.resource_id,
        )
        .where(OutboxEvent.dispatched_at.is_(None))
        .order_by(OutboxEvent.occurred_at, OutboxEvent.id)
        .limit(FAN_OUT_BATCH)
    )
    if is_postgres(session):
        events_query = events_query.with_for_update(skip_locked=True)
    events = (await session.execute(events_query)).all()
    if not events:
        return 0
    organizations = {event.organization_id for event in events}
    hooks = (
        await session.execute(
            select(Webhook.id, Webhook.organization_id, Webhook.event_types).where(
                Webhook.organization_id.in_(organizations), Webhook.active.is_(True)
            )
        )
    ).all()
    by_organization: dict[uuid.UUID, list[Any]] = {}
    for hook in hooks:
        by_organization.setdefault(hook.organization_id, []).append(hook)
    rows = [
        {
            "id": uuid.uuid4(),
            "organization_id": event.organization_id,
            "webhook_id": hook.id,
            "event_id": event.id,
            "event_type": event.type,
            "status": DeliveryStatus.PENDING,
            "attempts": 0,
            # Due since it happened (or now, should the writer's clock run ahead of this one's): claims take the
            # oldest first, so a worker sends in the order of the writes.
            "next_attempt_at": min(event.occurred_at, now),
            "give_up_at": now + RETRY_WINDOW,
            "created_at": now,
            "updated_at": now,
        }
        for event in events
        for hook in by_organization.get(event.organization_id, ())
        if not hook.event_types or event.type in hook.event_types
    ]
    if rows:
        await session.execute(insert(WebhookDelivery), rows)
        delivered = {row["event_id"] for row in rows}
        await _render(session, [event for event in events if event.id in delivered], renderers or {})
    await session.execute(
        update(OutboxEvent).where(OutboxEvent.id.in_([event.id for event in events])).values(dispatched_at=now)
    )
    for event in events:
        EVENTS.labels(event.type).inc()
    return len(events)


async def _render(session: AsyncSession, events: Sequence[Any], renderers: Mapping[str, Renderer]) -> None:
    """Fill ``data.resource`` of the events that name their resource, by type: the resources rendered by their
    domain's presenter in one go, then one executemany UPDATE of the events."""
    by_type: dict[str, dict[uuid.UUID, uuid.UUID]] = {}
    for event in events:
        if event.resource_type is not None and event.resource_id is not None:
            by_type.setdefault(event.resource_type, {})[event.id] = event.resource_id
    for resource_type, resources in by_type.items():
        renderer = renderers.get(resource_type)
        if renderer is None:
            log.warning("no renderer for %s resources: %d events go out without them", resource_type, len(resources))
            continue
        rendered = await renderer(session, list(set(resources.values())))
        stored = await session.execute(
            select(OutboxEvent.id, OutboxEvent.data).where(OutboxEvent.id.in_(list(resources)))
        )
        # A transition's data carries the resource under "resource"; a creation's data is the resource itself.
        updates = [
            {"id": event_id, "data": _filled(data, rendered.get(resources[event_id])), "resource_type": None}
            for event_id, data in stored
        ]
        await session.execute(update(OutboxEvent), updates)


def _filled(data: dict[str, Any], resource: dict[str, Any] | None) -> dict[str, Any] | None:
    return {**data, "resource": resource} if "resource" in data else resource


@dataclass(frozen=True)
class Claimed:
    """A claimed delivery with what sending it needs."""

    id: uuid.UUID
    webhook_id: uuid.UUID
    url: str
    secret_encrypted: str
    attempts: int
    give_up_at: datetime
    event: dict[str, Any]


def _due(now: datetime) -> Any:
    return and_(
        WebhookDelivery.status == DeliveryStatus.PENDING,
        WebhookDelivery.next_attempt_at <= now,
        or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now),
    )


async def claim(
    session: AsyncSession, worker_id: str, now: datetime, limit: int, busy: Collection[uuid.UUID] = ()
) -> list[Claimed]:
    """Lease up to ``limit`` due deliveries, at most ``PER_WEBHOOK`` of one webhook, none of the ``busy`` ones."""
    if is_postgres(session):
        # Webhook by webhook, the oldest few due deliveries each, skipping rows another worker is claiming: workers
        # claiming at once take different rows, and every webhook with work gets its share of the batch.
        hooks = select(Webhook.id).where(Webhook.active.is_(True))
        if busy:
            hooks = hooks.where(Webhook.id.not_in(list(busy)))
        hooks_sub = hooks.subquery("hooks")
        each = (
            select(WebhookDelivery.id, WebhookDelivery.next_attempt_at)
            .where(WebhookDelivery.webhook_id == hooks_sub.c.id, _due(now))
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            .limit(PER_WEBHOOK)
            .with_for_update(skip_locked=True)
            .lateral("each")
        )
        candidates = (
            select(each.c.id).select_from(hooks_sub).join(each, true()).order_by(each.c.next_attempt_at).limit(limit)
        )
    else:
        # One worker on SQLite: the oldest due deliveries, ranked within their webhook.
        ranked = (
            select(
                WebhookDelivery.id,
                WebhookDelivery.webhook_id,
                WebhookDelivery.next_attempt_at,
                func.row_number()
                .over(
                    partition_by=WebhookDelivery.webhook_id,
                    order_by=(WebhookDelivery.next_attempt_at, WebhookDelivery.id),
                )
                .label("rank"),
            )
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .where(_due(now), Webhook.active.is_(True))
            .subquery()
        )
        candidates = (
            select(ranked.c.id).where(ranked.c.rank <= PER_WEBHOOK).order_by(ranked.c.next_attempt_at).limit(limit)
        )
        if busy:
            candidates = candidates.where(ranked.c.webhook_id.not_in(list(busy)))
    ids = list(await session.scalars(candidates))
    if not ids:
        return []
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(ids))
        .values(claimed_until=now + LEASE, claimed_by=worker_id, updated_at=now)
    )
    rows = (
        await session.execute(
            select(
                WebhookDelivery.id,
                WebhookDelivery.webhook_id,
                WebhookDelivery.attempts,
                WebhookDelivery.give_up_at,
                Webhook.url,
                Webhook.secret_encrypted,
                OutboxEvent.id.label("event_id"),
                OutboxEvent.type,
                OutboxEvent.occurred_at,
                OutboxEvent.organization_id,
                OutboxEvent.data,
            )
            .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
            .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
            .where(WebhookDelivery.id.in_(ids))
            .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        )
    ).all()
    return [
        Claimed(
            id=row.id,
            webhook_id=row.webhook_id,
            url=row.url,
            secret_encrypted=row.secret_encrypted,
            attempts=row.attempts,
            give_up_at=row.give_up_at,
            event={
                "id": str(row.event_id),
                "type": row.type,
                "occurred_at": row.occurred_at.isoformat().replace("+00:00", "Z"),
                "organization_id": str(row.organization_id),
                "data": row.data,
            },
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    status_code: int | None = None
    error: str | None = None


def signed_headers(secret: str, event: dict[str, Any], body: str, now: datetime) -> dict[str, str]:
    """Standard Webhooks v1: the event id, the time in seconds, and ``v1,`` + the HMAC-SHA256 of id.timestamp.body."""
    return {
        "webhook-id": event["id"],
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Signer(secret).sign(event["id"], now, body),
        "content-type": "application/json",
        "user-agent": "kpr-webhooks/1",
    }


async def send(client: httpx.AsyncClient, settings: Settings, delivery: Claimed, now: datetime) -> Outcome:
    """One attempt. The host is resolved and every address checked now (a name may have been re-pointed at the
    internal network since the webhook was saved: DNS rebinding), and the request goes to the checked address, with
    the name kept for the Host header and TLS (SNI and certificate)."""
    parts = urlsplit(delivery.url)
    host, port = host_and_port(delivery.url)
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            addresses = await resolve_public(host, port, settings.webhook_allowed_hosts)
    except TargetRefused as exc:
        return Outcome(False, error=str(exc)[:ERROR_LENGTH])
    except TimeoutError:
        return Outcome(False, error=f"{host} did not resolve within {TIMEOUT_SECONDS:g} s")
    address = addresses[0]
    literal = f"[{address}]" if ":" in address else address
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    body = json.dumps(delivery.event, ensure_ascii=False, separators=(",", ":"))
    try:
        secret = decrypt(settings, delivery.secret_encrypted)
    except SecretUnreadable:
        return Outcome(False, error="the signing secret cannot be read (was the key it was stored with changed?)")
    headers = signed_headers(secret, delivery.event, body, now)
    headers["host"] = parts.netloc.rpartition("@")[2]
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    try:
        response = await client.post(pinned, content=body.encode(), headers=headers, extensions=extensions)
    except httpx.TimeoutException:
        return Outcome(False, error=f"no answer within {TIMEOUT_SECONDS:g} s")
    except httpx.HTTPError as exc:
        return Outcome(False, error=(f"{type(exc).__name__}: {exc}")[:ERROR_LENGTH])
    if 200 <= response.status_code < 300:
        return Outcome(True, status_code=response.status_code)
    return Outcome(False, status_code=response.status_code, error=f"HTTP {response.status_code}")


async def finish(
    session: AsyncSession, worker_id: str, delivery: Claimed, outcome: Outcome, now: datetime, rng: random.Random
) -> str:
    """Write the attempt's result while the claim is still ours; the delivery's new status (or "lost")."""
    attempts = delivery.attempts + 1
    values: dict[str, Any] = {
        "attempts": attempts,
        "last_status_code": outcome.status_code,
        "last_error": outcome.error,
        "claimed_until": None,
        "claimed_by": None,
        "updated_at": now,
    }
    if outcome.delivered:
        values |= {"status": DeliveryStatus.DELIVERED, "delivered_at": now}
    else:
        retry_at = now + timedelta(seconds=backoff_seconds(attempts, rng))
        if retry_at > delivery.give_up_at:
            values["status"] = DeliveryStatus.FAILED
        else:
            values["next_attempt_at"] = retry_at
    result = await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery.id, WebhookDelivery.claimed_by == worker_id)
        .values(**values)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return "lost"
    outcome_label = values.get("status", "retry")
    DELIVERIES.labels(str(outcome_label)).inc()
    return str(outcome_label)


async def lag_seconds(session: AsyncSession, now: datetime) -> float:
    """How far behind the queue is: the oldest event not fanned out, or the most overdue due delivery."""
    oldest_event = await session.scalar(
        select(func.min(OutboxEvent.occurred_at)).where(OutboxEvent.dispatched_at.is_(None))
    )
    oldest_due = await session.scalar(select(func.min(WebhookDelivery.next_attempt_at)).where(_due(now)))
    ages = [(now - moment).total_seconds() for moment in (oldest_event, oldest_due) if moment is not None]
    return max([0.0, *ages])


async def prune(session: AsyncSession, now: datetime, keep: timedelta = timedelta(days=30)) -> int:
    """Events older than ``keep`` that are fanned out and have nothing pending, with their deliveries."""
    pending = select(WebhookDelivery.id).where(
        WebhookDelivery.event_id == OutboxEvent.id, WebhookDelivery.status == DeliveryStatus.PENDING
    )
    old = select(OutboxEvent.id).where(
        OutboxEvent.occurred_at < now - keep, OutboxEvent.dispatched_at.is_not(None), ~pending.exists()
    )
    await session.execute(delete(WebhookDelivery).where(WebhookDelivery.event_id.in_(old)))
    result = await session.execute(delete(OutboxEvent).where(OutboxEvent.id.in_(old)))
    return int(result.rowcount)  # type: ignore[attr-defined]


def new_client() -> httpx.AsyncClient:
    """No redirects (a 3xx is a failed attempt: a redirect could point anywhere), a 10 s limit on the whole attempt,
    no proxies from the environment (the address is checked here, not by a proxy)."""
    return httpx.AsyncClient(
        follow_redirects=False,
        timeout=httpx.Timeout(TIMEOUT_SECONDS),
        trust_env=False,
        limits=httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY),
    )
