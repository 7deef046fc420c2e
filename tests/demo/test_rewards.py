"""The demo's second quarter: closed, every result final, and a draft reward run whose amounts total its budget."""

from decimal import Decimal

import httpx

from app.demo.data import REWARD_BUDGET
from tests.assertions import ok
from tests.demo.conftest import Headers
from tests.factories import API


async def test_the_closed_quarter_carries_a_draft_reward_run_to_the_cent(
    demo: None, client: httpx.AsyncClient, as_demo: Headers
) -> None:
    admin = as_demo("demo.hr_mgr", "admin")
    closed = ok(await client.get(f"{API}/cycles", params={"status": "closed"}, headers=admin))["items"]
    assert [cycle["name"] for cycle in closed] == ["2026年第二季度"]
    evaluations = ok(await client.get(f"{API}/evaluations", params={"cycle_id": closed[0]["id"]}, headers=admin))
    assert {evaluation["status"] for evaluation in evaluations["items"]} == {"finalized"}

    runs = ok(await client.get(f"{API}/cycles/{closed[0]['id']}/reward-runs", headers=admin))["items"]
    assert [run["status"] for run in runs] == ["draft"]
    run = ok(await client.get(f"{API}/reward-runs/{runs[0]['id']}", headers=admin))
    amounts = [Decimal(str(item["amount"])) for item in run["items"]]
    assert sum(amounts) == Decimal(str(run["total"])) == REWARD_BUDGET
    assert len(run["items"]) == len(evaluations["items"])
    assert not run["skipped"]
    # Everyone has the same base: a larger coefficient (a better rating) never earns less, and ratings differ.
    ranked = sorted(run["items"], key=lambda item: (item["coefficient"], item["amount"]))
    assert [item["amount"] for item in ranked] == sorted(item["amount"] for item in run["items"])
    assert len({item["final_rating"] for item in run["items"]}) > 1
