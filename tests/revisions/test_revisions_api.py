"""Revisions: the audited, approved way to re-target a KPR once its plan is approved."""

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models import AuditEvent
from tests.assertions import assert_problem, ok
from tests.conftest import token_for
from tests.factories import Setup, Tenant, make_employee, make_setup

REASON = "受原材料价格上涨影响，经部门协商下调年度目标"


@pytest.fixture
async def setup(client: httpx.AsyncClient, tenant: Tenant) -> Setup:
    return await make_setup(client, tenant)


@pytest.fixture
async def kpr(setup: Setup) -> dict[str, Any]:
    return await setup.approved_kpr(baseline=200, target=300, stretch=350)


async def request(setup: Setup, kpr: dict[str, Any], changes: dict[str, Any], who: str = "employee") -> httpx.Response:
    return await setup.post(f"/kprs/{kpr['id']}/revisions", {"changes": changes, "reason": REASON}, who)


async def requested(
    setup: Setup, kpr: dict[str, Any], changes: dict[str, Any], who: str = "employee"
) -> dict[str, Any]:
    revision: dict[str, Any] = ok(await request(setup, kpr, changes, who), 201)
    return revision


async def decide(
    setup: Setup, revision: dict[str, Any], to: str, who: str, comment: str | None = None
) -> httpx.Response:
    return await setup.post(f"/revisions/{revision['id']}/transitions", {"to": to, "comment": comment}, who)


async def current(setup: Setup, kpr: dict[str, Any]) -> dict[str, Any]:
    fetched: dict[str, Any] = ok(await setup.get(f"/kprs/{kpr['id']}"))
    return fetched


async def kpr_audit(session: AsyncSession, kpr_id: str, action: str) -> list[AuditEvent]:
    rows = await session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_type == "kpr", AuditEvent.entity_id == uuid.UUID(kpr_id), AuditEvent.action == action
        )
    )
    return list(rows)


async def test_a_revision_on_a_draft_plan_is_not_needed(setup: Setup) -> None:
    draft = await setup.kpr()

    response = await request(setup, draft, {"target": 250})

    assert_problem(response, 409, "REVISION_NOT_NEEDED")
    assert ok(await setup.get(f"/kprs/{draft['id']}/revisions"))["items"] == []


async def test_a_revision_on_a_submitted_plan_is_refused(setup: Setup) -> None:
    submitted = await setup.kpr(weight=100)
    ok(await setup.move_plan(submitted["plan_id"], "submitted", "employee"))

    assert_problem(await request(setup, submitted, {"target": 250}), 409, "REVISION_NOT_NEEDED")


async def test_the_owner_requests_a_revision_which_is_pending(setup: Setup, kpr: dict[str, Any]) -> None:
    response = await request(setup, kpr, {"target": 280})

    revision = ok(response, 201)
    assert response.headers["location"] == f"/api/v1/revisions/{revision['id']}"
    assert revision["kpr_id"] == kpr["id"]
    assert revision["changes"] == {"target": 280}
    assert revision["reason"] == REASON
    assert revision["status"] == "pending"
    assert revision["requested_by"] == setup.tenant.employee.external_id
    assert (revision["decided_by"], revision["decided_at"]) == (None, None)
    # Nothing changes until it is approved.
    assert (await current(setup, kpr))["target"] == 300
    listed = ok(await setup.get(f"/kprs/{kpr['id']}/revisions", "manager"))
    assert [r["id"] for r in listed["items"]] == [revision["id"]]
    assert ok(await setup.get(f"/revisions/{revision['id']}", "manager")) == revision


async def test_the_owner_may_not_approve_their_own_revision(setup: Setup, kpr: dict[str, Any]) -> None:
    revision = await requested(setup, kpr, {"target": 280})

    approve = await decide(setup, revision, "approved", "employee")
    reject = await decide(setup, revision, "rejected", "employee")

    assert_problem(approve, 403, "FORBIDDEN")
    assert_problem(reject, 403, "FORBIDDEN")
    assert ok(await setup.get(f"/revisions/{revision['id']}"))["status"] == "pending"
    assert (await current(setup, kpr))["target"] == 300


