"""KPRs: an employee's key results, their derived figures (via the scoring engine) and their SMART report."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.core.access import Actor, authorize_employee_data, can_manage_employee_data, visible_employees_filter
from app.core.errors import Conflict, Forbidden, ValidationFailed
from app.core.i18n import current_locale, translate
from app.core.repository import apply_changes, column_values, get_in_org
from app.cycles.service import ensure_cycle_open
from app.kprs import smart
from app.kprs.schemas import KprCreate, SmartCheckRequest
from app.models import Cycle, Employee, Goal, Kpr, Plan
from app.plans import service as plans
from app.scoring import engine
from app.scoring.policy import policy_from_json
from app.scoring.service import KprScore, latest_values, score_one

# The measurable definition: frozen once the plan is approved, changed only through an approved revision.
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


@dataclass(frozen=True)
class KprView:
    kpr: Kpr
    figures: KprScore
    smart: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        values = column_values(self.kpr)
        return {
            **values,
            "current_value": self.figures.current_value,
            "achievement": self.figures.achievement,
            "progress": self.figures.progress,
            "score": self.figures.score,
            "smart": self.smart,
        }


@dataclass(frozen=True)
class GoalNode:
    id: uuid.UUID
    organization_id: uuid.UUID
    parent_id: uuid.UUID | None
    level: str
    cycle_id: uuid.UUID | None


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


async def goal_chains(session: AsyncSession, goal_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, GoalNode]:
    """These goals and every goal above them, in one recursive statement."""
    if not goal_ids:
        return {}
    columns = (Goal.id, Goal.organization_id, Goal.parent_id, Goal.level, Goal.cycle_id)
    chain = select(*columns).where(Goal.id.in_(set(goal_ids))).cte("goal_chain", recursive=True)
    chain = chain.union(select(*columns).join(chain, Goal.id == chain.c.parent_id))
    rows = await session.execute(select(chain))
    return {row.id: GoalNode(row.id, row.organization_id, row.parent_id, row.level, row.cycle_id) for row in rows}


def _reaches_company(goal_id: uuid.UUID, goals: dict[uuid.UUID, GoalNode]) -> bool:
    seen: set[uuid.UUID] = set()
    current: uuid.UUID | None = goal_id
    while current is not None and current in goals and current not in seen:
        seen.add(current)
        if goals[current].level == "company":
            return True
        current = goals[current].parent_id
    return False


def smart_report(
    draft: smart.SmartInput,
    organization_id: uuid.UUID,
    goal_id: uuid.UUID | None,
    cycle: Cycle | None,
    goals: dict[uuid.UUID, GoalNode],
) -> dict[str, Any]:
    goal = goals.get(goal_id) if goal_id is not None else None
    found = goal is not None and goal.organization_id == organization_id
    policy = policy_from_json(cycle.policy) if cycle is not None else engine.DEFAULT_POLICY
    context = smart.SmartContext(
        goal_found=found,
        goal_cycle_compatible=found and goal is not None and goal.cycle_id in (None, cycle.id if cycle else None),
        goal_reaches_company=found and goal_id is not None and _reaches_company(goal_id, goals),
        cycle_start=cycle.start_date if cycle else None,
        cycle_end=cycle.end_date if cycle else None,
        max_stretch=policy.max_stretch,
        min_stretch=policy.min_stretch,
    )
    return smart.check_smart(draft, context).as_dict(current_locale.get())


def _smart_input(source: Any) -> smart.SmartInput:
    return smart.SmartInput(
        title=source.title,
        description=source.description,
        unit=source.unit,
        direction=source.direction,
        baseline=source.baseline,
        target=source.target,
        due_date=source.due_date,
    )


async def views(session: AsyncSession, kprs: Sequence[Kpr], as_of: datetime | None = None) -> list[KprView]:
    """Figures and SMART reports for these KPRs in three statements, however many there are."""
    if not kprs:
        return []
    actuals = await latest_values(session, [k.id for k in kprs], as_of)
    cycles = {c.id: c for c in await session.scalars(select(Cycle).where(Cycle.id.in_({k.cycle_id for k in kprs})))}
    goals = await goal_chains(session, [k.goal_id for k in kprs])
    result = []
    for kpr in kprs:
        cycle = cycles[kpr.cycle_id]
        figures = score_one(kpr, actuals.get(kpr.id), policy_from_json(cycle.policy))
        report = smart_report(_smart_input(kpr), kpr.organization_id, kpr.goal_id, cycle, goals)
        result.append(KprView(kpr, figures, report))
    return result


async def view(session: AsyncSession, kpr: Kpr, as_of: datetime | None = None) -> KprView:
    return (await views(session, [kpr], as_of))[0]


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
        status="active",
        **values,
    )
    session.add(kpr)
    await session.flush()
    audit.record(session, actor, "create", "kpr", kpr.id, after={**values, "owner_id": owner.id, "cycle_id": cycle.id})
    return kpr


async def update(session: AsyncSession, actor: Actor, kpr: Kpr, changes: dict[str, Any]) -> Kpr:
    # Locked like the plan's transitions, so an edit cannot race a submit past its weight and SMART checks.
    plan = await session.get(Plan, kpr.plan_id, with_for_update=True, populate_existing=True)
    cycle = await session.get(Cycle, kpr.cycle_id)
    assert plan is not None
    assert cycle is not None
    if cycle.status == "closed":
        raise Conflict(translate("detail.cycle_closed"), code="CYCLE_NOT_OPEN")
    if plan.status == "approved":
        # Only real changes are refused: a client that sends the whole KPR back to edit its wording repeats the
        # locked values unchanged.
        locked = sorted(f for f in DEFINITION_FIELDS & changes.keys() if changes[f] != getattr(kpr, f))
        if locked:
            raise Conflict(
                translate("detail.definition_locked", fields=", ".join(locked)),
                code="DEFINITION_LOCKED",
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
    diff = apply_changes(kpr, changes)
    await session.flush()
    audit.record_diff(session, actor, "update", "kpr", kpr.id, diff)
    return kpr


async def delete(session: AsyncSession, actor: Actor, kpr: Kpr) -> None:
    plan = await session.get(Plan, kpr.plan_id, with_for_update=True, populate_existing=True)
    cycle = await session.get(Cycle, kpr.cycle_id)
    assert plan is not None
    assert cycle is not None
    # As for update: a closed cycle's record is final, drafts included.
    if cycle.status == "closed":
        raise Conflict(translate("detail.cycle_closed"), code="CYCLE_NOT_OPEN")
    if plan.status == "approved":
        raise Conflict(translate("detail.delete_locked"), code="DEFINITION_LOCKED")
    plans.ensure_editable(plan)
    audit.record(session, actor, "delete", "kpr", kpr.id, before={"title": kpr.title, "owner_id": kpr.owner_id})
    await session.delete(kpr)
    await session.flush()


async def smart_check(session: AsyncSession, actor: Actor, draft: SmartCheckRequest) -> dict[str, Any]:
    cycle = None
    if draft.cycle_id is not None:
        cycle = await get_in_org(session, Cycle, draft.cycle_id, actor.organization_id, "cycle")
    goals = await goal_chains(session, [draft.goal_id] if draft.goal_id else [])
    return smart_report(_smart_input(draft), actor.organization_id, draft.goal_id, cycle, goals)


def smart_failures(report: dict[str, Any]) -> list[str]:
    return [name for name, value in report.items() if isinstance(value, dict) and value.get("status") == "fail"]
