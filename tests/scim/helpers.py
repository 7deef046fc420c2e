"""What the SCIM tests share: the wire format of SCIM answers, bodies as providers send them, and an API key."""

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import Tenant, make_api_key

SCIM = "/scim/v2"
SCIM_JSON = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def scim_ok(response: httpx.Response, status: int = 200) -> Any:
    """A SCIM answer with the given status and SCIM's media type; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == SCIM_JSON, response.headers
    return response.json()


def assert_scim_error(response: httpx.Response, status: int, scim_type: str | None = None) -> dict[str, Any]:
    """An error in SCIM's own form (RFC 7644 §3.12): the Error schema, the status as a string, the keyword."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == SCIM_JSON, response.headers
    body: dict[str, Any] = response.json()
    assert body["schemas"] == [ERROR], body
    assert body["status"] == str(status), body
    assert body.get("scimType") == scim_type, body
    assert body["detail"], body
    assert "Traceback" not in response.text
    return body


async def api_key_headers(session: AsyncSession, tenant: Tenant) -> dict[str, str]:
    """An organization API key, sent as identity providers send their one secret: a bearer token."""
    _, secret = await make_api_key(session, tenant.org, name="Okta")
    await session.commit()
    return {"Authorization": f"Bearer {secret}", "Content-Type": SCIM_JSON}


def user_body(user_name: str, **overrides: Any) -> dict[str, Any]:
    """A user as Okta creates one (given and family names, a primary work e-mail), plus the enterprise extension."""
    body: dict[str, Any] = {
        "schemas": [USER, ENTERPRISE],
        "userName": user_name,
        "name": {"givenName": "Wei", "familyName": "Zhang", "formatted": "张伟"},
        "displayName": "张伟",
        "emails": [{"value": f"{user_name}@example.com", "type": "work", "primary": True}],
        "title": "销售经理",
        "active": True,
        "locale": "zh-CN",
        "phoneNumbers": [{"value": "+86 21 5555 0100", "type": "work"}],
    }
    body.update(overrides)
    return body


def patch_body(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH], "Operations": list(operations)}
