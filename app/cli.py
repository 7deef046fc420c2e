"""The ``kpr`` command: migrate, serve, worker, demo, token, openapi, errors, remind."""

import argparse
import asyncio
import json
import signal
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import uvicorn
from alembic import command
from alembic.config import Config
from prometheus_client import start_http_server

from app.core.config import Settings, get_settings
from app.core.db import create_engine, create_sessionmaker
from app.core.logging import configure_logging
from app.core.security import TOKEN_TTL, mint_token
from app.demo import load_demo
from app.figures import service as figures
from app.main import create_app
from app.models.base import utcnow
from app.ops import problems
from app.tasks import reminders
from app.worker import Worker

ALEMBIC_INI = Path(__file__).resolve().parent.parent / "alembic.ini"
MAX_TOKEN_HOURS = 24 * 31


def migrate(database_url: str | None = None) -> None:
    config = Config(str(ALEMBIC_INI))
    config.set_main_option("script_location", str(ALEMBIC_INI.parent / "migrations"))
    config.attributes["configure_logger"] = False  # keep the service's JSON logging
    if database_url:
        config.attributes["database_url"] = database_url
    command.upgrade(config, "head")
    filled = asyncio.run(_fill_figures(database_url or get_settings().database_url))
    if filled:
        print(f"stored the figures of {filled} KPRs", file=sys.stderr)


async def _fill_figures(database_url: str) -> int:
    """Figures the schema has columns for but no values yet (right after the upgrade that added them), by the engine."""
    engine = create_engine(Settings(database_url=database_url))
    try:
        async with create_sessionmaker(engine)() as session:
            filled = await figures.backfill(session)
            await session.commit()
            return filled
    finally:
        await engine.dispose()


def _cmd_migrate(_: argparse.Namespace) -> None:
    migrate()
    print("database is at the latest schema", file=sys.stderr)


def _local_url(host: str, port: int) -> str:
    """Where a browser on this machine finds a server listening on ``host``."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 — naming, not binding
    return f"http://{f'[{shown}]' if ':' in shown else shown}:{port}"


def _cmd_serve(args: argparse.Namespace) -> None:
    settings = get_settings()
    migrate()
    if settings.is_sqlite and args.workers > 1:
        print("SQLite runs in one process; ignoring --workers", file=sys.stderr)
        args.workers = 1
    url = _local_url(args.host, args.port)
    print(f"serving on {url}: API docs {url}/docs, error codes {url}/problems", file=sys.stderr)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_config=None,
        # The service logs every request itself (JSON, with its request id, route and duration); uvicorn's own
        # access line would be a second, unstructured copy of each.
        access_log=False,
        proxy_headers=True,
    )


async def _run_worker(settings: Settings, once: bool) -> None:
    engine = create_engine(settings)
    worker = Worker(settings, create_sessionmaker(engine))
    try:
        if once:
            print(f"handled {await worker.run_once()} events and deliveries", file=sys.stderr)
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await worker.run(stop)
    finally:
        await engine.dispose()


def _cmd_worker(args: argparse.Namespace) -> None:
    settings = get_settings()
    migrate()
    if args.metrics_port:
        start_http_server(args.metrics_port, addr=args.metrics_host)
    asyncio.run(_run_worker(settings, args.once))


def _cmd_demo(args: argparse.Namespace) -> None:
    migrate()
    asyncio.run(load_demo(get_settings(), _local_url(args.host, args.port)))


def _cmd_token(args: argparse.Namespace) -> None:
    organization_id = uuid.UUID(args.org) if args.org else None
    roles = args.role or []
    if organization_id is None and "system" not in roles:
        raise SystemExit("--org is required unless --role system")
    ttl = timedelta(hours=args.hours)
    print(mint_token(get_settings(), subject=args.sub, organization_id=organization_id, roles=roles, ttl=ttl))


def _cmd_openapi(_: argparse.Namespace) -> None:
    print(json.dumps(create_app().openapi(), ensure_ascii=False, indent=2))


def _cmd_errors(_: argparse.Namespace) -> None:
    print(problems.markdown(), end="")


def _instant(text: str) -> datetime:
    try:
        at = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError("an RFC 3339 timestamp, e.g. 2026-12-03T09:00:00Z") from exc
    if at.tzinfo is None:
        raise argparse.ArgumentTypeError("the timestamp needs an offset, e.g. 2026-12-03T09:00:00+08:00")
    return at


def _report_progress(done: int, total: int, organization: reminders.OrgInfo, sent: reminders.Sent) -> None:
    print(
        f"[{done}/{total}] {organization.name}: {sent.reminders} reminders, {sent.escalations} escalations",
        file=sys.stderr,
    )


async def _remind(settings: Settings, at: datetime) -> reminders.Sent:
    engine = create_engine(settings)
    try:
        return await reminders.remind_all(create_sessionmaker(engine), at, _report_progress)
    finally:
        await engine.dispose()


def _cmd_remind(args: argparse.Namespace) -> None:
    settings = get_settings()
    migrate()
    at: datetime = args.at or utcnow()
    sent = asyncio.run(_remind(settings, at))
    organizations = f"{sent.organizations} organization{'' if sent.organizations == 1 else 's'}"
    print(
        f"sent {sent.reminders} reminders and {sent.escalations} escalations in {organizations} as of {at.isoformat()}"
    )


def _positive_hours(text: str) -> float:
    hours = float(text)
    if not 0 < hours <= MAX_TOKEN_HOURS:
        raise argparse.ArgumentTypeError(f"between 0 and {MAX_TOKEN_HOURS} hours")
    return hours


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="kpr", description="KPR service command line")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("migrate", help="upgrade the database to the latest schema").set_defaults(func=_cmd_migrate)

    serve = commands.add_parser("serve", help="migrate, then serve the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(func=_cmd_serve)

    worker = commands.add_parser("worker", help="deliver events to webhooks and run the scheduled jobs")
    worker.add_argument("--once", action="store_true", help="one pass over what is due, then exit")
    worker.add_argument("--metrics-port", type=int, help="serve Prometheus metrics on this port")
    worker.add_argument("--metrics-host", default="127.0.0.1")
    worker.set_defaults(func=_cmd_worker)

    demo = commands.add_parser("demo", help="load the demo company and print tokens")
    demo.add_argument("--host", default="127.0.0.1", help="where `kpr serve` will listen, for the printed URL")
    demo.add_argument("--port", type=int, default=8000, help="where `kpr serve` will listen, for the printed URL")
    demo.set_defaults(func=_cmd_demo)

    token = commands.add_parser("token", help="mint a bearer token with the configured secret")
    token.add_argument("--org", help="organization id (omit for --role system)")
    token.add_argument("--sub", required=True, help="subject: the employee's external_id")
    token.add_argument("--role", action="append", choices=["admin", "service", "system"], help="repeatable")
    token.add_argument(
        "--hours", type=_positive_hours, default=TOKEN_TTL / timedelta(hours=1), help="how long it is valid (12)"
    )
    token.set_defaults(func=_cmd_token)

    commands.add_parser("openapi", help="print the OpenAPI document").set_defaults(func=_cmd_openapi)
    commands.add_parser("errors", help="print the error-code catalogue (docs/errors.md)").set_defaults(func=_cmd_errors)

    remind = commands.add_parser(
        "remind", help="send today's task reminders and escalations (events), at most once per task and day"
    )
    remind.add_argument("--at", type=_instant, help="as of this RFC 3339 instant instead of now")
    remind.set_defaults(func=_cmd_remind)

    args = parser.parse_args(argv)
    configure_logging(get_settings().log_level)
    args.func(args)


if __name__ == "__main__":
    main()
