"""A KPR's derived figures through the API, each worked by hand from DESIGN §4, and their ``?as_of=`` history."""

from typing import Any

import httpx
import pytest

from tests.assertions import assert_problem, ok
from tests.factories import Setup, Tenant, at, make_setup


@pytest.fixture
async def setup(client: httpx.AsyncClient, tenant: Tenant) -> Setup:
    return await make_setup(client, tenant)


def figures(kpr: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
    return kpr["current_value"], kpr["achievement"], kpr["progress"], kpr["score"]


async def measured(setup: Setup, value: float | int | str, **definition: Any) -> dict[str, Any]:
    """A KPR with one check-in of ``value``, read back."""
    kpr = await setup.kpr(**definition)
    await setup.check_in(kpr["id"], value, recorded_at=at(30))
    fetched: dict[str, Any] = ok(await setup.get(f"/kprs/{kpr['id']}", "employee"))
    return fetched


async def test_a_kpr_without_check_ins_has_no_value_and_scores_zero(setup: Setup) -> None:
    kpr = await setup.kpr(baseline=200, target=300)

    # No check-in: x = b, so a = 0.
    assert figures(kpr) == (None, 0, 0, 0)
    assert figures(ok(await setup.get(f"/kprs/{kpr['id']}"))) == (None, 0, 0, 0)


async def test_the_design_worked_example(setup: Setup) -> None:
    # b = 200, t = 300, x = 250: a = 50/100 = 0.5.
    kpr = await measured(setup, 250, baseline=200, target=300)

    assert figures(kpr) == (250, 50, 50, 50)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # a = (x − 200)/100; progress clamps to 0–100; the linear score clamps to 0–cap (120).
        (200, (200, 0, 0, 0)),
        (300, (300, 100, 100, 100)),
        (310, (310, 110, 100, 110)),
        (400, (400, 200, 100, 120)),
        (150, (150, -50, 0, 0)),
        (233.335, (233.335, 33.34, 33.34, 33.34)),
    ],
    ids=["at-baseline", "at-target", "above-target", "capped", "below-baseline", "half-up"],
)
async def test_increase_linear(setup: Setup, value: Any, expected: tuple[Any, ...]) -> None:
    kpr = await measured(setup, value, baseline=200, target=300)

    assert figures(kpr) == expected


async def test_figures_are_rounded_half_up_only_on_output(setup: Setup) -> None:
    # b = 0, t = 3: x = 1 → 33.333…, x = 2 → 66.666… (rounded up to 66.67, not truncated).
    one_third = await measured(setup, 1, baseline=0, target=3, weight=50)
    two_thirds = await measured(setup, 2, baseline=0, target=3, weight=50)

    assert figures(one_third) == (1, 33.33, 33.33, 33.33)
    assert figures(two_thirds) == (2, 66.67, 66.67, 66.67)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # decrease from 100 to 80: a = (x − 100)/(80 − 100).
        (95, (95, 25, 25, 25)),
        (80, (80, 100, 100, 100)),
        (76, (76, 120, 100, 120)),
        (70, (70, 150, 100, 120)),
        (104, (104, -20, 0, 0)),
    ],
)
async def test_decrease_linear(setup: Setup, value: int, expected: tuple[Any, ...]) -> None:
    kpr = await measured(setup, value, title="单位生产成本下降20%", direction="decrease", baseline=100, target=80)

    assert figures(kpr) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # maintain 95 ± 2: inside the band a = 1, outside a = 0.
        (95, (95, 100, 100, 100)),
        (93, (93, 100, 100, 100)),
        (97, (97, 100, 100, 100)),
        (92.99, (92.99, 0, 0, 0)),
        (98, (98, 0, 0, 0)),
    ],
)
async def test_maintain_with_tolerance(setup: Setup, value: Any, expected: tuple[Any, ...]) -> None:
    kpr = await measured(
        setup, value, title="客户满意度保持95%", unit="%", direction="maintain", baseline=95, target=95, tolerance=2
    )

    assert figures(kpr) == expected


async def test_maintain_without_tolerance_needs_the_exact_target(setup: Setup) -> None:
    exact = await measured(
        setup, 99.9, title="系统可用率保持99.9%", unit="%", direction="maintain", baseline=99, target=99.9, weight=50
    )
    off = await measured(
        setup, 99.8, title="数据准确率保持99.9%", unit="%", direction="maintain", baseline=99, target=99.9, weight=50
    )

    assert figures(exact)[1:] == (100, 100, 100)
    assert figures(off)[1:] == (0, 0, 0)


async def test_the_cap_comes_from_the_cycle_policy(client: httpx.AsyncClient, tenant: Tenant) -> None:
    setup = await make_setup(client, tenant, policy={"cap": 150})

    kpr = await measured(setup, 500, baseline=200, target=300)

    assert figures(kpr) == (500, 300, 100, 150)


@pytest.mark.parametrize(
    ("value", "expected_score"),
    [
        # b = 200, t = 300, threshold 250 (a_th = 0.5), stretch 350 (a_st = 1.5), threshold_score 60, cap 120.
        (240, 0),  # a = 0.4 < a_th
        (249, 0),
        (250, 60),  # at the threshold
        (275, 80),  # 60 + 40·(0.75 − 0.5)/(1 − 0.5)
        (300, 100),
        (325, 110),  # 100 + 20·(1.25 − 1)/(1.5 − 1)
        (350, 120),
        (400, 120),  # above stretch: cap
    ],
)
async def test_threshold_curve(client: httpx.AsyncClient, tenant: Tenant, value: int, expected_score: int) -> None:
    setup = await make_setup(client, tenant, policy={"curve": "threshold"})

    kpr = await measured(setup, value, baseline=200, target=300, threshold=250, stretch=350)

    achievement = value - 200
    assert figures(kpr) == (value, achievement, min(max(achievement, 0), 100), expected_score)


