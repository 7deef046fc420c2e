"""Rollover (DESIGN §12): last cycle's goal tree and each chosen employee's active KPRs, with their KPIs, copied into a
cycle in planning as draft plans — baselines from the latest actuals, every copy remembering its source.

Set-based whatever the size of the company: the source goals and their copies so far (one statement) and one INSERT
of the goal copies; then, OWNERS_PER_CHUNK owners at a time (memory holds one chunk, not the company), the source
KPRs with their copies so far and their owners' plans in the target (one statement each), one INSERT each of plans,
KPRs and KPIs, the figures of what was made (the engine, set-based), one INSERT of events and one of audit. A second
run finds every copy by its source id and copies nothing twice.
"""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.audit import service as audit
from app.core import outbox
from app.core.access import Actor
from app.core.enums import CycleStatus, EventType, KprStatus, PlanStatus, RolloverBaseline, RolloverSkip
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.i18n import translate
from app.core.problems import ProblemCode
from app.core.repository import among, get_in_org, id_slices
from app.figures import service as figures
from app.models import CheckIn, Cycle, Employee, Goal, Kpi, Kpr, Plan
from app.models.base import utcnow
from app.plans import service as plan_service
from app.rollover import schemas
from app.scoring.service import latest_values_statement

# Plans whose KPRs change only through their workflow: their owners' KPRs are not copied into them.
LOCKED_PLAN_STATES = (PlanStatus.SUBMITTED, PlanStatus.APPROVED)
# Columns a copy takes from its source as they are.
GOAL_COPIED = ("organization_id", "title", "description", "level", "department_id", "weight")
KPR_COPIED = (
    "organization_id",
    "owner_id",
    "title",
    "description",
    "unit",
    "direction",
    "target",
    "threshold",
    "stretch",
    "tolerance",
    "weight",
    "goal_weight",
    "template_id",
    "metric_key",
)
KPI_COPIED = ("organization_id", "name", "unit", "direction", "target", "frequency", "metric_key")


@dataclass
class _Run:
    actor: Actor
    source: Cycle
    target: Cycle
    baseline: RolloverBaseline
    skipped: list[schemas.RolloverSkipped] = field(default_factory=list)
    # The goals the copied KPRs align to: their progress moves.
    aligned: set[uuid.UUID] = field(default_factory=set)

    def skip(self, entity_type: str, source_id: uuid.UUID, reason: RolloverSkip, copy_id: uuid.UUID | None) -> None:
        self.skipped.append(
            schemas.RolloverSkipped(entity_type=entity_type, source_id=source_id, reason=reason, copy_id=copy_id)
        )

    def due_date(self, source_due: date | None) -> date:
        """The same point of the new cycle (shifted by the distance between the starts), inside it."""
        if source_due is None:
            return self.target.end_date
        shifted = source_due + (self.target.start_date - self.source.start_date)
        return min(max(shifted, self.target.start_date), self.target.end_date)


async def rollover(
    session: AsyncSession, actor: Actor, target: Cycle, data: schemas.RolloverIn
) -> schemas.RolloverResult:
    """Copy ``data.from_cycle_id`` into ``target`` (locked by the caller, an admin)."""
    if target.status != CycleStatus.PLANNING:
        raise Conflict(
            translate("rollover.target_not_planning", status=target.status),
            code=ProblemCode.INVALID_STATE,
            extra={"cycle_status": target.status},
        )
    if data.from_cycle_id == target.id:
        raise ValidationFailed.field("from_cycle_id", translate("rollover.same_cycle"))
    source = await get_in_org(session, Cycle, data.from_cycle_id, actor.organization_id, "cycle")
    employee_ids = None if data.employee_ids is None else list(dict.fromkeys(data.employee_ids))
    if employee_ids is not None:
        await _check_employees(session, actor, employee_ids)
    run = _Run(actor, source, target, RolloverBaseline(data.baseline))
    now = utcnow()

    org = actor.organization_id
    goal_copies, new_goals = await _copy_goals(session, run, now)
    new_plans = kpr_count = kpi_count = 0
    # OWNERS_PER_CHUNK owners at a time, so memory holds one chunk's KPRs and copies whatever the company's size.
    for owners in id_slices(await _owners(session, run, employee_ids), OWNERS_PER_CHUNK):
        kprs = await _source_kprs(session, run, owners)
        plans, made = await _plans(session, run, kprs)
        kpr_copies = await _copy_kprs(session, run, kprs, plans, goal_copies, now)
        kpi_count += await _copy_kpis(session, run, kpr_copies, now)
        new_plans += made
        kpr_count += len(kpr_copies)
        await outbox.publish_deferred(session, org, EventType.KPR_CREATED, "kpr", list(kpr_copies.values()), {})
        await audit.record_many(
            session,
            actor,
            [
                ("create", "kpr", copy_id, None, {"cycle_id": target.id, "source_kpr_id": source_id})
                for source_id, copy_id in kpr_copies.items()
            ],
        )

    # The copies carry their figures; the goals they align to (and the new goals) move.
    await figures.goals_changed(session, {*new_goals, *run.aligned})
    await outbox.publish_deferred(session, org, EventType.GOAL_CREATED, "goal", new_goals, {})
    result = schemas.RolloverResult(
        goals=len(new_goals), plans=new_plans, kprs=kpr_count, kpis=kpi_count, skipped=run.skipped
    )
    summary = {"from_cycle_id": source.id, "baseline": run.baseline, **result.model_dump(exclude={"skipped"})}
    await audit.record_many(
        session,
        actor,
        [
            ("rollover", "cycle", target.id, None, summary),
            *(("create", "goal", goal_id, None, {"cycle_id": target.id}) for goal_id in new_goals),
        ],
    )
    return result


