"""Cycles: creation (admin only), policy validation and merge-patch, dates, the state machine and its history.

The side effects of entering review and closing belong to the evaluation tests.
"""

from typing import Any

import httpx
import pytest

from tests.assertions import assert_problem, ok
from tests.factories import API, CYCLE_END, CYCLE_START, Tenant, create_cycle

DEFAULT_BANDS = [
    {"rating": "S", "min_score": 110},
    {"rating": "A", "min_score": 95},
    {"rating": "B", "min_score": 80},
    {"rating": "C", "min_score": 60},
    {"rating": "D", "min_score": 0},
]


def cycle_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "2026 第三季度", "cadence": "quarterly", "start_date": "2026-07-01"}
    body["end_date"] = "2026-09-30"
    body.update(overrides)
    return body


def error_locs(body: dict[str, Any]) -> list[list[Any]]:
    return [error["loc"] for error in body["errors"]]


async def test_admin_creates_a_cycle_in_planning_with_the_default_policy(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.post(f"{API}/cycles", json=cycle_body(), headers=tenant.headers("admin"))

    cycle = ok(response, 201)
    assert response.headers["location"] == f"/api/v1/cycles/{cycle['id']}"
    assert response.headers["etag"]
    assert cycle["status"] == "planning"
    assert (cycle["name"], cycle["cadence"]) == ("2026 第三季度", "quarterly")
    assert (cycle["start_date"], cycle["end_date"]) == ("2026-07-01", "2026-09-30")
    policy = cycle["policy"]
    assert policy["curve"] == "linear"
    assert policy["cap"] == 120
    assert policy["threshold_score"] == 60
    assert policy["components"] == {"results": 70, "manager": 30, "self": 0, "peer": 0}
    assert policy["bands"] == DEFAULT_BANDS
    assert policy["distribution"] == {}
    assert (policy["max_stretch"], policy["min_stretch"]) == (100, 0)
    fetched = ok(await client.get(f"{API}/cycles/{cycle['id']}", headers=tenant.headers("employee")))
    assert fetched == cycle


@pytest.mark.parametrize("who", ["employee", "manager", "service"])
async def test_only_an_admin_creates_a_cycle(client: httpx.AsyncClient, tenant: Tenant, who: str) -> None:
    response = await client.post(f"{API}/cycles", json=cycle_body(), headers=tenant.headers(who))

    assert_problem(response, 403, "FORBIDDEN")
    listed = ok(await client.get(f"{API}/cycles", headers=tenant.headers("admin")))
    assert listed["items"] == []


async def test_a_cycle_keeps_the_policy_it_was_given(client: httpx.AsyncClient, tenant: Tenant) -> None:
    policy = {
        "curve": "threshold",
        "cap": 150,
        "threshold_score": 50,
        "components": {"results": 60, "manager": 30, "self": 10, "peer": 0},
        "bands": [
            {"rating": "优", "min_score": 90},
            {"rating": "良", "min_score": 70},
            {"rating": "差", "min_score": 0},
        ],
        "distribution": {"优": {"max_share": 20}},
        "max_stretch": 50,
        "min_stretch": 5,
        "peer_min_responses": 2,
        "appeal_days": 10,
        "reward_coefficients": {"优": 1.5, "良": 1.0, "差": 0},
        "check_in_every_days": 7,
        "escalate_after_days": 2,
    }

    cycle = ok(await client.post(f"{API}/cycles", json=cycle_body(policy=policy), headers=tenant.headers("admin")), 201)

    assert cycle["policy"] == {**policy, "distribution": {"优": {"min_share": None, "max_share": 20}}}


@pytest.mark.parametrize(
    ("policy", "loc_part"),
    [
        ({"components": {"results": 70, "manager": 20, "self": 0}}, "components"),
        ({"components": {"results": 70, "manager": 30, "self": 10}}, "components"),
        (
            {"bands": [{"rating": "A", "min_score": 80}, {"rating": "B", "min_score": 90}]},
            "policy",
        ),
        (
            {"bands": [{"rating": "A", "min_score": 80}, {"rating": "B", "min_score": 80}]},
            "policy",
        ),
        ({"cap": 99}, "cap"),
        ({"curve": "exponential"}, "curve"),
        ({"unknown": 1}, "unknown"),
    ],
    ids=["components-90", "components-110", "bands-ascending", "bands-equal", "cap-below-100", "curve", "extra"],
)
async def test_an_invalid_policy_is_refused_with_field_errors(
    client: httpx.AsyncClient, tenant: Tenant, policy: dict[str, Any], loc_part: str
) -> None:
    response = await client.post(f"{API}/cycles", json=cycle_body(policy=policy), headers=tenant.headers("admin"))

    body = assert_problem(response, 422, "VALIDATION_FAILED")
    assert any("policy" in loc and loc_part in loc for loc in error_locs(body)), body["errors"]
    listed = ok(await client.get(f"{API}/cycles", headers=tenant.headers("admin")))
    assert listed["items"] == []


async def test_end_before_start_is_refused(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.post(
        f"{API}/cycles",
        json=cycle_body(start_date="2026-07-01", end_date="2026-06-30"),
        headers=tenant.headers("admin"),
    )

    assert_problem(response, 422, "VALIDATION_FAILED")


async def test_a_one_day_cycle_is_allowed(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.post(
        f"{API}/cycles",
        json=cycle_body(start_date="2026-07-01", end_date="2026-07-01"),
        headers=tenant.headers("admin"),
    )

    assert ok(response, 201)["end_date"] == "2026-07-01"


async def test_patching_dates_may_not_put_the_end_before_the_start(client: httpx.AsyncClient, tenant: Tenant) -> None:
    cycle = await create_cycle(client, tenant)
    url = f"{API}/cycles/{cycle['id']}"

    response = await client.patch(
        url, json={"end_date": (CYCLE_START.replace(day=1)).isoformat()}, headers=tenant.headers("admin")
    )

    body = assert_problem(response, 422, "VALIDATION_FAILED")
    assert ["body", "end_date"] in error_locs(body)
    unchanged = ok(await client.get(url, headers=tenant.headers("admin")))
    assert unchanged["end_date"] == CYCLE_END.isoformat()


async def test_patch_merges_the_policy_field_by_field(client: httpx.AsyncClient, tenant: Tenant) -> None:
    created = await client.post(
        f"{API}/cycles",
        json=cycle_body(policy={"curve": "threshold", "cap": 130, "components": {"results": 80, "manager": 20}}),
        headers=tenant.headers("admin"),
    )
    cycle = ok(created, 201)
    url = f"{API}/cycles/{cycle['id']}"

    patched = ok(await client.patch(url, json={"policy": {"cap": 150}}, headers=tenant.headers("admin")))

    assert patched["policy"]["cap"] == 150
    assert patched["policy"]["curve"] == "threshold"
    assert patched["policy"]["components"] == {"results": 80, "manager": 20, "self": 0, "peer": 0}
    assert patched["policy"]["bands"] == DEFAULT_BANDS
    # Other fields are untouched by a policy patch, and a name patch leaves the policy alone.
    assert (patched["name"], patched["start_date"]) == (cycle["name"], cycle["start_date"])
    renamed = ok(await client.patch(url, json={"name": "二〇二六年三季度"}, headers=tenant.headers("admin")))
    assert renamed["name"] == "二〇二六年三季度"
    assert renamed["policy"] == patched["policy"]
    assert ok(await client.get(url, headers=tenant.headers("admin"))) == renamed


async def test_a_policy_patch_that_leaves_an_invalid_policy_is_refused(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    cycle = await create_cycle(client, tenant)
    url = f"{API}/cycles/{cycle['id']}"

    response = await client.patch(
        url, json={"policy": {"components": {"results": 50, "manager": 30}}}, headers=tenant.headers("admin")
    )

    body = assert_problem(response, 422, "VALIDATION_FAILED")
    assert all(loc[:2] == ["body", "policy"] for loc in error_locs(body))
    assert ok(await client.get(url, headers=tenant.headers("admin")))["policy"] == cycle["policy"]


@pytest.mark.parametrize("body", [{"name": None}, {"policy": None}, {"status": "active"}, {"colour": "red"}])
async def test_patch_refuses_nulls_for_required_fields_and_unknown_fields(
    client: httpx.AsyncClient, tenant: Tenant, body: dict[str, Any]
) -> None:
    cycle = await create_cycle(client, tenant)

    response = await client.patch(f"{API}/cycles/{cycle['id']}", json=body, headers=tenant.headers("admin"))

    assert_problem(response, 422, "VALIDATION_FAILED")


async def test_only_an_admin_patches_a_cycle(client: httpx.AsyncClient, tenant: Tenant) -> None:
    cycle = await create_cycle(client, tenant)

    response = await client.patch(
        f"{API}/cycles/{cycle['id']}", json={"name": "改名"}, headers=tenant.headers("manager")
    )

    assert_problem(response, 403, "FORBIDDEN")


async def test_admin_activates_a_planning_cycle_and_the_change_is_kept(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    cycle = await create_cycle(client, tenant)
    url = f"{API}/cycles/{cycle['id']}"

    moved = ok(
        await client.post(
            f"{url}/transitions", json={"to": "active", "comment": "开始执行"}, headers=tenant.headers("admin")
        )
    )

    assert moved["status"] == "active"
    assert ok(await client.get(url, headers=tenant.headers("admin")))["status"] == "active"
    history = ok(await client.get(f"{url}/transitions", headers=tenant.headers("employee")))
    steps = [(t["from"], t["to"], t["comment"], t["actor"]) for t in history["items"]]
    admin = tenant.admin.external_id
    assert steps == [(None, "planning", None, admin), ("planning", "active", "开始执行", admin)]
    assert all(t["at"].endswith("Z") for t in history["items"])
    assert history["next_cursor"] is None


async def test_transition_history_pages_in_order(client: httpx.AsyncClient, tenant: Tenant) -> None:
    cycle = await create_cycle(client, tenant)
    url = f"{API}/cycles/{cycle['id']}/transitions"
    ok(await client.post(url, json={"to": "active"}, headers=tenant.headers("admin")))

    first = ok(await client.get(url, params={"limit": 1}, headers=tenant.headers("admin")))
    second = ok(
        await client.get(url, params={"limit": 1, "cursor": first["next_cursor"]}, headers=tenant.headers("admin"))
    )

    assert [t["to"] for t in first["items"] + second["items"]] == ["planning", "active"]
    assert second["next_cursor"] is None


@pytest.mark.parametrize("who", ["employee", "manager", "service"])
async def test_only_an_admin_moves_a_cycle(client: httpx.AsyncClient, tenant: Tenant, who: str) -> None:
    cycle = await create_cycle(client, tenant)

    response = await client.post(
        f"{API}/cycles/{cycle['id']}/transitions", json={"to": "active"}, headers=tenant.headers(who)
    )

    assert_problem(response, 403, "FORBIDDEN")
    assert ok(await client.get(f"{API}/cycles/{cycle['id']}", headers=tenant.headers("admin")))["status"] == "planning"


@pytest.mark.parametrize("target", ["closed", "review", "calibration", "planning", "archived"])
async def test_an_illegal_transition_names_the_allowed_targets(
    client: httpx.AsyncClient, tenant: Tenant, target: str
) -> None:
    cycle = await create_cycle(client, tenant)
    url = f"{API}/cycles/{cycle['id']}"

    response = await client.post(f"{url}/transitions", json={"to": target}, headers=tenant.headers("admin"))

    body = assert_problem(response, 409, "INVALID_TRANSITION")
    assert body["allowed"] == ["active"]
    assert body["current"] == "planning"
    assert "active" in body["detail"]
    assert ok(await client.get(url, headers=tenant.headers("admin")))["status"] == "planning"
    history = ok(await client.get(f"{url}/transitions", headers=tenant.headers("admin")))
    assert [t["to"] for t in history["items"]] == ["planning"]


async def test_an_active_cycle_cannot_go_back_to_planning(client: httpx.AsyncClient, tenant: Tenant) -> None:
    cycle = await create_cycle(client, tenant)
    url = f"{API}/cycles/{cycle['id']}/transitions"
    ok(await client.post(url, json={"to": "active"}, headers=tenant.headers("admin")))

    response = await client.post(url, json={"to": "planning"}, headers=tenant.headers("admin"))

    assert assert_problem(response, 409, "INVALID_TRANSITION")["allowed"] == ["review"]


async def test_cycles_list_only_the_callers_organization(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    mine = await create_cycle(client, tenant, name="甲的周期")
    await create_cycle(client, other_tenant, name="乙的周期")

    listed = ok(await client.get(f"{API}/cycles", headers=tenant.headers("employee")))

    assert [c["id"] for c in listed["items"]] == [mine["id"]]


async def test_cycles_filter_by_status(client: httpx.AsyncClient, tenant: Tenant) -> None:
    planning = await create_cycle(client, tenant, name="计划中")
    active = await create_cycle(client, tenant, name="执行中")
    ok(
        await client.post(
            f"{API}/cycles/{active['id']}/transitions", json={"to": "active"}, headers=tenant.headers("admin")
        )
    )

    by_status = {
        status: [
            c["id"]
            for c in ok(await client.get(f"{API}/cycles", params={"status": status}, headers=tenant.headers("admin")))[
                "items"
            ]
        ]
        for status in ("planning", "active")
    }

    assert by_status == {"planning": [planning["id"]], "active": [active["id"]]}


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "", None),
        ("PATCH", "", {"name": "别人的周期"}),
        ("GET", "/transitions", None),
        ("POST", "/transitions", {"to": "active"}),
    ],
)
async def test_another_tenants_cycle_is_not_found(
    client: httpx.AsyncClient,
    tenant: Tenant,
    other_tenant: Tenant,
    method: str,
    suffix: str,
    body: dict[str, Any] | None,
) -> None:
    theirs = await create_cycle(client, other_tenant)

    response = await client.request(
        method, f"{API}/cycles/{theirs['id']}{suffix}", json=body, headers=tenant.headers("admin")
    )

    assert_problem(response, 404, "NOT_FOUND")
    untouched = ok(await client.get(f"{API}/cycles/{theirs['id']}", headers=other_tenant.headers("admin")))
    assert (untouched["name"], untouched["status"]) == (theirs["name"], "planning")
