"""Webhooks (DESIGN §13): admins manage them, the secret is shown once, tests and retries queue deliveries."""

import base64
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.enums import DeliveryStatus, EventType
from app.models import OutboxEvent, Webhook, WebhookDelivery
from app.webhooks import secrets
from tests.assertions import assert_problem, ok
from tests.factories import Tenant

WEBHOOKS = "/api/v1/webhooks"
URL = "https://hr.example.com/hooks/kpr"
PUBLIC_FIELDS = {"id", "url", "event_types", "description", "active", "created_at", "updated_at"}


async def _create(client: AsyncClient, tenant: Tenant, **body: Any) -> dict[str, Any]:
    created: dict[str, Any] = ok(
        await client.post(WEBHOOKS, json={"url": URL, **body}, headers=tenant.headers("admin")), 201
    )
    return created


async def _row(session: AsyncSession, model: Any, entity_id: str | uuid.UUID) -> Any:
    # The app wrote through its own sessions: read the row as it is now, not as this session remembers it.
    return await session.get(model, uuid.UUID(str(entity_id)), populate_existing=True)


def _close_to_now(stamp: str | datetime, offset: timedelta = timedelta()) -> bool:
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")) if isinstance(stamp, str) else stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return abs(moment - (datetime.now(UTC) + offset)) < timedelta(minutes=1)


async def _delivery(
    session: AsyncSession,
    tenant: Tenant,
    webhook_id: str,
    *,
    status: DeliveryStatus = DeliveryStatus.PENDING,
    created_at: datetime | None = None,
    **fields: Any,
) -> WebhookDelivery:
    now = datetime.now(UTC)
    event = OutboxEvent(
        organization_id=tenant.org.id,
        type=EventType.KPR_CREATED,
        occurred_at=now,
        data={"id": str(uuid.uuid4())},
        dispatched_at=now,
    )
    session.add(event)
    await session.flush()
    delivery = WebhookDelivery(
        organization_id=tenant.org.id,
        webhook_id=uuid.UUID(webhook_id),
        event_id=event.id,
        event_type=EventType.KPR_CREATED,
        status=status,
        next_attempt_at=now,
        give_up_at=now + timedelta(hours=24),
        created_at=created_at or now,
        **fields,
    )
    session.add(delivery)
    await session.commit()
    return delivery


# --- CRUD ---------------------------------------------------------------------------------------------------------


async def test_admin_creates_a_webhook_and_sees_the_secret_once(
    client: AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    response = await client.post(
        WEBHOOKS,
        json={"url": URL, "event_types": ["evaluation.transitioned"], "description": "薪酬系统"},
        headers=tenant.headers("admin"),
    )
    created = ok(response, 201)
    assert response.headers["location"] == f"{WEBHOOKS}/{created['id']}"
    assert response.headers["cache-control"] == "no-store"
    assert set(created) == PUBLIC_FIELDS | {"secret"}
    assert created["url"] == URL
    assert created["event_types"] == ["evaluation.transitioned"]
    assert created["description"] == "薪酬系统"
    assert created["active"] is True
    assert created["created_at"].endswith("Z")
    secret = created["secret"]
    assert secret.startswith("whsec_")
    # Standard Webhooks: base64 of 24 to 64 random bytes.
    assert 24 <= len(base64.b64decode(secret.removeprefix("whsec_"))) <= 64

    row = await _row(session, Webhook, created["id"])
    assert row.created_by == tenant.admin.external_id
    assert secret not in row.secret_encrypted
    assert secrets.decrypt(settings, row.secret_encrypted) == secret

    # Never again: not in a read, not in the list, not in the audit trail.
    one = await client.get(f"{WEBHOOKS}/{created['id']}", headers=tenant.headers("admin"))
    assert set(ok(one)) == PUBLIC_FIELDS
    assert "etag" in one.headers
    listed = await client.get(WEBHOOKS, headers=tenant.headers("admin"))
    [item] = ok(listed)["items"]
    assert set(item) == PUBLIC_FIELDS
    audit = await client.get(
        "/api/v1/audit-events", params={"entity_id": created["id"]}, headers=tenant.headers("admin")
    )
    [event] = ok(audit)["items"]
    assert event["action"] == "create"
    assert event["after"] == {
        "url": URL,
        "event_types": ["evaluation.transitioned"],
        "description": "薪酬系统",
        "active": True,
    }
    for text in (one.text, listed.text, audit.text):
        assert secret not in text
        assert secret.removeprefix("whsec_") not in text
        assert row.secret_encrypted not in text


async def test_every_webhook_has_its_own_secret(client: AsyncClient, tenant: Tenant) -> None:
    first, second = await _create(client, tenant), await _create(client, tenant)
    assert first["secret"] != second["secret"]


async def test_defaults_and_repeated_event_types(client: AsyncClient, tenant: Tenant) -> None:
    created = await _create(client, tenant)
    assert created["event_types"] == []  # every type
    assert created["description"] is None
    assert created["active"] is True
    again = await _create(client, tenant, event_types=["kpr.created", "kpr.created", "goal.created"], active=False)
    assert again["event_types"] == ["kpr.created", "goal.created"]
    assert again["active"] is False


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"url": ""},
        {"url": URL, "event_types": ["kpr.exploded"]},
        {"url": URL, "event_types": "kpr.created"},
        {"url": URL, "active": "yes"},
        {"url": URL, "secret": "whsec_mine"},
        {"url": URL, "description": "x" * 501},
        {"url": "https://example.com/" + "a" * 2048},
    ],
)
async def test_invalid_bodies_are_422(client: AsyncClient, tenant: Tenant, body: dict[str, Any]) -> None:
    assert_problem(await client.post(WEBHOOKS, json=body, headers=tenant.headers("admin")), 422, "VALIDATION_FAILED")


