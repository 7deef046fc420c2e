"""The template library is the service's own text: it must fit the limits the contract declares for it."""

from typing import Any

import jsonschema_rs
import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from tests.factories import Tenant


@pytest.mark.parametrize("language", ["zh-CN", "en"])
async def test_every_template_fits_its_declared_schema(
    client: AsyncClient, tenant: Tenant, app: FastAPI, language: str
) -> None:
    document: dict[str, Any] = app.openapi()
    validator = jsonschema_rs.validator_for(
        {"$ref": "#/components/schemas/Page_KprTemplate_", "components": document["components"]}
    )
    headers = {**tenant.headers("employee"), "Accept-Language": language}
    params: dict[str, Any] = {"limit": 200}
    seen = 0
    while True:
        response = await client.get("/api/v1/kpr-templates", params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        validator.validate(page)
        seen += len(page["items"])
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert seen > 0