async def test_the_manager_approves_and_the_kpr_changes_with_an_audit_trail(
    setup: Setup, kpr: dict[str, Any], session: AsyncSession
) -> None:
    revision = await requested(setup, kpr, {"target": 280, "stretch": 320})

    decided = ok(await decide(setup, revision, "approved", "manager", "同意下调"))

    assert decided["status"] == "approved"
    assert decided["decided_by"] == setup.tenant.manager.external_id
    assert decided["decided_at"].endswith("Z")
    after = await current(setup, kpr)
    assert (after["target"], after["stretch"]) == (280, 320)
    assert (after["baseline"], after["weight"], after["title"]) == (200, 100, kpr["title"])
    [event] = await kpr_audit(session, kpr["id"], "revise")
    assert event.actor == setup.tenant.manager.external_id
    assert event.before is not None
    assert event.after is not None
    assert {k: float(v) for k, v in event.before.items()} == {"target": 300, "stretch": 350}
    assert {k: float(v) for k, v in event.after.items()} == {"target": 280, "stretch": 320}
    history = ok(await setup.get(f"/revisions/{revision['id']}/transitions", "employee"))["items"]
    assert [(t["from"], t["to"], t["comment"]) for t in history] == [
        (None, "pending", REASON),
        ("pending", "approved", "同意下调"),
    ]


async def test_an_approved_revision_rescores_the_kpr(setup: Setup, kpr: dict[str, Any]) -> None:
    await setup.check_in(kpr["id"], 260)
    assert (await current(setup, kpr))["score"] == 60

    revision = await requested(setup, kpr, {"target": 280})
    ok(await decide(setup, revision, "approved", "admin"))

    assert (await current(setup, kpr))["score"] == 75  # (260 − 200)/(280 − 200)


async def test_the_audit_trail_is_readable_by_an_admin(setup: Setup, kpr: dict[str, Any]) -> None:
    revision = await requested(setup, kpr, {"target": 280})
    ok(await decide(setup, revision, "approved", "manager"))

    events = ok(await setup.get("/audit-events", "admin", entity_type="kpr", entity_id=kpr["id"]))["items"]

    revise = [e for e in events if e["action"] == "revise"]
    assert len(revise) == 1
    assert revise[0]["actor"] == setup.tenant.manager.external_id


async def test_a_rejected_revision_changes_nothing(setup: Setup, kpr: dict[str, Any], session: AsyncSession) -> None:
    before = await current(setup, kpr)
    revision = await requested(setup, kpr, {"target": 280, "weight": 90})

    decided = ok(await decide(setup, revision, "rejected", "manager", "目标不变"))

    assert decided["status"] == "rejected"
    assert decided["decided_by"] == setup.tenant.manager.external_id
    after = await current(setup, kpr)
    assert after == before
    assert (after["target"], after["weight"]) == (300, 100)
    assert await kpr_audit(session, kpr["id"], "revise") == []
    # A decided revision is final.
    again = await decide(setup, revision, "approved", "manager")
    assert assert_problem(again, 409, "INVALID_TRANSITION")["allowed"] == []
    assert (await current(setup, kpr))["target"] == 300


async def test_an_admin_approves_a_revision(setup: Setup, kpr: dict[str, Any]) -> None:
    revision = await requested(setup, kpr, {"weight": 100, "due_date": setup.cycle["end_date"]})

    assert ok(await decide(setup, revision, "approved", "admin"))["status"] == "approved"
    assert (await current(setup, kpr))["due_date"] == setup.cycle["end_date"]


async def test_nobody_decides_a_revision_they_requested(setup: Setup, kpr: dict[str, Any]) -> None:
    revision = await requested(setup, kpr, {"target": 280}, who="manager")
    assert revision["requested_by"] == setup.tenant.manager.external_id

    response = await decide(setup, revision, "approved", "manager")

    assert_problem(response, 403, "FORBIDDEN")
    assert ok(await decide(setup, revision, "approved", "admin"))["status"] == "approved"


