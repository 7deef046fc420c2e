"""Shared assertions on the wire format every endpoint shares."""

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.errors import PROBLEM_JSON
from app.core.problems import STATUS, ProblemCode, slug

PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance", "code", "request_id"}


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The response has the given status; returns its JSON body (None when it has none)."""
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """An RFC 9457 problem+json body with the house fields, the given status and code; returns the body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body.keys() >= PROBLEM_FIELDS, body
    assert body["status"] == status
    assert body["code"] == code, body
    assert body["type"] == f"{_origin(response)}/problems/{code.lower().replace('_', '-')}"
    assert body["title"]
    assert body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    if status == 422:
        assert isinstance(body.get("errors"), list)
        assert body["errors"]
    return body


def _origin(response: httpx.Response) -> str:
    url = response.request.url
    return f"{url.scheme}://{url.netloc.decode()}"


# Problem type links already fetched and found to answer (one GET per link for the whole session).
_RESOLVED: set[str] = set()


def follow_problem_types(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """Hold every problem+json answer ``client`` gets to the registry: a registered code with its registered status,
    and a ``type`` that is a working link to that code's page (fetched, and answering 200)."""

    async def check(response: httpx.Response) -> None:
        if response.headers.get("content-type") != PROBLEM_JSON or response.request.extensions.get("following"):
            return
        await response.aread()
        body = response.json()
        code = ProblemCode(body["code"])
        assert body["status"] == STATUS[code] == response.status_code, body
        link = body["type"]
        assert link.endswith(f"/problems/{slug(code)}"), body
        if link not in _RESOLVED:
            # A link under KPR_PUBLIC_URL is reached through the proxy; here, the service's own path is what it reaches.
            target = link if link.startswith(_origin(response)) else f"/problems/{slug(code)}"
            request = client.build_request("GET", target, headers={"Accept": "application/json"})
            request.extensions["following"] = True
            page = await client.send(request)
            await page.aread()
            assert page.status_code == 200, (link, page.text)
            assert page.json()["code"] == code
            _RESOLVED.add(link)

    client.event_hooks["response"].append(check)
    return client


async def assert_index_serves(connection: AsyncConnection, statement: str, parameters: Any, index: str) -> None:
    """The driver-level ``statement`` is read along ``index`` with no sort, on PostgreSQL and on SQLite.

    Tiny test tables make a sequential scan cheapest on PostgreSQL; the question is whether the index serves the
    statement (the filter and the order), which is the plan once tables are large.
    """
    if connection.dialect.name == "postgresql":
        await connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        await connection.exec_driver_sql("SET LOCAL enable_sort = off")
        plan = "\n".join(row[0] for row in await connection.exec_driver_sql("EXPLAIN " + statement, parameters))
        await connection.exec_driver_sql("RESET enable_seqscan")
        await connection.exec_driver_sql("RESET enable_sort")
        assert index in plan, plan
        assert "Sort" not in plan.replace("Sort Key", ""), plan
    else:
        rows = await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        plan = "\n".join(str(row[-1]) for row in rows)
        assert f"USING INDEX {index}" in plan, plan
        assert "TEMP B-TREE" not in plan, plan
