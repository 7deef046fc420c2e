"""The SMART check over HTTP: ``POST /kprs/smart-check`` in both languages, and the report on every saved KPR.

The rules themselves are tested table by table in test_smart.py; these tests prove the API resolves the goal chain and
the cycle from the database, follows Accept-Language, and stores nothing.
"""

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Kpr
from tests.assertions import assert_problem, ok
from tests.factories import CYCLE_END, Setup, Tenant, kpr_body, make_setup

CRITERIA = ("specific", "measurable", "attainable", "relevant", "time_bound")


@pytest.fixture
async def setup(client: httpx.AsyncClient, tenant: Tenant) -> Setup:
    return await make_setup(client, tenant)


async def smart_check(setup: Setup, body: dict[str, Any], language: str | None = None) -> dict[str, Any]:
    extra = {"Accept-Language": language} if language else {}
    report: dict[str, Any] = ok(await setup.post("/kprs/smart-check", body, "employee", **extra))
    return report


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {name: report[name]["status"] for name in CRITERIA}


async def test_a_good_kpr_passes_and_nothing_is_stored(setup: Setup, session: AsyncSession) -> None:
    report = await smart_check(setup, kpr_body(setup.cycle_id, setup.goal_id))

    assert statuses(report) == dict.fromkeys(CRITERIA, "pass")
    assert all(report[name]["messages"] == [] for name in CRITERIA)
    assert report["passed"] is True
    assert (
        await session.scalar(select(func.count()).select_from(Kpr).where(Kpr.organization_id == setup.tenant.org.id))
        == 0
    )


async def test_a_kpi_looking_title_warns_in_chinese(setup: Setup) -> None:
    body = kpr_body(setup.cycle_id, setup.goal_id, title="每月拜访客户次数", unit="次", baseline=20, target=30)

    report = await smart_check(setup, body, "zh-CN")

    assert report["specific"]["status"] == "warn"
    [message] = report["specific"]["messages"]
    assert "看起来像 KPI" in message
    assert "拜访" in message
    assert report["passed"] is True


async def test_a_kpi_looking_title_warns_in_english(setup: Setup) -> None:
    body = kpr_body(
        setup.cycle_id, setup.goal_id, title="Number of customer visits", unit="visits", baseline=20, target=30
    )

    report = await smart_check(setup, body, "en-US,en;q=0.9")

    assert report["specific"]["status"] == "warn"
    [message] = report["specific"]["messages"]
    assert "looks like a KPI" in message
    assert "visits" in message
    assert report["passed"] is True


async def test_english_is_the_default_language(setup: Setup) -> None:
    body = kpr_body(setup.cycle_id, setup.goal_id, title="每月拜访客户次数", unit="次")

    report = await smart_check(setup, body)

    assert "looks like a KPI" in report["specific"]["messages"][0]


async def test_failures_are_reported_per_criterion_in_the_callers_language(setup: Setup) -> None:
    body = {"title": "提升客户满意度", "cycle_id": setup.cycle_id, "due_date": "2099-01-01"}

    zh = await smart_check(setup, body, "zh-CN")
    en = await smart_check(setup, body, "en")

    expected = {
        "specific": "warn",
        "measurable": "fail",
        "attainable": "pass",
        "relevant": "fail",
        "time_bound": "fail",
    }
    assert statuses(zh) == statuses(en) == expected
    assert zh["passed"] is en["passed"] is False
    assert "笼统的动词" in zh["specific"]["messages"][0]
    assert "vague verb" in en["specific"]["messages"][0]
    assert any("缺少计量单位" in m for m in zh["measurable"]["messages"])
    assert any("unit is missing" in m for m in en["measurable"]["messages"])
    assert "晚于考核周期结束日期" in zh["time_bound"]["messages"][0]
    assert f"after the cycle ends ({CYCLE_END.isoformat()})" in en["time_bound"]["messages"][0]
    assert "未对齐" in zh["relevant"]["messages"][0]


async def test_a_missing_due_date_fails_time_bound(setup: Setup) -> None:
    report = await smart_check(setup, kpr_body(setup.cycle_id, setup.goal_id, due_date=None), "zh-CN")

    assert report["time_bound"] == {"status": "fail", "messages": [report["time_bound"]["messages"][0]]}
    assert "缺少截止日期" in report["time_bound"]["messages"][0]
    assert report["passed"] is False


async def test_target_equal_to_baseline_fails_measurable_but_maintain_does_not(setup: Setup) -> None:
    flat = await smart_check(setup, kpr_body(setup.cycle_id, setup.goal_id, baseline=90, target=90))
    held = await smart_check(
        setup, kpr_body(setup.cycle_id, setup.goal_id, direction="maintain", baseline=90, target=90)
    )

    assert flat["measurable"]["status"] == "fail"
    assert "target equals the baseline" in flat["measurable"]["messages"][0]
    assert held["measurable"]["status"] == "pass"


