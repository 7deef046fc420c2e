"""At most N requests of a process are worked on at once; the rest wait their turn, and probes never wait."""

import asyncio
from collections.abc import Callable

import httpx
from fastapi import FastAPI
from sqlalchemy import make_url

from app.core.config import Settings
from app.core.middleware import ConcurrencyLimit
from app.main import UNLIMITED_PATHS, create_app

LIMIT = 3


class _Probe:
    """An app whose /work requests hold their slot until released, counting how many run at once."""

    def __init__(self) -> None:
        self.running = 0
        self.most = 0
        self.started: list[int] = []
        self.release = asyncio.Event()
        self.app = FastAPI()

        @self.app.get("/work/{n}")
        async def work(n: int) -> dict[str, int]:
            self.running += 1
            self.most = max(self.most, self.running)
            self.started.append(n)
            await self.release.wait()
            self.running -= 1
            return {"n": n}

        @self.app.get("/healthz")
        async def health() -> dict[str, str]:
            return {"status": "ok"}


def _client(probe: _Probe) -> httpx.AsyncClient:
    limited = ConcurrencyLimit(probe.app, limit=LIMIT, exempt=UNLIMITED_PATHS)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=limited), base_url="http://test")


async def _until(condition: Callable[[], bool]) -> None:
    """Poll until ``condition`` holds (what the middleware does is seen from outside only), for 5 s at most."""
    async with asyncio.timeout(5):
        while not condition():  # noqa: ASYNC110 — there is no event to wait on: the state is another task's
            await asyncio.sleep(0.01)


async def test_at_most_the_limit_run_and_the_rest_start_in_arrival_order() -> None:
    probe = _Probe()
    async with _client(probe) as client:
        requests = []
        for n in range(8):
            requests.append(asyncio.create_task(client.get(f"/work/{n}")))
            await asyncio.sleep(0.01)  # arrivals in order
        await _until(lambda: len(probe.started) == LIMIT)
        await asyncio.sleep(0.1)
        assert probe.running == LIMIT  # the others wait, none of their work started

        probe.release.set()
        responses = await asyncio.gather(*requests)

    assert [response.json()["n"] for response in responses] == list(range(8))
    assert probe.most == LIMIT
    assert probe.started[LIMIT:] == list(range(LIMIT, 8))


async def test_probes_answer_while_every_slot_is_taken() -> None:
    probe = _Probe()
    async with _client(probe) as client:
        busy = [asyncio.create_task(client.get(f"/work/{n}")) for n in range(LIMIT + 2)]
        await _until(lambda: probe.running == LIMIT)

        async with asyncio.timeout(2):
            health = await client.get("/healthz")

        assert health.status_code == 200
        probe.release.set()
        await asyncio.gather(*busy)


async def test_a_slot_is_given_back_when_the_response_starts() -> None:
    # One slot. A response that has started streaming its body holds none: another request runs meanwhile.
    release = asyncio.Event()
    ran: list[str] = []

    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        ran.append(str(scope["path"]))
        await send({"type": "http.response.start", "status": 200, "headers": []})  # type: ignore[operator]
        if scope["path"] == "/stream":
            await send({"type": "http.response.body", "body": b"first ", "more_body": True})  # type: ignore[operator]
            await release.wait()
        await send({"type": "http.response.body", "body": b"last"})  # type: ignore[operator]

    limited = ConcurrencyLimit(app, limit=1)  # type: ignore[arg-type]
    sent: dict[str, list[dict[str, object]]] = {"/stream": [], "/work": []}

    def call(path: str) -> "asyncio.Task[None]":
        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, object]) -> None:
            sent[path].append(message)

        scope = {"type": "http", "path": path, "method": "GET", "headers": []}
        return asyncio.create_task(limited(scope, receive, send))  # type: ignore[arg-type]

    streaming = call("/stream")
    await _until(lambda: len(sent["/stream"]) == 2)
    async with asyncio.timeout(2):
        await call("/work")  # not waiting for the stream to finish

    assert ran == ["/stream", "/work"]
    assert [m.get("body") for m in sent["/work"]] == [None, b"last"]
    release.set()
    await streaming
    assert [m.get("body") for m in sent["/stream"]] == [None, b"first ", b"last"]


async def test_a_failed_request_gives_its_slot_back() -> None:
    app = FastAPI()

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    limited = ConcurrencyLimit(app, limit=1)
    transport = httpx.ASGITransport(app=limited, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        for _ in range(3):
            async with asyncio.timeout(2):
                assert (await client.get("/boom")).status_code == 500


def _limits(app: object) -> list[ConcurrencyLimit]:
    layer = app.middleware_stack or app.build_middleware_stack()  # type: ignore[attr-defined]
    found = []
    while layer is not None:
        if isinstance(layer, ConcurrencyLimit):
            found.append(layer)
        layer = getattr(layer, "app", None)
    return found


def test_the_service_limits_its_requests_to_its_pool_and_exempts_its_probes(settings: Settings) -> None:
    sqlite = make_url(settings.database_url).get_backend_name() == "sqlite"
    by_default = _limits(create_app(settings))
    if sqlite:
        assert by_default == []  # one writer: nothing to share out
    else:
        [pooled] = by_default
        assert pooled.slots._value == settings.db_pool_size + settings.db_max_overflow
        assert pooled.wait == settings.db_pool_timeout

    [limit] = _limits(create_app(settings.model_copy(update={"request_concurrency": 12})))

    assert limit.exempt == {"/healthz", "/readyz", "/metrics"}
    assert limit.slots._value == 12
    assert _limits(create_app(settings.model_copy(update={"request_concurrency": 0}))) == []


async def test_a_request_that_waits_too_long_for_its_turn_is_told_to_retry() -> None:
    probe = _Probe()
    limited = ConcurrencyLimit(probe.app, limit=1, exempt=UNLIMITED_PATHS, wait=0.2)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=limited), base_url="http://test") as client:
        holding = asyncio.create_task(client.get("/work/1"))
        await _until(lambda: probe.running == 1)

        refused = await client.get("/work/2", headers={"Accept-Language": "zh-CN"})

        assert refused.status_code == 503
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.headers["retry-after"] == "2"
        assert refused.json()["code"] == "SERVICE_UNAVAILABLE"
        assert "0.2" in refused.json()["detail"]
        assert probe.started == [1]  # none of its work started
        probe.release.set()
        assert (await holding).status_code == 200
        # The refused request took no slot: the next one runs at once.
        async with asyncio.timeout(2):
            assert (await client.get("/work/3")).status_code == 200
