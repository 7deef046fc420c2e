from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.core.auth import Session
from app.core.enums import DeliveryStatus
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination, paginate
from app.core.repository import changed_fields
from app.core.responses import IfMatch, ResourceResponse, check_if_match, resource_response
from app.core.routing import ApiRoute
from app.core.schemas import Choice, Page
from app.models import Webhook as WebhookRow
from app.models import WebhookDelivery as DeliveryRow
from app.webhooks import service
from app.webhooks.dependencies import AppSettings, ReadableWebhook, WebhookAdmin, WritableDelivery, WritableWebhook
from app.webhooks.presenter import present, present_created, present_deliveries, present_delivery, present_many
from app.webhooks.schemas import Webhook, WebhookCreate, WebhookCreated, WebhookDelivery, WebhookUpdate

router = APIRouter(route_class=ApiRoute, prefix="/webhooks", tags=["webhooks"])


@router.get("", response_model=Page[Webhook], summary="List webhooks (admin)")
async def list_webhooks(session: Session, actor: WebhookAdmin, page: Pagination) -> Page[Webhook]:
    rows, cursor = await paginate(session, service.list_statement(actor), page, [WebhookRow.created_at, WebhookRow.id])
    return Page(items=await present_many(session, rows), next_cursor=cursor)


@router.post(
    "",
    status_code=201,
    response_model=WebhookCreated,
    responses=WRITE_RESPONSES,
    summary="Create a webhook (admin; the response alone carries its signing secret)",
)
async def create_webhook(
    session: Session, actor: WebhookAdmin, settings: AppSettings, body: WebhookCreate
) -> ResourceResponse:
    webhook, secret = await service.create(session, actor, body, settings)
    return resource_response(
        await present_created(session, webhook, secret),
        status_code=201,
        location=f"/api/v1/webhooks/{webhook.id}",
        secret=True,
    )


@router.get("/{webhook_id:uuid}", response_model=Webhook, summary="Get a webhook (admin; never its secret)")
async def get_webhook(session: Session, webhook: ReadableWebhook) -> ResourceResponse:
    return resource_response(await present(session, webhook))


@router.patch(
    "/{webhook_id:uuid}", response_model=Webhook, responses=WRITE_RESPONSES, summary="Update a webhook (admin)"
)
async def update_webhook(
    session: Session,
    actor: WebhookAdmin,
    settings: AppSettings,
    webhook: WritableWebhook,
    body: WebhookUpdate,
    if_match: IfMatch = None,
) -> ResourceResponse:
    await check_if_match(if_match, lambda: present(session, webhook))
    webhook = await service.update(session, actor, webhook, changed_fields(body), settings)
    return resource_response(await present(session, webhook))


@router.delete(
    "/{webhook_id:uuid}",
    status_code=204,
    responses=WRITE_RESPONSES,
    summary="Delete a webhook and its deliveries (admin)",
)
async def delete_webhook(
    session: Session, actor: WebhookAdmin, webhook: WritableWebhook, if_match: IfMatch = None
) -> Response:
    await check_if_match(if_match, lambda: present(session, webhook))
    await service.delete(session, actor, webhook)
    return Response(status_code=204)


@router.post(
    "/{webhook_id:uuid}/test",
    status_code=202,
    response_model=WebhookDelivery,
    summary="Send this webhook a webhook.test event (admin; queued, the answer is its delivery)",
)
async def test_webhook(session: Session, actor: WebhookAdmin, webhook: ReadableWebhook) -> ResourceResponse:
    delivery = await service.send_test(session, actor, webhook)
    return resource_response(await present_delivery(session, delivery), status_code=202)


@router.get(
    "/{webhook_id:uuid}/deliveries",
    response_model=Page[WebhookDelivery],
    summary="List a webhook's deliveries, newest first (admin)",
)
async def list_webhook_deliveries(
    session: Session,
    webhook: ReadableWebhook,
    page: Pagination,
    status: Annotated[Choice[DeliveryStatus] | None, Query(description="Only deliveries in this state.")] = None,
) -> Page[WebhookDelivery]:
    rows, cursor = await paginate(
        session,
        service.deliveries_statement(webhook, status),
        page,
        [DeliveryRow.created_at, DeliveryRow.id],
        descending=True,
    )
    return Page(items=await present_deliveries(session, rows), next_cursor=cursor)


@router.post(
    "/{webhook_id:uuid}/deliveries/{delivery_id:uuid}/retry",
    status_code=202,
    response_model=WebhookDelivery,
    summary="Queue a delivery again now, for another 24 h of attempts (admin; a delivered one is sent again)",
)
async def retry_webhook_delivery(session: Session, actor: WebhookAdmin, delivery: WritableDelivery) -> ResourceResponse:
    delivery = await service.retry(session, actor, delivery)
    return resource_response(await present_delivery(session, delivery), status_code=202)
