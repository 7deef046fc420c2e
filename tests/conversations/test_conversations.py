"""Result conversations (绩效面谈, DESIGN §10): recorded by the employee's managers and HR, read by whoever reads the
evaluation, commented on by the employee alone, edited by their author alone."""

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.security import mint_token
from app.models import AuditEvent
from tests.assertions import assert_problem, ok
from tests.factories import API, InReview, Tenant, make_employee, move, open_review, to_calibration

BODY = {
    "held_at": "2026-10-12T06:30:00Z",
    "notes": "回顾第三季度结果：销售额达成一半，投诉率超额改善。",
    "agreed_actions": ["每月第一周复盘回款计划", "参加大客户谈判培训"],
}


def conversations_url(evaluation_id: str) -> str:
    return f"{API}/evaluations/{evaluation_id}/conversations"


async def _record(
    client: httpx.AsyncClient, tenant: Tenant, evaluation_id: str, who: str = "manager", **body: Any
) -> httpx.Response:
    return await client.post(conversations_url(evaluation_id), json=BODY | body, headers=tenant.headers(who))


async def _recorded(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> tuple[InReview, dict[str, Any]]:
    state = await open_review(session, client, tenant)
    conversation: dict[str, Any] = ok(await _record(client, tenant, state.employee_eval), 201)
    return state, conversation


@pytest.mark.parametrize("who", ["manager", "admin"])
async def test_managers_and_admins_record_a_conversation(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, who: str
) -> None:
    state = await open_review(session, client, tenant)

    response = await _record(client, tenant, state.employee_eval, who)

    created = ok(response, 201)
    assert response.headers["location"] == f"/api/v1/conversations/{created['id']}"
    assert response.headers["etag"]
    assert created["evaluation_id"] == state.employee_eval
    assert created["author_id"] == str(getattr(tenant, who).id)
    assert (created["held_at"], created["notes"], created["agreed_actions"]) == (
        BODY["held_at"],
        BODY["notes"],
        BODY["agreed_actions"],
    )
    assert created["employee_comment"] is None
    assert created["created_at"] <= created["updated_at"]
    audited = await session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "conversation"))
    assert audited is not None
    assert audited.action == "create"


