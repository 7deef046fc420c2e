"""Reminders and escalations (DESIGN §12): once a day per task, in the organization's timezone, as events (§13)."""

import asyncio
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models import Employee, Organization, OutboxEvent, Reminder
from app.tasks import reminders
from app.worker import Worker
from tests.assertions import ok
from tests.factories import API, Setup, Tenant, make_employee, make_setup, make_tenant, move_cycle
from tests.tasks.test_statement_counts import give_reports


async def events(session: AsyncSession, organization_id: uuid.UUID, event_type: str) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.organization_id == organization_id, OutboxEvent.type == event_type)
        .order_by(OutboxEvent.occurred_at, OutboxEvent.id)
        .execution_options(populate_existing=True)
    )
    return [row.data for row in rows]


async def remind(session: AsyncSession, at: datetime) -> reminders.Sent:
    """The worker's daily job, as of ``at``, committed."""
    sent = await reminders.daily(session, at)
    await session.commit()
    return sent


@pytest.fixture
async def overdue(client: httpx.AsyncClient, tenant: Tenant) -> dict[str, Any]:
    """The employee's KPR in an active cycle, never checked in: its check-in task is months overdue."""
    setup = await make_setup(client, tenant)
    kpr = await setup.approved_kpr()
    await move_cycle(client, tenant, setup.cycle_id, "active")
    return kpr


async def test_reminding_twice_a_day_sends_one_reminder_per_task(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, overdue: dict[str, Any]
) -> None:
    [task] = ok(await client.get(f"{API}/me/tasks", headers=tenant.headers("employee")))["items"]
    now = datetime.combine(datetime.now(UTC).date(), time(4), tzinfo=UTC)  # noon in Shanghai, far from midnight

    first = await remind(session, now)
    second = await remind(session, now + timedelta(minutes=5))

    assert (first.reminders, first.escalations) == (1, 1)
    assert (second.reminders, second.escalations) == (0, 0)
    [reminder] = await events(session, tenant.org.id, "task.reminder")
    assert reminder["employee_id"] == str(tenant.employee.id)
    # The task as the API shows it, titled in the organization's language (zh-CN).
    assert reminder["task"] == task | {"title": "更新“华东区销售额同比增长20%”的进展"}
    [escalated] = await events(session, tenant.org.id, "task.escalated")
    assert escalated["manager_ids"] == [str(tenant.manager.id)]
    assert escalated["task"]["id"] == task["id"]

    # The next day, once again.
    third = await remind(session, now + timedelta(days=1))
    assert (third.reminders, third.escalations) == (1, 1)
    assert len(await events(session, tenant.org.id, "task.reminder")) == 2


