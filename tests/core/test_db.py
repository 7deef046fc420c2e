"""The request's session is the one place that commits: success commits, any error rolls everything back."""

import os
import uuid

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core import db
from app.core.auth import Session
from app.core.config import Settings
from app.core.db import create_engine
from app.core.errors import Conflict
from app.models import Department, Employee, Organization
from tests.assertions import assert_problem
from tests.conftest import AppClientFactory
from tests.factories import Tenant


def _writing_routes(app: FastAPI) -> None:
    @app.post("/write/{organization_id}/{outcome}", include_in_schema=False)
    async def write(session: Session, organization_id: uuid.UUID, outcome: str) -> dict[str, str]:
        session.add(Department(organization_id=organization_id, name="事务测试", code=f"TX-{outcome}"))
        await session.flush()
        if outcome == "domain-error":
            raise Conflict("refused after writing")
        if outcome == "crash":
            raise RuntimeError("crashed after writing")
        return {"status": "written"}


async def _count(session: AsyncSession, code: str) -> int:
    return int(await session.scalar(select(func.count()).select_from(Department).where(Department.code == code)) or 0)


async def test_success_commits(
    client_for: AppClientFactory, settings: Settings, session: AsyncSession, tenant: Tenant
) -> None:
    async with client_for(settings, _writing_routes) as client:
        response = await client.post(f"/write/{tenant.org.id}/ok")
    assert response.status_code == 200
    assert await _count(session, "TX-ok") == 1


@pytest.mark.parametrize(
    ("outcome", "status", "code"), [("domain-error", 409, "CONFLICT"), ("crash", 500, "INTERNAL_ERROR")]
)
async def test_errors_roll_back_what_was_flushed(
    client_for: AppClientFactory,
    settings: Settings,
    session: AsyncSession,
    tenant: Tenant,
    outcome: str,
    status: int,
    code: str,
) -> None:
    async with client_for(settings, _writing_routes) as client:
        response = await client.post(f"/write/{tenant.org.id}/{outcome}")
    assert_problem(response, status, code)
    assert await _count(session, f"TX-{outcome}") == 0


async def test_foreign_keys_are_enforced(session: AsyncSession) -> None:
    # SQLite only enforces them with PRAGMA foreign_keys=ON, which the engine sets on every connection.
    org = Organization(name="外键测试", locale="zh-CN", timezone="Asia/Shanghai")
    session.add(org)
    await session.flush()
    session.add(Employee(organization_id=org.id, external_id="x", name="某人", department_id=uuid.uuid4()))
    with pytest.raises(IntegrityError):
        await session.flush()
    await session.rollback()


postgres_only = pytest.mark.skipif(
    not os.environ.get("KPR_TEST_DATABASE_URL"), reason="a SQLite file never drops a connection; nothing is pinged"
)


@postgres_only
async def test_an_idle_connection_is_pinged_and_one_the_server_dropped_is_replaced(
    settings: Settings, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = create_engine(settings)
    try:
        async with own.connect() as connection:
            dropped = await connection.scalar(text("SELECT pg_backend_pid()"))
        async with engine.connect() as admin:
            await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
        monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if it had sat idle
        async with own.connect() as connection:
            assert await connection.scalar(text("SELECT pg_backend_pid()")) != dropped
    finally:
        await own.dispose()


@postgres_only
async def test_a_connection_busy_a_moment_ago_is_not_pinged(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = create_engine(settings)
    pings: list[object] = []
    ping = own.dialect.do_ping

    def counting(dbapi_connection: object) -> bool:
        pings.append(dbapi_connection)
        return ping(dbapi_connection)

    monkeypatch.setattr(own.dialect, "do_ping", counting)
    try:
        for _ in range(3):  # new, then returned a moment ago: no round trip before the first statement
            async with own.connect() as connection:
                await connection.execute(text("SELECT 1"))
        assert pings == []
        monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
        async with own.connect() as connection:
            await connection.execute(text("SELECT 1"))
        assert len(pings) == 1
    finally:
        await own.dispose()


async def test_only_autocommit_reads_skip_the_commit(settings: Settings, engine: AsyncEngine) -> None:
    # A PostgreSQL read runs each statement as its own transaction: its session has nothing to commit. SQLite's reads
    # (a deferred BEGIN), writes, and sessions bound to a connection (the tests' own) commit as before.
    own = create_engine(settings)
    try:
        reads = db.create_sessionmaker(db.read_engine(own))
        assert db._autocommits(reads) is (own.dialect.name == "postgresql")
        assert db._autocommits(db.create_sessionmaker(own)) is False
        async with engine.connect() as connection:
            assert db._autocommits(db.async_sessionmaker(bind=connection)) is False
    finally:
        await own.dispose()
