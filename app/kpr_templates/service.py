"""The template library, localized, and applying a template: one KPR for each of many employees, set-based.

Applying is all-or-nothing and takes the same number of statements for 1 employee as for 1,000: the employees (with
whether each is in the caller's reporting chain), their plans of the cycle, one INSERT of the missing plans, one of
the KPRs and one of the audit events.
"""

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, false, insert, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.core import outbox
from app.core.access import Actor, reports_of
from app.core.enums import EventType, KprStatus, PlanStatus
from app.core.errors import Conflict, Forbidden, InvalidCursor, NotFound, ValidationFailed
from app.core.i18n import translate
from app.core.pagination import PageParams
from app.core.problems import ProblemCode
from app.core.repository import get_in_org
from app.cycles.rules import ensure_cycle_open
from app.figures import service as figures
from app.kpr_templates.library import KprTemplate as TemplateDef
from app.kpr_templates.library import get_template, list_templates
from app.kpr_templates.schemas import CreatedKpr, TemplateApplied, TemplateApply
from app.kprs.presenter import present_many as present_kprs
from app.models import Cycle, Employee, Goal, Kpr, Organization, Plan
from app.models.base import utcnow
from app.plans import service as plan_service
from app.scoring import engine

APPLY_ACTION = "apply KPR templates"
LOCKED_PLAN_STATES = (PlanStatus.SUBMITTED, PlanStatus.APPROVED)

# --- the library --------------------------------------------------------------------------------------------------


def list_page(function: str | None, page: PageParams) -> tuple[list[TemplateDef], str | None]:
    """One page of the library in its fixed order (function, slug); the cursor is the last (function, slug) seen."""
    templates = list_templates(function)
    if page.cursor is not None:
        after = page.codec.decode(page.cursor)
        if len(after) != 2 or not all(isinstance(value, str) for value in after):
            raise InvalidCursor()
        templates = [t for t in templates if (t.function, t.slug) > (after[0], after[1])]
    next_cursor = None
    if len(templates) > page.limit:
        templates = templates[: page.limit]
        next_cursor = page.codec.encode([templates[-1].function, templates[-1].slug])
    return templates, next_cursor


# --- applying a template ------------------------------------------------------------------------------------------


def _ids(ids: Sequence[uuid.UUID]) -> str:
    return ", ".join(str(i) for i in ids)


def _definition_errors(template: TemplateDef, data: TemplateApply) -> list[dict[str, Any]]:
    found = engine.definition_errors(
        template.direction, data.baseline, data.target, data.threshold, data.stretch, data.tolerance
    )
    return [
        {
            "loc": ["body", field_name],
            "msg": translate(
                "template.DIRECTION_MISMATCH" if code == "DIRECTION_MISMATCH" else f"definition.{code}",
                direction=template.direction,
            ),
            "type": code.lower(),
        }
        for field_name, code in found
    ]


def get(template_id: uuid.UUID) -> TemplateDef:
    template = get_template(template_id)
    if template is None:
        raise NotFound("template", template_id)
    return template


