"""Comments on goals, KPRs and evaluations (DESIGN §12): who reads and writes a thread, mentions, edits, deletes,
their events and their audit trail."""

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models import Employee, OutboxEvent
from tests.assertions import assert_problem, ok
from tests.conftest import token_for
from tests.factories import API, Setup, Tenant, auth, make_employee, make_setup, open_review

BODY = "十月销售额进度偏慢，月底前能否补上？"


@pytest.fixture
async def setup(client: httpx.AsyncClient, tenant: Tenant) -> Setup:
    return await make_setup(client, tenant)


@pytest.fixture
async def kpr(setup: Setup) -> dict[str, Any]:
    """The employee's KPR: the employee, the manager above them, admins and services may see it; the peer may not."""
    return await setup.kpr()


async def post_comment(
    client: httpx.AsyncClient, headers: dict[str, str], entity_type: str, entity_id: str, **body: Any
) -> httpx.Response:
    payload = {"entity_type": entity_type, "entity_id": entity_id, "body": BODY} | body
    return await client.post(f"{API}/comments", json=payload, headers=headers)


async def thread(client: httpx.AsyncClient, headers: dict[str, str], entity_type: str, entity_id: str) -> Any:
    params = {"entity_type": entity_type, "entity_id": entity_id}
    return await client.get(f"{API}/comments", params=params, headers=headers)


