"""Revisions: the audited, approved way to re-target a KPR once its plan is approved."""

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError as PydanticValidationError
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.core import outbox
from app.core.access import Actor, authorize_employee_data, can_manage_employee_data
from app.core.enums import EventType, PlanStatus, RevisionStatus
from app.core.errors import Conflict, Forbidden, ValidationFailed
from app.core.i18n import translate
from app.core.problems import ProblemCode
from app.core.repository import apply_changes, get_in_org
from app.core.schemas import STORED
from app.core.transitions import StateMachine, record_transition
from app.cycles.rules import ensure_cycle_open
from app.kprs import service as kprs
from app.kprs.presenter import present as present_kpr
from app.kprs.schemas import KprUpdate
from app.models import Cycle, Kpr, Plan, Revision
from app.revisions.presenter import present
from app.revisions.schemas import RevisionCreate

REVISION_STATES = StateMachine("revision", {RevisionStatus.PENDING: (RevisionStatus.APPROVED, RevisionStatus.REJECTED)})


def _validated_changes(raw: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(raw) - kprs.DEFINITION_FIELDS)
    if unknown:
        raise ValidationFailed(
            errors=[
                {
                    "loc": ["body", "changes", name],
                    "msg": translate("field.not_revisable"),
                    "type": "extra_forbidden",
                }
                for name in unknown
            ]
        )
    try:
        return KprUpdate.model_validate(raw, context=STORED).model_dump(exclude_unset=True)
    except PydanticValidationError as exc:
        raise ValidationFailed(
            errors=[{"loc": ["body", "changes", *e["loc"]], "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        ) from exc


async def _check_applicable(session: AsyncSession, actor: Actor, kpr: Kpr, changes: dict[str, Any]) -> None:
    merged = {f: changes.get(f, getattr(kpr, f)) for f in ("baseline", "target", "threshold", "stretch", "tolerance")}
    kprs.check_definition(changes.get("direction", kpr.direction), merged)
    if "goal_id" in changes:
        cycle = await session.get(Cycle, kpr.cycle_id)
        assert cycle is not None
        await kprs.goal_for(session, actor, changes["goal_id"], cycle)


async def create(session: AsyncSession, actor: Actor, kpr: Kpr, data: RevisionCreate) -> Revision:
    plan = await session.get(Plan, kpr.plan_id)
    assert plan is not None
    if plan.status != PlanStatus.APPROVED:
        raise Conflict(translate("detail.revision_not_needed"), code=ProblemCode.REVISION_NOT_NEEDED)
    cycle = await session.get(Cycle, kpr.cycle_id)
    assert cycle is not None
    ensure_cycle_open(cycle)
    changes = _validated_changes(data.changes)
    await _check_applicable(session, actor, kpr, changes)
    revision = Revision(
        organization_id=actor.organization_id,
        kpr_id=kpr.id,
        changes=audit.jsonable(changes),
        reason=data.reason,
        status=RevisionStatus.PENDING,
        requested_by=actor.subject,
    )
    session.add(revision)
    await session.flush()
    record_transition(session, actor, REVISION_STATES, revision.id, None, RevisionStatus.PENDING, data.reason)
    audit.record(session, actor, "create", "revision", revision.id, after={"kpr_id": kpr.id, "changes": changes})
    return revision


def list_statement(kpr_id: uuid.UUID) -> Select[Revision]:
    return select(Revision).where(Revision.kpr_id == kpr_id)


async def get(session: AsyncSession, actor: Actor, revision_id: uuid.UUID, *, lock: bool = False) -> Revision:
    """The revision, visible to whoever may read its KPR's owner's data (else 404); deciders lock it, so of racing
    decisions exactly one wins and the others see it decided (409)."""
    revision = await get_in_org(session, Revision, revision_id, actor.organization_id, "revision", lock=lock)
    kpr = await session.get(Kpr, revision.kpr_id)
    assert kpr is not None
    await authorize_employee_data(session, actor, kpr.owner_id, resource="revision", entity_id=revision.id)
    return revision


async def transition(
    session: AsyncSession, actor: Actor, revision: Revision, target: str, comment: str | None
) -> Revision:
    REVISION_STATES.check(revision.status, target)
    kpr = await session.get(Kpr, revision.kpr_id)  # loaded already, by the access check
    assert kpr is not None
    if actor.employee_id == kpr.owner_id or actor.subject == revision.requested_by:
        raise Forbidden(action="decide your own revision")
    if not await can_manage_employee_data(session, actor, kpr.owner_id):
        raise Forbidden(action="decide this revision (a manager in the owner's chain or an admin may)")
    if target == RevisionStatus.APPROVED:
        cycle = await session.get(Cycle, kpr.cycle_id)
        assert cycle is not None
        ensure_cycle_open(cycle)
        # Lock and re-read the KPR too: another revision of it may have been approved meanwhile.
        await session.refresh(kpr, with_for_update=True)
        changes = _validated_changes(revision.changes)
        # Re-checked at decision time: the KPR may have been revised since the request was made.
        await _check_applicable(session, actor, kpr, changes)
        before_goal = kpr.goal_id
        diff = apply_changes(kpr, changes)
        await kprs.refresh_after_change(session, kpr, diff, before_goal)
        audit.record_diff(session, actor, "revise", "kpr", kpr.id, diff)
        if diff:
            outbox.publish(session, actor.organization_id, EventType.KPR_UPDATED, await present_kpr(session, kpr))
    current = revision.status
    revision.status = target
    revision.decided_by = actor.subject
    revision.decided_at = datetime.now(UTC)
    await session.flush()
    record_transition(session, actor, REVISION_STATES, revision.id, current, target, comment)
    audit.record(
        session, actor, "transition", "revision", revision.id, before={"status": current}, after={"status": target}
    )
    outbox.publish(
        session,
        actor.organization_id,
        EventType.REVISION_TRANSITIONED,
        outbox.transition(current, target, comment, await present(session, revision)),
    )
    return revision
