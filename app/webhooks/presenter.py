"""A webhook and its deliveries as the API shows them: never the signing secret, except in the response that made it."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Webhook, WebhookDelivery
from app.webhooks import schemas


async def present(session: AsyncSession, webhook: Webhook) -> schemas.Webhook:
    return schemas.Webhook.model_validate(webhook)


async def present_many(session: AsyncSession, webhooks: Sequence[Webhook]) -> list[schemas.Webhook]:
    return [schemas.Webhook.model_validate(webhook) for webhook in webhooks]


async def present_created(session: AsyncSession, webhook: Webhook, secret: str) -> schemas.WebhookCreated:
    # The row keeps the secret encrypted: in clear it exists in this response alone.
    return schemas.WebhookCreated.model_validate({**(await present(session, webhook)).model_dump(), "secret": secret})


async def present_delivery(session: AsyncSession, delivery: WebhookDelivery) -> schemas.WebhookDelivery:
    return schemas.WebhookDelivery.model_validate(delivery)


async def present_deliveries(
    session: AsyncSession, deliveries: Sequence[WebhookDelivery]
) -> list[schemas.WebhookDelivery]:
    return [schemas.WebhookDelivery.model_validate(delivery) for delivery in deliveries]
