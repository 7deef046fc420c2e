"""The goal cascade: company → department → team goals, long-term goals above cycle goals, progress rolled up.

Everyone in the organization reads goals; admins write all of them; a department's head writes the goals of that
department and of its sub-departments; company goals are the admins' alone.

Progress (DESIGN §4) is derived and stored, kept current on write by app.figures; app/goals/progress.py rolls up the
one-cycle tree and reads as of a moment.
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Uuid, bindparam, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.core import outbox
from app.core.access import Actor, heads_department_of
from app.core.db import lock_tree
from app.core.enums import EventType, GoalLevel, KprStatus
from app.core.errors import Conflict, Forbidden, ValidationFailed
from app.core.i18n import translate
from app.core.problems import ProblemCode
from app.core.repository import apply_changes, get_in_org
from app.figures import service as figures
from app.figures.trees import subtrees_of, with_ancestors
from app.goals.presenter import present
from app.goals.progress import GoalForest, forest_query, load_forest
from app.goals.schemas import GoalCreate
from app.models import Cycle, Department, Goal, Kpr

WRITE_COMPANY_GOALS = "write company goals"
WRITE_OTHER_DEPARTMENTS = "write the goals of a department you do not head"
LEVEL_RANK: dict[str, int] = {GoalLevel.COMPANY: 0, GoalLevel.DEPARTMENT: 1, GoalLevel.TEAM: 2}


def _level(level: str) -> str:
    return translate(f"level.{level}")


# --- reads --------------------------------------------------------------------------------------------------------


def list_statement(
    actor: Actor,
    *,
    cycle_id: uuid.UUID | None,
    parent_id: uuid.UUID | None,
    level: GoalLevel | None,
    department_id: uuid.UUID | None,
) -> Select[Goal]:
    statement = select(Goal).where(Goal.organization_id == actor.organization_id)
    if cycle_id is not None:
        statement = statement.where(Goal.cycle_id == cycle_id)
    if parent_id is not None:
        statement = statement.where(Goal.parent_id == parent_id)
    if level is not None:
        statement = statement.where(Goal.level == level)
    if department_id is not None:
        statement = statement.where(Goal.department_id == department_id)
    return statement


async def require_writer(session: AsyncSession, actor: Actor, level: str, department_id: uuid.UUID | None) -> None:
    """Who may write a goal of this level and department (DESIGN §6): admins all; a department's head the goals of
    that department and its sub-departments; company goals the admins alone. 403 otherwise."""
    if actor.is_admin:
        return
    if level == GoalLevel.COMPANY or department_id is None:
        raise Forbidden(action=WRITE_COMPANY_GOALS)
    if not await heads_department_of(session, actor, department_id):
        raise Forbidden(action=WRITE_OTHER_DEPARTMENTS)


async def get(session: AsyncSession, actor: Actor, goal_id: uuid.UUID, *, write: bool = False) -> Goal:
    """The goal (404 outside the organization: everyone in it reads goals); with ``write``, locked, and 403 unless the
    caller may write it as it is."""
    if write:
        # Goal writes queue on the organization's tree lock before they lock their row: a write reaches the rows
        # above it (progress, a move's loop check), so two writes each holding one row and wanting the other's would
        # deadlock (crossing moves: A under B while B goes under A).
        await lock_tree(session, actor.organization_id, "goal")
    goal = await get_in_org(session, Goal, goal_id, actor.organization_id, "goal", lock=write)
    if write:
        await require_writer(session, actor, goal.level, goal.department_id)
    return goal


ORG = bindparam("org", type_=Uuid)
CYCLE = bindparam("cycle", type_=Uuid)
# The long-term goals with everything below them.
LONG_TERM_FOREST = forest_query(
    subtrees_of(select(Goal.id).where(Goal.organization_id == ORG, Goal.cycle_id.is_(None), Goal.parent_id.is_(None)))
)
# The cycle's goals, the long-term goals that carry KPRs of the cycle directly, and every goal above them (which can
# only be long-term: a cycle goal hangs under a goal of its cycle or a long-term goal); the cycle's KPRs only.
CYCLE_FOREST = forest_query(
    with_ancestors(
        select(Goal.id, Goal.parent_id).where(
            Goal.organization_id == ORG,
            or_(
                Goal.cycle_id == CYCLE,
                Goal.id.in_(
                    select(Kpr.goal_id).where(
                        Kpr.organization_id == ORG, Kpr.cycle_id == CYCLE, Kpr.status == KprStatus.ACTIVE
                    )
                ),
            ),
        )
    ),
    Kpr.cycle_id == CYCLE,
)


async def tree(
    session: AsyncSession, actor: Actor, cycle_id: uuid.UUID | None, as_of: datetime | None = None
) -> GoalForest:
    """The forest of one cycle (one of the caller's organization: ``readable_forest`` made sure), or without a cycle the
    long-term goals with everything below them, rolled up."""
    org = actor.organization_id
    if cycle_id is None:
        return await load_forest(session, LONG_TERM_FOREST, as_of, {"org": org})
    return await load_forest(session, CYCLE_FOREST, as_of, {"org": org, "cycle": cycle_id})


# --- writes -------------------------------------------------------------------------------------------------------


def _error(field_name: str, key: str, type_: str, **params: object) -> dict[str, Any]:
    return {"loc": ["body", field_name], "msg": translate(key, None, **params), "type": type_}


def _shape_errors(level: str, department_id: uuid.UUID | None) -> list[dict[str, Any]]:
    if level == GoalLevel.COMPANY and department_id is not None:
        return [_error("department_id", "goal.department_forbidden", "goal_department_forbidden")]
    if level != GoalLevel.COMPANY and department_id is None:
        return [_error("department_id", "goal.department_required", "goal_department_required", level=_level(level))]
    return []


def _parent_errors(level: str, cycle_id: uuid.UUID | None, parent: Goal | None) -> list[dict[str, Any]]:
    if parent is None:
        return []
    errors = []
    if LEVEL_RANK[level] < LEVEL_RANK[parent.level]:
        errors.append(
            _error(
                "parent_id",
                "goal.level_order",
                "goal_level_order",
                level=_level(level),
                parent_level=_level(parent.level),
            )
        )
    if parent.cycle_id is not None and parent.cycle_id != cycle_id:
        key = "goal.long_term_under_cycle" if cycle_id is None else "goal.parent_cycle"
        errors.append(_error("parent_id", key, "goal_cycle_mismatch"))
    return errors


async def _check_references(session: AsyncSession, actor: Actor, values: dict[str, Any]) -> None:
    """404 for a department or cycle outside the organization."""
    if values.get("department_id") is not None:
        await get_in_org(session, Department, values["department_id"], actor.organization_id, "department")
    if values.get("cycle_id") is not None:
        await get_in_org(session, Cycle, values["cycle_id"], actor.organization_id, "cycle")


async def create(session: AsyncSession, actor: Actor, data: GoalCreate) -> Goal:
    values = data.model_dump()
    # require_writer's first answer, given before any reference is looked up: a non-admin asking for a company goal
    # hears 403, not a 404 about the cycle it names.
    if not actor.is_admin and values["level"] == GoalLevel.COMPANY:
        raise Forbidden(action=WRITE_COMPANY_GOALS)
    await _check_references(session, actor, values)
    await require_writer(session, actor, values["level"], values["department_id"])
    parent = None
    if values["parent_id"] is not None:
        parent = await get_in_org(session, Goal, values["parent_id"], actor.organization_id, "goal")
    errors = _shape_errors(values["level"], values["department_id"])
    errors += _parent_errors(values["level"], values["cycle_id"], parent)
    if errors:
        raise ValidationFailed(errors=errors)
    goal = Goal(organization_id=actor.organization_id, **values)
    session.add(goal)
    await session.flush()
    audit.record(session, actor, "create", "goal", goal.id, after=values)
    outbox.publish(session, actor.organization_id, EventType.GOAL_CREATED, await present(session, goal))
    return goal


async def update(session: AsyncSession, actor: Actor, goal: Goal, changes: dict[str, Any]) -> Goal:
    """``goal`` comes from ``get(write=True)``: locked, and the caller may write it as it is; they must also be allowed
    to write it as it will be (a new level or department)."""
    merged = {name: changes.get(name, getattr(goal, name)) for name in ("cycle_id", "level", "department_id")}
    parent_id = changes.get("parent_id", goal.parent_id)
    await _check_references(session, actor, changes)
    if (merged["level"], merged["department_id"]) != (goal.level, goal.department_id):
        await require_writer(session, actor, merged["level"], merged["department_id"])
    parent = None
    if parent_id is not None:
        parent = await get_in_org(session, Goal, parent_id, actor.organization_id, "goal")
        if parent_id != goal.parent_id and await _is_at_or_below(session, parent_id, goal.id):
            raise Conflict(translate("detail.loop", tree=translate("tree.goal")), code=ProblemCode.WOULD_CREATE_LOOP)
    errors = _shape_errors(merged["level"], merged["department_id"])
    errors += _parent_errors(merged["level"], merged["cycle_id"], parent)
    if (merged["level"], merged["cycle_id"]) != (goal.level, goal.cycle_id):
        errors += await _below_errors(session, goal, merged["level"], merged["cycle_id"])
    if errors:
        raise ValidationFailed(errors=errors)
    before_parent = goal.parent_id
    diff = apply_changes(goal, changes)
    await session.flush()
    # The chain to a company goal, or the goal's cycle, decides the SMART "relevant" of every KPR below it.
    smart_below = [goal.id] if {"parent_id", "level", "cycle_id"} & diff.keys() else []
    if smart_below or "weight" in diff:
        await figures.goals_changed(session, {before_parent, goal.parent_id}, smart_below=smart_below)
    audit.record_diff(session, actor, "update", "goal", goal.id, diff)
    if diff:
        outbox.publish(session, actor.organization_id, EventType.GOAL_UPDATED, await present(session, goal))
    return goal


async def _is_at_or_below(session: AsyncSession, candidate_id: uuid.UUID, goal_id: uuid.UUID) -> bool:
    """Whether ``candidate_id`` is ``goal_id`` or one of its descendants: walks up from the candidate (a chain is
    short, a subtree may be large)."""
    chain = with_ancestors(select(Goal.id, Goal.parent_id).where(Goal.id == candidate_id)).subquery()
    found = await session.scalar(select(chain.c.id).where(chain.c.id == goal_id).limit(1))
    return found is not None


async def _below_errors(
    session: AsyncSession, goal: Goal, level: str, cycle_id: uuid.UUID | None
) -> list[dict[str, Any]]:
    """A new level or cycle must still suit the goal's children and aligned KPRs."""
    errors = []
    children = (await session.execute(select(Goal.level, Goal.cycle_id).where(Goal.parent_id == goal.id))).all()
    above = [child_level for child_level, _ in children if LEVEL_RANK[child_level] < LEVEL_RANK[level]]
    if above:
        errors.append(
            _error(
                "level",
                "goal.child_level_order",
                "goal_level_order",
                level=_level(level),
                child_level=_level(min(above, key=LEVEL_RANK.__getitem__)),
            )
        )
    if cycle_id is not None:
        if any(child_cycle != cycle_id for _, child_cycle in children):
            errors.append(_error("cycle_id", "goal.children_cycle", "goal_cycle_mismatch"))
        other_cycle = await session.scalar(select(exists().where(Kpr.goal_id == goal.id, Kpr.cycle_id != cycle_id)))
        if other_cycle:
            errors.append(_error("cycle_id", "goal.kprs_cycle", "goal_cycle_mismatch"))
    return errors


async def delete(session: AsyncSession, actor: Actor, goal: Goal) -> None:
    """``goal`` comes from ``get(write=True)``: locked, and the caller may write it."""
    child_count, kpr_count = (
        await session.execute(
            select(
                select(func.count()).where(Goal.parent_id == goal.id).scalar_subquery(),
                select(func.count()).where(Kpr.goal_id == goal.id).scalar_subquery(),
            )
        )
    ).one()
    if child_count or kpr_count:
        raise Conflict(
            translate("detail.goal_in_use", children=child_count, kprs=kpr_count), code=ProblemCode.GOAL_IN_USE
        )
    before = {
        name: getattr(goal, name)
        for name in ("cycle_id", "title", "description", "level", "department_id", "parent_id", "weight")
    }
    audit.record(session, actor, "delete", "goal", goal.id, before=before)
    outbox.publish(session, actor.organization_id, EventType.GOAL_DELETED, await present(session, goal))
    await session.delete(goal)
    await session.flush()
    await figures.goals_changed(session, [goal.parent_id])