async def test_list_pages_in_creation_order(client: AsyncClient, tenant: Tenant, other_tenant: Tenant) -> None:
    ids = [(await _create(client, tenant, description=f"第{n}个"))["id"] for n in range(3)]
    await _create(client, other_tenant)
    first = ok(await client.get(WEBHOOKS, params={"limit": 2}, headers=tenant.headers("admin")))
    assert [item["id"] for item in first["items"]] == ids[:2]
    rest = ok(
        await client.get(WEBHOOKS, params={"limit": 2, "cursor": first["next_cursor"]}, headers=tenant.headers("admin"))
    )
    assert [item["id"] for item in rest["items"]] == ids[2:]
    assert rest["next_cursor"] is None


async def test_patch_merges_and_is_audited(client: AsyncClient, tenant: Tenant) -> None:
    created = await _create(client, tenant, event_types=["kpr.created"], description="旧说明")
    path = f"{WEBHOOKS}/{created['id']}"
    patched = ok(await client.patch(path, json={"active": False, "description": None}, headers=tenant.headers("admin")))
    assert patched["active"] is False
    assert patched["description"] is None
    assert patched["url"] == URL
    assert patched["event_types"] == ["kpr.created"]
    assert "secret" not in patched
    moved = ok(
        await client.patch(
            path,
            json={"url": "https://erp.example.com/in", "event_types": ["goal.created"]},
            headers=tenant.headers("admin"),
        )
    )
    assert moved["url"] == "https://erp.example.com/in"
    assert moved["event_types"] == ["goal.created"]
    audit = ok(
        await client.get("/api/v1/audit-events", params={"entity_id": created["id"]}, headers=tenant.headers("admin"))
    )
    latest, earlier = audit["items"][0], audit["items"][1]
    assert latest["action"] == "update"
    assert latest["before"] == {"url": URL, "event_types": ["kpr.created"]}
    assert latest["after"] == {"url": "https://erp.example.com/in", "event_types": ["goal.created"]}
    assert earlier["before"] == {"active": True, "description": "旧说明"}
    assert created["secret"] not in str(audit)


@pytest.mark.parametrize(
    "body", [{"url": None}, {"active": None}, {"event_types": None}, {"event_types": ["nope"]}, {"id": "x"}]
)
async def test_patch_refuses_nulls_and_unknowns(client: AsyncClient, tenant: Tenant, body: dict[str, Any]) -> None:
    created = await _create(client, tenant)
    response = await client.patch(f"{WEBHOOKS}/{created['id']}", json=body, headers=tenant.headers("admin"))
    assert_problem(response, 422, "VALIDATION_FAILED")


async def test_patch_and_delete_honour_if_match(client: AsyncClient, tenant: Tenant) -> None:
    created = await _create(client, tenant)
    path = f"{WEBHOOKS}/{created['id']}"
    etag = (await client.get(path, headers=tenant.headers("admin"))).headers["etag"]
    changed = await client.patch(
        path, json={"description": "一"}, headers={**tenant.headers("admin"), "If-Match": etag}
    )
    assert changed.status_code == 200
    stale = await client.patch(path, json={"description": "二"}, headers={**tenant.headers("admin"), "If-Match": etag})
    assert_problem(stale, 412, "PRECONDITION_FAILED")
    assert_problem(
        await client.delete(path, headers={**tenant.headers("admin"), "If-Match": etag}), 412, "PRECONDITION_FAILED"
    )
    fresh = changed.headers["etag"]
    assert (await client.delete(path, headers={**tenant.headers("admin"), "If-Match": fresh})).status_code == 204


