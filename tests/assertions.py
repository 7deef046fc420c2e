"""Shared assertions on the wire format every endpoint shares."""

from typing import Any

import httpx

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
    assert body["type"].endswith("/" + code.lower().replace("_", "-"))
    assert body["title"]
    assert body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]
    assert "Traceback" not in response.text
    if status == 422:
        assert isinstance(body.get("errors"), list)
        assert body["errors"]
    return body
