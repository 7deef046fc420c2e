"""The demo's quarterly cycle in calibration: real figures in summary, calibration report and export."""

import csv
import io

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.demo import load_into
from tests.assertions import ok
from tests.demo.conftest import Headers
from tests.factories import API


async def test_demo_cycle_in_calibration(
    demo: None, client: httpx.AsyncClient, session: AsyncSession, as_demo: Headers
) -> None:
    assert not await load_into(session)  # a second load finds the demo and changes nothing
    headers = as_demo("demo.hr_mgr", "admin")
    cycles = ok(await client.get(f"{API}/cycles", params={"status": "calibration"}, headers=headers))["items"]
    assert [cycle["name"] for cycle in cycles] == ["2026年第三季度"]
    cycle_id = cycles[0]["id"]

    summary = ok(await client.get(f"{API}/cycles/{cycle_id}/summary", headers=headers))
    report = ok(await client.get(f"{API}/cycles/{cycle_id}/calibration", headers=headers))
    page = ok(await client.get(f"{API}/evaluations", params={"cycle_id": cycle_id}, headers=headers))
    export = await client.get(f"{API}/cycles/{cycle_id}/evaluations/export", headers=headers)

    people = 9  # everyone in the demo org chart but the CEO, who has no manager
    assert summary["status"] == "calibration"
    assert summary["plans_by_status"] == {"approved": people}
    assert summary["evaluations_by_status"] == {"calibration": people}
    assert summary["average_progress"] is not None
    rated = {rating: count for rating, count in summary["rating_distribution"].items() if count}
    assert sum(rated.values()) == people
    assert len(rated) >= 3  # a real spread of ratings
    assert report["total"] == people
    assert report["violations"]  # the guideline on S is exceeded, for the calibration meeting to fix
    assert len(report["departments"]) >= 4
    assert all(e["final_score"] is not None for e in page["items"])
    assert any(e["calibrated_rating"] for e in page["items"])
    assert all(len(e["items"]) >= 1 for e in page["items"])
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["工号", "姓名"]
    assert len(rows) == people + 1
    assert {row[1] for row in rows[1:]} >= {"刘洋", "陈静", "郑芳"}