async def test_delete_removes_the_webhook_and_its_deliveries(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    created = await _create(client, tenant)
    delivery = await _delivery(session, tenant, created["id"])
    path = f"{WEBHOOKS}/{created['id']}"
    deleted = await client.delete(path, headers=tenant.headers("admin"))
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert_problem(await client.get(path, headers=tenant.headers("admin")), 404, "NOT_FOUND")
    assert_problem(await client.delete(path, headers=tenant.headers("admin")), 404, "NOT_FOUND")
    session.expunge_all()
    assert await session.get(WebhookDelivery, delivery.id) is None
    audit = ok(
        await client.get("/api/v1/audit-events", params={"entity_id": created["id"]}, headers=tenant.headers("admin"))
    )
    assert audit["items"][0]["action"] == "delete"
    assert audit["items"][0]["before"]["url"] == URL


# --- who may ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager", "employee", "service", "system"])
async def test_only_admins_manage_webhooks(
    client: AsyncClient, session: AsyncSession, tenant: Tenant, who: str
) -> None:
    created = await _create(client, tenant)
    delivery = await _delivery(session, tenant, created["id"])
    path = f"{WEBHOOKS}/{created['id']}"
    headers = tenant.headers(who)
    for response in (
        await client.get(WEBHOOKS, headers=headers),
        await client.post(WEBHOOKS, json={"url": URL}, headers=headers),
        await client.get(path, headers=headers),
        await client.patch(path, json={"active": False}, headers=headers),
        await client.delete(path, headers=headers),
        await client.post(f"{path}/test", headers=headers),
        await client.get(f"{path}/deliveries", headers=headers),
        await client.post(f"{path}/deliveries/{delivery.id}/retry", headers=headers),
    ):
        assert_problem(response, 403, "FORBIDDEN")
    assert (await _row(session, Webhook, created["id"])).active is True
    zh = await client.get(WEBHOOKS, headers={**headers, "Accept-Language": "zh-CN"})
    if who != "system":
        assert "Webhook" in zh.json()["detail"]


async def test_another_organizations_webhooks_are_404(
    client: AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = await _create(client, other_tenant)
    delivery = await _delivery(session, other_tenant, theirs["id"])
    path = f"{WEBHOOKS}/{theirs['id']}"
    headers = tenant.headers("admin")
    for response in (
        await client.get(path, headers=headers),
        await client.patch(path, json={"active": False}, headers=headers),
        await client.delete(path, headers=headers),
        await client.post(f"{path}/test", headers=headers),
        await client.get(f"{path}/deliveries", headers=headers),
        await client.post(f"{path}/deliveries/{delivery.id}/retry", headers=headers),
    ):
        assert_problem(response, 404, "NOT_FOUND")
    assert ok(await client.get(WEBHOOKS, headers=headers))["items"] == []
    assert (await _row(session, Webhook, theirs["id"])).active is True


async def test_a_delivery_of_another_webhook_is_404(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    first, second = await _create(client, tenant), await _create(client, tenant)
    delivery = await _delivery(session, tenant, first["id"], status=DeliveryStatus.FAILED)
    response = await client.post(
        f"{WEBHOOKS}/{second['id']}/deliveries/{delivery.id}/retry", headers=tenant.headers("admin")
    )
    assert_problem(response, 404, "NOT_FOUND")
    assert (await _row(session, WebhookDelivery, delivery.id)).status == DeliveryStatus.FAILED


# --- test event, deliveries, retry ---------------------------------------------------------------------------------


async def test_the_test_endpoint_queues_one_delivery_for_that_webhook_only(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    target, bystander = await _create(client, tenant), await _create(client, tenant)
    response = await client.post(f"{WEBHOOKS}/{target['id']}/test", headers=tenant.headers("admin"))
    delivery = ok(response, 202)
    assert set(delivery) == {
        "id",
        "event_id",
        "event_type",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "delivered_at",
        "created_at",
    }
    assert delivery["event_type"] == "webhook.test"
    assert delivery["status"] == "pending"
    assert delivery["attempts"] == 0
    assert delivery["last_status_code"] is None
    assert delivery["delivered_at"] is None
    assert _close_to_now(delivery["next_attempt_at"])

    rows = (await session.scalars(select(WebhookDelivery).execution_options(populate_existing=True))).all()
    assert [(str(row.webhook_id), str(row.id)) for row in rows] == [(target["id"], delivery["id"])]
    assert _close_to_now(rows[0].give_up_at, timedelta(hours=24))
    event = await _row(session, OutboxEvent, delivery["event_id"])
    assert event.type == "webhook.test"
    assert event.organization_id == tenant.org.id
    assert event.data["webhook_id"] == target["id"]
    assert event.data["message"]
    # Already fanned out: the worker's fan-out never sends it to the bystander.
    assert event.dispatched_at is not None
    assert (
        ok(await client.get(f"{WEBHOOKS}/{bystander['id']}/deliveries", headers=tenant.headers("admin")))["items"] == []
    )
    listed = ok(await client.get(f"{WEBHOOKS}/{target['id']}/deliveries", headers=tenant.headers("admin")))
    assert listed["items"] == [delivery]


async def test_deliveries_list_newest_first_with_a_status_filter_and_pages(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    webhook = await _create(client, tenant)
    other = await _create(client, tenant)
    start = datetime.now(UTC) - timedelta(hours=1)
    statuses = [DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.PENDING, DeliveryStatus.DELIVERED]
    made = [
        await _delivery(session, tenant, webhook["id"], status=status, created_at=start + timedelta(minutes=n))
        for n, status in enumerate(statuses)
    ]
    await _delivery(session, tenant, other["id"])
    newest_first = [str(delivery.id) for delivery in reversed(made)]
    path = f"{WEBHOOKS}/{webhook['id']}/deliveries"
    headers = tenant.headers("admin")

    everything = ok(await client.get(path, headers=headers))
    assert [item["id"] for item in everything["items"]] == newest_first
    assert everything["next_cursor"] is None

    first = ok(await client.get(path, params={"limit": 3}, headers=headers))
    rest = ok(await client.get(path, params={"limit": 3, "cursor": first["next_cursor"]}, headers=headers))
    assert [item["id"] for item in first["items"] + rest["items"]] == newest_first
    assert rest["next_cursor"] is None

    delivered = ok(await client.get(path, params={"status": "delivered"}, headers=headers))
    assert [item["id"] for item in delivered["items"]] == [str(made[3].id), str(made[0].id)]
    assert {item["status"] for item in delivered["items"]} == {"delivered"}
    failed = ok(await client.get(path, params={"status": "failed"}, headers=headers))
    assert [item["id"] for item in failed["items"]] == [str(made[1].id)]
    assert_problem(await client.get(path, params={"status": "lost"}, headers=headers), 422, "VALIDATION_FAILED")
    assert_problem(await client.get(path, params={"cursor": "forged"}, headers=headers), 400, "INVALID_CURSOR")


@pytest.mark.parametrize("status", [DeliveryStatus.FAILED, DeliveryStatus.DELIVERED, DeliveryStatus.PENDING])
async def test_retry_queues_the_delivery_again(
    client: AsyncClient, session: AsyncSession, tenant: Tenant, status: DeliveryStatus
) -> None:
    webhook = await _create(client, tenant)
    long_ago = datetime.now(UTC) - timedelta(days=2)
    delivery = await _delivery(
        session,
        tenant,
        webhook["id"],
        status=status,
        attempts=7,
        last_status_code=503,
        last_error="Service Unavailable",
        claimed_by="worker-1",
        claimed_until=datetime.now(UTC) + timedelta(minutes=5),
        delivered_at=long_ago if status == DeliveryStatus.DELIVERED else None,
    )
    delivery.next_attempt_at = delivery.give_up_at = long_ago
    await session.commit()

    response = await client.post(
        f"{WEBHOOKS}/{webhook['id']}/deliveries/{delivery.id}/retry", headers=tenant.headers("admin")
    )
    body = ok(response, 202)
    assert body["id"] == str(delivery.id)
    assert body["status"] == "pending"
    assert body["attempts"] == 7  # kept
    assert _close_to_now(body["next_attempt_at"])

    row = await _row(session, WebhookDelivery, delivery.id)
    assert row.status == DeliveryStatus.PENDING
    assert row.claimed_by is None
    assert row.claimed_until is None
    assert _close_to_now(row.give_up_at, timedelta(hours=24))
    audit = ok(
        await client.get(
            "/api/v1/audit-events", params={"entity_id": str(delivery.id)}, headers=tenant.headers("admin")
        )
    )
    assert audit["items"][0]["action"] == "retry"
    assert audit["items"][0]["before"]["status"] == status


async def test_a_missing_delivery_is_404(client: AsyncClient, tenant: Tenant, session: AsyncSession) -> None:
    webhook = await _create(client, tenant)
    response = await client.post(
        f"{WEBHOOKS}/{webhook['id']}/deliveries/{uuid.uuid4()}/retry", headers=tenant.headers("admin")
    )
    assert_problem(response, 404, "NOT_FOUND")
    assert await session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0
