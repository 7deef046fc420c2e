"""The worker (DESIGN §13): delivers the outbox and runs the scheduled jobs.

`kpr worker` runs it on its own; `kpr serve` runs the same loop in-process unless ``KPR_EMBEDDED_WORKER=false``.
Any number may run at once: claims keep them off each other's deliveries, and a scheduled job runs once per interval
whichever worker gets there first (``scheduled_jobs``: the worker that moves a job's ``last_run_at`` runs it).
"""

import asyncio
import contextlib
import logging
import os
import random
import socket
import uuid
from collections import Counter as Tally
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import httpx
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core import outbox
from app.core.config import Settings
from app.core.db import is_postgres
from app.core.outbox import Renderer
from app.evaluations import presenter as evaluation_presenter
from app.goals import presenter as goal_presenter
from app.kprs import presenter as kpr_presenter
from app.models import Evaluation, Goal, Kpr, ScheduledJob
from app.models.base import utcnow
from app.tasks import reminders
from app.webhooks import delivery

log = logging.getLogger(__name__)

POLL_SECONDS = 1.0
EPOCH = datetime(2000, 1, 1, tzinfo=utcnow().tzinfo)


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[AsyncSession, datetime], Awaitable[object]]


JOBS: Sequence[Job] = (
    Job("prune_outbox", timedelta(days=1), delivery.prune),
    # Reminders and escalations (DESIGN §12); sent at most once per task and day, so a late or repeated run is safe.
    Job("remind_tasks", timedelta(days=1), reminders.daily),
)
# How fan-out renders the resources of events recorded in bulk (app.core.outbox.publish_deferred), by type.
RENDERERS: Mapping[str, Renderer] = {
    "evaluation": partial(outbox.render_with, Evaluation, evaluation_presenter.present_many),
    "goal": partial(outbox.render_with, Goal, goal_presenter.present_many),
    "kpr": partial(outbox.render_with, Kpr, kpr_presenter.present_many),
}


class Worker:
    def __init__(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime] = utcnow,
        client: httpx.AsyncClient | None = None,
        jobs: Sequence[Job] = JOBS,
        worker_id: str | None = None,
        rng: random.Random | None = None,
        concurrency: int = delivery.CONCURRENCY,
    ) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.clock = clock
        self.client = client or delivery.new_client()
        self.jobs = jobs
        self.id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not a secret
        # Sends in flight at once, each with its own pooled connection for its result.
        self.concurrency = concurrency
        self.in_flight: dict[asyncio.Task[str], delivery.Claimed] = {}

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session whose commits do not wait for the disk on PostgreSQL (``synchronous_commit`` off).

        Safe because delivery is at least once: a crash may lose the last moments' bookkeeping, and then a fan-out is
        redone or a delivery is sent again — never lost, since nothing is sent before its claim is written. It spares
        every claim and result the wait for a flush of the log, which bounded a worker to tens of deliveries a second.
        """
        async with self.sessionmaker() as session:
            if is_postgres(session):
                await session.execute(text("SET LOCAL synchronous_commit TO off"))
            yield session

    async def fan_out(self) -> int:
        async with self.session() as session:
            count = await delivery.fan_out(session, self.clock(), RENDERERS)
            await session.commit()
            return count

    def _busy(self) -> set[uuid.UUID]:
        tally = Tally(claimed.webhook_id for claimed in self.in_flight.values())
        return {webhook for webhook, count in tally.items() if count >= delivery.PER_WEBHOOK}

    async def claim(self, limit: int) -> list[delivery.Claimed]:
        async with self.session() as session:
            claimed = await delivery.claim(session, self.id, self.clock(), limit, self._busy())
            await session.commit()
            return claimed

    async def deliver(self, claimed: delivery.Claimed) -> str:
        outcome = await delivery.send(self.client, self.settings, claimed, self.clock())
        async with self.session() as session:
            status = await delivery.finish(session, self.id, claimed, outcome, self.clock(), self.rng)
            await session.commit()
        if status == "lost":
            log.warning("delivery %s: the claim ran out before the answer; another worker has it", claimed.id)
        return status

    async def run_jobs(self) -> list[str]:
        """Run each job whose interval has passed and that no other worker has just taken."""
        ran = []
        for job in self.jobs:
            now = self.clock()
            async with self.session() as session:
                if await session.get(ScheduledJob, job.name) is None:
                    session.add(ScheduledJob(name=job.name, last_run_at=EPOCH))
                    try:
                        await session.commit()
                    except IntegrityError:  # another worker made the row first
                        await session.rollback()
                taken = await session.execute(
                    update(ScheduledJob)
                    .where(ScheduledJob.name == job.name, ScheduledJob.last_run_at <= now - job.every)
                    .values(last_run_at=now)
                )
                if taken.rowcount:  # type: ignore[attr-defined]
                    await job.run(session, now)
                    ran.append(job.name)
                await session.commit()
        return ran

    async def run_once(self) -> int:
        """One whole pass, each send awaited (tests, `kpr worker --once`): fan out, deliver what is due, run jobs.
        Returns how many events and deliveries it handled."""
        handled = 0
        while fanned := await self.fan_out():
            handled += fanned
        while claimed := await self.claim(self.concurrency):
            await asyncio.gather(*(self.deliver(c) for c in claimed))
            handled += len(claimed)
        await self.run_jobs()
        await self.observe_lag()
        return handled

    async def observe_lag(self) -> None:
        async with self.session() as session:
            delivery.LAG.set(await delivery.lag_seconds(session, self.clock()))

    async def run(self, stop: asyncio.Event) -> None:
        """Until ``stop`` is set: keep up to CONCURRENCY sends in flight, fan out and claim as room frees up. On stop,
        the sends in flight finish (each is bounded by its 10 s timeout) and nothing is left claimed."""
        log.info("worker %s started", self.id)
        try:
            while not stop.is_set():
                worked = False
                try:
                    worked = bool(await self.fan_out())
                    room = self.concurrency - len(self.in_flight)
                    if room > 0:
                        for claimed in await self.claim(room):
                            self.in_flight[asyncio.create_task(self.deliver(claimed))] = claimed
                            worked = True
                    await self.run_jobs()
                    await self.observe_lag()
                except Exception:  # the database may be away for a while: keep trying, do not die
                    log.exception("worker pass failed; retrying in %s s", POLL_SECONDS)
                if not worked:
                    waiters: set[asyncio.Future[Any]] = {asyncio.ensure_future(stop.wait()), *self.in_flight}
                    done, _ = await asyncio.wait(waiters, timeout=POLL_SECONDS, return_when=asyncio.FIRST_COMPLETED)
                    for waiter in waiters - set(self.in_flight):
                        if waiter not in done:
                            waiter.cancel()
                self._reap()
        finally:
            if self.in_flight:
                await asyncio.wait(set(self.in_flight))
            self._reap()
            await self.client.aclose()
            log.info("worker %s stopped", self.id)

    def _reap(self) -> None:
        for task in [t for t in self.in_flight if t.done()]:
            claimed = self.in_flight.pop(task)
            if not task.cancelled() and task.exception() is not None:
                log.error("delivery %s failed in the worker", claimed.id, exc_info=task.exception())


@contextlib.asynccontextmanager
async def running(worker: Worker) -> AsyncIterator[None]:
    """Run ``worker`` in the background for the duration of the block (the embedded worker under `kpr serve`)."""
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        yield
    finally:
        stop.set()
        await task