async def _check_employees(session: AsyncSession, actor: Actor, employee_ids: Sequence[uuid.UUID]) -> None:
    found = set(
        await session.scalars(
            select(Employee.id).where(
                Employee.organization_id == actor.organization_id, among(session, Employee.id, employee_ids)
            )
        )
    )
    missing = [str(employee_id) for employee_id in employee_ids if employee_id not in found]
    if missing:
        raise NotFound(
            "employee",
            ", ".join(missing),
            detail=translate("detail.employees_not_found", ids=", ".join(missing)),
            extra={"employee_ids": missing},
        )


# --- goals ----------------------------------------------------------------------------------------------------------


async def _copy_goals(session: AsyncSession, run: _Run, now: Any) -> tuple[dict[uuid.UUID, uuid.UUID], list[uuid.UUID]]:
    """The source cycle's goals copied with their tree (source goal → its copy, old and new), and the new copies' ids.

    Long-term goals (no cycle) are shared, not copied: a copy whose parent is one keeps it.
    """
    copy = aliased(Goal)
    rows = (
        await session.execute(
            select(Goal, copy.id.label("copy_id"))
            .outerjoin(copy, (copy.source_goal_id == Goal.id) & (copy.cycle_id == run.target.id))
            .where(Goal.cycle_id == run.source.id)
        )
    ).all()
    copies: dict[uuid.UUID, uuid.UUID] = {}
    fresh: list[Goal] = []
    for goal, copy_id in rows:
        if copy_id is not None:
            copies[goal.id] = copy_id
            run.skip("goal", goal.id, RolloverSkip.ALREADY_COPIED, copy_id)
        else:
            copies[goal.id] = uuid.uuid4()
            fresh.append(goal)
    new_rows = [
        {
            **{name: getattr(goal, name) for name in GOAL_COPIED},
            "id": copies[goal.id],
            "cycle_id": run.target.id,
            "parent_id": copies.get(goal.parent_id, goal.parent_id) if goal.parent_id is not None else None,
            "source_goal_id": goal.id,
            "created_at": now,
            "updated_at": now,
        }
        for goal in _parents_first(fresh)
    ]
    if new_rows:
        await session.execute(insert(Goal), new_rows)
    return copies, [row["id"] for row in new_rows]


def _parents_first(goals: Iterable[Goal]) -> list[Goal]:
    """Goals ordered so that a parent among them comes before its children (each row's parent exists when written)."""
    by_id = {goal.id: goal for goal in goals}

    def depth(goal: Goal) -> int:
        steps = 0
        while goal.parent_id in by_id and steps <= len(by_id):
            goal = by_id[goal.parent_id]
            steps += 1
        return steps

    return sorted(by_id.values(), key=lambda goal: (depth(goal), str(goal.id)))


# --- KPRs and plans -------------------------------------------------------------------------------------------------


# What a copy is made of: plain rows of these columns, not ORM objects (a whole company's KPRs never fill the session).
SOURCE_COLUMNS = tuple(
    getattr(Kpr, name) for name in ("id", "goal_id", "baseline", "current_value", "due_date", *KPR_COPIED)
)


# Owners whose KPRs are copied in one pass: a chunk's sources, copies, figures and SMART reports stay a few MiB.
OWNERS_PER_CHUNK = 2000


def _sources(run: _Run, *columns: Any) -> Select[Any]:
    """``columns`` of the active KPRs of the source cycle whose owners are still active."""
    return (
        select(*columns)
        .join(Employee, Employee.id == Kpr.owner_id)
        .where(Kpr.cycle_id == run.source.id, Kpr.status == KprStatus.ACTIVE, Employee.active.is_(True))
    )


async def _owners(session: AsyncSession, run: _Run, employee_ids: Sequence[uuid.UUID] | None) -> list[uuid.UUID]:
    """The owners of the KPRs to copy (the chosen employees, or everyone), in the order their KPRs are copied."""
    owners = _sources(run, Kpr.owner_id).distinct().order_by(Kpr.owner_id)
    if employee_ids is not None:
        owners = owners.where(among(session, Kpr.owner_id, employee_ids))
    return list(await session.scalars(owners))