async def test_an_admin_does_not_decide_a_revision_of_their_own_kpr(
    setup: Setup, session: AsyncSession, tenant: Tenant, settings: Settings
) -> None:
    second_admin = await make_employee(session, tenant.org, name="第二位人事")
    await session.commit()
    tenant.tokens["admin2"] = token_for(settings, second_admin.external_id, tenant.org.id, ["admin"])
    own = await setup.kpr("admin", weight=100)
    ok(await setup.move_plan(own["plan_id"], "submitted", "admin"))
    ok(await setup.move_plan(own["plan_id"], "approved", "admin2"))
    mine = await requested(setup, own, {"target": 280}, who="admin")
    theirs = await requested(setup, own, {"weight": 100}, who="admin2")

    # Neither the owner nor the requester decides, admin role or not.
    assert_problem(await decide(setup, mine, "approved", "admin"), 403, "FORBIDDEN")
    assert_problem(await decide(setup, theirs, "approved", "admin"), 403, "FORBIDDEN")
    assert_problem(await decide(setup, theirs, "approved", "admin2"), 403, "FORBIDDEN")
    assert ok(await decide(setup, mine, "approved", "admin2"))["status"] == "approved"
    assert (await current(setup, own))["target"] == 280


@pytest.mark.parametrize(("who", "status", "code"), [("peer", 404, "NOT_FOUND"), ("service", 403, "FORBIDDEN")])
async def test_others_cannot_decide(setup: Setup, kpr: dict[str, Any], who: str, status: int, code: str) -> None:
    revision = await requested(setup, kpr, {"target": 280})

    assert_problem(await decide(setup, revision, "approved", who), status, code)
    assert (await current(setup, kpr))["target"] == 300


async def test_a_peer_does_not_see_revisions(setup: Setup, kpr: dict[str, Any]) -> None:
    revision = await requested(setup, kpr, {"target": 280})

    assert_problem(await setup.get(f"/revisions/{revision['id']}", "peer"), 404, "NOT_FOUND")
    assert_problem(await setup.get(f"/kprs/{kpr['id']}/revisions", "peer"), 404, "NOT_FOUND")
    assert_problem(await request(setup, kpr, {"target": 250}, who="peer"), 404, "NOT_FOUND")


async def test_a_service_may_not_request_revisions(setup: Setup, kpr: dict[str, Any]) -> None:
    assert_problem(await request(setup, kpr, {"target": 250}, who="service"), 403, "FORBIDDEN")


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"title": "新标题"}, ["body", "changes", "title"]),
        ({"description": "新描述"}, ["body", "changes", "description"]),
        ({"owner_id": "00000000-0000-4000-8000-000000000000"}, ["body", "changes", "owner_id"]),
        ({"target": 280, "unit": "元"}, ["body", "changes", "unit"]),
        ({"target": "lots"}, ["body", "changes", "target"]),
        ({"weight": 0}, ["body", "changes", "weight"]),
        ({"target": None}, ["body", "changes"]),
    ],
)
async def test_a_bad_field_in_changes_is_refused(
    setup: Setup, kpr: dict[str, Any], changes: dict[str, Any], loc: list[str]
) -> None:
    response = await request(setup, kpr, changes)

    body = assert_problem(response, 422, "VALIDATION_FAILED")
    assert [e["loc"] for e in body["errors"]] == [loc]
    assert ok(await setup.get(f"/kprs/{kpr['id']}/revisions"))["items"] == []


