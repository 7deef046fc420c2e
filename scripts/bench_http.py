"""HTTP read benchmark: the service against the limit (a bare FastAPI + asyncpg endpoint fetching the same row).

    sudo apt-get install wrk          # Debian's package; the load generator
    .venv/bin/python scripts/bench_http.py [--duration 8] [--connections 50]

It recreates a PostgreSQL database (default ``kpr_bench_http`` on 127.0.0.1:5432), loads the demo into it, starts
``kpr serve`` (one worker) and the reference side by side, and drives each in turn with ``wrk``: three reads, and
``POST /kprs/{id}/check-ins`` against a raw asyncpg insert of the same row (the write's limit). On a machine with
two or more cores the servers run on the first core and wrk on the others (``taskset``), so the load generator does
not steal the server's CPU. It prints req/s, p50/p99 and each ratio to the limit, measured in the same run.
"""

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
from fastapi import FastAPI, HTTPException

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET = "bench-http-secret-" + "x" * 32


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cores() -> tuple[list[str], list[str]]:
    """taskset prefixes: (servers, load generator); empty when there is one core or no taskset."""
    count = os.cpu_count() or 1
    if count < 2 or shutil.which("taskset") is None:
        return [], []
    return ["taskset", "-c", "0"], ["taskset", "-c", f"1-{count - 1}"]


async def _recreate(admin_dsn: str, name: str) -> None:
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def _targets(dsn: str) -> dict[str, Any]:
    """A KPR of the demo (and its owner), and the active cycle with the most KPRs (check-ins need an open cycle; the
    demo's quarters, closed and in calibration, hold as many KPRs as its year), and the day check-ins are dated: the
    cycle's last day, or today when that is still ahead (a check-in is never dated in the future)."""
    connection = await asyncpg.connect(dsn)
    try:
        cycle_id = await connection.fetchval(
            "SELECT k.cycle_id FROM kprs k JOIN cycles c ON c.id = k.cycle_id WHERE c.status = 'active' "
            "GROUP BY k.cycle_id ORDER BY count(*) DESC, k.cycle_id LIMIT 1"
        )
        row = await connection.fetchrow(
            "SELECT k.id, e.external_id, k.organization_id FROM kprs k JOIN employees e ON e.id = k.owner_id "
            "WHERE k.cycle_id = $1 ORDER BY k.created_at, k.id LIMIT 1",
            cycle_id,
        )
        assert row is not None, "the demo has no KPR"
        end_date = await connection.fetchval("SELECT end_date FROM cycles WHERE id = $1", cycle_id)
        return {
            "end_date": min(end_date, date.today() - timedelta(days=1)).isoformat(),
            "kpr_id": str(row["id"]),
            "owner": row["external_id"],
            "org": str(row["organization_id"]),
            "cycle_id": str(cycle_id),
        }
    finally:
        await connection.close()


@contextmanager
def _server(command: list[str], port: int, env: dict[str, str], health: str) -> Iterator[None]:
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}{health}", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"server did not start: {' '.join(command)}")
            time.sleep(0.2)
        yield
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


# wrk sends a POST with this body when given the script: a check-in, recorded at noon on the day _targets chose.
POST_SCRIPT = """
wrk.method = "POST"
wrk.body = '{"value": 87.5, "note": "bench", "recorded_at": "%sT12:00:00Z"}'
wrk.headers["Content-Type"] = "application/json"
"""


def _wrk(
    prefix: list[str], url: str, token: str | None, args: argparse.Namespace, script: str | None = None
) -> dict[str, float]:
    command = [*prefix, "wrk", "--latency", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    if script:
        command += ["-s", script]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} responses were not 2xx\n{output}")
    return {"rps": rps, "p50": p50, "p99": p99}


# --- the reference: FastAPI + a raw asyncpg pool, one row by id -----------------------------------------------------


