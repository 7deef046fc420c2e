"""A database that stops or freezes mid-traffic: requests fail fast with 503 and the service recovers by itself.

Each test starts a throwaway PostgreSQL cluster of its own (``initdb`` in a temporary folder, a free port), never the
shared one, and an app pointed at it with short timeouts. They run in the PostgreSQL pass of the suite
(``KPR_TEST_DATABASE_URL`` set), where the server binaries are known to be installed.
"""

import asyncio
import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from app.cli import migrate
from app.core.config import Settings
from app.main import create_app
from tests.conftest import TEST_SECRET, _in_thread
from tests.factories import Tenant, make_tenant

pytestmark = pytest.mark.skipif(
    not os.environ.get("KPR_TEST_DATABASE_URL"), reason="outage tests run in the PostgreSQL pass (server binaries)"
)

STATEMENT_TIMEOUT = 2.0
# What a caller may wait at most before the 503: the client-side backstop (statement + margin) plus a connect try.
FAIL_FAST = 10.0


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    assert found, f"PostgreSQL server binaries not found ({name})"
    return found[-1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(*command: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)


@dataclass
class Cluster:
    directory: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        _as_postgres(
            _bin("pg_ctl"),
            "-D",
            str(self.directory / "data"),
            "-o",
            options,
            "-w",
            "-l",
            str(self.directory / "log"),
            "start",
        )

    def stop(self) -> None:
        _as_postgres(_bin("pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate", "-w", "stop")

    def _pids(self) -> list[int]:
        postmaster = int((self.directory / "data" / "postmaster.pid").read_text().split()[0])
        children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True).stdout.split()
        return [postmaster, *map(int, children)]

    def freeze(self) -> None:
        for pid in self._pids():
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in self._pids():
            os.kill(pid, signal.SIGCONT)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    directory = Path(tempfile.mkdtemp(prefix="kpr-outage-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    cluster = Cluster(directory, _free_port())
    _as_postgres(_bin("initdb"), "-D", str(directory / "data"), "-A", "trust", "-U", "postgres", "--no-sync")
    cluster.start()
    try:
        yield cluster
    finally:
        with contextlib.suppress(OSError, ValueError):
            cluster.thaw()
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                _bin("pg_ctl"),
                "-D",
                str(directory / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(directory, ignore_errors=True)


@dataclass
class Outage:
    cluster: Cluster
    app: FastAPI
    client: httpx.AsyncClient
    tenant: Tenant


@pytest.fixture
async def outage(cluster: Cluster) -> AsyncIterator[Outage]:
    _in_thread(lambda: migrate(cluster.url))
    settings = Settings(
        database_url=cluster.url,
        jwt_secret=TEST_SECRET,
        db_connect_timeout=1.0,
        db_pool_timeout=1.0,
        db_statement_timeout=STATEMENT_TIMEOUT,
    )
    app = create_app(settings)
    async with app.state.sessionmaker() as session:
        tenant = await make_tenant(session, settings, "停机公司")
        await session.commit()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=60) as client:
        try:
            yield Outage(cluster, app, client, tenant)
        finally:
            cluster.thaw()
            await app.state.engine.dispose()


async def _timed(client: httpx.AsyncClient, method: str, path: str, **kwargs: object) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await client.request(method, path, **kwargs)  # type: ignore[arg-type]
    return response, time.monotonic() - started


def _assert_unavailable(response: httpx.Response, elapsed: float) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "SERVICE_UNAVAILABLE"
    assert int(response.headers["retry-after"]) > 0
    assert elapsed < FAIL_FAST, elapsed


async def _requests_during_outage(outage: Outage) -> None:
    headers = outage.tenant.headers("admin")
    for method, path, extra in [
        ("GET", "/api/v1/employees", {}),
        ("GET", f"/api/v1/employees/{outage.tenant.employee.id}", {}),
        ("POST", "/api/v1/departments", {"json": {"name": "新部门", "code": "NEW"}}),
        (
            "POST",
            "/api/v1/departments",
            {"json": {"name": "新部门", "code": "NEW"}, "headers": headers | {"Idempotency-Key": "outage-1"}},
        ),
        ("GET", "/readyz", {}),
    ]:
        kwargs = {"headers": headers, **extra}
        response, elapsed = await _timed(outage.client, method, path, **kwargs)
        _assert_unavailable(response, elapsed)
    # Scoring needs no database: a bearer token is checked by its signature alone.
    preview = {"kprs": [{"direction": "increase", "baseline": 200, "target": 300, "actual": 250, "weight": 100}]}
    response = await outage.client.post("/api/v1/scoring/preview", json=preview, headers=headers)
    assert response.status_code == 200, response.text
    health = await outage.client.get("/healthz")
    assert health.status_code == 200


async def _recovers(outage: Outage) -> None:
    headers = outage.tenant.headers("admin")
    deadline = time.monotonic() + 30
    while True:
        response = await outage.client.get("/api/v1/employees", headers=headers)
        if response.status_code == 200 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    assert response.status_code == 200, response.text
    created = await outage.client.post(
        "/api/v1/departments",
        json={"name": "恢复后部门", "code": "AFTER"},
        headers=headers | {"Idempotency-Key": "outage-1"},
    )
    assert created.status_code == 201, created.text


async def test_a_stopped_database_answers_503_fast_and_the_service_recovers(outage: Outage) -> None:
    warm = await outage.client.get("/api/v1/employees", headers=outage.tenant.headers("admin"))
    assert warm.status_code == 200  # the pool now holds connections that the stop will break
    outage.cluster.stop()

    await _requests_during_outage(outage)

    outage.cluster.start()
    await _recovers(outage)


async def test_a_frozen_database_answers_503_within_the_timeout_and_the_service_recovers(outage: Outage) -> None:
    warm = await outage.client.get("/api/v1/employees", headers=outage.tenant.headers("admin"))
    assert warm.status_code == 200
    outage.cluster.freeze()

    await _requests_during_outage(outage)

    outage.cluster.thaw()
    await _recovers(outage)