async def test_changes_are_echoed_as_numbers(setup: Setup, kpr: dict[str, Any]) -> None:
    revision = await requested(setup, kpr, {"target": "280.5", "weight": 100, "threshold": None})

    assert revision["changes"] == {"target": 280.5, "weight": 100, "threshold": None}
    assert ok(await setup.get(f"/revisions/{revision['id']}"))["changes"] == revision["changes"]
    ok(await decide(setup, revision, "approved", "manager"))
    after = await current(setup, kpr)
    assert (after["target"], after["weight"], after["threshold"]) == (280.5, 100, None)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"target": 200}, "target"),  # equals the baseline
        ({"baseline": 300}, "target"),
        ({"target": 150}, "target"),  # against the direction
        ({"target": 360}, "stretch"),  # now beyond the stretch
        ({"threshold": 300}, "threshold"),
    ],
)
async def test_a_combination_that_cannot_be_scored_is_refused(
    setup: Setup, kpr: dict[str, Any], changes: dict[str, Any], field: str
) -> None:
    response = await request(setup, kpr, changes)

    body = assert_problem(response, 422, "VALIDATION_FAILED")
    assert [e["loc"] for e in body["errors"]] == [["body", field]]


@pytest.mark.parametrize(
    "body",
    [{"changes": {}, "reason": REASON}, {"changes": {"target": 280}}, {"changes": {"target": 280}, "reason": ""}],
)
async def test_changes_and_a_reason_are_required(setup: Setup, kpr: dict[str, Any], body: dict[str, Any]) -> None:
    assert_problem(await setup.post(f"/kprs/{kpr['id']}/revisions", body, "employee"), 422, "VALIDATION_FAILED")


async def test_approval_rechecks_against_the_kpr_as_it_is_then(
    setup: Setup, kpr: dict[str, Any], session: AsyncSession
) -> None:
    # Both valid when requested; approving the first makes the second unscorable (baseline = target).
    lower_target = await requested(setup, kpr, {"target": 250})
    raise_baseline = await requested(setup, kpr, {"baseline": 250})
    ok(await decide(setup, lower_target, "approved", "manager"))

    response = await decide(setup, raise_baseline, "approved", "manager")

    assert_problem(response, 422, "VALIDATION_FAILED")
    after = await current(setup, kpr)
    assert (after["baseline"], after["target"]) == (200, 250)
    assert ok(await setup.get(f"/revisions/{raise_baseline['id']}"))["status"] == "pending"
    assert len(await kpr_audit(session, kpr["id"], "revise")) == 1


async def test_a_revision_may_cancel_a_kpr(setup: Setup, kpr: dict[str, Any]) -> None:
    revision = await requested(setup, kpr, {"status": "cancelled"})

    ok(await decide(setup, revision, "approved", "manager"))

    assert (await current(setup, kpr))["status"] == "cancelled"
    assert ok(await setup.get(f"/plans/{kpr['plan_id']}"))["weight_total"] == 0


async def test_a_revision_may_realign_the_kpr_to_another_goal(setup: Setup, kpr: dict[str, Any]) -> None:
    goal = ok(await setup.post("/goals", {"title": "利润率提升", "level": "company", "cycle_id": setup.cycle_id}), 201)

    revision = await requested(setup, kpr, {"goal_id": goal["id"]})
    ok(await decide(setup, revision, "approved", "manager"))

    assert (await current(setup, kpr))["goal_id"] == goal["id"]


async def test_a_revision_to_a_goal_of_another_cycle_is_refused(setup: Setup, kpr: dict[str, Any]) -> None:
    other = ok(
        await setup.post(
            "/cycles", {"name": "另一周期", "cadence": "monthly", "start_date": "2026-01-01", "end_date": "2026-01-31"}
        ),
        201,
    )
    goal = ok(await setup.post("/goals", {"title": "一月回款", "level": "company", "cycle_id": other["id"]}), 201)

    response = await request(setup, kpr, {"goal_id": goal["id"]})

    assert_problem(response, 422, "VALIDATION_FAILED")


async def test_revisions_are_listed_per_kpr_oldest_first(setup: Setup, kpr: dict[str, Any]) -> None:
    first = await requested(setup, kpr, {"target": 280})
    second = await requested(setup, kpr, {"weight": 100})

    listed = ok(await setup.get(f"/kprs/{kpr['id']}/revisions", "employee"))

    assert [r["id"] for r in listed["items"]] == [first["id"], second["id"]]