async def _source_kprs(session: AsyncSession, run: _Run, owners: Sequence[uuid.UUID]) -> list[Any]:
    """These owners' active KPRs of the source cycle not copied yet (those already copied are skipped).

    The copies made so far are read apart, by the target cycle: joined to the source, a planner whose statistics had
    not yet seen the previous run's copies (a bulk insert moments ago) looped over them and ran for minutes.
    """
    made = select(Kpr.source_kpr_id, Kpr.id).where(
        Kpr.cycle_id == run.target.id, Kpr.source_kpr_id.is_not(None), among(session, Kpr.owner_id, owners)
    )
    copied = {source_id: copy_id for source_id, copy_id in await session.execute(made)}
    sources = (
        _sources(run, *SOURCE_COLUMNS)
        .where(among(session, Kpr.owner_id, owners))
        .order_by(Kpr.owner_id, Kpr.created_at, Kpr.id)
    )
    pending: list[Any] = []
    for kpr in (await session.execute(sources)).all():
        copy_id = copied.get(kpr.id)
        if copy_id is not None:
            run.skip("kpr", kpr.id, RolloverSkip.ALREADY_COPIED, copy_id)
        else:
            pending.append(kpr)
    return pending


async def _plans(session: AsyncSession, run: _Run, kprs: Sequence[Any]) -> tuple[dict[uuid.UUID, uuid.UUID], int]:
    """Each owner's draft plan in the target (made when missing); owners whose plan is locked get nothing copied."""
    owners = list(dict.fromkeys(kpr.owner_id for kpr in kprs))
    if not owners:
        return {}, 0
    rows = (
        await session.execute(
            select(Plan.id, Plan.employee_id, Plan.status).where(
                Plan.cycle_id == run.target.id, among(session, Plan.employee_id, owners)
            )
        )
    ).all()
    plans = {row.employee_id: row.id for row in rows if row.status not in LOCKED_PLAN_STATES}
    locked = {row.employee_id for row in rows if row.status in LOCKED_PLAN_STATES}
    missing = [owner for owner in owners if owner not in plans and owner not in locked]
    made = await plan_service.create_drafts(session, run.actor, run.target.id, missing)
    plans.update(made)
    for kpr in kprs:
        if kpr.owner_id in locked:
            run.skip("kpr", kpr.id, RolloverSkip.PLAN_LOCKED, None)
    return plans, len(made)


async def _copy_kprs(
    session: AsyncSession,
    run: _Run,
    kprs: Sequence[Any],
    plans: dict[uuid.UUID, uuid.UUID],
    goal_copies: dict[uuid.UUID, uuid.UUID],
    now: Any,
) -> dict[uuid.UUID, uuid.UUID]:
    """The KPRs copied into their owners' plans, each aligned to its goal's copy (or the same long-term goal)."""
    copies: dict[uuid.UUID, uuid.UUID] = {}
    rows = []
    for kpr in kprs:
        plan_id = plans.get(kpr.owner_id)
        if plan_id is None:
            continue
        copies[kpr.id] = uuid.uuid4()
        rows.append(
            {
                **{name: getattr(kpr, name) for name in KPR_COPIED},
                "id": copies[kpr.id],
                "plan_id": plan_id,
                "cycle_id": run.target.id,
                "goal_id": goal_copies.get(kpr.goal_id, kpr.goal_id),
                "baseline": _baseline(run, kpr.baseline, kpr.current_value),
                "due_date": run.due_date(kpr.due_date),
                "status": KprStatus.ACTIVE,
                "source_kpr_id": kpr.id,
                "created_at": now,
                "updated_at": now,
            }
        )
    if rows:
        # Inserted with their figures and SMART reports (no check-ins yet), from the one engine.
        await figures.new_kprs(session, rows, run.target)
        await session.execute(insert(Kpr), rows)
    run.aligned.update(row["goal_id"] for row in rows)
    return copies


def _baseline(run: _Run, baseline: Decimal, last_actual: Decimal | None) -> Decimal:
    if run.baseline == RolloverBaseline.LAST_ACTUAL and last_actual is not None:
        return last_actual
    return baseline


async def _copy_kpis(session: AsyncSession, run: _Run, kpr_copies: dict[uuid.UUID, uuid.UUID], now: Any) -> int:
    """The copied KPRs' KPIs, under the copies; with ``last_actual`` each starts from its latest check-in."""
    if not kpr_copies:
        return 0
    sources = among(session, Kpi.kpr_id, list(kpr_copies))
    kpis = (await session.scalars(select(Kpi).where(sources).order_by(Kpi.created_at, Kpi.id))).all()
    latest: dict[uuid.UUID, Decimal] = {}
    if kpis and run.baseline == RolloverBaseline.LAST_ACTUAL:
        of_sources = CheckIn.kpi_id.in_(select(Kpi.id).where(sources))
        statement = latest_values_statement(of_sources, None, CheckIn.kpi_id)
        latest = {kpi_id: value for kpi_id, value in await session.execute(statement)}
    rows = [
        {
            **{name: getattr(kpi, name) for name in KPI_COPIED},
            "id": uuid.uuid4(),
            "kpr_id": kpr_copies[kpi.kpr_id],
            "baseline": _baseline(run, kpi.baseline, latest.get(kpi.id)),
            "source_kpi_id": kpi.id,
            "created_at": now,
            "updated_at": now,
        }
        for kpi in kpis
    ]
    if rows:
        await session.execute(insert(Kpi), rows)
    return len(rows)
