"""What the rate limiter adds to a request's CPU, in process: the middleware around an app that answers at once.

What is measured is the limiter alone — finding the principal from its bearer token (a hit in the verified-token
cache), counting the request against the principal's and the organization's quota (a hit and the window's figures for
each, from the storage), and adding the RateLimit fields — against the same requests sent to the bare app. Each round
sends REQUESTS requests; the best of the rounds is kept, since other work on the machine only ever adds time.

Usage: .venv/bin/python scripts/bench_rate_limit.py [REQUESTS] [--storage redis://127.0.0.1:6379/15] [--principals N]
"""

import argparse
import asyncio
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.config import Settings
from app.core.rate_limit import Limiter, RateLimitMiddleware
from app.core.security import mint_token

SECRET = "bench-" + "x" * 40
ROUNDS = 5


async def answer(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})


async def cpu_per_request(app: ASGIApp, settings: Settings, requests: int, principals: int) -> float:
    tokens = [
        mint_token(settings, subject=f"user-{n}", organization_id=uuid.UUID(int=n % 10), roles=[])
        for n in range(principals)
    ]
    statuses: set[int] = set()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        if message["type"] == "http.response.start":
            statuses.add(message["status"])

    def scope(n: int) -> dict[str, Any]:
        return {
            "type": "http",
            "method": "GET",
            "path": "/api/v1/kprs/5f1c9a0e-0b7d-4c35-9a51-3d2f0f4f7a10",
            "headers": [(b"host", b"bench"), (b"authorization", f"Bearer {tokens[n % principals]}".encode())],
            "client": ("127.0.0.1", 50000),
        }

    best = float("inf")
    for _ in range(ROUNDS):
        for n in range(principals):  # the tokens verified once, as a running service has them
            await app(scope(n), receive, send)
        started = time.process_time()
        for n in range(requests):
            await app(scope(n), receive, send)
            await asyncio.sleep(0)  # the loop turns between requests, as in a server (the storage's own tasks run)
        best = min(best, (time.process_time() - started) / requests)
    assert statuses == {200}, statuses
    return best * 1e6


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("requests", nargs="?", type=int, default=4000)
    parser.add_argument("--storage", default="memory://")
    parser.add_argument("--principals", type=int, default=50, help="distinct callers, in 10 organizations")
    args = parser.parse_args()
    settings = Settings(
        jwt_secret=SECRET,
        rate_limit_storage=args.storage,
        rate_limit_reads="1000000/minute",
        rate_limit_org_reads="1000000/minute",
    )
    limited = RateLimitMiddleware(answer, Limiter(settings), prefix="/api/v1")
    bare = await cpu_per_request(answer, settings, args.requests, args.principals)
    with_limiter = await cpu_per_request(limited, settings, args.requests, args.principals)
    print(f"{args.requests} requests x {ROUNDS} rounds, {args.principals} principals, storage {args.storage}")
    print(f"the bare app:      {bare:7.1f} µs CPU per request")
    print(f"with the limiter:  {with_limiter:7.1f} µs CPU per request (the limiter: {with_limiter - bare:+.1f} µs)")


if __name__ == "__main__":
    asyncio.run(main())
