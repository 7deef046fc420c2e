"""Every error is RFC 9457 problem+json with a stable code and the request id, in English or Chinese, never a trace."""

import re
import uuid

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy.exc import IntegrityError

from app.core.config import Settings
from app.core.errors import Forbidden
from app.core.i18n import current_locale, negotiate, translate
from tests.assertions import assert_problem
from tests.conftest import AppClientFactory
from tests.factories import Tenant

ZH = {"Accept-Language": "zh-CN"}
LATIN = re.compile(r"[A-Za-z]")


async def test_401_shape(client: AsyncClient) -> None:
    response = await client.get("/api/v1/departments")
    body = assert_problem(response, 401, "UNAUTHENTICATED")
    assert body["instance"] == "/api/v1/departments"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "errors" not in body


async def test_403_shape(client: AsyncClient, tenant: Tenant) -> None:
    response = await client.post(
        "/api/v1/departments", json={"name": "研发部", "code": "RND"}, headers=tenant.headers("employee")
    )
    body = assert_problem(response, 403, "FORBIDDEN")
    assert body["instance"] == "/api/v1/departments"
    assert body["detail"] == "You may not manage departments."


async def test_404_shape(client: AsyncClient, tenant: Tenant) -> None:
    missing = uuid.uuid4()
    response = await client.get(f"/api/v1/employees/{missing}", headers=tenant.headers("admin"))
    body = assert_problem(response, 404, "NOT_FOUND")
    assert body["instance"] == f"/api/v1/employees/{missing}"
    assert str(missing) in body["detail"]


async def test_404_for_an_unknown_route(client: AsyncClient, tenant: Tenant) -> None:
    assert_problem(await client.get("/api/v1/nothing-here", headers=tenant.headers("admin")), 404, "NOT_FOUND")