async def apply(session: AsyncSession, actor: Actor, template: TemplateDef, data: TemplateApply) -> TemplateApplied:
    """The caller may set KPRs for others (``TemplateApplier``); which employees is checked here."""
    org = actor.organization_id
    cycle = await get_in_org(session, Cycle, data.cycle_id, org, "cycle")
    goal = await get_in_org(session, Goal, data.goal_id, org, "goal")
    ensure_cycle_open(cycle)

    employee_ids = list(data.employee_ids)
    await _check_employees(session, actor, employee_ids)

    errors = _definition_errors(template, data)
    if goal.cycle_id is not None and goal.cycle_id != cycle.id:
        errors.append({"loc": ["body", "goal_id"], "msg": translate("template.goal_cycle"), "type": "goal_cycle"})
    if not cycle.start_date <= data.due_date <= cycle.end_date:
        message = translate("template.due_date", start=cycle.start_date, end=cycle.end_date)
        errors.append({"loc": ["body", "due_date"], "msg": message, "type": "due_date_outside_cycle"})
    if errors:
        raise ValidationFailed(errors=errors)

    plans = await _plans(session, actor, cycle.id, employee_ids)
    locale = await session.scalar(select(Organization.locale).where(Organization.id == org)) or "zh-CN"
    now = utcnow()
    values = {
        "organization_id": org,
        "cycle_id": cycle.id,
        "goal_id": goal.id,
        "title": template.title.get(locale),
        "description": template.description.get(locale),
        "unit": template.unit.get(locale),
        "direction": template.direction,
        "baseline": data.baseline,
        "target": data.target,
        "threshold": data.threshold,
        "stretch": data.stretch,
        "tolerance": data.tolerance,
        "weight": data.weight,
        "goal_weight": Decimal(1),
        "due_date": data.due_date,
        "status": KprStatus.ACTIVE,
        "template_id": template.id,
        "created_at": now,
        "updated_at": now,
    }
    created = [
        CreatedKpr(employee_id=employee_id, plan_id=plans[employee_id], kpr_id=uuid.uuid4())
        for employee_id in employee_ids
    ]
    kpr_rows = [{**values, "id": c.kpr_id, "plan_id": c.plan_id, "owner_id": c.employee_id} for c in created]
    await session.execute(insert(Kpr), kpr_rows)
    await figures.kprs_changed(session, [c.kpr_id for c in created], goals_reached=[goal.id])
    # One event per KPR, as the API shows it, in one INSERT.
    made = await session.scalars(select(Kpr).where(Kpr.id.in_([c.kpr_id for c in created])).order_by(Kpr.id))
    await outbox.publish_many(session, org, EventType.KPR_CREATED, await present_kprs(session, list(made)))

    unaudited = ("organization_id", "created_at", "updated_at")
    audited = {key: value for key, value in values.items() if key not in unaudited}
    events: list[tuple[str, str, uuid.UUID, dict[str, Any] | None, dict[str, Any] | None]] = [
        ("create", "kpr", c.kpr_id, None, {**audited, "plan_id": c.plan_id, "owner_id": c.employee_id}) for c in created
    ]
    summary = {"cycle_id": cycle.id, "goal_id": goal.id, "employee_ids": employee_ids, "kpr_count": len(created)}
    events.append(("apply", "kpr_template", template.id, None, summary))
    await audit.record_many(session, actor, events)
    return TemplateApplied(template_id=template.id, cycle_id=cycle.id, created=created)


async def _check_employees(session: AsyncSession, actor: Actor, employee_ids: list[uuid.UUID]) -> None:
    """404 for ids outside the organization, 403 outside the caller's reporting chain, 422 for inactive ones."""
    in_chain: ColumnElement[bool] = true()
    if not actor.is_admin:
        # Only reached with an employee record (checked by the caller); nobody sets their own targets by template.
        in_chain = Employee.id.in_(reports_of(actor.employee_id)) if actor.employee_id else false()
    rows = (
        await session.execute(
            select(Employee.id, Employee.active, in_chain.label("in_chain")).where(
                Employee.organization_id == actor.organization_id, Employee.id.in_(employee_ids)
            )
        )
    ).all()
    found = {row.id: row for row in rows}
    missing = [i for i in employee_ids if i not in found]
    if missing:
        raise NotFound(
            "employee",
            _ids(missing),
            detail=translate("detail.employees_not_found", ids=_ids(missing)),
            extra={"employee_ids": [str(i) for i in missing]},
        )
    outside = [i for i in employee_ids if not found[i].in_chain]
    if outside:
        raise Forbidden(
            translate("detail.outside_chain", ids=_ids(outside)),
            action=APPLY_ACTION,
            extra={"employee_ids": [str(i) for i in outside]},
        )
    inactive = [(index, i) for index, i in enumerate(employee_ids) if not found[i].active]
    if inactive:
        raise ValidationFailed(
            errors=[
                {
                    "loc": ["body", "employee_ids", index],
                    "msg": translate("template.employee_inactive", id=i),
                    "type": "employee_inactive",
                }
                for index, i in inactive
            ],
            extra={"employee_ids": [str(i) for _, i in inactive]},
        )


async def _plans(
    session: AsyncSession, actor: Actor, cycle_id: uuid.UUID, employee_ids: list[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    """The employees' plans of the cycle (employee → plan), the missing ones made as drafts (set-based).

    409 when any of them is already submitted or approved: its KPRs are then changed only through its workflow.
    """
    rows = (
        await session.execute(
            select(Plan.id, Plan.employee_id, Plan.status).where(
                Plan.cycle_id == cycle_id, Plan.employee_id.in_(employee_ids)
            )
        )
    ).all()
    locked = [row.employee_id for row in rows if row.status in LOCKED_PLAN_STATES]
    if locked:
        ordered = [i for i in employee_ids if i in set(locked)]
        raise Conflict(
            translate("detail.plans_locked", employees=_ids(ordered)),
            code=ProblemCode.PLAN_LOCKED,
            extra={"employee_ids": [str(i) for i in ordered]},
        )
    plans = {row.employee_id: row.id for row in rows}
    missing = [employee_id for employee_id in employee_ids if employee_id not in plans]
    plans.update(await plan_service.create_drafts(session, actor, cycle_id, missing))
    return plans