def reference_app() -> FastAPI:
    pool: dict[str, asyncpg.Pool] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        pool["p"] = await asyncpg.create_pool(os.environ["BENCH_REFERENCE_DSN"], min_size=5, max_size=20)
        yield
        await pool["p"].close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/healthz")
    async def _health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/kprs/{kpr_id}")
    async def _kpr(kpr_id: uuid.UUID) -> dict[str, Any]:
        row = await pool["p"].fetchrow("SELECT * FROM kprs WHERE id = $1", kpr_id)
        if row is None:
            raise HTTPException(404)
        return {key: (str(value) if value is not None else None) for key, value in row.items()}

    @app.post("/kprs/{kpr_id}/check-ins", status_code=201)
    async def _check_in(kpr_id: uuid.UUID, body: dict[str, Any]) -> dict[str, Any]:
        # The write's limit: one INSERT of the same row the service writes (no access check, no figures).
        row = await pool["p"].fetchrow(
            "INSERT INTO check_ins (id, organization_id, kpr_id, value, recorded_at, note, author, created_at) "
            "SELECT $1, organization_id, id, $2, now(), $3, 'bench', now() FROM kprs WHERE id = $4 RETURNING *",
            uuid.uuid4(),
            Decimal(str(body["value"])),
            body.get("note"),
            kpr_id,
        )
        if row is None:
            raise HTTPException(404)
        return {key: (str(value) if value is not None else None) for key, value in row.items()}

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="kpr_bench_http")
    parser.add_argument("--host-dsn", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: sudo apt-get install wrk")

    asyncio.run(_recreate(f"{args.host_dsn}/postgres", args.database))
    dsn = f"{args.host_dsn}/{args.database}"
    env = {
        **os.environ,
        "KPR_DATABASE_URL": dsn.replace("postgresql://", "postgresql+asyncpg://", 1),
        "KPR_JWT_SECRET": SECRET,
        "KPR_LOG_LEVEL": "WARNING",
        # One token sends thousands of requests a second here, far past its quota: the limiter would answer 429.
        # It is measured on its own (scripts/bench_rate_limit.py).
        "KPR_RATE_LIMIT_ENABLED": "false",
        "KPR_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
    }
    print("loading the demo …", flush=True)
    subprocess.run([str(BIN / "kpr"), "demo"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    targets = asyncio.run(_targets(dsn))
    token = subprocess.run(
        [str(BIN / "kpr"), "token", "--org", targets["org"], "--sub", targets["owner"]],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    servers, load = _cores()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(POST_SCRIPT % targets["end_date"])
    post = lua.name

    results: list[tuple[str, dict[str, float]]] = []
    reference_port = _free_port()
    reference = [
        *servers,
        str(BIN / "uvicorn"),
        "--factory",
        "scripts.bench_http:reference_app",
        "--port",
        str(reference_port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    with _server(reference, reference_port, {**env, "BENCH_REFERENCE_DSN": dsn}, "/healthz"):
        print("limit: raw asyncpg …", flush=True)
        reference_kpr = f"http://127.0.0.1:{reference_port}/kprs/{targets['kpr_id']}"
        results.append(("limit: raw asyncpg, one row", _wrk(load, reference_kpr, None, args)))
        print("write limit: raw asyncpg insert …", flush=True)
        write_limit = _wrk(load, f"{reference_kpr}/check-ins", None, args, post)

    port = _free_port()
    service = [*servers, str(BIN / "kpr"), "serve", "--port", str(port)]
    with _server(service, port, env, "/healthz"):
        api = f"http://127.0.0.1:{port}/api/v1"
        for label, url in (
            ("GET /kprs/{id} (owner)", f"{api}/kprs/{targets['kpr_id']}"),
            ("GET /kprs?cycle_id= (page of 50)", f"{api}/kprs?cycle_id={targets['cycle_id']}&limit=50"),
            ("GET /goals/tree?cycle_id=", f"{api}/goals/tree?cycle_id={targets['cycle_id']}"),
        ):
            print(f"{label} …", flush=True)
            results.append((label, _wrk(load, url, token, args)))
        print("POST /kprs/{id}/check-ins …", flush=True)
        check_ins = _wrk(load, f"{api}/kprs/{targets['kpr_id']}/check-ins", token, args, post)
        # The same writes with a webhook subscribed to them: the outbox row is written either way; now the embedded
        # worker also fans each event out and delivers it, signed, to a local receiver (on the load generator's core).
        receiver_port = _free_port()
        receiver = [*load, str(BIN / "uvicorn"), "scripts.bench_webhooks:receiver", "--port", str(receiver_port)]
        with _server([*receiver, "--log-level", "warning", "--no-access-log"], receiver_port, env, "/"):
            admin = subprocess.run(
                [str(BIN / "kpr"), "token", "--org", targets["org"], "--sub", "bench-admin", "--role", "admin"],
                env=env,
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
            hook = {"url": f"http://127.0.0.1:{receiver_port}/hook", "event_types": ["checkin.created"]}
            httpx.post(f"{api}/webhooks", json=hook, headers={"Authorization": f"Bearer {admin}"}).raise_for_status()
            print("POST /kprs/{id}/check-ins, a webhook subscribed …", flush=True)
            with_webhook = _wrk(load, f"{api}/kprs/{targets['kpr_id']}/check-ins", token, args, post)
    os.unlink(post)

    limit = results[0][1]["rps"]
    print(f"\nwrk -t{args.threads} -c{args.connections} -d{args.duration}s; servers pinned: {bool(servers)}")
    print(f"{'read':<36} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'× limit':>8}")
    for label, figures in results:
        print(
            f"{label:<36} {figures['rps']:>9,.0f} {figures['p50']:>8.1f} {figures['p99']:>8.1f} "
            f"{figures['rps'] / limit:>8.3f}"
        )
    print(f"\n{'write (one KPR: its check-ins queue on its row)':<50} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    writes = (
        ("write limit: raw asyncpg insert", write_limit),
        ("POST /kprs/{id}/check-ins", check_ins),
        ("POST /kprs/{id}/check-ins, webhook subscribed", with_webhook),
    )
    for label, figures in writes:
        print(f"{label:<50} {figures['rps']:>9,.0f} {figures['p50']:>8.1f} {figures['p99']:>8.1f}")
    print(f"check-in × write limit: {check_ins['rps'] / write_limit['rps']:.3f}")
    print(f"check-in with a webhook × without: {with_webhook['rps'] / check_ins['rps']:.3f}")
    results += list(writes)
    print(json.dumps({label: figures for label, figures in results}))


if __name__ == "__main__":
    main()
