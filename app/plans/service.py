"""Plans: one employee's performance agreement for a cycle, submitted by the employee, approved by a manager."""

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.core.access import Actor, authorize_employee_data, can_manage_employee_data, visible_employees_filter
from app.core.errors import Conflict, Forbidden, ValidationFailed
from app.core.i18n import translate
from app.core.repository import column_values, get_in_org
from app.core.transitions import StateMachine, record_transition
from app.cycles.service import ensure_cycle_open
from app.models import Cycle, Kpr, Plan
from app.scoring.engine import round2

PLAN_STATES = StateMachine(
    "plan",
    {"draft": ("submitted",), "submitted": ("approved", "rejected"), "rejected": ("draft",), "approved": ()},
)
EDITABLE_STATES = ("draft", "rejected")
HUNDRED = Decimal(100)


def ensure_editable(plan: Plan) -> None:
    if plan.status not in EDITABLE_STATES:
        raise Conflict(translate("detail.plan_locked", status=plan.status), code="PLAN_LOCKED")


async def get_or_create(session: AsyncSession, actor: Actor, cycle_id: uuid.UUID, employee_id: uuid.UUID) -> Plan:
    """The owner's plan for the cycle, made with their first KPR; safe when two first KPRs race."""
    statement = select(Plan).where(Plan.cycle_id == cycle_id, Plan.employee_id == employee_id)
    plan = await session.scalar(statement)
    if plan is not None:
        return plan
    try:
        async with session.begin_nested():
            plan = Plan(
                organization_id=actor.organization_id, cycle_id=cycle_id, employee_id=employee_id, status="draft"
            )
            session.add(plan)
    except IntegrityError:
        plan = await session.scalar(statement)
        assert plan is not None
        return plan
    record_transition(session, actor, PLAN_STATES, plan.id, None, "draft", None)
    audit.record(session, actor, "create", "plan", plan.id, after={"cycle_id": cycle_id, "employee_id": employee_id})
    return plan


async def weight_totals(session: AsyncSession, plan_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Decimal]:
    if not plan_ids:
        return {}
    # Weights are summed in Python: SQLite stores exact decimals as text, and SUM would go through float.
    rows = await session.execute(
        select(Kpr.plan_id, Kpr.weight).where(Kpr.plan_id.in_(plan_ids), Kpr.status == "active")
    )
    totals: dict[uuid.UUID, Decimal] = dict.fromkeys(plan_ids, Decimal(0))
    for plan_id, weight in rows:
        totals[plan_id] += weight
    return totals


def view(plan: Plan, weight_total: Decimal) -> dict[str, Any]:
    return column_values(plan) | {"weight_total": weight_total}


async def views(session: AsyncSession, plans: Sequence[Plan]) -> list[dict[str, Any]]:
    totals = await weight_totals(session, [p.id for p in plans])
    return [view(p, totals[p.id]) for p in plans]


def list_statement(
    actor: Actor, cycle_id: uuid.UUID | None, employee_id: uuid.UUID | None, status: str | None
) -> Select[Plan]:
    statement = select(Plan).where(Plan.organization_id == actor.organization_id)
    visible = visible_employees_filter(actor, Plan.employee_id)
    if visible is not None:
        statement = statement.where(visible)
    for column, value in ((Plan.cycle_id, cycle_id), (Plan.employee_id, employee_id), (Plan.status, status)):
        if value is not None:
            statement = statement.where(column == value)
    return statement


async def get(session: AsyncSession, actor: Actor, plan_id: uuid.UUID) -> Plan:
    plan = await get_in_org(session, Plan, plan_id, actor.organization_id, "plan")
    await authorize_employee_data(session, actor, plan.employee_id, resource="plan", entity_id=plan.id)
    return plan


async def _check_submittable(session: AsyncSession, plan: Plan) -> None:
    from app.kprs import service as kprs

    active = list(await session.scalars(select(Kpr).where(Kpr.plan_id == plan.id, Kpr.status == "active")))
    total = sum((k.weight for k in active), Decimal(0))
    if round2(total) != HUNDRED:
        message = translate("detail.weights_total", total=round2(total))
        raise ValidationFailed(
            message,
            code="WEIGHTS_MUST_TOTAL_100",
            # Every 422 carries field-level errors (DESIGN §7); the offending figure is the plan's weight_total.
            errors=[{"loc": ["weight_total"], "msg": message, "type": "weights_must_total_100"}],
            extra={"weight_total": float(round2(total))},
        )
    failing = []
    errors = []
    for item in await kprs.views(session, active):
        failed = kprs.smart_failures(item.smart)
        if failed:
            failing.append({"kpr_id": str(item.kpr.id), "title": item.kpr.title, "failed": failed})
            errors += [
                {"loc": ["kprs", str(item.kpr.id), "smart", name], "msg": msg, "type": "smart_fail"}
                for name in failed
                for msg in item.smart[name]["messages"]
            ]
    if failing:
        raise ValidationFailed(
            translate("detail.smart_failed"),
            code="SMART_CHECK_FAILED",
            errors=errors,
            extra={"kprs": failing},
        )


async def transition(session: AsyncSession, actor: Actor, plan: Plan, target: str, comment: str | None) -> Plan:
    # Concurrent transitions (approve vs. reject, double submit) must not both win: lock the plan and re-read it.
    await session.refresh(plan, with_for_update=True)
    PLAN_STATES.check(plan.status, target)
    cycle = await session.get(Cycle, plan.cycle_id)
    assert cycle is not None
    ensure_cycle_open(cycle)
    is_owner = actor.employee_id == plan.employee_id
    may_manage = await can_manage_employee_data(session, actor, plan.employee_id)
    if target in ("approved", "rejected"):
        # Nobody approves their own plan, admins included.
        if is_owner or not may_manage:
            raise Forbidden(action="approve or reject this plan (a manager in the owner's chain or an admin may)")
    elif not (is_owner or may_manage):
        raise Forbidden(action="submit this plan")
    if target == "submitted":
        await _check_submittable(session, plan)
    current = plan.status
    plan.status = target
    await session.flush()
    record_transition(session, actor, PLAN_STATES, plan.id, current, target, comment)
    audit.record(session, actor, "transition", "plan", plan.id, before={"status": current}, after={"status": target})
    return plan
