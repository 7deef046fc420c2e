"""The demo quarter's 360 feedback and result conversation, as its people see them."""

import httpx

from tests.assertions import ok
from tests.demo.conftest import Headers
from tests.factories import API


async def test_demo_quarter_carries_feedback_and_a_conversation(
    demo: None, client: httpx.AsyncClient, as_demo: Headers
) -> None:
    admin = as_demo("demo.hr_mgr", "admin")
    cycle = ok(await client.get(f"{API}/cycles", params={"status": "calibration"}, headers=admin))["items"][0]
    employees = ok(await client.get(f"{API}/employees", params={"limit": 200}, headers=admin))["items"]
    names = {employee["id"]: employee["name"] for employee in employees}
    evaluations = ok(await client.get(f"{API}/evaluations", params={"cycle_id": cycle["id"]}, headers=admin))["items"]
    by_name = {names[evaluation["employee_id"]]: evaluation for evaluation in evaluations}

    peers = {name: (e["peer_responses"], e["peer_score"]) for name, e in by_name.items() if e["peer_responses"]}
    # Three answers make a peer score (the policy's peer_min_responses); fewer leave it out of the final score.
    assert peers == {"孙丽": (3, 92), "刘洋": (3, 74.33), "张伟": (2, None), "郑芳": (1, None)}
    assert all(e["final_score"] is not None for e in evaluations)

    # 刘洋 reads his feedback without names; HR sees who said what.
    rep = by_name["刘洋"]["id"]
    own = ok(await client.get(f"{API}/evaluations/{rep}/feedback", headers=as_demo("demo.sales_rep1")))
    named = ok(await client.get(f"{API}/evaluations/{rep}/feedback", headers=admin))
    assert (own["responses"], own["peer_score"], len(own["items"])) == (3, 74.33, 3)
    assert {item["reviewer_id"] for item in own["items"]} == {None}
    assert {names[item["reviewer_id"]] for item in named["items"]} == {"陈静", "孙丽", "郑芳"}
    # 张伟's two answers are not enough to show.
    lead = ok(
        await client.get(f"{API}/evaluations/{by_name['张伟']['id']}/feedback", headers=as_demo("demo.sales_lead"))
    )
    assert (lead["responses"], lead["items"]) == (2, [])
    # 孙丽 still owes 郑芳 an answer; 陈静 declined.
    pending = ok(
        await client.get(f"{API}/feedback-requests", params={"status": "requested"}, headers=as_demo("demo.hr_spec"))
    )["items"]
    assert [names[item["reviewer_id"]] for item in pending] == ["孙丽"]
    declined = ok(await client.get(f"{API}/feedback-requests", params={"status": "declined"}, headers=admin))["items"]
    assert [names[item["reviewer_id"]] for item in declined] == ["陈静"]

    talks = ok(await client.get(f"{API}/evaluations/{rep}/conversations", headers=as_demo("demo.sales_rep1")))["items"]
    assert len(talks) == 1
    assert names[talks[0]["author_id"]] == "张伟"
    assert talks[0]["agreed_actions"]
    assert talks[0]["employee_comment"]
