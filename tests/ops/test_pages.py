"""The pages outside /api/v1 a newcomer meets first: / (to the docs), /version, and the error codes behind every
problem's ``type`` link (/problems, /problems/{code})."""

import re
from importlib import metadata

import pytest
from httpx import AsyncClient

from app.core.config import Settings
from app.core.problems import STATUS, ProblemCode, slug
from tests import assertions
from tests.assertions import assert_problem, ok
from tests.conftest import AppClientFactory

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


async def test_root_redirects_to_the_docs(client: AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 307
    assert response.headers["location"] == "http://test/docs"
    assert (await client.get("/", follow_redirects=True)).headers["content-type"].startswith("text/html")


async def test_version_names_the_package_and_the_api(client: AsyncClient) -> None:
    body = ok(await client.get("/version"))
    assert body == {"version": metadata.version("kpr-service"), "commit": None, "api": "v1"}


async def test_version_carries_the_commit_the_build_names(client_for: AppClientFactory, settings: Settings) -> None:
    async with client_for(settings.model_copy(update={"commit": "0123abc"})) as built:
        assert ok(await built.get("/version"))["commit"] == "0123abc"


async def test_pages_outside_the_api_need_no_credentials_and_stay_out_of_the_contract(client: AsyncClient) -> None:
    document = ok(await client.get("/openapi.json"))
    for path in ("/", "/version", "/problems", "/problems/{code}", "/healthz"):
        assert path not in document["paths"]
    assert (await client.get("/problems/not-found")).status_code == 200


@pytest.mark.parametrize("code", list(ProblemCode))
async def test_every_code_has_a_page(client: AsyncClient, code: ProblemCode) -> None:
    response = await client.get(f"/problems/{slug(code)}")
    body = ok(response)
    assert response.headers["content-type"] == "application/json"
    assert body["code"] == code
    assert body["type"] == f"http://test/problems/{slug(code)}"
    assert body["status"] == STATUS[code]
    assert body["title"] != code
    assert body["meaning"]
    assert body["remedy"]


async def test_a_code_page_in_json_and_in_chinese(client: AsyncClient) -> None:
    body = ok(await client.get("/problems/precondition-failed", headers={"Accept-Language": "zh-CN"}))
    assert body == {
        "code": "PRECONDITION_FAILED",
        "type": "http://test/problems/precondition-failed",
        "status": 412,
        "title": "前置条件不满足",
        "meaning": "If-Match 请求头与资源当前的 ETag 不匹配：资源在您读取后已被修改。",
        "remedy": "重新 GET 该资源，在最新数据上重新修改，并在 If-Match 中带上新的 ETag 发送。",
    }


async def test_a_code_page_is_html_for_a_browser(client: AsyncClient) -> None:
    response = await client.get("/problems/weights-must-total-100", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert set(response.headers["vary"].replace(" ", "").split(",")) == {"Accept", "Accept-Language"}
    page = response.text
    assert '<html lang="en">' in page
    assert "<h1>Weights must total 100</h1>" in page
    assert "<code>WEIGHTS_MUST_TOTAL_100</code> · HTTP 422" in page
    assert "<code>weight_total</code>" in page  # `code spans` of the catalogue are rendered as code
    assert 'href="http://test/problems"' in page


async def test_a_code_page_in_chinese_html(client: AsyncClient) -> None:
    response = await client.get("/problems/NOT_FOUND", headers={"Accept": "text/html", "Accept-Language": "zh-CN"})
    assert '<html lang="zh-CN">' in response.text
    assert "<h1>未找到</h1>" in response.text
    assert "处理方法" in response.text


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (None, False),
        ("*/*", False),
        ("application/json", False),
        ("application/problem+json, application/json", False),
        ("text/html", True),
        (BROWSER, True),
        ("text/html;q=0.5, application/json", False),
        ("application/json;q=0.1, text/*", True),
    ],
)
async def test_accept_chooses_html_or_json(client: AsyncClient, accept: str | None, html: bool) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    response = await client.get("/problems/conflict", headers=headers)
    assert response.headers["content-type"].startswith("text/html" if html else "application/json")


async def test_codes_are_found_by_slug_or_by_name(client: AsyncClient) -> None:
    for spelling in ("invalid-transition", "INVALID_TRANSITION", "Invalid_Transition"):
        assert ok(await client.get(f"/problems/{spelling}"))["code"] == "INVALID_TRANSITION"


async def test_an_unknown_code_is_a_404_problem(client: AsyncClient) -> None:
    body = assert_problem(await client.get("/problems/no-such-code", headers={"Accept": BROWSER}), 404, "NOT_FOUND")
    assert body["detail"] == "Error code no-such-code was not found."
    assert body["instance"] == "/problems/no-such-code"


async def test_the_index_lists_every_code(client: AsyncClient) -> None:
    items = ok(await client.get("/problems"))["items"]
    assert sorted(item["code"] for item in items) == sorted(ProblemCode)
    assert [item["status"] for item in items] == sorted(item["status"] for item in items)
    page = (await client.get("/problems", headers={"Accept": BROWSER, "Accept-Language": "zh-CN"})).text
    assert "<h1>错误码</h1>" in page
    assert len(re.findall(r'<a href="http://test/problems/[a-z0-9-]+">', page)) == len(ProblemCode)


async def test_problem_types_link_to_their_page_on_the_service_that_answered(client: AsyncClient) -> None:
    # The request's own scheme, host and port; the link answers.
    other_host = {"Host": "kpr.internal:8443"}
    body = assert_problem(await client.get("/api/v1/me"), 401, "UNAUTHENTICATED")
    assert body["type"] == "http://test/problems/unauthenticated"
    assert ok(await client.get(body["type"]))["code"] == "UNAUTHENTICATED"
    moved = (await client.get("/api/v1/me", headers=other_host)).json()
    assert moved["type"] == "http://kpr.internal:8443/problems/unauthenticated"


async def test_a_public_url_makes_the_links(client_for: AppClientFactory, settings: Settings) -> None:
    behind_a_proxy = settings.model_copy(update={"public_url": "https://hr.example.com/kpr/"})
    async with client_for(behind_a_proxy) as proxied:
        problem = (await proxied.get("/api/v1/me")).json()
        page = ok(await proxied.get("/problems/unauthenticated"))
    assert problem["type"] == "https://hr.example.com/kpr/problems/unauthenticated"
    assert page["type"] == problem["type"]


async def test_the_suite_follows_every_problem_type_it_meets(client: AsyncClient) -> None:
    # tests/conftest.py's clients fetch the type of every problem they receive (tests.assertions.follow_problem_types):
    # that is how every problem body of the whole suite is shown to link to a page that answers.
    await client.get("/api/v1/goals/tree")
    assert "http://test/problems/unauthenticated" in assertions._RESOLVED