async def test_threshold_curve_uses_the_policys_threshold_score(client: httpx.AsyncClient, tenant: Tenant) -> None:
    setup = await make_setup(client, tenant, policy={"curve": "threshold", "threshold_score": 50})

    at_threshold = await measured(setup, 250, baseline=200, target=300, threshold=250, weight=50)
    between = await measured(setup, 275, baseline=200, target=300, threshold=250, weight=50)

    assert at_threshold["score"] == 50
    assert between["score"] == 75  # 50 + 50·0.5


async def test_threshold_curve_without_threshold_or_stretch(client: httpx.AsyncClient, tenant: Tenant) -> None:
    setup = await make_setup(client, tenant, policy={"curve": "threshold"})

    # No threshold: 100·a below the target; no stretch: min(100·a, cap) above it.
    below = await measured(setup, 230, baseline=200, target=300, weight=30)
    above = await measured(setup, 315, baseline=200, target=300, weight=30)
    far_above = await measured(setup, 600, baseline=200, target=300, weight=40)

    assert below["score"] == 30
    assert above["score"] == 115
    assert far_above["score"] == 120


async def test_threshold_curve_for_a_decrease(client: httpx.AsyncClient, tenant: Tenant) -> None:
    setup = await make_setup(client, tenant, policy={"curve": "threshold"})
    definition = {"title": "次品率下降到2%", "unit": "%", "direction": "decrease", "baseline": 10, "target": 2}

    # threshold 6 → a_th = 0.5; stretch 0 → a_st = 1.25.
    below = await measured(setup, 7, threshold=6, stretch=0, weight=30, **definition)
    at_threshold = await measured(setup, 6, threshold=6, stretch=0, weight=30, **definition)
    beyond = await measured(setup, 1, threshold=6, stretch=0, weight=40, **definition)

    assert figures(below) == (7, 37.5, 37.5, 0)
    assert figures(at_threshold) == (6, 50, 50, 60)
    assert figures(beyond) == (1, 112.5, 100, 110)  # 100 + 20·(1.125 − 1)/(1.25 − 1)


async def test_changing_the_policy_rescores_open_kprs(setup: Setup) -> None:
    kpr = await measured(setup, 400, baseline=200, target=300)
    assert kpr["score"] == 120

    ok(await setup.patch(f"/cycles/{setup.cycle_id}", {"policy": {"cap": 200}}))

    assert ok(await setup.get(f"/kprs/{kpr['id']}"))["score"] == 200


# --- as_of ------------------------------------------------------------------------------------------------------------


async def test_as_of_answers_with_the_figures_as_they_stood(setup: Setup) -> None:
    kpr = await setup.kpr(baseline=200, target=300)
    # Recorded out of order: the newest *recorded_at* wins, not the newest insert.
    await setup.check_in(kpr["id"], 280, recorded_at=at(20))
    await setup.check_in(kpr["id"], 220, recorded_at=at(10))
    url = f"/kprs/{kpr['id']}"

    before_any = ok(await setup.get(url, as_of=at(5)))
    after_first = ok(await setup.get(url, as_of=at(15)))
    exactly_second = ok(await setup.get(url, as_of=at(20)))
    now = ok(await setup.get(url))

    assert figures(before_any) == (None, 0, 0, 0)
    assert figures(after_first) == (220, 20, 20, 20)
    assert figures(exactly_second) == (280, 80, 80, 80)
    assert figures(now) == (280, 80, 80, 80)


async def test_as_of_accepts_any_offset_and_compares_instants(setup: Setup) -> None:
    kpr = await setup.kpr(baseline=200, target=300)
    await setup.check_in(kpr["id"], 220, recorded_at=at(10, hour=9))
    await setup.check_in(kpr["id"], 260, recorded_at=at(10, hour=12))
    # 10:00 UTC written as 18:00 at +08:00: after the first check-in, before the second.
    local = at(10, hour=10).replace("T10:00:00Z", "T18:00:00+08:00")

    fetched = ok(await setup.get(f"/kprs/{kpr['id']}", as_of=local))

    assert figures(fetched) == (220, 20, 20, 20)


async def test_as_of_applies_to_the_kpr_list(setup: Setup) -> None:
    first = await setup.kpr(baseline=200, target=300, weight=50)
    second = await setup.kpr(title="新客户回款额达到500万元", baseline=0, target=500, weight=50)
    await setup.check_in(first["id"], 250, recorded_at=at(10))
    await setup.check_in(first["id"], 290, recorded_at=at(30))
    await setup.check_in(second["id"], 100, recorded_at=at(20))

    then = ok(await setup.get("/kprs", as_of=at(25)))
    now = ok(await setup.get("/kprs"))

    assert {k["id"]: figures(k) for k in then["items"]} == {
        first["id"]: (250, 50, 50, 50),
        second["id"]: (100, 20, 20, 20),
    }
    assert {k["id"]: k["current_value"] for k in now["items"]} == {first["id"]: 290, second["id"]: 100}


@pytest.mark.parametrize("as_of", ["2026-03-01T09:00:00", "2026-03-01", "yesterday"])
async def test_as_of_must_be_an_instant_with_an_offset(setup: Setup, as_of: str) -> None:
    kpr = await setup.kpr()

    single = await setup.get(f"/kprs/{kpr['id']}", as_of=as_of)
    listed = await setup.get("/kprs", as_of=as_of)

    for response in (single, listed):
        body = assert_problem(response, 422, "VALIDATION_FAILED")
        assert body["errors"][0]["loc"] == ["query", "as_of"]
