"""Reminders and escalations (DESIGN §12): nothing slips silently.

Once a day (``kpr remind``, or the worker's daily job) every open task due within a day, or overdue, gets a
``task.reminder`` event, and a task overdue by its cycle's ``escalate_after_days`` a ``task.escalated`` event naming the
person's managers up the chain (one event per task; ``manager_ids`` nearest first). Chat bots and mail gateways
subscribe to them (§13).

"A day" is the organization's, in its timezone. Each send is recorded in ``reminders`` under (task, day, kind), and
an event is published only for the rows that insert actually wrote (INSERT … ON CONFLICT DO NOTHING RETURNING), in the
same transaction: a second run that day — even one running at the same moment in another worker — sends nothing
twice. An organization costs a handful of statements however many people and tasks it has: its tasks in one
(``app.tasks.derivation``), the reminders and the events in a few bulk INSERTs, the managers above in one.
"""

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core import outbox
from app.core.db import is_postgres
from app.core.enums import EventType, ReminderKind
from app.core.i18n import Locale
from app.models import Organization, Reminder
from app.tasks.derivation import MANAGERS_ABOVE, OpenTask, local_day, open_tasks_in, zone
from app.tasks.presenter import present

# Reminded from a day before it falls due.
DUE_SOON = timedelta(days=1)


@dataclass(frozen=True)
class Sent:
    """What one run sent."""

    reminders: int = 0
    escalations: int = 0
    organizations: int = 0

    def __add__(self, other: "Sent") -> "Sent":
        return Sent(
            self.reminders + other.reminders,
            self.escalations + other.escalations,
            self.organizations + other.organizations,
        )


@dataclass(frozen=True)
class OrgInfo:
    id: uuid.UUID
    name: str
    timezone: str
    locale: str


async def organizations(session: AsyncSession) -> list[OrgInfo]:
    rows = await session.execute(
        select(Organization.id, Organization.name, Organization.timezone, Organization.locale).order_by(
            Organization.created_at, Organization.id
        )
    )
    return [OrgInfo(*row) for row in rows]


async def _first_today(
    session: AsyncSession,
    organization_id: uuid.UUID,
    tasks: Sequence[OpenTask],
    day: date,
    kind: ReminderKind,
    now: datetime,
) -> list[OpenTask]:
    """The tasks nothing of ``kind`` was sent about on ``day``, now recorded as sent. Rows go in task order, so two
    runs at once wait on each other's rows in the same order and never deadlock; the later one writes nothing."""
    by_id = {task.id: task for task in tasks}
    if not by_id:
        return []
    rows = [
        {
            "id": uuid.uuid4(),
            "organization_id": organization_id,
            "task_id": task_id,
            "day": day,
            "kind": kind,
            "sent_at": now,
        }
        for task_id in sorted(by_id)
    ]
    insert = postgres_insert if is_postgres(session) else sqlite_insert
    statement = (
        insert(Reminder).on_conflict_do_nothing(index_elements=["task_id", "day", "kind"]).returning(Reminder.task_id)
    )
    written = set((await session.execute(statement, rows)).scalars())
    return [by_id[task_id] for task_id in sorted(written)]


async def _managers_above(session: AsyncSession, organization_id: uuid.UUID) -> dict[uuid.UUID, list[uuid.UUID]]:
    chains: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for employee_id, manager_id in await session.execute(MANAGERS_ABOVE, {"org": organization_id}):
        if manager_id not in chains[employee_id]:
            chains[employee_id].append(manager_id)
    return chains


def _locale(organization: OrgInfo) -> Locale:
    return "zh-CN" if organization.locale == "zh-CN" else "en"


def _event(task: OpenTask, now: datetime, locale: Locale, **extra: Any) -> dict[str, Any]:
    return {"task": present(task, now, locale).model_dump(mode="json"), "employee_id": str(task.employee_id), **extra}


async def remind_organization(session: AsyncSession, organization: OrgInfo, now: datetime) -> Sent:
    """Remind and escalate what is due in one organization, as of ``now`` (flushed, not committed)."""
    tz = zone(organization.timezone)
    day = local_day(now, tz)
    locale = _locale(organization)
    tasks = await open_tasks_in(session, organization.id, tz, now)
    due = [task for task in tasks if task.due_at is not None and task.due_at <= now + DUE_SOON]
    reminded = await _first_today(session, organization.id, due, day, ReminderKind.REMINDER, now)
    await outbox.publish_many(
        session, organization.id, EventType.TASK_REMINDER, [_event(task, now, locale) for task in reminded]
    )
    escalating = [task for task in tasks if task.escalates(now)]
    escalated = await _first_today(session, organization.id, escalating, day, ReminderKind.ESCALATION, now)
    if escalated:
        chains = await _managers_above(session, organization.id)
        events = [
            _event(task, now, locale, manager_ids=[str(m) for m in chains.get(task.employee_id, [])])
            for task in escalated
        ]
        await outbox.publish_many(session, organization.id, EventType.TASK_ESCALATED, events)
    return Sent(len(reminded), len(escalated), 1)


async def daily(session: AsyncSession, now: datetime) -> Sent:
    """The worker's daily job: every organization, in the job's transaction."""
    sent = Sent()
    for organization in await organizations(session):
        sent += await remind_organization(session, organization, now)
    return sent


Progress = Callable[[int, int, OrgInfo, Sent], None]


async def remind_all(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime, progress: Progress | None = None
) -> Sent:
    """``kpr remind``: every organization in a transaction of its own (a long run keeps what it has done), reporting
    each to ``progress`` (done, total, organization, what it sent)."""
    async with sessionmaker() as session:
        tenants = await organizations(session)
    sent = Sent()
    for done, organization in enumerate(tenants, start=1):
        async with sessionmaker() as session:
            this = await remind_organization(session, organization, now)
            await session.commit()
        sent += this
        if progress is not None:
            progress(done, len(tenants), organization, this)
    return sent
