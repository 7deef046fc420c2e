"""KPRs: an employee's key results — creating, changing and deleting them by the plan's and the cycle's rules.

The read side (figures, SMART report) is ``app.kprs.presenter``."""

import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.core import outbox
from app.core.access import Actor, authorize_employee_data, can_manage_employee_data, visible_employees_filter
from app.core.enums import EventType, KprStatus, PlanStatus
from app.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.core.i18n import translate
from app.core.problems import ProblemCode
from app.core.repository import apply_changes, get_in_org
from app.cycles.rules import ensure_cycle_not_closed, ensure_cycle_open
from app.figures import service as figures
from app.kprs.presenter import present
from app.kprs.schemas import KprCreate, SmartCheckRequest
from app.models import Cycle, Employee, Goal, Kpr, Plan
from app.plans import service as plans
from app.scoring import engine
from app.smart.reports import goal_chains, report, smart_input

# The measurable definition: frozen once the plan is approved, changed only through an approved revision. Wording
# (title, description, unit) and plumbing (``metric_key``, what pushed figures name) stay editable: they change
# neither the target nor the score.
DEFINITION_FIELDS = frozenset(
    {
        "direction",
        "baseline",
        "target",
        "threshold",
        "stretch",
        "tolerance",
        "weight",
        "goal_id",
        "goal_weight",
        "due_date",
        "status",
    }
)


def check_definition(direction: str, values: dict[str, Any]) -> None:
    problems = engine.definition_errors(
        direction,
        values.get("baseline"),
        values.get("target"),
        values.get("threshold"),
        values.get("stretch"),
        values.get("tolerance"),
    )
    if problems:
        raise ValidationFailed(
            errors=[
                {"loc": ["body", field], "msg": translate(f"definition.{code}"), "type": code}
                for field, code in problems
            ]
        )


def list_statement(
    actor: Actor,
    *,
    cycle_id: uuid.UUID | None,
    owner_id: uuid.UUID | None,
    goal_id: uuid.UUID | None,
    plan_id: uuid.UUID | None,
    status: str | None,
) -> Select[Kpr]:
    statement = select(Kpr).where(Kpr.organization_id == actor.organization_id)
    visible = visible_employees_filter(actor, Kpr.owner_id)
    if visible is not None:
        statement = statement.where(visible)
    for column, value in (
        (Kpr.cycle_id, cycle_id),
        (Kpr.owner_id, owner_id),
        (Kpr.goal_id, goal_id),
        (Kpr.plan_id, plan_id),
        (Kpr.status, status),
    ):
        if value is not None:
            statement = statement.where(column == value)
    return statement


async def get(
    session: AsyncSession, actor: Actor, kpr_id: uuid.UUID, *, write: bool = False, service_may_write: bool = False
) -> Kpr:
    kpr = await get_in_org(session, Kpr, kpr_id, actor.organization_id, "kpr", lock=write)
    await authorize_employee_data(
        session, actor, kpr.owner_id, resource="kpr", entity_id=kpr.id, write=write, service_may_write=service_may_write
    )
    return kpr


async def readable(session: AsyncSession, actor: Actor, kpr: Kpr | None, kpr_id: uuid.UUID) -> Kpr:
    """A KPR loaded together with its reader (``resolve_actor_and``): 404 when it is missing or not theirs to see."""
    if kpr is None:
        raise NotFound("kpr", kpr_id)
    await authorize_employee_data(session, actor, kpr.owner_id, resource="kpr", entity_id=kpr.id)
    return kpr


async def goal_for(session: AsyncSession, actor: Actor, goal_id: uuid.UUID, cycle: Cycle) -> Goal:
    goal = await get_in_org(session, Goal, goal_id, actor.organization_id, "goal")
    if goal.cycle_id not in (None, cycle.id):
        raise ValidationFailed.field("goal_id", translate("field.goal_other_cycle"))
    return goal


async def create(session: AsyncSession, actor: Actor, data: KprCreate) -> Kpr:
    owner_id = data.owner_id or actor.employee_id
    if owner_id is None:
        raise ValidationFailed.field("owner_id", translate("field.owner_required"))
    owner = await get_in_org(session, Employee, owner_id, actor.organization_id, "employee")
    if not (actor.employee_id == owner.id or await can_manage_employee_data(session, actor, owner.id)):
        raise Forbidden(action="draft KPRs for this employee")
    if not owner.active:
        raise ValidationFailed.field("owner_id", translate("field.employee_inactive"))
    cycle = await get_in_org(session, Cycle, data.cycle_id, actor.organization_id, "cycle")
    ensure_cycle_open(cycle)
    await goal_for(session, actor, data.goal_id, cycle)
    values = data.model_dump(exclude={"owner_id", "cycle_id"})
    check_definition(data.direction, values)
    plan = await plans.get_or_create(session, actor, cycle.id, owner.id)
    # Locked like the plan's transitions, so a KPR cannot slip into a plan being submitted (weights checked).
    await session.refresh(plan, with_for_update=True)
    plans.ensure_editable(plan)
    kpr = Kpr(
        organization_id=actor.organization_id,
        plan_id=plan.id,
        cycle_id=cycle.id,
        owner_id=owner.id,
        status=KprStatus.ACTIVE,
        **values,
    )
    session.add(kpr)
    await session.flush()
    await figures.kprs_changed(session, [kpr.id], goals_reached=[kpr.goal_id], plans_reached=[kpr.plan_id])
    audit.record(session, actor, "create", "kpr", kpr.id, after={**values, "owner_id": owner.id, "cycle_id": cycle.id})
    outbox.publish(session, actor.organization_id, EventType.KPR_CREATED, await present(session, kpr))
    return kpr


