"""Who may reach a webhook (DESIGN §6, §13), declared in the endpoint signature: admins only, for every endpoint;
another tenant's webhook, or a delivery of another webhook, answers 404 as if it did not exist."""

import uuid
from typing import Annotated

from fastapi import Depends

from app.core.access import Actor
from app.core.auth import Session, admin_only, get_app_settings
from app.core.config import Settings
from app.models import Webhook, WebhookDelivery
from app.webhooks import service

WebhookAdmin = Annotated[Actor, Depends(admin_only("manage webhooks"))]
AppSettings = Annotated[Settings, Depends(get_app_settings)]


async def readable_webhook(session: Session, actor: WebhookAdmin, webhook_id: uuid.UUID) -> Webhook:
    return await service.get(session, actor, webhook_id)


async def writable_webhook(session: Session, actor: WebhookAdmin, webhook_id: uuid.UUID) -> Webhook:
    return await service.get(session, actor, webhook_id, lock=True)


ReadableWebhook = Annotated[Webhook, Depends(readable_webhook)]
WritableWebhook = Annotated[Webhook, Depends(writable_webhook)]


async def writable_delivery(
    session: Session, actor: WebhookAdmin, webhook: ReadableWebhook, delivery_id: uuid.UUID
) -> WebhookDelivery:
    return await service.get_delivery(session, actor, webhook, delivery_id, lock=True)


WritableDelivery = Annotated[WebhookDelivery, Depends(writable_delivery)]
