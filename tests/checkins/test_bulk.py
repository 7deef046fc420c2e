"""Metric push (DESIGN §14): POST /check-ins/bulk records many measurements at once — by KPR, by KPI, or on everything
active that tracks a metric key — each item on its own, a repeat of (source, external_id) stored once."""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.figures import service as figures
from app.models import AuditEvent, CheckIn, Cycle, Kpi, Kpr, OutboxEvent
from tests.assertions import assert_problem, ok
from tests.core.test_races import released_together
from tests.factories import (
    API,
    CYCLE_END,
    CYCLE_START,
    Tenant,
    at,
    make_api_key,
    make_cycle,
    make_employees,
    make_goal,
    make_kpi,
    make_kpr,
    make_plan,
    make_tenant,
)

BULK = f"{API}/check-ins/bulk"


async def push(client: httpx.AsyncClient, tenant: Tenant, items: list[dict[str, Any]], who: str = "service") -> Any:
    return ok(await client.post(BULK, json={"items": items}, headers=tenant.headers(who)))


async def cycle_of(session: AsyncSession, tenant: Tenant, status: str = "active", **dates: Any) -> Cycle:
    window = {"start_date": CYCLE_START, "end_date": CYCLE_END} | dates
    return await make_cycle(session, tenant.org, cadence="custom", status=status, **window)


async def kpr_in(
    session: AsyncSession, tenant: Tenant, cycle: Cycle, metric_key: str | None = None, **fields: Any
) -> Kpr:
    goal = await make_goal(session, tenant.org, cycle=cycle)
    kpr = await make_kpr(session, tenant.org, owner=tenant.employee, cycle=cycle, goal=goal, **fields)
    kpr.metric_key = metric_key
    await session.flush()
    return kpr


async def kpi_of(session: AsyncSession, tenant: Tenant, kpr: Kpr, metric_key: str | None = None) -> Kpi:
    kpi = await make_kpi(session, tenant.org, kpr=kpr)
    kpi.metric_key = metric_key
    await session.flush()
    return kpi


async def stored(session: AsyncSession, tenant: Tenant) -> list[CheckIn]:
    rows = await session.scalars(select(CheckIn).where(CheckIn.organization_id == tenant.org.id))
    return list(rows)


# --- each item on its own -------------------------------------------------------------------------------------------


