"""Closing a cycle: refused while reviews are open (blockers listed), then finalizes every evaluation in calibration."""

from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.evaluations.workflow import finalize_for_close
from app.models import StateTransition
from tests.assertions import assert_problem, ok
from tests.factories import (
    API,
    EMPLOYEE_KPRS,
    KprSpec,
    Tenant,
    add_kprs,
    admin_actor,
    make_check_in,
    make_cycle,
    make_employee,
    make_plan,
    move,
    move_cycle,
    open_review,
    to_calibration,
)


async def test_close_is_refused_with_the_blockers_listed(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)
    await move(client, tenant, "employee", state.employee_eval, "manager_review")
    await move_cycle(client, tenant, state.scenario.cycle_id, "calibration")

    response = await client.post(
        f"{API}/cycles/{state.scenario.cycle_id}/transitions", json={"to": "closed"}, headers=tenant.headers("admin")
    )

    body = assert_problem(response, 409, "CYCLE_BLOCKED")
    assert sorted(body["blockers"], key=lambda b: b["status"]) == [
        {"evaluation_id": state.employee_eval, "employee_id": str(tenant.employee.id), "status": "manager_review"},
        {"evaluation_id": state.peer_eval, "employee_id": str(tenant.peer.id), "status": "self_review"},
    ]
    assert body["blocker_count"] == 2
    assert body["blockers_truncated"] is False
    cycle = ok(await client.get(f"{API}/cycles/{state.scenario.cycle_id}", headers=tenant.headers("admin")))
    assert cycle["status"] == "calibration"


async def test_close_finalizes_every_evaluation_in_calibration(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)
    await to_calibration(client, tenant, state)

    cycle = await move_cycle(client, tenant, state.scenario.cycle_id, "closed")

    assert cycle["status"] == "closed"
    page = ok(
        await client.get(f"{API}/evaluations?cycle_id={state.scenario.cycle_id}", headers=tenant.headers("admin"))
    )
    figures = {
        e["employee_id"]: (e["status"], e["results_score"], e["final_score"], e["rating"], bool(e["finalized_at"]))
        for e in page["items"]
    }
    # employee: results 78, final (78·70 + 90·30)/100 = 81.6 → B; peer: results 100, final 100 → A
    assert figures == {
        str(tenant.employee.id): ("finalized", 78, 81.6, "B", True),
        str(tenant.peer.id): ("finalized", 100, 100, "A", True),
    }
    history = ok(await client.get(f"{API}/evaluations/{state.peer_eval}/transitions", headers=tenant.headers("peer")))
    assert [(t["from"], t["to"]) for t in history["items"]][-1] == ("calibration", "finalized")
    # Frozen: a later check-in changes nothing.
    await make_check_in(session, tenant.org, kpr=state.scenario.employee_kprs[0], value=300)
    await session.commit()
    again = ok(await client.get(f"{API}/evaluations/{state.employee_eval}", headers=tenant.headers("admin")))
    assert (again["results_score"], again["final_score"]) == (78, 81.6)