async def my_tasks(client: httpx.AsyncClient, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ok(await client.get(f"{API}/me/tasks", params=params, headers=headers))["items"]
    return items


# --- who reads and writes a thread -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["employee", "manager", "admin"])
async def test_whoever_may_see_a_kpr_reads_and_writes_its_thread(
    client: httpx.AsyncClient, tenant: Tenant, kpr: dict[str, Any], who: str
) -> None:
    created = ok(await post_comment(client, tenant.headers(who), "kpr", kpr["id"]), 201)
    listed = ok(await thread(client, tenant.headers("service"), "kpr", kpr["id"]))

    assert created["body"] == BODY
    assert created["entity_type"] == "kpr"
    assert created["entity_id"] == kpr["id"]
    author = {"employee": tenant.employee, "manager": tenant.manager, "admin": tenant.admin}[who]
    assert created["author_id"] == str(author.id)
    assert created["deleted"] is False
    assert created["edited_at"] is None
    assert created["mention_ids"] == []
    assert [c["id"] for c in listed["items"]] == [created["id"]]
    assert listed["items"][0] == created
    fetched = await client.get(f"{API}/comments/{created['id']}", headers=tenant.headers("employee"))
    assert ok(fetched) == created


async def test_a_kpr_thread_does_not_exist_for_a_peer_nor_another_tenant(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, kpr: dict[str, Any]
) -> None:
    comment = ok(await post_comment(client, tenant.headers("employee"), "kpr", kpr["id"]), 201)
    for headers in (tenant.headers("peer"), other_tenant.headers("admin"), other_tenant.headers("employee")):
        assert_problem(await thread(client, headers, "kpr", kpr["id"]), 404, "NOT_FOUND")
        assert_problem(await post_comment(client, headers, "kpr", kpr["id"]), 404, "NOT_FOUND")
        assert_problem(await client.get(f"{API}/comments/{comment['id']}", headers=headers), 404, "NOT_FOUND")
        patched = await client.patch(f"{API}/comments/{comment['id']}", json={"body": "改"}, headers=headers)
        assert_problem(patched, 404, "NOT_FOUND")
        assert_problem(await client.delete(f"{API}/comments/{comment['id']}", headers=headers), 404, "NOT_FOUND")


async def test_a_thread_of_a_missing_entity_is_not_found(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for entity_type in ("goal", "kpr", "evaluation"):
        missing = str(uuid.uuid4())
        assert_problem(await thread(client, tenant.headers("admin"), entity_type, missing), 404, "NOT_FOUND")
        assert_problem(await post_comment(client, tenant.headers("admin"), entity_type, missing), 404, "NOT_FOUND")


async def test_a_goal_thread_is_everyone_s_in_the_organization_and_no_one_else_s(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, setup: Setup
) -> None:
    for who in ("peer", "employee", "manager", "admin"):
        ok(await post_comment(client, tenant.headers(who), "goal", setup.goal_id, body=f"{who}：同意"), 201)

    listed = ok(await thread(client, tenant.headers("peer"), "goal", setup.goal_id))
    assert [c["body"] for c in listed["items"]] == ["peer：同意", "employee：同意", "manager：同意", "admin：同意"]
    assert_problem(await thread(client, other_tenant.headers("admin"), "goal", setup.goal_id), 404, "NOT_FOUND")
    posted = await post_comment(client, other_tenant.headers("employee"), "goal", setup.goal_id)
    assert_problem(posted, 404, "NOT_FOUND")


async def test_an_evaluation_thread_follows_the_evaluation_s_readers(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    review = await open_review(session, client, tenant)
    evaluation = review.employee_eval
    for who in ("employee", "manager", "admin"):
        ok(await post_comment(client, tenant.headers(who), "evaluation", evaluation), 201)

    assert len(ok(await thread(client, tenant.headers("service"), "evaluation", evaluation))["items"]) == 3
    for headers in (tenant.headers("peer"), other_tenant.headers("admin")):
        assert_problem(await thread(client, headers, "evaluation", evaluation), 404, "NOT_FOUND")
        assert_problem(await post_comment(client, headers, "evaluation", evaluation), 404, "NOT_FOUND")


async def test_a_service_reads_threads_but_does_not_write_them(
    client: httpx.AsyncClient, tenant: Tenant, kpr: dict[str, Any]
) -> None:
    assert_problem(await post_comment(client, tenant.headers("service"), "kpr", kpr["id"]), 403, "FORBIDDEN")
    assert ok(await thread(client, tenant.headers("service"), "kpr", kpr["id"]))["items"] == []


async def test_an_admin_without_an_employee_record_comments_as_hr(
    client: httpx.AsyncClient, settings: Settings, tenant: Tenant, kpr: dict[str, Any]
) -> None:
    hr = auth(token_for(settings, "hr-console", tenant.org.id, ["admin"]))
    created = ok(await post_comment(client, hr, "kpr", kpr["id"]), 201)
    assert created["author_id"] is None
    edited = await client.patch(f"{API}/comments/{created['id']}", json={"body": "已更正"}, headers=hr)
    assert ok(edited)["body"] == "已更正"


async def test_a_thread_lists_oldest_first_page_by_page(
    client: httpx.AsyncClient, tenant: Tenant, kpr: dict[str, Any]
) -> None:
    made = [
        ok(await post_comment(client, tenant.headers("employee"), "kpr", kpr["id"], body=f"第{n}条"), 201)["id"]
        for n in range(5)
    ]
    seen: list[str] = []
    cursor = None
    while True:
        params = {"entity_type": "kpr", "entity_id": kpr["id"], "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = ok(await client.get(f"{API}/comments", params=params, headers=tenant.headers("manager")))
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == made


async def test_the_thread_needs_both_its_entity_type_and_id(client: httpx.AsyncClient, tenant: Tenant) -> None:
    headers = tenant.headers("admin")
    assert_problem(await client.get(f"{API}/comments", headers=headers), 422, "VALIDATION_FAILED")
    wrong = {"entity_type": "plan", "entity_id": str(uuid.uuid4())}
    assert_problem(await client.get(f"{API}/comments", params=wrong, headers=headers), 422, "VALIDATION_FAILED")


@pytest.mark.parametrize(
    "body",
    [
        {"body": ""},
        {"body": "   "},
        {"body": "长" * 5001},
        {"mention_ids": [str(uuid.uuid4()) for _ in range(21)]},
        {"extra": 1},
    ],
)
async def test_a_comment_body_is_checked(
    client: httpx.AsyncClient, tenant: Tenant, kpr: dict[str, Any], body: dict[str, Any]
) -> None:
    response = await post_comment(client, tenant.headers("employee"), "kpr", kpr["id"], **body)
    assert_problem(response, 422, "VALIDATION_FAILED")


async def test_a_long_chinese_comment_is_kept_whole(
    client: httpx.AsyncClient, tenant: Tenant, kpr: dict[str, Any]
) -> None:
    text = "季度回顾：" + "客户满意度持续提升。" * 499
    assert len(text) <= 5000
    created = ok(await post_comment(client, tenant.headers("employee"), "kpr", kpr["id"], body=text), 201)
    assert created["body"] == text


# --- mentions -------------------------------------------------------------------------------------------------------


async def test_mentioning_who_may_see_a_kpr_gives_them_a_task(
    client: httpx.AsyncClient, tenant: Tenant, kpr: dict[str, Any]
) -> None:
    mentioned = [str(tenant.manager.id)]
    created = ok(await post_comment(client, tenant.headers("employee"), "kpr", kpr["id"], mention_ids=mentioned), 201)

    assert created["mention_ids"] == mentioned
    tasks = await my_tasks(client, tenant.headers("manager"), kind="mention")
    assert len(tasks) == 1
    assert tasks[0]["entity_type"] == "kpr"
    assert tasks[0]["entity_id"] == kpr["id"]
    assert tasks[0]["comment_id"] == created["id"]
    assert tasks[0]["title"] == f"员工 mentioned you: {BODY}"
    assert tasks[0]["status"] == "open"
    assert tasks[0]["due_at"] is None
    assert await my_tasks(client, tenant.headers("employee"), kind="mention") == []


async def test_a_mention_title_speaks_the_reader_s_language(
    client: httpx.AsyncClient, tenant: Tenant, kpr: dict[str, Any]
) -> None:
    await post_comment(client, tenant.headers("employee"), "kpr", kpr["id"], mention_ids=[str(tenant.manager.id)])
    headers = tenant.headers("manager") | {"Accept-Language": "zh-CN"}
    assert (await my_tasks(client, headers))[0]["title"] == f"员工在评论中提到了你：{BODY}"


async def test_mentioning_someone_who_may_not_see_the_kpr_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant, kpr: dict[str, Any]
) -> None:
    gone = await make_employee(session, tenant.org, manager=tenant.manager)
    gone.active = False
    await session.commit()
    refused = [
        str(tenant.peer.id),  # sees nothing of the employee's
        str(tenant.admin.id),  # HR by role, which the org chart does not know: not mentionable on a KPR
        str(gone.id),  # inactive
        str(other_tenant.employee.id),  # another tenant's
        str(uuid.uuid4()),  # nobody
    ]
    mentioned = [str(tenant.manager.id), *refused]

    response = await post_comment(client, tenant.headers("employee"), "kpr", kpr["id"], mention_ids=mentioned)

    body = assert_problem(response, 422, "MENTION_NOT_ALLOWED")
    assert body["refused_ids"] == refused
    assert [error["loc"] for error in body["errors"]] == [["body", "mention_ids", n] for n in range(1, 6)]
    assert ok(await thread(client, tenant.headers("employee"), "kpr", kpr["id"]))["items"] == []
    assert await my_tasks(client, tenant.headers("manager")) == []


async def test_on_a_goal_anyone_active_in_the_organization_may_be_mentioned(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, setup: Setup
) -> None:
    everyone = [str(e.id) for e in (tenant.admin, tenant.manager, tenant.peer)]
    created = ok(
        await post_comment(client, tenant.headers("employee"), "goal", setup.goal_id, mention_ids=everyone), 201
    )
    assert created["mention_ids"] == everyone
    for who in ("admin", "manager", "peer"):
        assert [t["entity_id"] for t in await my_tasks(client, tenant.headers(who), kind="mention")] == [setup.goal_id]

    response = await post_comment(
        client, tenant.headers("employee"), "goal", setup.goal_id, mention_ids=[str(other_tenant.peer.id)]
    )
    assert assert_problem(response, 422, "MENTION_NOT_ALLOWED")["refused_ids"] == [str(other_tenant.peer.id)]


async def test_on_an_evaluation_only_its_employee_and_their_managers_may_be_mentioned(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    review = await open_review(session, client, tenant)
    evaluation = review.employee_eval
    allowed = [str(tenant.employee.id), str(tenant.manager.id)]
    ok(await post_comment(client, tenant.headers("admin"), "evaluation", evaluation, mention_ids=allowed), 201)
    response = await post_comment(
        client, tenant.headers("manager"), "evaluation", evaluation, mention_ids=[str(tenant.peer.id)]
    )
    assert_problem(response, 422, "MENTION_NOT_ALLOWED")


async def test_a_manager_higher_up_may_be_mentioned(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, kpr: dict[str, Any]
) -> None:
    director = await make_employee(session, tenant.org, name="总监")
    manager = await session.get(Employee, tenant.manager.id)
    assert manager is not None
    manager.manager_id = director.id
    await session.commit()
    mentioned = [str(director.id)]
    created = ok(await post_comment(client, tenant.headers("employee"), "kpr", kpr["id"], mention_ids=mentioned), 201)
    assert created["mention_ids"] == mentioned


async def test_a_person_is_mentioned_once_per_comment(
    client: httpx.AsyncClient, tenant: Tenant, kpr: dict[str, Any]
) -> None:
    twice = [str(tenant.manager.id)] * 2
    response = await post_comment(client, tenant.headers("employee"), "kpr", kpr["id"], mention_ids=twice)
    assert_problem(response, 422, "VALIDATION_FAILED")


async def test_the_mention_check_costs_one_statement_however_many_are_mentioned(
    client: httpx.AsyncClient,
    session: AsyncSession,
    tenant: Tenant,
    setup: Setup,
    count_statements: Any,
) -> None:
    people = [await make_employee(session, tenant.org) for _ in range(20)]
    await session.commit()

    async def cost(mentioned: list[Employee]) -> int:
        ids = [str(e.id) for e in mentioned]
        with count_statements() as counter:
            ok(await post_comment(client, tenant.headers("employee"), "goal", setup.goal_id, mention_ids=ids), 201)
        return int(counter.count)

    assert await cost(people[:1]) == await cost(people)


# --- editing and deleting --------------------------------------------------------------------------------------------


async def test_the_author_edits_and_the_comment_is_marked_edited(
    client: httpx.AsyncClient, tenant: Tenant, kpr: dict[str, Any]
) -> None:
    created = ok(
        await post_comment(client, tenant.headers("employee"), "kpr", kpr["id"], mention_ids=[str(tenant.manager.id)]),
        201,
    )
    url = f"{API}/comments/{created['id']}"
    stale = (await client.get(url, headers=tenant.headers("employee"))).headers["etag"]

    edited = await client.patch(url, json={"body": "已与客户确认，十一月补齐。"}, headers=tenant.headers("employee"))

    shown = ok(edited)
    assert shown["body"] == "已与客户确认，十一月补齐。"
    assert shown["edited_at"] is not None
    assert shown["created_at"] == created["created_at"]
    assert edited.headers["etag"] != stale
    # The mention's task follows the text.
    assert (await my_tasks(client, tenant.headers("manager")))[0]["title"].endswith("已与客户确认，十一月补齐。")
    # If-Match: a stale tag is refused, the current one accepted.
    refused = await client.patch(url, json={"body": "再改"}, headers=tenant.headers("employee") | {"If-Match": stale})
    assert_problem(refused, 412, "PRECONDITION_FAILED")
    current = edited.headers["etag"]
    accepted = await client.patch(
        url, json={"body": "再改"}, headers=tenant.headers("employee") | {"If-Match": current}
    )
    assert ok(accepted)["body"] == "再改"


@pytest.mark.parametrize("who", ["manager", "admin"])
async def test_only_the_author_edits(client: httpx.AsyncClient, tenant: Tenant, kpr: dict[str, Any], who: str) -> None:
    created = ok(await post_comment(client, tenant.headers("employee"), "kpr", kpr["id"]), 201)
    response = await client.patch(f"{API}/comments/{created['id']}", json={"body": "改"}, headers=tenant.headers(who))
    assert_problem(response, 403, "FORBIDDEN")


async def test_an_empty_edit_changes_nothing(client: httpx.AsyncClient, tenant: Tenant, kpr: dict[str, Any]) -> None:
    created = ok(await post_comment(client, tenant.headers("employee"), "kpr", kpr["id"]), 201)
    same = await client.patch(f"{API}/comments/{created['id']}", json={}, headers=tenant.headers("employee"))
    assert ok(same) == created
    nulled = await client.patch(
        f"{API}/comments/{created['id']}", json={"body": None}, headers=tenant.headers("employee")
    )
    assert_problem(nulled, 422, "VALIDATION_FAILED")


@pytest.mark.parametrize("who", ["employee", "admin"])
async def test_a_deleted_comment_stays_in_the_thread_without_its_text(
    client: httpx.AsyncClient, tenant: Tenant, kpr: dict[str, Any], who: str
) -> None:
    first = ok(
        await post_comment(client, tenant.headers("employee"), "kpr", kpr["id"], mention_ids=[str(tenant.manager.id)]),
        201,
    )
    second = ok(await post_comment(client, tenant.headers("manager"), "kpr", kpr["id"], body="收到"), 201)

    response = await client.delete(f"{API}/comments/{first['id']}", headers=tenant.headers(who))

    assert response.status_code == 204
    listed = ok(await thread(client, tenant.headers("employee"), "kpr", kpr["id"]))["items"]
    assert [c["id"] for c in listed] == [first["id"], second["id"]]
    deleted = listed[0]
    assert deleted["deleted"] is True
    assert deleted["body"] is None
    assert deleted["mention_ids"] == []
    assert deleted["author_id"] == str(tenant.employee.id)
    assert deleted["created_at"] == first["created_at"]
    assert listed[1]["body"] == "收到"
    # Its mention is withdrawn with it.
    assert await my_tasks(client, tenant.headers("manager"), kind="mention") == []
    # Deleting again changes nothing; editing it is refused.
    again = await client.delete(f"{API}/comments/{first['id']}", headers=tenant.headers(who))
    assert again.status_code == 204
    edited = await client.patch(f"{API}/comments/{first['id']}", json={"body": "x"}, headers=tenant.headers("employee"))
    assert_problem(edited, 409, "INVALID_STATE")


async def test_only_the_author_or_an_admin_deletes(
    client: httpx.AsyncClient, tenant: Tenant, kpr: dict[str, Any]
) -> None:
    created = ok(await post_comment(client, tenant.headers("employee"), "kpr", kpr["id"]), 201)
    response = await client.delete(f"{API}/comments/{created['id']}", headers=tenant.headers("manager"))
    assert_problem(response, 403, "FORBIDDEN")


async def test_delete_honours_if_match(client: httpx.AsyncClient, tenant: Tenant, kpr: dict[str, Any]) -> None:
    created = await post_comment(client, tenant.headers("employee"), "kpr", kpr["id"])
    url = f"{API}/comments/{created.json()['id']}"
    refused = await client.delete(url, headers=tenant.headers("employee") | {"If-Match": '"stale"'})
    assert_problem(refused, 412, "PRECONDITION_FAILED")
    accepted = await client.delete(url, headers=tenant.headers("employee") | {"If-Match": created.headers["etag"]})
    assert accepted.status_code == 204


# --- events and audit ------------------------------------------------------------------------------------------------


async def test_a_comment_publishes_comment_created_as_the_api_shows_it(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, kpr: dict[str, Any]
) -> None:
    created = ok(
        await post_comment(client, tenant.headers("employee"), "kpr", kpr["id"], mention_ids=[str(tenant.manager.id)]),
        201,
    )
    events = (
        await session.scalars(
            select(OutboxEvent).where(
                OutboxEvent.organization_id == tenant.org.id, OutboxEvent.type == "comment.created"
            )
        )
    ).all()
    assert [event.data for event in events] == [created]


async def test_create_edit_and_delete_are_audited(
    client: httpx.AsyncClient, tenant: Tenant, kpr: dict[str, Any]
) -> None:
    created = ok(await post_comment(client, tenant.headers("employee"), "kpr", kpr["id"]), 201)
    url = f"{API}/comments/{created['id']}"
    ok(await client.patch(url, json={"body": "改正"}, headers=tenant.headers("employee")))
    assert (await client.delete(url, headers=tenant.headers("admin"))).status_code == 204

    params = {"entity_type": "comment", "entity_id": created["id"]}
    trail = ok(await client.get(f"{API}/audit-events", params=params, headers=tenant.headers("admin")))["items"]

    by_action = {event["action"]: event for event in trail}
    assert set(by_action) == {"create", "update", "delete"}
    assert by_action["create"]["after"]["body"] == BODY
    assert by_action["update"]["before"] == {"body": BODY}
    assert by_action["update"]["after"] == {"body": "改正"}
    assert by_action["delete"]["before"]["body"] == "改正"
    assert by_action["delete"]["actor"] != by_action["create"]["actor"]


async def test_a_thread_page_takes_the_same_statements_for_3_or_30_comments(
    client: httpx.AsyncClient, tenant: Tenant, kpr: dict[str, Any], count_statements: Any
) -> None:
    async def cost() -> tuple[int, int]:
        with count_statements() as counter:
            listed = ok(await thread(client, tenant.headers("manager"), "kpr", kpr["id"]))
        return int(counter.count), len(listed["items"])

    for n in range(3):
        ok(await post_comment(client, tenant.headers("employee"), "kpr", kpr["id"], body=f"第{n}条"), 201)
    small = await cost()
    for n in range(27):
        ok(await post_comment(client, tenant.headers("manager"), "kpr", kpr["id"], body=f"回复{n}"), 201)
    large = await cost()

    assert (small[1], large[1]) == (3, 30)
    assert small[0] == large[0]
