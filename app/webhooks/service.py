"""Webhooks (DESIGN §13): where an organization's events are sent, and the state of each delivery.

Who may manage them (admins) is the routes' to declare (app/webhooks/dependencies.py). The URL is checked against the
SSRF guard on every write; the signing secret is made here, returned once and stored encrypted. Sending is the
worker's (app/webhooks/delivery.py): this module only queues deliveries, for a test or a manual retry.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.core.access import Actor
from app.core.config import Settings
from app.core.enums import DeliveryStatus, EventType
from app.core.errors import NotFound, ValidationFailed
from app.core.i18n import translate
from app.core.outbox import publish
from app.core.repository import apply_changes, get_in_org
from app.models import Webhook, WebhookDelivery
from app.models.base import utcnow
from app.webhooks import secrets
from app.webhooks.delivery import RETRY_WINDOW
from app.webhooks.schemas import WebhookCreate
from app.webhooks.ssrf import UnsafeUrl, check_url

# How long a delivery is retried, from the event or from a manual retry.
# What the audit trail keeps of a webhook: its settings, never the secret.
AUDITED = ("url", "event_types", "description", "active")


def _check_url(settings: Settings, url: str) -> None:
    try:
        check_url(url, settings.webhook_allowed_hosts)
    except UnsafeUrl as exc:
        raise ValidationFailed.field("url", exc.message.render()) from exc


def _audited(webhook: Webhook) -> dict[str, Any]:
    return {field: getattr(webhook, field) for field in AUDITED}


def list_statement(actor: Actor) -> Select[Webhook]:
    return select(Webhook).where(Webhook.organization_id == actor.organization_id)


async def get(session: AsyncSession, actor: Actor, webhook_id: uuid.UUID, *, lock: bool = False) -> Webhook:
    return await get_in_org(session, Webhook, webhook_id, actor.organization_id, "webhook", lock=lock)


async def create(session: AsyncSession, actor: Actor, data: WebhookCreate, settings: Settings) -> tuple[Webhook, str]:
    """The webhook and its signing secret in clear (for the response that creates it, and nowhere else)."""
    _check_url(settings, data.url)
    secret = secrets.new_secret()
    webhook = Webhook(
        organization_id=actor.organization_id,
        url=data.url,
        event_types=[str(event_type) for event_type in data.event_types],
        description=data.description,
        active=data.active,
        secret_encrypted=secrets.encrypt(settings, secret),
        created_by=actor.subject,
    )
    session.add(webhook)
    await session.flush()
    audit.record(session, actor, "create", "webhook", webhook.id, after=_audited(webhook))
    return webhook, secret


async def update(
    session: AsyncSession, actor: Actor, webhook: Webhook, changes: dict[str, Any], settings: Settings
) -> Webhook:
    if "url" in changes:
        _check_url(settings, changes["url"])
    if "event_types" in changes:
        changes["event_types"] = [str(event_type) for event_type in changes["event_types"]]
    diff = apply_changes(webhook, changes)
    await session.flush()
    audit.record_diff(session, actor, "update", "webhook", webhook.id, diff)
    return webhook


async def delete(session: AsyncSession, actor: Actor, webhook: Webhook) -> None:
    # Its deliveries go with it (ON DELETE CASCADE); the events stay, they belong to the organization.
    audit.record(session, actor, "delete", "webhook", webhook.id, before=_audited(webhook))
    await session.delete(webhook)
    await session.flush()


def _queue(delivery: WebhookDelivery, now: datetime) -> None:
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = now
    delivery.give_up_at = now + RETRY_WINDOW  # the worker's window: one constant for both
    delivery.claimed_until = None
    delivery.claimed_by = None


async def send_test(session: AsyncSession, actor: Actor, webhook: Webhook) -> WebhookDelivery:
    """A ``webhook.test`` event for this webhook alone, queued for the worker.

    The event is recorded already dispatched, so the fan-out does not send it to the organization's other webhooks;
    its one delivery is made here instead.
    """
    event = publish(
        session,
        actor.organization_id,
        EventType.WEBHOOK_TEST,
        {"webhook_id": str(webhook.id), "message": translate("webhook.test_message")},
    )
    event.dispatched_at = event.occurred_at
    # The event row first: the delivery refers to it, and the two models share no relationship to order the flush.
    await session.flush()
    delivery = WebhookDelivery(
        organization_id=actor.organization_id,
        webhook_id=webhook.id,
        event_id=event.id,
        event_type=EventType.WEBHOOK_TEST,
        attempts=0,
    )
    _queue(delivery, event.occurred_at)
    session.add(delivery)
    await session.flush()
    audit.record(
        session, actor, "test", "webhook", webhook.id, after={"event_id": event.id, "delivery_id": delivery.id}
    )
    return delivery


def deliveries_statement(webhook: Webhook, status: DeliveryStatus | None) -> Select[WebhookDelivery]:
    statement = select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id)
    if status is not None:
        statement = statement.where(WebhookDelivery.status == status)
    return statement


async def get_delivery(
    session: AsyncSession, actor: Actor, webhook: Webhook, delivery_id: uuid.UUID, *, lock: bool = False
) -> WebhookDelivery:
    delivery = await get_in_org(
        session, WebhookDelivery, delivery_id, actor.organization_id, "webhook_delivery", lock=lock
    )
    if delivery.webhook_id != webhook.id:
        raise NotFound("webhook_delivery", delivery_id)
    return delivery


async def retry(session: AsyncSession, actor: Actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Queue the delivery again now, for another 24 h of attempts; a delivered one is sent again (at least once).

    Its attempts are kept (they count every try ever made), and any worker's claim is dropped so that the next free
    worker takes it at once.
    """
    before = {"status": delivery.status, "next_attempt_at": delivery.next_attempt_at}
    _queue(delivery, utcnow())
    await session.flush()
    audit.record(
        session,
        actor,
        "retry",
        "webhook_delivery",
        delivery.id,
        before=before,
        after={"status": delivery.status, "next_attempt_at": delivery.next_attempt_at},
    )
    return delivery