async def test_only_what_is_due_within_a_day_is_reminded(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    setup = await make_setup(client, tenant)  # started 200 days ago: a new plan is due three days after it is made
    await setup.kpr()
    [task] = ok(await client.get(f"{API}/me/tasks", headers=tenant.headers("employee")))["items"]
    due = datetime.fromisoformat(task["due_at"])
    # A mention has no deadline and is never reminded.
    body = {"entity_type": "goal", "entity_id": setup.goal_id, "body": "请看", "mention_ids": [str(tenant.peer.id)]}
    ok(await client.post(f"{API}/comments", json=body, headers=tenant.headers("employee")), 201)

    assert (await remind(session, due - timedelta(hours=30))).reminders == 0
    assert (await remind(session, due - timedelta(hours=20))).reminders == 1
    sent = await remind(session, due + timedelta(days=2))
    assert (sent.reminders, sent.escalations) == (1, 0)
    assert (await remind(session, due + timedelta(days=3))).escalations == 1
    reminded = await events(session, tenant.org.id, "task.reminder")
    assert {event["task"]["kind"] for event in reminded} == {"submit_plan"}
    assert [event["task"]["overdue"] for event in reminded] == [False, True, True]


async def test_escalation_goes_up_the_chain_after_escalate_after_days(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    director = await make_employee(session, tenant.org, name="总监")
    former = await make_employee(session, tenant.org, name="前副总", manager=director)
    ceo = await make_employee(session, tenant.org, name="总经理")
    director.manager_id = ceo.id
    manager = await session.get(Employee, tenant.manager.id)
    assert manager is not None
    manager.manager_id = former.id
    former.active = False  # left: skipped
    await session.commit()
    setup = await make_setup(client, tenant, policy={"escalate_after_days": 5})
    kpr = await setup.approved_kpr()
    await move_cycle(client, tenant, setup.cycle_id, "active")
    checked = datetime.now(UTC) - timedelta(days=1)
    await setup.check_in(kpr["id"], 210, recorded_at=checked.isoformat().replace("+00:00", "Z"))
    due = checked + timedelta(days=14)

    early = await remind(session, due + timedelta(days=4, hours=23))
    # More than a day later, so the organization's next day whatever the hour (one reminder a task a day).
    on_time = await remind(session, due + timedelta(days=6, hours=1))

    assert (early.reminders, early.escalations) == (1, 0)
    assert (on_time.reminders, on_time.escalations) == (1, 1)
    [escalated] = await events(session, tenant.org.id, "task.escalated")
    assert escalated["employee_id"] == str(tenant.employee.id)
    assert escalated["manager_ids"] == [str(tenant.manager.id), str(director.id), str(ceo.id)]
    assert escalated["task"]["kind"] == "check_in"
    assert escalated["task"]["overdue"] is True


@pytest.mark.parametrize(("timezone", "days"), [("Asia/Shanghai", 2), ("UTC", 1), ("America/Los_Angeles", 1)])
async def test_the_organization_s_timezone_decides_what_a_day_is(
    client: httpx.AsyncClient,
    session: AsyncSession,
    tenant: Tenant,
    overdue: dict[str, Any],
    timezone: str,
    days: int,
) -> None:
    organization = await session.get(Organization, tenant.org.id)
    assert organization is not None
    organization.timezone = timezone
    await session.commit()
    today = datetime.now(UTC).date()
    # 23:30 and 00:30 in Shanghai; the same UTC day; 07:30 and 08:30 the same morning in Los Angeles.
    before, after = (datetime.combine(today, time(hour, 30), tzinfo=UTC) for hour in (15, 16))

    first, second = await remind(session, before), await remind(session, after)

    assert first.reminders + second.reminders == days
    sent_days = await session.scalars(
        select(Reminder.day).where(Reminder.organization_id == tenant.org.id, Reminder.kind == "reminder")
    )
    assert len(set(sent_days)) == days


async def test_each_organization_is_reminded_of_its_own(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant, overdue: dict[str, Any]
) -> None:
    sent = await remind(session, datetime.now(UTC))
    assert sent.reminders == 1
    assert await events(session, other_tenant.org.id, "task.reminder") == []


async def test_the_worker_runs_the_reminders_daily(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    sessionmaker: Any,
    tenant: Tenant,
    overdue: dict[str, Any],
) -> None:
    now = datetime.now(UTC)
    worker = Worker(settings, sessionmaker, clock=lambda: now, worker_id="reminder-worker")

    assert "remind_tasks" in await worker.run_jobs()
    assert "remind_tasks" not in await worker.run_jobs()  # once a day
    assert len(await events(session, tenant.org.id, "task.reminder")) == 1


async def test_reminding_an_organization_takes_the_same_statements_for_3_or_300_reports(
    session: AsyncSession, tenant: Tenant, count_statements: Callable[[], Any]
) -> None:
    later = datetime.now(UTC) + timedelta(days=11)  # every plan, revision and review overdue by days
    organization = (await reminders.organizations(session))[0]

    async def cost(at: datetime) -> tuple[int, reminders.Sent]:
        with count_statements() as counter:
            sent = await reminders.remind_organization(session, organization, at)
        await session.commit()
        return counter.count, sent

    await give_reports(session, tenant, 3)
    small_count, small = await cost(later)
    await give_reports(session, tenant, 297)
    large_count, large = await cost(later + timedelta(days=1))

    assert (small.reminders, small.escalations) == (9, 9)
    assert (large.reminders, large.escalations) == (900, 900)
    assert large_count == small_count
    # The tasks, their cycles' policies, two reminder inserts, two event inserts, the chain above.
    assert small_count <= 7, small_count


async def test_two_runs_at_once_send_each_reminder_once(
    app: FastAPI, settings: Settings, committed_client: httpx.AsyncClient
) -> None:
    async with app.state.sessionmaker() as session:
        tenant = await make_tenant(session, settings, "提醒公司")
        await session.commit()
    setup = await make_setup(committed_client, tenant)
    for who in ("employee", "peer"):
        kpr = await Setup.kpr(setup, who, title=f"{who}销售额同比增长20%")
        ok(await setup.move_plan(kpr["plan_id"], "submitted", who))
        ok(await setup.move_plan(kpr["plan_id"], "approved", "manager"))
    await move_cycle(committed_client, tenant, setup.cycle_id, "active")
    now = datetime.now(UTC)

    runs = await asyncio.gather(*(reminders.remind_all(app.state.sessionmaker, now) for _ in range(4)))

    assert sum(run.reminders for run in runs) == 2
    assert sum(run.escalations for run in runs) == 2
    async with app.state.sessionmaker() as session:
        reminded = await events(session, tenant.org.id, "task.reminder")
        escalated = await events(session, tenant.org.id, "task.escalated")
    assert sorted(event["employee_id"] for event in reminded) == sorted(
        str(e.id) for e in (tenant.employee, tenant.peer)
    )
    assert len(escalated) == 2