async def update(session: AsyncSession, actor: Actor, kpr: Kpr, changes: dict[str, Any]) -> Kpr:
    # Locked like the plan's transitions, so an edit cannot race a submit past its weight and SMART checks.
    plan = await session.get(Plan, kpr.plan_id, with_for_update=True, populate_existing=True)
    cycle = await session.get(Cycle, kpr.cycle_id)
    assert plan is not None
    assert cycle is not None
    ensure_cycle_not_closed(cycle)
    if plan.status == PlanStatus.APPROVED:
        # Only real changes are refused: a client that sends the whole KPR back to edit its wording repeats the
        # locked values unchanged.
        locked = sorted(f for f in DEFINITION_FIELDS & changes.keys() if changes[f] != getattr(kpr, f))
        if locked:
            raise Conflict(
                translate("detail.definition_locked", fields=", ".join(locked)),
                code=ProblemCode.DEFINITION_LOCKED,
            )
    else:
        plans.ensure_editable(plan)
    if "goal_id" in changes:
        await goal_for(session, actor, changes["goal_id"], cycle)
    merged = {
        field: changes.get(field, getattr(kpr, field))
        for field in ("baseline", "target", "threshold", "stretch", "tolerance")
    }
    check_definition(changes.get("direction", kpr.direction), merged)
    before_goal = kpr.goal_id
    diff = apply_changes(kpr, changes)
    await session.flush()
    await refresh_after_change(session, kpr, diff, before_goal)
    audit.record_diff(session, actor, "update", "kpr", kpr.id, diff)
    if diff:
        outbox.publish(session, actor.organization_id, EventType.KPR_UPDATED, await present(session, kpr))
    return kpr


# What a change of these fields reaches besides the KPR's own figures.
GOAL_FIELDS = frozenset({"goal_id", "goal_weight", "status"})
PLAN_FIELDS = frozenset({"weight", "status"})
# Fields no figure and no SMART criterion reads.
PLUMBING_FIELDS = frozenset({"metric_key"})


async def refresh_after_change(
    session: AsyncSession, kpr: Kpr, diff: dict[str, tuple[Any, Any]], before_goal: uuid.UUID
) -> None:
    """A KPR's figures and SMART report after an edit or an approved revision, with the goals and plan it reaches."""
    if not diff.keys() - PLUMBING_FIELDS:
        return
    goals = {before_goal, kpr.goal_id} if GOAL_FIELDS & diff.keys() else set()
    plans = {kpr.plan_id} if PLAN_FIELDS & diff.keys() else set()
    await figures.kprs_changed(session, [kpr.id], goals_reached=goals, plans_reached=plans)


async def delete(session: AsyncSession, actor: Actor, kpr: Kpr) -> None:
    plan = await session.get(Plan, kpr.plan_id, with_for_update=True, populate_existing=True)
    cycle = await session.get(Cycle, kpr.cycle_id)
    assert plan is not None
    assert cycle is not None
    # As for update: a closed cycle's record is final, drafts included.
    ensure_cycle_not_closed(cycle)
    if plan.status == PlanStatus.APPROVED:
        raise Conflict(translate("detail.delete_locked"), code=ProblemCode.DEFINITION_LOCKED)
    plans.ensure_editable(plan)
    audit.record(session, actor, "delete", "kpr", kpr.id, before={"title": kpr.title, "owner_id": kpr.owner_id})
    outbox.publish(session, actor.organization_id, EventType.KPR_DELETED, await present(session, kpr))
    await session.delete(kpr)
    await session.flush()
    await figures.kprs_changed(session, [], goals_reached=[kpr.goal_id], plans_reached=[kpr.plan_id])


async def smart_check(session: AsyncSession, actor: Actor, draft: SmartCheckRequest) -> dict[str, Any]:
    cycle = None
    if draft.cycle_id is not None:
        cycle = await get_in_org(session, Cycle, draft.cycle_id, actor.organization_id, "cycle")
    goals = await goal_chains(session, [draft.goal_id] if draft.goal_id else [])
    return report(smart_input(draft), actor.organization_id, draft.goal_id, cycle, goals)
