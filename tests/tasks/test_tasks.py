"""GET /me/tasks (DESIGN §12): each person's tasks follow the state they are about — doing the work closes them — and a
mention is closed by hand."""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models import Employee, FeedbackRequest
from app.tasks.derivation import task_id
from tests.assertions import assert_problem, ok
from tests.conftest import token_for
from tests.factories import (
    API,
    CYCLE_START,
    Setup,
    Tenant,
    auth,
    make_employee,
    make_setup,
    move,
    move_cycle,
    open_review,
)


@pytest.fixture
async def setup(client: httpx.AsyncClient, tenant: Tenant) -> Setup:
    return await make_setup(client, tenant)


async def tasks_of(client: httpx.AsyncClient, headers: dict[str, str], **params: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = ok(await client.get(f"{API}/me/tasks", params=params, headers=headers))["items"]
    return items


async def kinds(client: httpx.AsyncClient, headers: dict[str, str]) -> list[tuple[str, str]]:
    return [(task["kind"], task["entity_id"]) for task in await tasks_of(client, headers)]


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- plans -----------------------------------------------------------------------------------------------------------


async def test_a_draft_plan_asks_its_owner_to_submit_and_submitting_asks_the_manager_to_approve(
    client: httpx.AsyncClient, tenant: Tenant, setup: Setup
) -> None:
    kpr = await setup.kpr()
    plan = kpr["plan_id"]

    [submit] = await tasks_of(client, tenant.headers("employee"))
    assert (submit["kind"], submit["entity_type"], submit["entity_id"]) == ("submit_plan", "plan", plan)
    assert submit["title"] == "Submit your plan for 2026年度绩效"
    assert submit["status"] == "open"
    assert submit["overdue"] is False
    assert submit["id"] == str(task_id("submit_plan", uuid.UUID(plan), tenant.employee.id))
    assert await tasks_of(client, tenant.headers("manager")) == []

    ok(await setup.move_plan(plan, "submitted", "employee"))

    assert await tasks_of(client, tenant.headers("employee")) == []
    [approve] = await tasks_of(client, tenant.headers("manager") | {"Accept-Language": "zh-CN"})
    assert (approve["kind"], approve["entity_id"]) == ("approve_plan", plan)
    assert approve["title"] == "审批员工的2026年度绩效绩效计划"
    assert await tasks_of(client, tenant.headers("peer")) == []

    ok(await setup.move_plan(plan, "approved", "manager"))

    assert await tasks_of(client, tenant.headers("manager")) == []
    assert await tasks_of(client, tenant.headers("employee")) == []


async def test_a_plan_sent_back_asks_its_owner_again(client: httpx.AsyncClient, tenant: Tenant, setup: Setup) -> None:
    kpr = await setup.kpr()
    ok(await setup.move_plan(kpr["plan_id"], "submitted", "employee"))
    ok(await setup.move_plan(kpr["plan_id"], "rejected", "manager", "权重需调整"))

    assert await kinds(client, tenant.headers("employee")) == [("submit_plan", kpr["plan_id"])]
    assert await tasks_of(client, tenant.headers("manager")) == []


async def test_the_plan_is_due_when_the_cycle_starts_and_no_sooner_than_three_days_after_it_was_made(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    later = datetime.now(UTC).date() + timedelta(days=30)
    upcoming = await make_setup(
        client, tenant, start_date=later.isoformat(), end_date=(later + timedelta(90)).isoformat()
    )
    await upcoming.kpr(due_date=(later + timedelta(days=80)).isoformat())
    started = await make_setup(client, tenant)  # 200 days ago
    await started.kpr("peer")

    [submit] = await tasks_of(client, tenant.headers("employee"))
    [late] = await tasks_of(client, tenant.headers("peer"))

    # The tenant's timezone is Asia/Shanghai: the cycle starts at midnight there.
    assert parse(submit["due_at"]) == datetime(later.year, later.month, later.day, tzinfo=UTC) - timedelta(hours=8)
    assert submit["overdue"] is False
    # A plan made in a cycle that started long ago: due three days after it was made.
    assert parse(late["due_at"]) - parse(late["created_at"]) == timedelta(days=3)
    assert late["overdue"] is False


async def test_a_report_under_an_inactive_manager_is_approved_by_the_next_one_up(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, tenant: Tenant, setup: Setup
) -> None:
    director = await make_employee(session, tenant.org, name="总监", external_id="director")
    manager = await session.get(Employee, tenant.manager.id)
    assert manager is not None
    manager.manager_id = director.id
    await session.commit()
    kpr = await setup.kpr()
    ok(await setup.move_plan(kpr["plan_id"], "submitted", "employee"))
    director_headers = auth(token_for(settings, "director", tenant.org.id))

    assert await tasks_of(client, director_headers) == []  # the direct manager acts

    manager.active = False
    await session.commit()

    assert await kinds(client, director_headers) == [("approve_plan", kpr["plan_id"])]


# --- check-ins -------------------------------------------------------------------------------------------------------


async def test_a_kpr_without_a_check_in_asks_for_one_and_a_check_in_closes_it(
    client: httpx.AsyncClient, tenant: Tenant, setup: Setup
) -> None:
    kpr = await setup.approved_kpr()
    assert await tasks_of(client, tenant.headers("employee")) == []  # the cycle is still in planning
    await move_cycle(client, tenant, setup.cycle_id, "active")

    [check_in] = await tasks_of(client, tenant.headers("employee"))

    assert (check_in["kind"], check_in["entity_type"], check_in["entity_id"]) == ("check_in", "kpr", kpr["id"])
    assert check_in["title"] == "Check in on “华东区销售额同比增长20%”"
    # None yet: due 14 days (the default policy) after the cycle's start, long past.
    start = datetime(CYCLE_START.year, CYCLE_START.month, CYCLE_START.day, tzinfo=UTC) - timedelta(hours=8)
    assert parse(check_in["due_at"]) == start + timedelta(days=14)
    assert check_in["overdue"] is True
    assert check_in["created_at"] == start.isoformat().replace("+00:00", "Z")

    await setup.check_in(kpr["id"], 210)

    assert await tasks_of(client, tenant.headers("employee")) == []
    assert await tasks_of(client, tenant.headers("manager")) == []


@pytest.mark.parametrize(("days_ago", "listed"), [(12, False), (13.5, True), (20, True)])
async def test_a_check_in_task_shows_from_a_day_before_it_is_due(
    client: httpx.AsyncClient, tenant: Tenant, setup: Setup, days_ago: float, listed: bool
) -> None:
    kpr = await setup.approved_kpr()
    await move_cycle(client, tenant, setup.cycle_id, "active")
    recorded = datetime.now(UTC) - timedelta(days=days_ago)
    await setup.check_in(kpr["id"], 210, recorded_at=recorded.isoformat().replace("+00:00", "Z"))

    found = await tasks_of(client, tenant.headers("employee"), kind="check_in")

    assert bool(found) is listed
    if listed:
        assert found[0]["overdue"] is (days_ago > 14)
        assert parse(found[0]["due_at"]) == recorded + timedelta(days=14)


async def test_the_policy_sets_how_often_to_check_in(client: httpx.AsyncClient, tenant: Tenant) -> None:
    setup = await make_setup(client, tenant, policy={"check_in_every_days": 3})
    kpr = await setup.approved_kpr()
    await move_cycle(client, tenant, setup.cycle_id, "active")
    recorded = datetime.now(UTC) - timedelta(days=4)
    await setup.check_in(kpr["id"], 210, recorded_at=recorded.isoformat().replace("+00:00", "Z"))

    [check_in] = await tasks_of(client, tenant.headers("employee"))
    assert parse(check_in["due_at"]) == recorded + timedelta(days=3)


# --- revisions -------------------------------------------------------------------------------------------------------


async def test_a_pending_revision_asks_the_manager_to_decide_and_deciding_closes_it(
    client: httpx.AsyncClient, tenant: Tenant, setup: Setup
) -> None:
    kpr = await setup.approved_kpr()
    body = {"changes": {"target": 230}, "reason": "市场变化，下调目标"}
    revision = ok(await setup.post(f"/kprs/{kpr['id']}/revisions", body, "employee"), 201)

    [decide] = await tasks_of(client, tenant.headers("manager"))
    assert (decide["kind"], decide["entity_type"], decide["entity_id"]) == (
        "decide_revision",
        "revision",
        revision["id"],
    )
    assert decide["title"] == "Decide 员工's revision of “华东区销售额同比增长20%”"
    assert await tasks_of(client, tenant.headers("employee")) == []

    ok(await setup.post(f"/revisions/{revision['id']}/transitions", {"to": "approved"}, "manager"))

    assert await tasks_of(client, tenant.headers("manager")) == []


# --- evaluations -----------------------------------------------------------------------------------------------------


async def test_the_review_walks_from_self_to_manager_to_acknowledgement(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)
    employee_eval, peer_eval = state.employee_eval, state.peer_eval

    assert await kinds(client, tenant.headers("employee")) == [("self_review", employee_eval)]
    assert await kinds(client, tenant.headers("peer")) == [("self_review", peer_eval)]
    assert await tasks_of(client, tenant.headers("manager")) == []

    await move(client, tenant, "employee", employee_eval, "manager_review")

    assert await tasks_of(client, tenant.headers("employee")) == []
    [review] = await tasks_of(client, tenant.headers("manager"))
    assert (review["kind"], review["entity_id"]) == ("manager_review", employee_eval)
    assert review["title"].startswith("Review 员工 for ")

    await move(client, tenant, "peer", peer_eval, "manager_review")
    for evaluation_id in (employee_eval, peer_eval):
        review_body = {"score": 90, "comment": "表现良好"}
        url = f"{API}/evaluations/{evaluation_id}/manager-review"
        ok(await client.put(url, json=review_body, headers=tenant.headers("manager")))
        await move(client, tenant, "manager", evaluation_id, "calibration")
    await move_cycle(client, tenant, state.scenario.cycle_id, "calibration")
    for who in ("employee", "peer", "manager"):
        assert await tasks_of(client, tenant.headers(who)) == []

    await move_cycle(client, tenant, state.scenario.cycle_id, "closed")

    [acknowledge] = await tasks_of(client, tenant.headers("employee"))
    assert (acknowledge["kind"], acknowledge["entity_id"]) == ("acknowledge", employee_eval)
    assert acknowledge["overdue"] is False

    await move(client, tenant, "employee", employee_eval, "acknowledged")

    assert await tasks_of(client, tenant.headers("employee")) == []
    assert await kinds(client, tenant.headers("peer")) == [("acknowledge", peer_eval)]


async def test_a_feedback_request_is_the_reviewer_s_task_while_the_evaluation_is_in_review(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)
    due = date.today() + timedelta(days=5)
    request = FeedbackRequest(
        organization_id=tenant.org.id,
        evaluation_id=uuid.UUID(state.employee_eval),
        reviewer_id=tenant.peer.id,
        nominated_by=tenant.manager.external_id,
        relationship="peer",
        status="requested",
        due_date=due,
    )
    session.add(request)
    await session.commit()

    feedback = [t for t in await tasks_of(client, tenant.headers("peer")) if t["kind"] == "feedback"]

    assert [(t["entity_type"], t["entity_id"]) for t in feedback] == [("feedback_request", str(request.id))]
    assert feedback[0]["title"].startswith("Give feedback on 员工 for ")
    # Due at the end of its due date in the organization's timezone (Asia/Shanghai).
    assert parse(feedback[0]["due_at"]) == datetime(due.year, due.month, due.day, 16, tzinfo=UTC)

    request.status = "submitted"
    await session.commit()
    assert await tasks_of(client, tenant.headers("peer"), kind="feedback") == []


# --- mentions --------------------------------------------------------------------------------------------------------


async def _mention(client: httpx.AsyncClient, tenant: Tenant, setup: Setup, who: str = "manager") -> dict[str, Any]:
    person = {"manager": tenant.manager, "peer": tenant.peer}[who]
    body = {"entity_type": "goal", "entity_id": setup.goal_id, "body": "请看一下", "mention_ids": [str(person.id)]}
    ok(await client.post(f"{API}/comments", json=body, headers=tenant.headers("employee")), 201)
    [task] = await tasks_of(client, tenant.headers(who), kind="mention")
    return task


async def close(client: httpx.AsyncClient, tenant: Tenant, who: str, task: str, to: str = "done") -> httpx.Response:
    return await client.post(f"{API}/me/tasks/{task}/transitions", json={"to": to}, headers=tenant.headers(who))


async def test_a_mention_is_closed_by_its_person_and_then_listed_as_done(
    client: httpx.AsyncClient, tenant: Tenant, setup: Setup
) -> None:
    task = await _mention(client, tenant, setup)

    closed = ok(await close(client, tenant, "manager", task["id"], "done"))

    assert closed | {"status": "open"} == task
    assert closed["status"] == "done"
    assert await tasks_of(client, tenant.headers("manager")) == []
    assert await tasks_of(client, tenant.headers("manager"), status="done") == [closed]
    assert await tasks_of(client, tenant.headers("manager"), status="done", kind="mention") == [closed]
    assert await tasks_of(client, tenant.headers("manager"), status="done", kind="check_in") == []
    again = await close(client, tenant, "manager", task["id"], "done")
    assert assert_problem(again, 409, "INVALID_TRANSITION")["allowed"] == []


async def test_only_its_person_closes_a_mention(client: httpx.AsyncClient, tenant: Tenant, setup: Setup) -> None:
    task = await _mention(client, tenant, setup)
    for who in ("employee", "peer", "admin"):
        assert_problem(await close(client, tenant, who, task["id"]), 404, "NOT_FOUND")
    assert_problem(await close(client, tenant, "manager", str(uuid.uuid4())), 404, "NOT_FOUND")
    assert_problem(await close(client, tenant, "manager", task["id"], "open"), 409, "INVALID_TRANSITION")


async def test_a_derived_task_closes_only_by_doing_the_work(
    client: httpx.AsyncClient, tenant: Tenant, setup: Setup
) -> None:
    await setup.kpr()
    [submit] = await tasks_of(client, tenant.headers("employee"))

    refused = await close(client, tenant, "employee", submit["id"])

    assert assert_problem(refused, 409, "INVALID_TRANSITION")["allowed"] == []
    assert_problem(await close(client, tenant, "manager", submit["id"]), 404, "NOT_FOUND")
    assert await tasks_of(client, tenant.headers("employee")) == [submit]


# --- who has tasks, and in what order --------------------------------------------------------------------------------


async def test_callers_without_an_employee_record_have_no_tasks(
    client: httpx.AsyncClient, settings: Settings, tenant: Tenant, setup: Setup
) -> None:
    await setup.kpr()
    hr = auth(token_for(settings, "hr-console", tenant.org.id, ["admin"]))
    assert ok(await client.get(f"{API}/me/tasks", headers=hr)) == {"items": [], "total": 0}
    assert ok(await client.get(f"{API}/me/tasks", headers=tenant.headers("service"))) == {"items": [], "total": 0}
    assert_problem(await client.get(f"{API}/me/tasks", headers=tenant.headers("system")), 403, "FORBIDDEN")


async def test_tasks_stay_in_their_organization(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant, setup: Setup
) -> None:
    kpr = await setup.kpr()
    ok(await setup.move_plan(kpr["plan_id"], "submitted", "employee"))
    for who in ("employee", "manager", "peer", "admin"):
        assert await tasks_of(client, other_tenant.headers(who)) == []
    [approve] = await tasks_of(client, tenant.headers("manager"))
    response = await client.post(
        f"{API}/me/tasks/{approve['id']}/transitions", json={"to": "done"}, headers=other_tenant.headers("manager")
    )
    assert_problem(response, 404, "NOT_FOUND")


async def test_the_most_urgent_come_first_and_a_kind_filters(
    client: httpx.AsyncClient, tenant: Tenant, setup: Setup
) -> None:
    kpr = await setup.approved_kpr()
    await move_cycle(client, tenant, setup.cycle_id, "active")
    await _mention(client, tenant, setup, "peer")
    body = {
        "entity_type": "kpr",
        "entity_id": kpr["id"],
        "body": "请更新进度",
        "mention_ids": [str(tenant.employee.id)],
    }
    ok(await client.post(f"{API}/comments", json=body, headers=tenant.headers("manager")), 201)

    listed = ok(await client.get(f"{API}/me/tasks", headers=tenant.headers("employee")))

    # The overdue check-in before the undated mention.
    assert [t["kind"] for t in listed["items"]] == ["check_in", "mention"]
    assert listed["total"] == 2
    assert await kinds(client, tenant.headers("employee")) == [("check_in", kpr["id"]), ("mention", kpr["id"])]
    assert [t["kind"] for t in await tasks_of(client, tenant.headers("employee"), kind="mention")] == ["mention"]


async def test_a_derived_task_keeps_its_id_while_open(client: httpx.AsyncClient, tenant: Tenant, setup: Setup) -> None:
    kpr = await setup.approved_kpr()
    await move_cycle(client, tenant, setup.cycle_id, "active")
    first = await tasks_of(client, tenant.headers("employee"))
    second = await tasks_of(client, tenant.headers("employee"))
    assert [t["id"] for t in first] == [t["id"] for t in second]
    assert first[0]["id"] == str(task_id("check_in", uuid.UUID(kpr["id"]), tenant.employee.id))


async def test_the_query_is_checked(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for params in ({"status": "closed"}, {"kind": "approve"}):
        response = await client.get(f"{API}/me/tasks", params=params, headers=tenant.headers("employee"))
        assert_problem(response, 422, "VALIDATION_FAILED")


async def test_a_review_whose_reviewer_left_falls_to_the_next_manager_up(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, tenant: Tenant
) -> None:
    director = await make_employee(session, tenant.org, name="总监", external_id="director")
    manager = await session.get(Employee, tenant.manager.id)
    assert manager is not None
    manager.manager_id = director.id
    await session.commit()
    state = await open_review(session, client, tenant)
    await move(client, tenant, "employee", state.employee_eval, "manager_review")
    director_headers = auth(token_for(settings, "director", tenant.org.id))
    assert await tasks_of(client, director_headers) == []

    manager.active = False
    await session.commit()

    assert await kinds(client, director_headers) == [("manager_review", state.employee_eval)]


async def test_a_mention_of_a_deleted_kpr_leaves_the_list(
    client: httpx.AsyncClient, tenant: Tenant, setup: Setup
) -> None:
    kpr = await setup.kpr()  # a draft: its owner may delete it
    body = {"entity_type": "kpr", "entity_id": kpr["id"], "body": "目标偏低", "mention_ids": [str(tenant.employee.id)]}
    ok(await client.post(f"{API}/comments", json=body, headers=tenant.headers("manager")), 201)
    assert [t["kind"] for t in await tasks_of(client, tenant.headers("employee"), kind="mention")] == ["mention"]

    assert (await setup.delete(f"/kprs/{kpr['id']}", "employee")).status_code == 204

    assert await tasks_of(client, tenant.headers("employee"), kind="mention") == []
