"""The demo's people working together: a thread in Chinese with mentions, a revision waiting for HR, and something on
every printed token's task list (one test: loading the demo is the expensive part)."""

import httpx

from app.demo.data import PEOPLE, ROLES, TOKENS
from tests.assertions import ok
from tests.demo.conftest import Headers
from tests.factories import API

SUBJECTS = {person.key: person.external_id for person in PEOPLE}


async def test_the_demo_works_together_and_every_token_has_tasks_waiting(
    demo: None, client: httpx.AsyncClient, as_demo: Headers
) -> None:
    for label, key in TOKENS:
        headers = as_demo(SUBJECTS[key], *ROLES.get(key, []))
        tasks = ok(await client.get(f"{API}/me/tasks", headers=headers))["items"]
        assert "mention" in {task["kind"] for task in tasks}, label
        assert all(task["title"] for task in tasks)

    # 张伟 asks 刘洋 about his sales KPR, 刘洋 answers, their director adds a word.
    employee = as_demo("demo.sales_rep1")
    [mention] = ok(await client.get(f"{API}/me/tasks", params={"kind": "mention"}, headers=employee))["items"]
    assert mention["title"].startswith("张伟在评论中提到了你：@刘洋 十月累计销售额")
    params = {"entity_type": mention["entity_type"], "entity_id": mention["entity_id"]}
    thread = ok(await client.get(f"{API}/comments", params=params, headers=employee))["items"]
    assert [comment["body"][:3] for comment in thread] == ["@刘洋", "@张伟", "进度不"]
    assert [len(comment["mention_ids"]) for comment in thread] == [1, 1, 0]
    kpr = ok(await client.get(f"{API}/kprs/{mention['entity_id']}", headers=employee))
    assert kpr["title"] == "个人销售额同比增长20%"

    # 孙丽 asked 赵敏 to re-target a result.
    admin = as_demo("demo.hr_mgr", "admin")
    [decide] = ok(await client.get(f"{API}/me/tasks", params={"kind": "decide_revision"}, headers=admin))["items"]
    assert decide["title"] == "审批孙丽对“员工年度流失率降至10%”的修订申请"
    assert ok(await client.get(f"{API}/revisions/{decide['entity_id']}", headers=admin))["status"] == "pending"
