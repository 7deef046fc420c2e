"""Cycles: the performance period, its scoring policy, and its state machine (DESIGN §3)."""

import uuid
from typing import Any

from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.core import outbox
from app.core.access import Actor
from app.core.enums import CycleStatus, EventType
from app.core.errors import Conflict, ValidationFailed
from app.core.i18n import translate
from app.core.problems import ProblemCode
from app.core.repository import apply_changes, get_in_org
from app.core.schemas import STORED
from app.core.transitions import record_transition
from app.cycles.presenter import present
from app.cycles.rules import CYCLE_STATES
from app.cycles.schemas import CycleCreate
from app.evaluations import workflow as evaluation_workflow
from app.figures import service as figures
from app.models import Cycle
from app.scoring.policy import PRICED, PolicyIn


def list_statement(actor: Actor, status: str | None) -> Select[Cycle]:
    statement = select(Cycle).where(Cycle.organization_id == actor.organization_id)
    if status is not None:
        statement = statement.where(Cycle.status == status)
    return statement


async def get(session: AsyncSession, actor: Actor, cycle_id: uuid.UUID, *, lock: bool = False) -> Cycle:
    return await get_in_org(session, Cycle, cycle_id, actor.organization_id, "cycle", lock=lock)


async def create(session: AsyncSession, actor: Actor, data: CycleCreate) -> Cycle:
    values = data.model_dump(mode="json")
    cycle = Cycle(
        organization_id=actor.organization_id,
        name=data.name,
        cadence=data.cadence,
        start_date=data.start_date,
        end_date=data.end_date,
        status=CycleStatus.PLANNING,
        policy=values["policy"],
    )
    session.add(cycle)
    await session.flush()
    audit.record(session, actor, "create", "cycle", cycle.id, after=values)
    record_transition(session, actor, CYCLE_STATES, cycle.id, None, CycleStatus.PLANNING, None)
    return cycle


async def update(session: AsyncSession, actor: Actor, cycle: Cycle, changes: dict[str, Any]) -> Cycle:
    if cycle.status == CycleStatus.CLOSED:
        raise Conflict(translate("detail.cycle_closed_reopen"), code=ProblemCode.CYCLE_CLOSED)
    if "policy" in changes:
        # Merge-patch inside the policy too; finalized evaluations keep the policy they were scored with (snapshot).
        merged = {**(cycle.policy or {}), **audit.jsonable(changes["policy"])}
        try:
            priced = {"bands", "reward_coefficients"} & changes["policy"].keys()
            context = PRICED if priced else STORED
            changes["policy"] = PolicyIn.model_validate(merged, context=context).model_dump(mode="json")
        except PydanticValidationError as exc:
            raise ValidationFailed(
                errors=[
                    {"loc": ["body", "policy", *e["loc"]], "msg": e["msg"], "type": e["type"]} for e in exc.errors()
                ]
            ) from exc
    start = changes.get("start_date", cycle.start_date)
    end = changes.get("end_date", cycle.end_date)
    if end < start:
        raise ValidationFailed.field("end_date", translate("detail.end_before_start"))
    diff = apply_changes(cycle, changes)
    await session.flush()
    await figures.cycle_changed(
        session, cycle.id, policy="policy" in diff, dates=bool({"start_date", "end_date"} & diff.keys())
    )
    audit.record_diff(session, actor, "update", "cycle", cycle.id, diff)
    return cycle


async def transition(session: AsyncSession, actor: Actor, cycle: Cycle, target: str, comment: str | None) -> Cycle:
    CYCLE_STATES.check(cycle.status, target)
    current = cycle.status
    if target == CycleStatus.REVIEW:
        await evaluation_workflow.open_reviews(session, actor, cycle)
    elif target == CycleStatus.CLOSED:
        await evaluation_workflow.finalize_for_close(session, actor, cycle)
    cycle.status = target
    await session.flush()
    record_transition(session, actor, CYCLE_STATES, cycle.id, current, target, comment)
    audit.record(session, actor, "transition", "cycle", cycle.id, before={"status": current}, after={"status": target})
    outbox.publish(
        session,
        actor.organization_id,
        EventType.CYCLE_TRANSITIONED,
        outbox.transition(current, target, comment, await present(session, cycle)),
    )
    return cycle
