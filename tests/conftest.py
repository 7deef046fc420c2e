"""Test harness: the schema is built by the migrations; each test runs in a transaction that is rolled back.

SQLite by default; PostgreSQL when KPR_TEST_DATABASE_URL is set. Requests go through the real ASGI stack.
"""

import os
import tempfile
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from app.cli import migrate
from app.core.config import Settings
from app.core.db import create_engine
from app.core.security import mint_token
from app.main import create_app
from app.models import Base
from tests.assertions import follow_problem_types

TEST_SECRET = "test-secret-" + "x" * 32


def _database_url() -> str:
    url = os.environ.get("KPR_TEST_DATABASE_URL")
    if url:
        return url
    directory = Path(tempfile.mkdtemp(prefix="kpr-test-"))
    return f"sqlite+aiosqlite:///{directory}/test.db"


def _in_thread(fn: Callable[[], None]) -> None:
    # Alembic's env.py runs its own event loop; keep it off the test loop.
    errors: list[BaseException] = []

    def run() -> None:
        try:
            fn()
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def reset_database(url: str) -> None:
    """Drop everything (PostgreSQL keeps state between runs) and rebuild with the migrations."""
    if url.startswith("postgresql"):
        import asyncio

        async def drop() -> None:
            engine = create_engine(Settings(database_url=url))
            async with engine.begin() as connection:
                await connection.execute(text("DROP SCHEMA public CASCADE"))
                await connection.execute(text("CREATE SCHEMA public"))
            await engine.dispose()

        _in_thread(lambda: asyncio.run(drop()))
    _in_thread(lambda: migrate(url))


@pytest.fixture(scope="session")
def database_url() -> str:
    url = _database_url()
    reset_database(url)
    return url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    # The suite makes thousands of requests as a handful of principals: rate limits are tested on their own
    # (tests/core/test_rate_limit.py), with apps that enable them.
    return Settings(database_url=database_url, jwt_secret=TEST_SECRET, rate_limit_enabled=False)


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def app(settings: Settings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            yield connection
        finally:
            await transaction.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    # Commits inside the app release savepoints; the outer transaction is rolled back after the test.
    return async_sessionmaker(
        bind=connection, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
async def session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        yield session


@pytest.fixture
async def client(app: FastAPI, sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[httpx.AsyncClient]:
    original = app.state.sessionmaker, app.state.read_sessionmaker
    # Reads and writes both run in the test's transaction (rolled back after it).
    app.state.sessionmaker = app.state.read_sessionmaker = sessionmaker
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield follow_problem_types(client)
    finally:
        app.state.sessionmaker, app.state.read_sessionmaker = original


AppClientFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def client_for(sessionmaker: async_sessionmaker[AsyncSession]) -> AppClientFactory:
    """A client over a separate app built from other settings (RS256 keys, audience, CORS…), in the test's transaction.

    Use as ``async with client_for(settings) as client``; ``configure(app)`` may add test-only routes.
    """

    @asynccontextmanager
    async def build(
        settings: Settings, configure: Callable[[FastAPI], None] | None = None
    ) -> AsyncIterator[httpx.AsyncClient]:
        other = create_app(settings)
        if configure is not None:
            configure(other)
        other.state.sessionmaker = other.state.read_sessionmaker = sessionmaker
        try:
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=other), base_url="http://test") as client:
                yield follow_problem_types(client)
        finally:
            await other.state.engine.dispose()

    return build


@pytest.fixture
async def committed_client(app: FastAPI, engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose requests really commit, for concurrency tests; every table is emptied afterwards."""
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=120) as client:
            yield follow_problem_types(client)
    finally:
        async with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(table.delete())


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.strip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN")):
            return
        self.count += 1
        self.statements.append(statement)


@pytest.fixture
def count_statements(connection: AsyncConnection) -> Callable[[], Any]:
    """Use as ``with count_statements() as counter: ...``; counter.count is the number of SQL statements."""

    @contextmanager
    def counting() -> Iterator[StatementCounter]:
        counter = StatementCounter()
        sync_engine = connection.sync_connection.engine if connection.sync_connection else None
        assert sync_engine is not None
        event.listen(sync_engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(sync_engine, "before_cursor_execute", counter)

    return counting


def token_for(
    settings: Settings, subject: str, organization_id: uuid.UUID | None, roles: list[str] | None = None
) -> str:
    return mint_token(settings, subject=subject, organization_id=organization_id, roles=roles or [])


@pytest.fixture
async def tenant(session: AsyncSession, settings: Settings) -> Any:
    from tests.factories import make_tenant

    t = await make_tenant(session, settings, "甲公司")
    await session.commit()
    return t


@pytest.fixture
async def other_tenant(session: AsyncSession, settings: Settings) -> Any:
    from tests.factories import make_tenant

    t = await make_tenant(session, settings, "乙公司")
    await session.commit()
    return t