async def test_attainable_follows_the_cycle_policy(client: httpx.AsyncClient, tenant: Tenant) -> None:
    setup = await make_setup(client, tenant, policy={"max_stretch": 10, "min_stretch": 1})

    too_high = await smart_check(setup, kpr_body(setup.cycle_id, setup.goal_id, baseline=200, target=240))
    too_low = await smart_check(setup, kpr_body(setup.cycle_id, setup.goal_id, baseline=200, target=201))
    fine = await smart_check(setup, kpr_body(setup.cycle_id, setup.goal_id, baseline=200, target=210))

    assert too_high["attainable"]["status"] == "warn"
    assert "20.0%" in too_high["attainable"]["messages"][0]
    assert "10%" in too_high["attainable"]["messages"][0]
    assert too_low["attainable"]["status"] == "warn"
    assert "too low" in too_low["attainable"]["messages"][0]
    assert fine["attainable"]["status"] == "pass"


async def test_relevant_resolves_the_goal_chain(setup: Setup) -> None:
    department = setup.tenant.department
    orphan = ok(
        await setup.post(
            "/goals",
            {
                "title": "销售部回款提升",
                "level": "department",
                "department_id": str(department.id),
                "cycle_id": setup.cycle_id,
            },
        ),
        201,
    )
    under_company = ok(
        await setup.post(
            "/goals",
            {
                "title": "华东区营收增长",
                "level": "department",
                "department_id": str(department.id),
                "cycle_id": setup.cycle_id,
                "parent_id": setup.goal_id,
            },
        ),
        201,
    )

    linked = await smart_check(setup, kpr_body(setup.cycle_id, under_company["id"]))
    unlinked = await smart_check(setup, kpr_body(setup.cycle_id, orphan["id"]), "zh-CN")

    assert linked["relevant"]["status"] == "pass"
    assert unlinked["relevant"]["status"] == "warn"
    assert "公司级目标" in unlinked["relevant"]["messages"][0]


async def test_a_goal_of_another_organization_is_not_a_goal(
    setup: Setup, client: httpx.AsyncClient, other_tenant: Tenant
) -> None:
    foreign = await make_setup(client, other_tenant)
    body = kpr_body(setup.cycle_id, foreign.goal_id)

    report = await smart_check(setup, body)

    assert report["relevant"]["status"] == "fail"
    assert_problem(
        await setup.post("/kprs/smart-check", {**body, "cycle_id": foreign.cycle_id}, "employee"), 404, "NOT_FOUND"
    )


async def test_an_empty_draft_is_checked_without_error(setup: Setup) -> None:
    report = await smart_check(setup, {})

    assert statuses(report) == {
        "specific": "fail",
        "measurable": "fail",
        "attainable": "pass",
        "relevant": "fail",
        "time_bound": "fail",
    }


async def test_smart_check_refuses_unknown_fields(setup: Setup) -> None:
    response = await setup.post("/kprs/smart-check", {"title": "营收增长20%", "colour": "red"}, "employee")

    assert_problem(response, 422, "VALIDATION_FAILED")


async def test_a_saved_kpr_carries_its_report_in_the_readers_language(setup: Setup) -> None:
    kpr = await setup.kpr(title="每月拜访客户次数", unit="次", baseline=20, target=30)
    assert statuses(kpr["smart"]) == {**dict.fromkeys(CRITERIA, "pass"), "specific": "warn"}
    assert kpr["smart"]["passed"] is True

    zh = ok(
        await setup.client.get(
            f"/api/v1/kprs/{kpr['id']}", headers=setup.headers("employee", **{"Accept-Language": "zh-CN"})
        )
    )
    en = ok(
        await setup.client.get(
            f"/api/v1/kprs/{kpr['id']}", headers=setup.headers("employee", **{"Accept-Language": "en"})
        )
    )

    assert "看起来像 KPI" in zh["smart"]["specific"]["messages"][0]
    assert "looks like a KPI" in en["smart"]["specific"]["messages"][0]
    listed = ok(await setup.get("/kprs", "employee"))
    assert listed["items"][0]["smart"] == en["smart"]


async def test_a_saved_kpr_without_due_date_or_unit_reports_the_failures(setup: Setup) -> None:
    kpr = await setup.kpr(due_date=None, unit=None)

    assert kpr["smart"]["time_bound"]["status"] == "fail"
    assert kpr["smart"]["measurable"]["status"] == "fail"
    assert kpr["smart"]["passed"] is False


async def test_the_report_follows_edits(setup: Setup) -> None:
    kpr = await setup.kpr(due_date=None)
    assert kpr["smart"]["passed"] is False

    patched = ok(await setup.patch(f"/kprs/{kpr['id']}", {"due_date": CYCLE_END.isoformat()}, "employee"))

    assert patched["smart"]["time_bound"]["status"] == "pass"
    assert patched["smart"]["passed"] is True
