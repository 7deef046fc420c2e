"""Reads never queue behind a writer (DESIGN §15): on SQLite a long write holds the database's write lock, and reads
(GET endpoints, /readyz) must still answer at once — they begin deferred and read their WAL snapshot. On PostgreSQL
reads run without a transaction of their own and are never blocked by a writer's row locks."""

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import Settings
from tests.assertions import ok
from tests.factories import API, make_tenant

PATIENCE = 3.0  # seconds; a read that queued behind the writer would wait for the writer's whole transaction


@contextmanager
def sqlite_writer(database: str) -> Iterator[None]:
    """Another connection holding SQLite's write lock (as a long write does) until the block ends."""
    connection = sqlite3.connect(database, isolation_level=None, timeout=0)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE organizations SET name = name")
        yield
    finally:
        connection.execute("ROLLBACK")
        connection.close()


async def test_reads_answer_while_a_write_holds_the_lock(
    app: FastAPI, settings: Settings, engine: AsyncEngine, committed_client: httpx.AsyncClient
) -> None:
    async with app.state.sessionmaker() as session:
        tenant = await make_tenant(session, settings, "读写并行公司")
        await session.commit()
    headers = tenant.headers("employee")

    async def reads() -> float:
        started = time.monotonic()
        assert (await committed_client.get("/readyz")).status_code == 200
        ok(await committed_client.get(f"{API}/goals", headers=headers))
        ok(await committed_client.get(f"{API}/employees/{tenant.employee.id}", headers=headers))
        return time.monotonic() - started

    if engine.dialect.name == "sqlite":
        database = make_url(settings.database_url).database
        assert database
        with sqlite_writer(database):
            elapsed = await asyncio.wait_for(reads(), PATIENCE)
    else:
        async with engine.connect() as writer:
            await writer.begin()
            await writer.execute(text("UPDATE organizations SET name = name WHERE id = :id"), {"id": tenant.org.id})
            await writer.execute(text("LOCK TABLE goals IN ROW EXCLUSIVE MODE"))
            elapsed = await asyncio.wait_for(reads(), PATIENCE)
            await writer.rollback()
    assert elapsed < PATIENCE