async def test_405_for_an_unsupported_method(client: AsyncClient, tenant: Tenant) -> None:
    response = await client.put("/api/v1/departments", json={}, headers=tenant.headers("admin"))
    assert_problem(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "GET, HEAD, POST"


async def test_405_names_every_method_the_path_serves(client: AsyncClient, tenant: Tenant) -> None:
    # GET, PATCH and DELETE of /kprs/{id} are three routes; Allow must name all of them, not the first one matched.
    response = await client.options(f"/api/v1/kprs/{tenant.org.id}", headers=tenant.headers("admin"))
    assert_problem(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == "DELETE, GET, HEAD, PATCH"


async def test_409_shape(client: AsyncClient, tenant: Tenant) -> None:
    response = await client.post(
        "/api/v1/departments",
        json={"name": "另一个销售部", "code": tenant.department.code},
        headers=tenant.headers("admin"),
    )
    body = assert_problem(response, 409, "DUPLICATE")
    assert tenant.department.code in body["detail"]


async def test_412_shape(client: AsyncClient, tenant: Tenant) -> None:
    response = await client.patch(
        f"/api/v1/departments/{tenant.department.id}",
        json={"name": "新名字"},
        headers={**tenant.headers("admin"), "If-Match": '"stale"'},
    )
    assert_problem(response, 412, "PRECONDITION_FAILED")


async def test_422_shape_names_the_fields(client: AsyncClient, tenant: Tenant) -> None:
    response = await client.post(
        "/api/v1/departments",
        json={"name": "", "code": "OK", "colour": "red"},
        headers=tenant.headers("admin"),
    )
    body = assert_problem(response, 422, "VALIDATION_FAILED")
    locations = {tuple(error["loc"]) for error in body["errors"]}
    assert ("body", "name") in locations
    assert ("body", "colour") in locations
    for error in body["errors"]:
        assert set(error) == {"loc", "msg", "type"}


async def test_422_for_malformed_json(client: AsyncClient, tenant: Tenant) -> None:
    response = await client.post(
        "/api/v1/departments",
        content=b'{"name": ',
        headers={**tenant.headers("admin"), "Content-Type": "application/json"},
    )
    assert_problem(response, 422, "VALIDATION_FAILED")


async def test_404_for_a_malformed_path_id(client: AsyncClient, tenant: Tenant) -> None:
    # Ids are UUIDs in the routes themselves, so nothing lives at a path with another id (and /goals/tree is never
    # read as /goals/{goal_id}).
    response = await client.get("/api/v1/employees/not-a-uuid", headers=tenant.headers("admin"))
    assert_problem(response, 404, "NOT_FOUND")
    patch = await client.patch("/api/v1/goals/tree", json={}, headers=tenant.headers("admin"))
    assert_problem(patch, 405, "METHOD_NOT_ALLOWED")
    assert patch.headers["allow"] == "GET, HEAD"


async def test_chinese_title_and_detail(client: AsyncClient, tenant: Tenant) -> None:
    missing = uuid.uuid4()
    response = await client.get(f"/api/v1/employees/{missing}", headers={**tenant.headers("admin"), **ZH})
    body = assert_problem(response, 404, "NOT_FOUND")
    assert body["title"] == "未找到"
    assert body["detail"] == f"未找到员工 {missing}。"


async def test_chinese_401(client: AsyncClient) -> None:
    body = assert_problem(await client.get("/api/v1/me", headers=ZH), 401, "UNAUTHENTICATED")
    assert body["title"] == "需要身份认证"
    assert not LATIN.search(body["detail"].replace("Bearer", "").replace("API", ""))


async def test_chinese_403_has_no_english_in_it(client: AsyncClient, tenant: Tenant) -> None:
    response = await client.post(
        "/api/v1/employees",
        json={"external_id": "li.lei", "name": "李雷"},
        headers={**tenant.headers("employee"), **ZH},
    )
    body = assert_problem(response, 403, "FORBIDDEN")
    assert body["title"] == "无权执行此操作"
    assert body["detail"] == "您无权管理员工。"


async def test_chinese_409_and_422(client: AsyncClient, tenant: Tenant) -> None:
    duplicate = await client.post(
        "/api/v1/departments",
        json={"name": "销售二部", "code": tenant.department.code},
        headers={**tenant.headers("admin"), **ZH},
    )
    assert assert_problem(duplicate, 409, "DUPLICATE")["title"] == "已存在"
    invalid = await client.post("/api/v1/departments", json={}, headers={**tenant.headers("admin"), **ZH})
    body = assert_problem(invalid, 422, "VALIDATION_FAILED")
    assert body["title"] == "校验失败"
    assert body["detail"] == "请求内容无效，详见 errors。"


async def test_english_is_the_default_and_q_values_are_honoured(client: AsyncClient, tenant: Tenant) -> None:
    url = f"/api/v1/employees/{uuid.uuid4()}"
    headers = tenant.headers("admin")
    assert (await client.get(url, headers=headers)).json()["title"] == "Not found"
    mixed = {**headers, "Accept-Language": "en;q=0.3, zh-CN;q=0.9"}
    assert (await client.get(url, headers=mixed)).json()["title"] == "未找到"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("zh-CN", "zh-CN"),
        ("zh", "zh-CN"),
        ("zh-TW,zh;q=0.9", "zh-CN"),
        ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        ("fr-FR, zh-CN;q=0.5", "zh-CN"),
        ("fr-FR", "en"),
        ("zh-CN;q=0, en;q=0.1", "en"),
        ("*", "en"),
        ("zh-CN;q=abc, en", "en"),
    ],
)
def test_negotiate(header: str | None, expected: str) -> None:
    assert negotiate(header) == expected


def test_every_code_has_a_title_in_both_languages() -> None:
    for code in ["NOT_FOUND", "FORBIDDEN", "UNAUTHENTICATED", "VALIDATION_FAILED", "PRECONDITION_FAILED", "DUPLICATE"]:
        assert translate(code, "en") != code
        assert translate(code, "zh-CN") != translate(code, "en")


def test_forbidden_with_an_uncatalogued_action_stays_chinese() -> None:
    error = Forbidden(action="rename the moon")
    token = current_locale.set("zh-CN")
    try:
        assert error.detail == "您无权执行此操作。"
    finally:
        current_locale.reset(token)
    assert error.detail == "You may not rename the moon."


def _failing_routes(app: FastAPI) -> None:
    @app.get("/boom", include_in_schema=False)
    async def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    @app.get("/integrity", include_in_schema=False)
    async def integrity() -> None:
        raise IntegrityError("INSERT INTO departments …", {}, Exception("UNIQUE constraint failed"))


async def test_unexpected_errors_are_a_500_problem_without_internals(
    client_for: AppClientFactory, settings: Settings
) -> None:
    async with client_for(settings, _failing_routes) as failing:
        response = await failing.get("/boom", headers={"X-Request-ID": "trace-500"})
    body = assert_problem(response, 500, "INTERNAL_ERROR")
    assert body["request_id"] == "trace-500"
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text


async def test_integrity_errors_are_mapped_to_409(client_for: AppClientFactory, settings: Settings) -> None:
    async with client_for(settings, _failing_routes) as failing:
        response = await failing.get("/integrity")
    assert_problem(response, 409, "CONFLICT")
    assert "UNIQUE" not in response.text