async def test_already_finalized_evaluations_are_left_as_they_were(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    state = await open_review(session, client, tenant)
    await to_calibration(client, tenant, state)
    finalized = await move(client, tenant, "admin", state.employee_eval, "finalized")

    await move_cycle(client, tenant, state.scenario.cycle_id, "closed")

    again = ok(await client.get(f"{API}/evaluations/{state.employee_eval}", headers=tenant.headers("admin")))
    assert again["finalized_at"] == finalized["finalized_at"]
    transitions = await session.scalars(
        select(StateTransition).where(
            StateTransition.to_state == "finalized", StateTransition.entity_type == "evaluation"
        )
    )
    assert len(transitions.all()) == 2


async def _statements_to_close(session: AsyncSession, tenant: Tenant, count_statements: Any, people: int) -> int:
    from app.evaluations.workflow import open_reviews
    from app.models import Evaluation

    cycle = await make_cycle(session, tenant.org, status="review")
    for _ in range(people):
        employee = await make_employee(session, tenant.org, manager=tenant.manager)
        plan = await make_plan(session, tenant.org, cycle=cycle, employee=employee, status="approved")
        await add_kprs(session, tenant.org, plan, EMPLOYEE_KPRS)
    await open_reviews(session, admin_actor(tenant), cycle)
    for row in await session.scalars(select(Evaluation).where(Evaluation.cycle_id == cycle.id)):
        row.status = "calibration"
    await session.flush()
    with count_statements() as counter:
        await finalize_for_close(session, admin_actor(tenant), cycle)
    statuses = await session.scalars(
        select(Evaluation.status).where(Evaluation.cycle_id == cycle.id).execution_options(populate_existing=True)
    )
    assert set(statuses) == {"finalized"}
    count: int = counter.count
    return count


async def test_closing_is_set_based(session: AsyncSession, tenant: Tenant, count_statements: Any) -> None:
    few = await _statements_to_close(session, tenant, count_statements, 2)
    many = await _statements_to_close(session, tenant, count_statements, 15)

    # the blockers' count, the evaluations, their KPRs' stored figures, the UPDATE, the transitions, the events
    assert few == many <= 6


async def test_blockers_are_capped(session: AsyncSession, tenant: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.core.errors import Conflict
    from app.evaluations import workflow
    from app.evaluations.workflow import open_reviews

    cycle = await make_cycle(session, tenant.org, status="review")
    for _ in range(4):
        employee = await make_employee(session, tenant.org)
        plan = await make_plan(session, tenant.org, cycle=cycle, employee=employee, status="approved")
        await add_kprs(session, tenant.org, plan, EMPLOYEE_KPRS[:1])
    await open_reviews(session, admin_actor(tenant), cycle)
    monkeypatch.setattr(workflow, "MAX_BLOCKERS", 3)

    with pytest.raises(Conflict) as caught:
        await finalize_for_close(session, admin_actor(tenant), cycle)

    assert caught.value.code == "CYCLE_BLOCKED"
    assert len(caught.value.extra["blockers"]) == 3
    assert caught.value.extra["blocker_count"] == 4
    assert caught.value.extra["blockers_truncated"] is True


VARIED_KPRS = [
    [
        KprSpec('销售额 "华东" \\ 50%', "increase", "200.50", "300.00", "33.30", ["220.10", "250.50"]),
        KprSpec("投诉率", "decrease", 10, 5, "66.70", ["4.25"], threshold=8, stretch=3),
        KprSpec("已取消", "increase", 0, 10, 0, [10], status="cancelled"),
    ],
    [KprSpec("交付准时率", "maintain", 90, "95.0", 100, ["94.00"], tolerance="2.00")],
    [KprSpec("无签到", "increase", 0, 40, 50), KprSpec("超额", "increase", 10, 20, 50, [26], stretch=25)],
    [KprSpec("只有取消的", "increase", 0, 10, 100, [5], status="cancelled")],
]


def _as_numbers(snapshot: dict[str, Any]) -> dict[str, Any]:
    """A snapshot with its decimal strings as numbers: the stored figures were scored with the cycle's policy as
    written (a cap of 120), the original close re-scored with it resolved (120.0), so '120' and '120.0' both occur."""

    def number(value: str | None) -> Decimal | None:
        return None if value is None else Decimal(value)

    figures = ("results_score", "final_score")
    item_texts = ("kpr_id", "title", "unit", "direction")
    return {
        **snapshot,
        **{name: number(snapshot[name]) for name in figures},
        "inputs": {name: number(value) for name, value in snapshot["inputs"].items()},
        "items": [
            {name: value if name in item_texts else number(value) for name, value in item.items()}
            for item in snapshot["items"]
        ],
    }


@pytest.mark.parametrize("policy", [None, {"curve": "threshold", "components": {"results": 60, "manager": 40}}])
async def test_closing_freezes_what_the_engine_gives(
    session: AsyncSession, tenant: Tenant, policy: dict[str, Any] | None
) -> None:
    """Closing freezes the stored figures; they equal the engine's, scored afresh from the KPRs and check-ins."""
    from app.evaluations import figures as fig
    from app.evaluations.workflow import frozen_snapshot, open_reviews
    from app.figures import service as figures
    from app.models import Evaluation, Kpr
    from app.scoring.policy import policy_from_json

    cycle = await make_cycle(session, tenant.org, status="review", policy=policy)
    for specs in VARIED_KPRS:
        employee = await make_employee(session, tenant.org, manager=tenant.manager)
        plan = await make_plan(session, tenant.org, cycle=cycle, employee=employee, status="approved")
        await add_kprs(session, tenant.org, plan, specs)
    await open_reviews(session, admin_actor(tenant), cycle)
    rows = list(await session.scalars(select(Evaluation).where(Evaluation.cycle_id == cycle.id)))
    for index, row in enumerate(rows):
        row.status = "calibration"
        row.manager_score = None if index == len(rows) - 1 else Decimal("87.50") + index
        row.self_score = Decimal("90.25")
    await session.flush()
    await figures.evaluations_changed(session, Evaluation.cycle_id == cycle.id)
    # As the database gives them back (SQLite keeps exact decimals as text and reads them normalized).
    rows = list(
        await session.scalars(
            select(Evaluation).where(Evaluation.cycle_id == cycle.id).execution_options(populate_existing=True)
        )
    )
    policy_json = fig.resolved_policy(cycle.policy)
    engine_policy = policy_from_json(policy_json)
    inputs = await fig.load_live_inputs(session, Kpr.cycle_id == cycle.id)
    expected = {}
    for row in rows:
        live = fig.combine(
            fig.score_items(inputs.kprs(row.plan_id), inputs.values, engine_policy),
            row.manager_score,
            row.self_score,
            engine_policy,
        )
        expected[row.id] = (
            live.results_score,
            live.final_score,
            live.rating,
            live.items,
            row.manager_score,
            row.self_score,
        )

    await finalize_for_close(session, admin_actor(tenant), cycle)

    frozen = await session.execute(
        select(
            Evaluation.id,
            Evaluation.status,
            Evaluation.results_score,
            Evaluation.final_score,
            Evaluation.rating,
            Evaluation.snapshot,
            Evaluation.finalized_at,
        )
        .where(Evaluation.cycle_id == cycle.id)
        .execution_options(populate_existing=True)
    )
    checked = 0
    for evaluation_id, status, results, final, rating, snapshot, finalized_at in frozen:
        results_live, final_live, rating_live, items, manager, self_score = expected[evaluation_id]
        assert (status, results, final, rating) == ("finalized", results_live, final_live, rating_live)
        engine_snapshot = fig.snapshot(
            fig.Figures(items, results_live, final_live, rating_live), manager, self_score, policy_json, finalized_at
        )
        assert _as_numbers(snapshot) == _as_numbers(engine_snapshot)
        # To the character, whichever way the snapshot was built (by the server on PostgreSQL): what a single
        # finalize freezes from the same stored figures.
        stored = await session.get_one(Evaluation, evaluation_id)
        items = (await fig.stored_items(session, [stored.plan_id])).get(stored.plan_id, [])
        assert snapshot == frozen_snapshot(stored, items, policy_json, finalized_at)
        checked += 1
    assert checked == len(VARIED_KPRS)


async def test_closing_goes_a_chunk_at_a_time(
    session: AsyncSession, tenant: Tenant, count_statements: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two evaluations a chunk: five take three, and each is finalized, recorded and announced once.
    from app.evaluations import workflow
    from app.models import Evaluation, OutboxEvent

    monkeypatch.setattr(workflow, "CHUNK", 2)
    await _statements_to_close(session, tenant, count_statements, 5)

    finalized = list(await session.scalars(select(Evaluation.id).where(Evaluation.status == "finalized")))
    recorded = await session.scalars(select(StateTransition.entity_id).where(StateTransition.to_state == "finalized"))
    announced = await session.scalars(
        select(OutboxEvent.resource_id).where(
            OutboxEvent.resource_id.in_(finalized), OutboxEvent.data["to"].as_string() == "finalized"
        )
    )
    assert len(finalized) == 5
    assert sorted(recorded) == sorted(announced) == sorted(finalized)
