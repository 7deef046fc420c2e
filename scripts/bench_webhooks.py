"""Benchmark event delivery: events per second from the outbox to a local receiver, with one worker.

    .venv/bin/python scripts/bench_webhooks.py [--events 5000] [--database kpr_bench_webhooks]

It recreates a PostgreSQL database (127.0.0.1:5432), migrates it, records N events for one organization with one
webhook, starts a local receiver (a bare ASGI app under uvicorn in its own process, answering 204), and times one
worker's run loop draining the outbox: fan-out, claims, signed sends, results. It prints events/s, and the latency
from an event's record to its delivery (p50/p99).
"""

import argparse
import asyncio
import socket
import statistics
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import asyncpg
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.cli import migrate
from app.core import outbox
from app.core.config import Settings
from app.core.db import create_engine, create_sessionmaker
from app.core.enums import DeliveryStatus, EventType
from app.models import Organization, OutboxEvent, Webhook, WebhookDelivery
from app.webhooks.secrets import encrypt, new_secret
from app.worker import Worker

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


async def receiver(scope: dict[str, object], receive: object, send: object) -> None:
    """The consumer: reads the body and answers 204 (an ASGI app; uvicorn serves it)."""
    if scope["type"] != "http":
        return
    while True:
        message = await receive()  # type: ignore[operator]
        if not message.get("more_body"):
            break
    status = 200 if scope["method"] == "GET" else 204  # a GET is a health probe
    await send({"type": "http.response.start", "status": status, "headers": []})  # type: ignore[operator]
    await send({"type": "http.response.body", "body": b""})  # type: ignore[operator]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _recreate(host_dsn: str, name: str) -> None:
    connection = await asyncpg.connect(f"{host_dsn}/postgres")
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def run(url: str, events: int, port: int) -> None:
    settings = Settings(database_url=url, jwt_secret="bench-webhooks-" + "x" * 32, webhook_allowed_hosts=["127.0.0.1"])
    engine = create_engine(settings)
    sessionmaker = create_sessionmaker(engine)
    try:
        async with sessionmaker() as session:
            org = Organization(name="投递基准", locale="zh-CN", timezone="Asia/Shanghai")
            session.add(org)
            await session.flush()
            session.add(
                Webhook(
                    organization_id=org.id,
                    url=f"http://127.0.0.1:{port}/hook",
                    event_types=[],
                    active=True,
                    secret_encrypted=encrypt(settings, new_secret()),
                    created_by="bench",
                )
            )
            data = {"id": str(uuid.uuid4()), "kpr_id": str(uuid.uuid4()), "value": 42, "note": "本周进展顺利"}
            await outbox.publish_many(session, org.id, EventType.CHECKIN_CREATED, (data for _ in range(events)))
            await session.commit()
        worker = Worker(settings, sessionmaker, worker_id="bench")
        stop = asyncio.Event()
        started = time.perf_counter()
        running = asyncio.create_task(worker.run(stop))  # the loop `kpr worker` and `kpr serve` run
        delivered = 0
        while delivered < events:
            await asyncio.sleep(0.05)
            async with sessionmaker() as session:
                delivered = (
                    await session.scalar(select(func.count()).where(WebhookDelivery.status == DeliveryStatus.DELIVERED))
                    or 0
                )
        elapsed = time.perf_counter() - started
        stop.set()
        await running
        async with sessionmaker() as session:
            rows = (
                await session.execute(
                    select(OutboxEvent.occurred_at, WebhookDelivery.delivered_at).join(
                        WebhookDelivery, WebhookDelivery.event_id == OutboxEvent.id
                    )
                )
            ).all()
        waits = sorted((delivered - occurred) / timedelta(milliseconds=1) for occurred, delivered in rows if delivered)
        assert len(waits) == events, f"{len(waits)} of {events} delivered"
        print(f"one worker (its run loop), {events:,} events to one local receiver")
        print(f"  {events / elapsed:,.0f} events/s   ({elapsed:.2f} s)")
        p50 = statistics.median(waits)
        p99 = waits[int(len(waits) * 0.99) - 1]
        print(f"  record → delivered: p50 {p50:,.0f} ms, p99 {p99:,.0f} ms (all recorded before the worker started)")
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=5_000)
    parser.add_argument("--database", default="kpr_bench_webhooks")
    parser.add_argument("--host-dsn", default="postgresql://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    asyncio.run(_recreate(args.host_dsn, args.database))
    url = f"{args.host_dsn}/{args.database}".replace("postgresql://", "postgresql+asyncpg://", 1)
    migrate(url)
    port = _free_port()
    command = [str(BIN / "uvicorn"), "scripts.bench_webhooks:receiver", "--port", str(port), "--log-level", "warning"]
    server = subprocess.Popen([*command, "--no-access-log"], cwd=ROOT)
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        asyncio.run(run(url, args.events, port))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
