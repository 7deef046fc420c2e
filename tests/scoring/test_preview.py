"""POST /scoring/preview: stateless scoring, worked by hand."""

from typing import Any

import httpx
import pytest

from tests.factories import Tenant

URL = "/api/v1/scoring/preview"


async def preview(client: httpx.AsyncClient, tenant: Tenant, body: dict[str, Any], who: str = "employee") -> Any:
    response = await client.post(URL, json=body, headers=tenant.headers(who))
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_design_example_scores_50(client: httpx.AsyncClient, tenant: Tenant) -> None:
    body = {"kprs": [{"direction": "increase", "baseline": 200, "target": 300, "actual": 250}]}

    result = await preview(client, tenant, body)

    # a = (250 − 200)/(300 − 200) = 0.5; no manager score while it weighs 30% → no final score.
    assert result == {
        "kprs": [{"achievement": 50, "progress": 50, "score": 50}],
        "results_score": 50,
        "final_score": None,
        "rating": None,
    }


async def test_a_full_evaluation(client: httpx.AsyncClient, tenant: Tenant) -> None:
    body = {
        "kprs": [
            {"direction": "increase", "baseline": 200, "target": 300, "actual": 250, "weight": 60},
            {"direction": "decrease", "baseline": 10, "target": 5, "actual": 4, "weight": 40},
            {"direction": "maintain", "baseline": 90, "target": 95, "tolerance": 2, "actual": 98, "weight": 0},
        ],
        "manager_score": 90,
    }

    result = await preview(client, tenant, body, who="manager")

    # 50; (4 − 10)/(5 − 10) = 1.2 → achievement 120, progress 100, score 120; |98 − 95| > 2 → 0
    assert result["kprs"] == [
        {"achievement": 50, "progress": 50, "score": 50},
        {"achievement": 120, "progress": 100, "score": 120},
        {"achievement": 0, "progress": 0, "score": 0},
    ]
    # results (60·50 + 40·120 + 0·0)/100 = 78; final (78·70 + 90·30)/100 = 81.6 → B
    assert (result["results_score"], result["final_score"], result["rating"]) == (78, 81.6, "B")


async def test_threshold_curve_and_custom_policy(client: httpx.AsyncClient, tenant: Tenant) -> None:
    policy = {
        "curve": "threshold",
        "cap": 150,
        "threshold_score": 60,
        "components": {"results": 50, "manager": 30, "self": 20},
        "bands": [{"rating": "优秀", "min_score": 90}, {"rating": "合格", "min_score": 0}],
        "reward_coefficients": {"优秀": 1.2, "合格": 1},
    }
    kprs = [
        # a_th = (80−0)/(100−0) = 0.8, a = 0.9 → 60 + 40·(0.9−0.8)/(1−0.8) = 80
        {"direction": "increase", "baseline": 0, "target": 100, "threshold": 80, "actual": 90},
        # a_st = 1.5, a = 1.25 → 100 + 50·(1.25−1)/(1.5−1) = 125
        {"direction": "increase", "baseline": 0, "target": 100, "stretch": 150, "actual": 125},
        # below the threshold → 0
        {"direction": "increase", "baseline": 0, "target": 100, "threshold": 80, "actual": 79},
    ]

    result = await preview(client, tenant, {"policy": policy, "kprs": kprs, "manager_score": 100, "self_score": 95})

    assert [k["score"] for k in result["kprs"]] == [80, 125, 0]
    # results (80 + 125 + 0)/3 = 68.333…; final (68.333…·50 + 100·30 + 95·20)/100 = 83.1666… → 83.17
    assert result["results_score"] == 68.33
    assert result["final_score"] == 83.17
    assert result["rating"] == "合格"


async def test_an_unmeasurable_kpr_drops_out(client: httpx.AsyncClient, tenant: Tenant) -> None:
    body = {"kprs": [{"direction": "maintain", "baseline": 5, "target": 5, "actual": 5}]}

    result = await preview(client, tenant, body)

    assert result["kprs"] == [{"achievement": 100, "progress": 100, "score": 100}]


@pytest.mark.parametrize(
    ("kpr", "field"),
    [
        ({"direction": "increase", "baseline": 10, "target": 10}, "target"),
        ({"direction": "increase", "baseline": 10, "target": 5}, "target"),
        ({"direction": "increase", "baseline": 0, "target": 10, "threshold": 12}, "threshold"),
        ({"direction": "decrease", "baseline": 10, "target": 5, "stretch": 6}, "stretch"),
    ],
)
async def test_definitions_that_cannot_be_scored_are_422(
    client: httpx.AsyncClient, tenant: Tenant, kpr: dict[str, Any], field: str
) -> None:
    ok_kpr = {"direction": "increase", "baseline": 0, "target": 1}

    response = await client.post(URL, json={"kprs": [ok_kpr, kpr]}, headers=tenant.headers("employee"))

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["loc"] for e in response.json()["errors"]] == [["body", "kprs", 1, field]]


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "target must differ from baseline"), ("zh-CN", "目标值必须不同于基线值")],
)
async def test_a_definition_error_is_explained_in_the_callers_language(
    client: httpx.AsyncClient, tenant: Tenant, language: str, text: str
) -> None:
    kpr = {"direction": "increase", "baseline": 10, "target": 10}
    headers = {**tenant.headers("employee"), "Accept-Language": language}

    response = await client.post(URL, json={"kprs": [kpr]}, headers=headers)

    [error] = response.json()["errors"]
    assert error["type"] == "target_equals_baseline"
    assert error["msg"].startswith(text)


@pytest.mark.parametrize(
    "body",
    [
        {"kprs": [{"direction": "increase", "baseline": 0, "target": 1}] * 201},
        {"kprs": [{"direction": "sideways", "baseline": 0, "target": 1}]},
        {"kprs": [], "manager_score": -1},
        {"kprs": [], "policy": {"components": {"results": 50, "manager": 30, "self": 0}}},
        {"kprs": [], "unknown": 1},
        {"kprs": [{"direction": "increase", "baseline": 0, "target": 1, "weight": -1}]},
    ],
)
async def test_bodies_are_validated(client: httpx.AsyncClient, tenant: Tenant, body: dict[str, Any]) -> None:
    response = await client.post(URL, json=body, headers=tenant.headers("employee"))

    assert response.status_code == 422


async def test_preview_needs_an_authenticated_caller(client: httpx.AsyncClient, tenant: Tenant) -> None:
    anonymous = await client.post(URL, json={"kprs": []})
    system = await client.post(URL, json={"kprs": []}, headers=tenant.headers("system"))
    service = await client.post(URL, json={"kprs": []}, headers=tenant.headers("service"))

    # It reads no data, so a verified token is enough (and it answers while the database is down).
    assert anonymous.status_code == 401
    assert system.status_code == 200
    assert service.status_code == 200
    assert service.json() == {"kprs": [], "results_score": None, "final_score": None, "rating": None}


async def test_peer_score_enters_and_is_left_out_when_missing(client: httpx.AsyncClient, tenant: Tenant) -> None:
    policy = {"components": {"results": 60, "manager": 20, "self": 0, "peer": 20}}
    kprs = [{"direction": "increase", "baseline": 0, "target": 100, "actual": 80}]
    base = {"policy": policy, "kprs": kprs, "manager_score": 90}
    # (80 · 60 + 90 · 20 + 70 · 20) / 100 = 80
    assert (await preview(client, tenant, {**base, "peer_score": 70}))["final_score"] == 80
    # no peer score: (80 · 60 + 90 · 20) / 80 = 82.5
    assert (await preview(client, tenant, base))["final_score"] == 82.5