async def test_an_admin_without_an_employee_record_records_one_too(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    state = await open_review(session, client, tenant)
    hr = mint_token(settings, subject="hr-system-user", organization_id=tenant.org.id, roles=["admin"])

    created = ok(
        await client.post(conversations_url(state.employee_eval), json=BODY, headers={"Authorization": f"Bearer {hr}"}),
        201,
    )
    edited = await client.patch(
        f"{API}/conversations/{created['id']}", json={"notes": "补充记录"}, headers={"Authorization": f"Bearer {hr}"}
    )

    assert created["author_id"] is None
    assert ok(edited)["notes"] == "补充记录"


@pytest.mark.parametrize(("who", "status"), [("employee", 403), ("service", 403), ("peer", 404)])
async def test_others_record_none(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, who: str, status: int
) -> None:
    state = await open_review(session, client, tenant)

    response = await _record(client, tenant, state.employee_eval, who)

    assert_problem(response, status, "FORBIDDEN" if status == 403 else "NOT_FOUND")


async def test_an_evaluated_admin_records_none_on_their_own_evaluation(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    state = await open_review(session, client, tenant)
    tenant.tokens["employee-admin"] = mint_token(
        settings, subject=tenant.employee.external_id, organization_id=tenant.org.id, roles=["admin"]
    )

    assert_problem(await _record(client, tenant, state.employee_eval, "employee-admin"), 403, "FORBIDDEN")


@pytest.mark.parametrize(
    ("who", "visible"), [("employee", True), ("manager", True), ("admin", True), ("service", True), ("peer", False)]
)
async def test_whoever_reads_the_evaluation_reads_its_conversations(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, who: str, visible: bool
) -> None:
    state, conversation = await _recorded(client, session, tenant)

    listed = await client.get(conversations_url(state.employee_eval), headers=tenant.headers(who))
    one = await client.get(f"{API}/conversations/{conversation['id']}", headers=tenant.headers(who))

    if visible:
        assert [item["id"] for item in ok(listed)["items"]] == [conversation["id"]]
        assert ok(one) == conversation
    else:
        assert_problem(listed, 404, "NOT_FOUND")
        assert_problem(one, 404, "NOT_FOUND")


async def test_conversations_are_listed_by_when_they_were_held(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)
    later = ok(await _record(client, tenant, state.employee_eval, held_at="2026-10-20T02:00:00Z"), 201)
    earlier = ok(await _record(client, tenant, state.employee_eval, "admin", held_at="2026-10-01T02:00:00Z"), 201)
    ok(await _record(client, tenant, state.peer_eval), 201)  # another evaluation's

    first = ok(
        await client.get(
            conversations_url(state.employee_eval), params={"limit": 1}, headers=tenant.headers("employee")
        )
    )
    second = ok(
        await client.get(
            conversations_url(state.employee_eval),
            params={"limit": 1, "cursor": first["next_cursor"]},
            headers=tenant.headers("employee"),
        )
    )

    assert [item["id"] for item in first["items"] + second["items"]] == [earlier["id"], later["id"]]
    assert second["next_cursor"] is None


async def test_the_employee_sets_only_their_comment(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    _, conversation = await _recorded(client, session, tenant)
    url = f"{API}/conversations/{conversation['id']}"

    commented = ok(
        await client.patch(url, json={"employee_comment": "认可面谈结论"}, headers=tenant.headers("employee"))
    )
    notes = await client.patch(
        url, json={"notes": "改写", "employee_comment": "再补充"}, headers=tenant.headers("employee")
    )
    by_author = await client.patch(url, json={"employee_comment": "代写"}, headers=tenant.headers("manager"))

    assert commented["employee_comment"] == "认可面谈结论"
    assert commented["notes"] == conversation["notes"]
    assert_problem(notes, 403, "FORBIDDEN")
    assert_problem(by_author, 403, "FORBIDDEN")
    cleared = ok(await client.patch(url, json={"employee_comment": None}, headers=tenant.headers("employee")))
    assert cleared["employee_comment"] is None


@pytest.mark.parametrize(("who", "status"), [("manager", 200), ("admin", 403), ("service", 403), ("employee", 403)])
async def test_the_author_alone_edits_what_was_recorded(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, who: str, status: int
) -> None:
    _, conversation = await _recorded(client, session, tenant)
    changes = {"held_at": "2026-10-13T01:00:00+08:00", "agreed_actions": ["改进回款节奏"]}

    response = await client.patch(
        f"{API}/conversations/{conversation['id']}", json=changes, headers=tenant.headers(who)
    )

    if status == 200:
        edited = ok(response)
        assert (edited["held_at"], edited["agreed_actions"]) == ("2026-10-12T17:00:00Z", ["改进回款节奏"])
        audited = list(await session.scalars(select(AuditEvent).where(AuditEvent.action == "update")))
        assert [a.entity_type for a in audited] == ["conversation"]
    else:
        assert_problem(response, 403, "FORBIDDEN")


async def test_another_manager_in_the_chain_edits_nothing(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    _, conversation = await _recorded(client, session, tenant)
    director = await make_employee(session, tenant.org, name="总监")
    tenant.manager.manager_id = director.id
    await session.commit()
    token = mint_token(settings, subject=director.external_id, organization_id=tenant.org.id, roles=[])
    headers = {"Authorization": f"Bearer {token}"}

    read = await client.get(f"{API}/conversations/{conversation['id']}", headers=headers)
    edit = await client.patch(f"{API}/conversations/{conversation['id']}", json={"notes": "改写"}, headers=headers)

    assert ok(read)["id"] == conversation["id"]
    assert_problem(edit, 403, "FORBIDDEN")


async def test_if_match_guards_the_edit(client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    _, conversation = await _recorded(client, session, tenant)
    url = f"{API}/conversations/{conversation['id']}"
    etag = (await client.get(url, headers=tenant.headers("manager"))).headers["etag"]
    ok(await client.patch(url, json={"employee_comment": "同意"}, headers=tenant.headers("employee")))

    stale = await client.patch(url, json={"notes": "改写"}, headers=tenant.headers("manager") | {"If-Match": etag})
    fresh_etag = (await client.get(url, headers=tenant.headers("manager"))).headers["etag"]
    fresh = await client.patch(
        url, json={"notes": "改写"}, headers=tenant.headers("manager") | {"If-Match": fresh_etag}
    )

    assert_problem(stale, 412, "PRECONDITION_FAILED")
    assert ok(fresh)["notes"] == "改写"


async def test_a_finalized_evaluation_still_takes_its_result_conversation(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)
    await to_calibration(client, tenant, state)
    await move(client, tenant, "admin", state.employee_eval, "finalized")

    created = ok(await _record(client, tenant, state.employee_eval), 201)
    commented = await client.patch(
        f"{API}/conversations/{created['id']}", json={"employee_comment": "接受"}, headers=tenant.headers("employee")
    )

    assert ok(commented)["employee_comment"] == "接受"


@pytest.mark.parametrize(
    "body",
    [
        {"notes": ""},
        {"notes": "   "},
        {"notes": "x" * 10_001},
        {"held_at": "2026-10-12T06:30:00"},  # naive
        {"agreed_actions": ["x" * 501]},
        {"agreed_actions": [""]},
        {"agreed_actions": ["行动"] * 51},
        {"extra": 1},
    ],
)
async def test_the_record_is_bounded(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, body: dict[str, Any]
) -> None:
    state = await open_review(session, client, tenant)

    assert_problem(await _record(client, tenant, state.employee_eval, **body), 422, "VALIDATION_FAILED")


@pytest.mark.parametrize(
    "body",
    [
        {"notes": None},
        {"held_at": None},
        {"agreed_actions": None},
        {"employee_comment": "x" * 4001},
        {"author_id": None},
    ],
)
async def test_the_edit_is_bounded(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, body: dict[str, Any]
) -> None:
    _, conversation = await _recorded(client, session, tenant)

    response = await client.patch(
        f"{API}/conversations/{conversation['id']}", json=body, headers=tenant.headers("manager")
    )

    assert_problem(response, 422, "VALIDATION_FAILED")


async def _statements_to_list(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, count_statements: Any, how_many: int
) -> int:
    state = await open_review(session, client, tenant)
    for _ in range(how_many):
        ok(await _record(client, tenant, state.employee_eval), 201)
    with count_statements() as counter:
        page = ok(await client.get(conversations_url(state.employee_eval), headers=tenant.headers("manager")))
    assert len(page["items"]) == how_many
    count: int = counter.count
    return count


async def test_listing_does_not_grow_with_the_page(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant, count_statements: Any
) -> None:
    few = await _statements_to_list(client, session, tenant, count_statements, 1)
    many = await _statements_to_list(client, session, other_tenant, count_statements, 12)

    assert few == many
    assert many <= 4