async def test_a_bad_item_spoils_none_of_the_others(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    cycle = await cycle_of(session, tenant)
    kpr = await kpr_in(session, tenant, cycle, baseline=0, target=200)
    kpi = await kpi_of(session, tenant, kpr)
    closed = await kpr_in(session, tenant, await cycle_of(session, tenant, "closed"))
    foreign = await kpr_in(session, other_tenant, await cycle_of(session, other_tenant), metric_key="shared.key")
    await session.commit()
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()

    body = await push(
        client,
        tenant,
        [
            {"kpr_id": str(kpr.id), "value": 50, "recorded_at": at(10), "note": "ERP 回款"},
            {"kpr_id": str(uuid.uuid4()), "value": 1},
            {"kpr_id": str(foreign.id), "value": 1},
            {"kpi_id": str(kpi.id), "value": 7, "recorded_at": at(11)},
            {"kpi_id": str(uuid.uuid4()), "value": 1},
            {"kpr_id": str(closed.id), "value": 1, "recorded_at": at(10)},
            {"kpr_id": str(kpr.id), "value": 1, "recorded_at": at(-1)},
            {"kpr_id": str(kpr.id), "value": 1, "recorded_at": future},
            {"metric_key": "shared.key", "value": 1},
            {"kpr_id": str(kpr.id), "value": 100, "recorded_at": at(12)},
        ],
    )

    results = body["items"]
    assert [r["index"] for r in results] == list(range(10))
    assert [r["status"] for r in results] == [
        "created",
        "error",
        "error",
        "created",
        "error",
        "error",
        "error",
        "error",
        "error",
        "created",
    ]
    errors = [(r["error"]["code"], r["error"]["field"]) for r in results if r["status"] == "error"]
    assert errors == [
        ("NOT_FOUND", "kpr_id"),
        ("NOT_FOUND", "kpr_id"),  # another tenant's KPR is as unknown as a made-up id
        ("NOT_FOUND", "kpi_id"),
        ("CYCLE_NOT_OPEN", None),
        ("VALIDATION_FAILED", "recorded_at"),
        ("VALIDATION_FAILED", "recorded_at"),
        ("NOT_FOUND", "metric_key"),  # another tenant's key tracks nothing here
    ]
    assert all(r["error"]["message"] for r in results if r["status"] == "error")
    assert all(r["check_in_ids"] == [] and r["error"] for r in results if r["status"] == "error")
    assert all(len(r["check_in_ids"]) == 1 and r["error"] is None for r in results if r["status"] == "created")

    rows = {row.id: row for row in await stored(session, tenant)}
    assert set(rows) == {uuid.UUID(results[i]["check_in_ids"][0]) for i in (0, 3, 9)}
    first = rows[uuid.UUID(results[0]["check_in_ids"][0])]
    assert (first.kpr_id, first.value, first.note, first.author, first.author_id) == (
        kpr.id,
        50,
        "ERP 回款",
        "svc-sync",
        None,
    )
    assert rows[uuid.UUID(results[3]["check_in_ids"][0])].kpi_id == kpi.id
    # The KPR's stored figures follow its newest check-in; the KPI's are read from its check-ins.
    shown = ok(await client.get(f"{API}/kprs/{kpr.id}", headers=tenant.headers("employee")))
    assert (shown["current_value"], shown["progress"]) == (100, 50)
    assert ok(await client.get(f"{API}/kpis/{kpi.id}", headers=tenant.headers("employee")))["current_value"] == 7
    assert await stored(session, other_tenant) == []


async def test_errors_speak_the_callers_language(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    response = await client.post(
        BULK,
        json={"items": [{"metric_key": "无人跟踪".encode().hex(), "value": 1}]},
        headers=tenant.headers("admin") | {"Accept-Language": "zh-CN"},
    )

    error = ok(response)["items"][0]["error"]
    assert error["code"] == "NOT_FOUND"
    assert "指标键" in error["message"]


async def test_explicit_ids_follow_the_single_check_in_rules_in_any_open_state(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    # A KPR named by id may be measured wherever a single check-in may (planning, review, calibration); only a
    # closed cycle refuses. A metric key lands only in active cycles (below).
    kprs = [await kpr_in(session, tenant, await cycle_of(session, tenant, state)) for state in ("planning", "review")]
    await session.commit()

    body = await push(client, tenant, [{"kpr_id": str(k.id), "value": 5, "recorded_at": at(3)} for k in kprs])

    assert [r["status"] for r in body["items"]] == ["created", "created"]


# --- metric keys ----------------------------------------------------------------------------------------------------


async def test_a_metric_key_lands_on_every_active_kpr_and_kpi_that_tracks_it(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    active = await cycle_of(session, tenant)
    annual = await cycle_of(session, tenant)
    tracking_kpr = await kpr_in(session, tenant, active, "sales.east:revenue", baseline=0, target=1000)
    other_cycle_kpr = await kpr_in(session, tenant, annual, "sales.east:revenue", baseline=0, target=2000)
    tracking_kpi = await kpi_of(session, tenant, await kpr_in(session, tenant, active), "sales.east:revenue")
    # Not landed on: a cancelled KPR and a KPI under one, a closed or planning cycle, another key, another tenant.
    cancelled = await kpr_in(session, tenant, active, "sales.east:revenue", status="cancelled")
    await kpi_of(session, tenant, cancelled, "sales.east:revenue")
    await kpr_in(session, tenant, await cycle_of(session, tenant, "closed"), "sales.east:revenue")
    await kpr_in(session, tenant, await cycle_of(session, tenant, "planning"), "sales.east:revenue")
    await kpr_in(session, tenant, active, "sales.east:Revenue")
    await kpr_in(session, other_tenant, await cycle_of(session, other_tenant), "sales.east:revenue")
    await session.commit()

    body = await push(client, tenant, [{"metric_key": "sales.east:revenue", "value": 500, "recorded_at": at(20)}])

    result = body["items"][0]
    assert result["status"] == "created"
    rows = await stored(session, tenant)
    assert {str(row.id) for row in rows} == set(result["check_in_ids"])
    assert {(row.kpr_id, row.kpi_id) for row in rows} == {
        (tracking_kpr.id, None),
        (other_cycle_kpr.id, None),
        (None, tracking_kpi.id),
    }
    assert {row.value for row in rows} == {500}
    assert ok(await client.get(f"{API}/kprs/{tracking_kpr.id}", headers=tenant.headers("admin")))["progress"] == 50
    assert ok(await client.get(f"{API}/kprs/{other_cycle_kpr.id}", headers=tenant.headers("admin")))["progress"] == 25


async def test_a_metric_key_skips_the_cycles_whose_period_misses_the_moment(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    early = await cycle_of(session, tenant, end_date=CYCLE_START + timedelta(days=30))
    late = await cycle_of(session, tenant, start_date=CYCLE_START + timedelta(days=31))
    early_kpr = await kpr_in(session, tenant, early, "hr.retention")
    late_kpr = await kpr_in(session, tenant, late, "hr.retention")
    await session.commit()

    body = await push(
        client,
        tenant,
        [
            {"metric_key": "hr.retention", "value": 90, "recorded_at": at(10)},
            {"metric_key": "hr.retention", "value": 91, "recorded_at": at(40)},
            {"metric_key": "hr.retention", "value": 92, "recorded_at": at(-5)},
        ],
    )

    first, second, third = body["items"]
    assert (first["status"], second["status"]) == ("created", "created")
    by_id = {str(row.id): row.kpr_id for row in await stored(session, tenant)}
    assert [by_id[i] for i in first["check_in_ids"]] == [early_kpr.id]
    assert [by_id[i] for i in second["check_in_ids"]] == [late_kpr.id]
    # Refused by every cycle: the item fails with the rule's reason.
    assert (third["status"], third["error"]["code"], third["error"]["field"]) == (
        "error",
        "VALIDATION_FAILED",
        "recorded_at",
    )


# --- idempotency ----------------------------------------------------------------------------------------------------


async def test_a_repeat_of_source_and_external_id_stores_nothing(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    cycle = await cycle_of(session, tenant)
    kpr = await kpr_in(session, tenant, cycle, "crm.visits")
    await kpi_of(session, tenant, kpr, "crm.visits")
    await session.commit()
    items = [
        {"metric_key": "crm.visits", "value": 3, "recorded_at": at(5), "source": "crm", "external_id": "w1"},
        {"kpr_id": str(kpr.id), "value": 4, "recorded_at": at(6), "source": "crm", "external_id": "w2"},
        {"kpr_id": str(kpr.id), "value": 5, "recorded_at": at(7)},  # no key: every push records anew
    ]
    events = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.organization_id == tenant.org.id)

    first = (await push(client, tenant, items))["items"]
    events_after_first = await session.scalar(events)
    again = (await push(client, tenant, [{**item, "value": 99} for item in items]))["items"]

    assert [r["status"] for r in first] == ["created", "created", "created"]
    assert [r["status"] for r in again] == ["duplicate", "duplicate", "created"]
    assert again[0]["check_in_ids"] == first[0]["check_in_ids"]
    assert len(first[0]["check_in_ids"]) == 2  # the KPR and its KPI
    assert again[1]["check_in_ids"] == first[1]["check_in_ids"]
    assert again[2]["check_in_ids"] != first[2]["check_in_ids"]
    rows = await stored(session, tenant)
    assert len(rows) == 5
    # The first figure stands.
    assert sorted(row.value for row in rows if row.external_id is not None) == [3, 3, 4]
    assert await session.scalar(events) == events_after_first + 1
    # The same external id from another source, or on another KPR, is another figure.
    other = await kpr_in(session, tenant, cycle)
    await session.commit()
    more = (
        await push(
            client,
            tenant,
            [
                {"kpr_id": str(kpr.id), "value": 1, "recorded_at": at(6), "source": "erp", "external_id": "w2"},
                {"kpr_id": str(other.id), "value": 1, "recorded_at": at(6), "source": "crm", "external_id": "w2"},
            ],
        )
    )["items"]
    assert [r["status"] for r in more] == ["created", "created"]


async def test_a_repeat_inside_one_push_is_a_duplicate_of_the_first(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    kpr = await kpr_in(session, tenant, await cycle_of(session, tenant))
    await session.commit()
    item = {"kpr_id": str(kpr.id), "value": 8, "recorded_at": at(8), "source": "bi", "external_id": "day-8"}

    results = (await push(client, tenant, [item, {**item, "value": 9}]))["items"]

    assert [r["status"] for r in results] == ["created", "duplicate"]
    assert results[0]["check_in_ids"] == results[1]["check_in_ids"]
    assert [row.value for row in await stored(session, tenant)] == [8]


async def test_pushed_check_ins_show_their_source_and_are_evented_and_audited(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    kpr = await kpr_in(session, tenant, await cycle_of(session, tenant))
    await session.commit()

    results = (
        await push(
            client,
            tenant,
            [{"kpr_id": str(kpr.id), "value": 8, "recorded_at": at(8), "source": "bi", "external_id": "day-8"}],
            who="admin",
        )
    )["items"]

    listed = ok(await client.get(f"{API}/kprs/{kpr.id}/check-ins", headers=tenant.headers("admin")))["items"]
    assert [(c["id"], c["source"], c["external_id"]) for c in listed] == [
        (results[0]["check_in_ids"][0], "bi", "day-8")
    ]
    events = list(
        await session.scalars(
            select(OutboxEvent).where(
                OutboxEvent.organization_id == tenant.org.id, OutboxEvent.type == "checkin.created"
            )
        )
    )
    assert [event.data for event in events] == listed
    audited = list(
        await session.scalars(
            select(AuditEvent).where(AuditEvent.organization_id == tenant.org.id, AuditEvent.entity_type == "check_in")
        )
    )
    assert [(a.action, str(a.entity_id), a.after["source"]) for a in audited] == [("create", listed[0]["id"], "bi")]


# --- who may push, and what a push must look like ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["employee", "manager", "peer"])
async def test_only_services_and_admins_push(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, who: str
) -> None:
    kpr = await kpr_in(session, tenant, await cycle_of(session, tenant))
    await session.commit()

    response = await client.post(
        BULK, json={"items": [{"kpr_id": str(kpr.id), "value": 1}]}, headers=tenant.headers(who)
    )

    assert_problem(response, 403, "FORBIDDEN")
    assert await stored(session, tenant) == []


async def test_an_api_key_pushes_as_a_service(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    kpr = await kpr_in(session, tenant, await cycle_of(session, tenant))
    _, secret = await make_api_key(session, tenant.org)
    await session.commit()

    response = await client.post(
        BULK, json={"items": [{"kpr_id": str(kpr.id), "value": 1}]}, headers={"X-API-Key": secret}
    )

    assert ok(response)["items"][0]["status"] == "created"
    assert [row.author_id for row in await stored(session, tenant)] == [None]


async def test_a_push_needs_credentials(client: httpx.AsyncClient) -> None:
    assert_problem(await client.post(BULK, json={"items": [{"metric_key": "a", "value": 1}]}), 401, "UNAUTHENTICATED")


@pytest.mark.parametrize(
    "items",
    [
        [],
        [{"metric_key": "a", "value": 1}] * 1001,
        [{"value": 1}],
        [{"metric_key": "a", "kpr_id": str(uuid.uuid4()), "value": 1}],
        [{"metric_key": "a", "value": 1, "source": "erp"}],
        [{"metric_key": "a", "value": 1, "external_id": "x"}],
        [{"metric_key": "has space", "value": 1}],
        [{"metric_key": "k" * 101, "value": 1}],
        [{"metric_key": "a", "value": "12"}],
        [{"metric_key": "a", "value": 1, "recorded_at": "2026-07-01T09:00:00"}],
        [{"metric_key": "a", "value": 1, "confidence": 3}],
        [{"metric_key": "a", "value": 1, "source": "s" * 101, "external_id": "x"}],
    ],
    ids=[
        "empty",
        "too-many",
        "no-subject",
        "two-subjects",
        "source-alone",
        "external-id-alone",
        "key-pattern",
        "key-too-long",
        "value-as-text",
        "naive-time",
        "unknown-field",
        "source-too-long",
    ],
)
async def test_a_push_that_breaks_the_schema_is_refused_whole(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, items: list[dict[str, Any]]
) -> None:
    response = await client.post(BULK, json={"items": items}, headers=tenant.headers("service"))

    assert_problem(response, 422, "VALIDATION_FAILED")


# --- cost -----------------------------------------------------------------------------------------------------------


def _items(count: int, kpr: Kpr, kpi: Kpi, run: str) -> list[dict[str, Any]]:
    kinds: list[dict[str, Any]] = [
        {"kpr_id": str(kpr.id)},
        {"kpi_id": str(kpi.id)},
        {"metric_key": "cost.kpr"},
        {"metric_key": "cost.kpi"},
    ]
    return [
        {
            **kinds[n % 4],
            # The newest of each run is a new value: every run moves the figures.
            "value": count + n,
            "recorded_at": (datetime.now(UTC) - timedelta(minutes=n + 1)).isoformat(),
            "source": "bench",
            "external_id": f"{run}-{n}",
        }
        for n in range(count)
    ]


async def test_a_push_costs_the_same_statements_for_10_items_as_for_1000(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, count_statements: Callable[[], Any]
) -> None:
    cycle = await cycle_of(session, tenant)
    kpr = await kpr_in(session, tenant, cycle, "cost.kpr")
    kpi = await kpi_of(session, tenant, await kpr_in(session, tenant, cycle), "cost.kpi")
    await session.commit()
    counts = {}

    for count in (10, 1000):
        with count_statements() as counter:
            body = await push(client, tenant, _items(count, kpr, kpi, f"run{count}"))
        assert [r["status"] for r in body["items"]] == ["created"] * count
        counts[count] = counter.count
        with count_statements() as counter:
            body = await push(client, tenant, _items(count, kpr, kpi, f"run{count}"))
        assert [r["status"] for r in body["items"]] == ["duplicate"] * count
        counts[-count] = counter.count

    assert counts[10] == counts[1000], counts
    assert counts[-10] == counts[-1000], counts
    # Authentication, two to resolve, the INSERT, the KPRs' figures (rows, latest values, store), their goals (chain,
    # children, KPR sums, store) and plans' live evaluations, the audit and event INSERTs; a repeat stops after
    # reading back what it repeats.
    assert counts[10] <= 14, counts
    assert counts[-10] <= 5, counts
    assert len(await stored(session, tenant)) == 1010


# --- racing retries, really committed (real races on PostgreSQL) ----------------------------------------------------


async def _committed_subjects(app: FastAPI, settings: Settings) -> tuple[Tenant, list[Kpr], list[Kpi]]:
    async with app.state.sessionmaker() as session:
        tenant = await make_tenant(session, settings, f"推送公司{uuid.uuid4().hex[:6]}")
        cycle = await cycle_of(session, tenant)
        kprs = [await kpr_in(session, tenant, cycle, "race.kpr" if n == 0 else None) for n in range(8)]
        kpis = [await kpi_of(session, tenant, kpr, "race.kpi" if n == 0 else None) for n, kpr in enumerate(kprs[:4])]
        await session.commit()
    return tenant, kprs, kpis


def _race_items(numbers: range, kprs: list[Kpr], kpis: list[Kpi]) -> list[dict[str, Any]]:
    subjects: list[dict[str, Any]] = [{"kpr_id": str(k.id)} for k in kprs] + [{"kpi_id": str(k.id)} for k in kpis]
    subjects += [{"metric_key": "race.kpr"}, {"metric_key": "race.kpi"}]
    return [
        {
            **subjects[n % len(subjects)],
            "value": n,
            "recorded_at": (datetime.now(UTC) - timedelta(seconds=n + 1)).isoformat(),
            "source": "warehouse",
            "external_id": f"fact-{n}",
        }
        for n in numbers
    ]


async def _stored_pushed(app: FastAPI, tenant: Tenant) -> list[tuple[str | None, uuid.UUID | None]]:
    async with app.state.sessionmaker() as session:
        rows = await session.execute(
            select(CheckIn.external_id, func.coalesce(CheckIn.kpr_id, CheckIn.kpi_id)).where(
                CheckIn.organization_id == tenant.org.id
            )
        )
        return [(external_id, subject) for external_id, subject in rows]


async def test_identical_pushes_of_1000_items_racing_store_each_check_in_once(
    app: FastAPI, settings: Settings, committed_client: httpx.AsyncClient
) -> None:
    tenant, kprs, kpis = await _committed_subjects(app, settings)
    items = _race_items(range(1000), kprs, kpis)

    responses = await released_together(
        [lambda: committed_client.post(BULK, json={"items": items}, headers=tenant.headers("service"))] * 3
    )

    bodies = [ok(response)["items"] for response in responses]
    for index in range(1000):
        results = [body[index] for body in bodies]
        assert sorted(r["status"] for r in results) == ["created", "duplicate", "duplicate"], results
        assert len({tuple(r["check_in_ids"]) for r in results}) == 1, results
    stored_rows = await _stored_pushed(app, tenant)
    assert len(stored_rows) == len(set(stored_rows)) == 1000
    async with app.state.sessionmaker() as session:
        events = await session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.organization_id == tenant.org.id)
        )
        shown = ok(await committed_client.get(f"{API}/kprs/{kprs[0].id}", headers=tenant.headers("admin")))
        newest = await session.scalar(
            select(CheckIn.value)
            .where(CheckIn.kpr_id == kprs[0].id)
            .order_by(CheckIn.recorded_at.desc(), CheckIn.id.desc())
            .limit(1)
        )
    assert events == 1000  # one checkin.created per check-in stored, none for the duplicates
    assert shown["current_value"] == newest


async def test_overlapping_pushes_in_opposite_orders_neither_deadlock_nor_double_store(
    app: FastAPI, settings: Settings, committed_client: httpx.AsyncClient
) -> None:
    tenant, kprs, kpis = await _committed_subjects(app, settings)
    forward = _race_items(range(600), kprs, kpis)
    backward = list(reversed(_race_items(range(300, 900), kprs, kpis)))

    responses = await released_together(
        [
            lambda: committed_client.post(BULK, json={"items": forward}, headers=tenant.headers("service")),
            lambda: committed_client.post(BULK, json={"items": backward}, headers=tenant.headers("admin")),
        ]
    )

    first, second = (ok(response)["items"] for response in responses)
    assert {r["status"] for r in first + second} <= {"created", "duplicate"}
    by_fact = {}
    for item, result in [*zip(forward, first, strict=True), *zip(backward, second, strict=True)]:
        by_fact.setdefault(item["external_id"], set()).add(tuple(result["check_in_ids"]))
    assert all(len(ids) == 1 for ids in by_fact.values())
    stored_rows = await _stored_pushed(app, tenant)
    assert len(stored_rows) == len(set(stored_rows)) == 900


async def _many_kprs(session: AsyncSession, tenant: Tenant, cycle: Cycle, count: int) -> list[uuid.UUID]:
    """``count`` KPRs under one goal, inserted in one statement, their figures stored as after an upgrade."""
    goal = await make_goal(session, tenant.org, cycle=cycle)
    owner = (await make_employees(session, tenant.org, 1))[0]
    plan = await make_plan(session, tenant.org, cycle=cycle, employee=owner)
    rows = [
        {
            "id": uuid.uuid4(),
            "organization_id": tenant.org.id,
            "plan_id": plan.id,
            "cycle_id": cycle.id,
            "owner_id": owner.id,
            "goal_id": goal.id,
            "title": f"区域{n}销售额达到100万元",
            "direction": "increase",
            "baseline": Decimal(0),
            "target": Decimal(100),
            "weight": Decimal("0.1"),
            "status": "active",
        }
        for n in range(count)
    ]
    await session.execute(insert(Kpr), rows)
    await figures.backfill(session)
    await session.commit()
    return [row["id"] for row in rows]


async def test_a_push_to_1000_kprs_costs_what_a_push_to_10_does(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, count_statements: Callable[[], Any]
) -> None:
    cycle = await cycle_of(session, tenant)
    counts = {}

    for count in (10, 1000):
        kprs = await _many_kprs(session, tenant, cycle, count)
        items = [{"kpr_id": str(kpr_id), "value": 50, "recorded_at": at(30)} for kpr_id in kprs]
        with count_statements() as counter:
            body = await push(client, tenant, items)
        assert {r["status"] for r in body["items"]} == {"created"}
        counts[count] = counter.count

    assert counts[10] == counts[1000], counts
    progress = await session.scalars(
        select(Kpr.progress).where(Kpr.id.in_(kprs)).execution_options(populate_existing=True)
    )
    assert set(progress) == {50}
