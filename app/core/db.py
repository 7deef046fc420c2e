"""Engine and session factory; the request's session dependency is the one place that commits."""

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import Request
from sqlalchemy import event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from app.core.config import Settings

SQLITE_BUSY_TIMEOUT_MS = 60_000
CLIENT_TIMEOUT_MARGIN = 2.0
# Requests that write nothing: they read through the read engine (see read_engine).
READ_METHODS = frozenset({"GET", "HEAD"})
_READ_ONLY = "kpr_read_only"
# A pooled connection idle longer than this is pinged before use (see _ping_when_idle).
PING_AFTER_IDLE_SECONDS = 1.0
_RETURNED_AT = "kpr_returned_at"


def create_engine(settings: Settings) -> AsyncEngine:
    url = make_url(settings.database_url)
    kwargs: dict[str, Any] = {"echo": settings.db_echo, "pool_timeout": settings.db_pool_timeout}
    if url.get_backend_name() == "sqlite":
        database = url.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    else:
        kwargs["pool_size"] = settings.db_pool_size
        kwargs["max_overflow"] = settings.db_max_overflow
        statement_ms = int(settings.db_statement_timeout * 1000)
        kwargs["connect_args"] = {
            "timeout": settings.db_connect_timeout,
            # The server cancels a slow statement (the connection stays usable); the client-side timeout, a little
            # longer, is the backstop for a server that answers nothing at all (frozen, or a dead network path).
            "command_timeout": settings.db_statement_timeout + CLIENT_TIMEOUT_MARGIN,
            "server_settings": {
                "statement_timeout": str(statement_ms),
                "idle_in_transaction_session_timeout": str(statement_ms * 2),
            },
        }
    engine = create_async_engine(url, **kwargs)
    if url.get_backend_name() == "sqlite":
        _configure_sqlite(engine)
    else:
        _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Ping a pooled connection before use only when it has sat idle (``PING_AFTER_IDLE_SECONDS``).

    ``pool_pre_ping`` pings on every checkout: a round trip before each request's first statement. A connection
    returned a moment ago has just proven the server answers, so under load nothing is pinged, and a connection left
    idle (where a restart, a failover or an idle timeout strikes) still is. A failed ping invalidates the whole pool,
    as pre-ping does, and the checkout retries on a new connection. A SQLite file never drops a connection.
    """

    @event.listens_for(engine.sync_engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED_AT)
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
            return  # new (it just connected), or busy a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise exc.InvalidatePoolError(str(error)) from error


def _configure_sqlite(engine: AsyncEngine) -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINTs; we emit BEGIN ourselves.
    # BEGIN IMMEDIATE takes the write lock up front, so concurrent writers queue on busy_timeout instead of
    # failing with "database is locked" when a read transaction later tries to write.
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A reader's deferred BEGIN takes no lock until it reads, and then only a WAL snapshot: it runs beside a writer.
        read_only = connection.get_execution_options().get(_READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def read_engine(engine: AsyncEngine) -> AsyncEngine:
    """The same engine and pool for requests that write nothing.

    PostgreSQL: AUTOCOMMIT, so a read is its statements alone — no BEGIN and COMMIT round trips. Each statement reads
    what is committed when it starts, exactly as it would inside a READ COMMITTED transaction, so nothing is lost.
    SQLite: a deferred BEGIN instead of BEGIN IMMEDIATE, so readers never queue behind a writer's lock (WAL).
    """
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{_READ_ONLY: True})
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def is_postgres(session: AsyncSession) -> bool:
    """Whether the session runs on PostgreSQL (where set-based paths, SKIP LOCKED and advisory locks are used)."""
    return session.get_bind().dialect.name == "postgresql"


def _autocommits(sessionmaker: async_sessionmaker[AsyncSession]) -> bool:
    """Whether the sessions of ``sessionmaker`` run each statement as its own transaction (PostgreSQL reads)."""
    bind = sessionmaker.kw.get("bind")
    return isinstance(bind, AsyncEngine) and bind.get_execution_options().get("isolation_level") == "AUTOCOMMIT"


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: services flush, this commits (or rolls back on any error). GET and HEAD, which
    write nothing, read through the read engine (``read_engine``), where committing costs nothing."""
    state = request.app.state
    sessionmaker: async_sessionmaker[AsyncSession] = state.sessionmaker
    if request.method in READ_METHODS:
        sessionmaker = getattr(state, "read_sessionmaker", sessionmaker)
        if _autocommits(sessionmaker):
            # Every statement of an AUTOCOMMIT read is its own transaction, over when it returns: there is nothing to
            # commit or roll back, and closing the session hands the connection back (a commit cost a read a tenth
            # of its CPU in SQLAlchemy's transaction bookkeeping, and did nothing).
            async with sessionmaker() as session:
                yield session
            return
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


async def lock_tree(session: AsyncSession, organization_id: object, tree: str) -> None:
    """Serialize the moves within one organization's tree (goals, departments, the manager chain) until commit.

    A loop check reads the tree as committed; two crossing moves (A under B, B under A) each pass it unless the
    second waits for the first. On PostgreSQL a transaction-scoped advisory lock does that; SQLite already runs one
    writer at a time (BEGIN IMMEDIATE).
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": f"tree:{tree}:{organization_id}"}
    )
