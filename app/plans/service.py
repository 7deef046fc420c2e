"""Plans: one employee's performance agreement for a cycle, submitted by the employee, approved by a manager."""

import uuid
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import Select, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.core import outbox
from app.core.access import Actor, authorize_employee_data, can_manage_employee_data, visible_employees_filter
from app.core.enums import EventType, KprStatus, PlanStatus
from app.core.errors import Conflict, Forbidden, ValidationFailed
from app.core.i18n import translate
from app.core.problems import ProblemCode
from app.core.repository import get_in_org
from app.core.transitions import StateMachine, record_transition, record_transitions
from app.cycles.rules import ensure_cycle_open
from app.models import Cycle, Kpr, Plan
from app.models.base import utcnow
from app.plans.presenter import present
from app.scoring.engine import round2
from app.smart.reports import failures, rendered

PLAN_STATES = StateMachine(
    "plan",
    {
        PlanStatus.DRAFT: (PlanStatus.SUBMITTED,),
        PlanStatus.SUBMITTED: (PlanStatus.APPROVED, PlanStatus.REJECTED),
        PlanStatus.REJECTED: (PlanStatus.DRAFT,),
        PlanStatus.APPROVED: (),
    },
)
EDITABLE_STATES = (PlanStatus.DRAFT, PlanStatus.REJECTED)
HUNDRED = Decimal(100)


def ensure_editable(plan: Plan) -> None:
    """KPRs are added, changed and removed only while their plan is a draft (or rejected, being reworked)."""
    if plan.status not in EDITABLE_STATES:
        raise Conflict(translate("detail.plan_locked", status=plan.status), code=ProblemCode.PLAN_LOCKED)


async def create_drafts(
    session: AsyncSession, actor: Actor, cycle_id: uuid.UUID, employee_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    """New draft plans (employee → plan id) for these employees, set-based: one INSERT each of the plans, their first
    transitions (→ draft) and their audit events, however many there are. The caller knows none exists yet."""
    new = {employee_id: uuid.uuid4() for employee_id in employee_ids}
    if not new:
        return new
    now = utcnow()
    rows = [
        {
            "id": plan_id,
            "organization_id": actor.organization_id,
            "cycle_id": cycle_id,
            "employee_id": employee_id,
            "status": PlanStatus.DRAFT,
            "created_at": now,
            "updated_at": now,
        }
        for employee_id, plan_id in new.items()
    ]
    await session.execute(insert(Plan), rows)
    await record_transitions(
        session, actor, PLAN_STATES, [(plan_id, None, PlanStatus.DRAFT) for plan_id in new.values()], at=now
    )
    await audit.record_many(
        session,
        actor,
        [
            ("create", "plan", plan_id, None, {"cycle_id": cycle_id, "employee_id": employee_id})
            for employee_id, plan_id in new.items()
        ],
    )
    return new


async def get_or_create(session: AsyncSession, actor: Actor, cycle_id: uuid.UUID, employee_id: uuid.UUID) -> Plan:
    """The owner's plan for the cycle, made with their first KPR; safe when two first KPRs race."""
    statement = select(Plan).where(Plan.cycle_id == cycle_id, Plan.employee_id == employee_id)
    plan = await session.scalar(statement)
    if plan is not None:
        return plan
    try:
        async with session.begin_nested():
            plan = Plan(
                organization_id=actor.organization_id,
                cycle_id=cycle_id,
                employee_id=employee_id,
                status=PlanStatus.DRAFT,
            )
            session.add(plan)
    except IntegrityError:
        plan = await session.scalar(statement)
        assert plan is not None
        return plan
    record_transition(session, actor, PLAN_STATES, plan.id, None, PlanStatus.DRAFT, None)
    audit.record(session, actor, "create", "plan", plan.id, after={"cycle_id": cycle_id, "employee_id": employee_id})
    return plan


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


async def get(session: AsyncSession, actor: Actor, plan_id: uuid.UUID, *, lock: bool = False) -> Plan:
    """The plan, or 404 to whoever may not read its employee's data; transitions lock it (approve vs. reject, a double
    submit, and KPR edits racing a submit then run one after another)."""
    plan = await get_in_org(session, Plan, plan_id, actor.organization_id, "plan", lock=lock)
    await authorize_employee_data(session, actor, plan.employee_id, resource="plan", entity_id=plan.id)
    return plan


async def _check_submittable(session: AsyncSession, plan: Plan) -> None:
    active = list(await session.scalars(select(Kpr).where(Kpr.plan_id == plan.id, Kpr.status == KprStatus.ACTIVE)))
    total = sum((k.weight for k in active), Decimal(0))
    if round2(total) != HUNDRED:
        message = translate("detail.weights_total", total=round2(total))
        raise ValidationFailed(
            message,
            code=ProblemCode.WEIGHTS_MUST_TOTAL_100,
            # Every 422 carries field-level errors (DESIGN §7); the offending figure is the plan's weight_total.
            errors=[{"loc": ["weight_total"], "msg": message, "type": "weights_must_total_100"}],
            extra={"weight_total": float(round2(total))},
        )
    failing = []
    errors = []
    reports = {kpr.id: rendered(kpr.smart) for kpr in active}
    for kpr in active:
        failed = failures(reports[kpr.id])
        if failed:
            failing.append({"kpr_id": str(kpr.id), "title": kpr.title, "failed": failed})
            errors += [
                {"loc": ["kprs", str(kpr.id), "smart", name], "msg": msg, "type": "smart_fail"}
                for name in failed
                for msg in reports[kpr.id][name]["messages"]
            ]
    if failing:
        raise ValidationFailed(
            translate("detail.smart_failed"),
            code=ProblemCode.SMART_CHECK_FAILED,
            errors=errors,
            extra={"kprs": failing},
        )


async def transition(session: AsyncSession, actor: Actor, plan: Plan, target: str, comment: str | None) -> Plan:
    PLAN_STATES.check(plan.status, target)
    cycle = await session.get(Cycle, plan.cycle_id)
    assert cycle is not None
    ensure_cycle_open(cycle)
    is_owner = actor.employee_id == plan.employee_id
    may_manage = await can_manage_employee_data(session, actor, plan.employee_id)
    if target in (PlanStatus.APPROVED, PlanStatus.REJECTED):
        # Nobody approves their own plan, admins included.
        if is_owner or not may_manage:
            raise Forbidden(action="approve or reject this plan (a manager in the owner's chain or an admin may)")
    elif not (is_owner or may_manage):
        raise Forbidden(action="submit this plan")
    if target == PlanStatus.SUBMITTED:
        await _check_submittable(session, plan)
    current = plan.status
    plan.status = target
    await session.flush()
    record_transition(session, actor, PLAN_STATES, plan.id, current, target, comment)
    audit.record(session, actor, "transition", "plan", plan.id, before={"status": current}, after={"status": target})
    outbox.publish(
        session,
        actor.organization_id,
        EventType.PLAN_TRANSITIONED,
        outbox.transition(current, target, comment, await present(session, plan)),
    )
    return plan
