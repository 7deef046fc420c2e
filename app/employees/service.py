"""Employees: the organization's directory; a manager chain never loops; never deleted. Who may write it (admins) is
the routes' to declare (app/employees/dependencies.py)."""

import uuid
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.core import outbox
from app.core.access import Actor, reports_of
from app.core.db import lock_tree
from app.core.enums import EventType
from app.core.errors import Conflict
from app.core.i18n import translate
from app.core.problems import ProblemCode
from app.core.repository import apply_changes, get_in_org
from app.employees.presenter import present
from app.employees.schemas import EmployeeCreate
from app.models import Department, Employee


def list_statement(
    actor: Actor,
    *,
    department_id: uuid.UUID | None,
    manager_id: uuid.UUID | None,
    q: str | None,
    active: bool | None,
) -> Select[Employee]:
    statement = select(Employee).where(Employee.organization_id == actor.organization_id)
    if department_id is not None:
        statement = statement.where(Employee.department_id == department_id)
    if manager_id is not None:
        statement = statement.where(Employee.manager_id == manager_id)
    if active is not None:
        statement = statement.where(Employee.active.is_(active))
    if q:
        pattern = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(
            or_(
                func.lower(Employee.name).like(pattern, escape="\\"),
                func.lower(Employee.email).like(pattern, escape="\\"),
                func.lower(Employee.external_id).like(pattern, escape="\\"),
            )
        )
    return statement


async def get(session: AsyncSession, actor: Actor, employee_id: uuid.UUID, *, lock: bool = False) -> Employee:
    return await get_in_org(session, Employee, employee_id, actor.organization_id, "employee", lock=lock)


async def _check_references(session: AsyncSession, actor: Actor, values: dict[str, Any]) -> None:
    if values.get("department_id") is not None:
        await get_in_org(session, Department, values["department_id"], actor.organization_id, "department")
    if values.get("manager_id") is not None:
        await get_in_org(session, Employee, values["manager_id"], actor.organization_id, "employee")
    if values.get("external_id") is not None:
        taken = await session.scalar(
            select(Employee.id).where(
                Employee.organization_id == actor.organization_id, Employee.external_id == values["external_id"]
            )
        )
        if taken is not None and taken != values.get("id"):
            raise Conflict(
                translate("detail.duplicate", field="external_id", value=values["external_id"]),
                code=ProblemCode.DUPLICATE,
            )


async def create(session: AsyncSession, actor: Actor, data: EmployeeCreate) -> Employee:
    values = data.model_dump()
    await _check_references(session, actor, values)
    employee = Employee(organization_id=actor.organization_id, active=True, **values)
    session.add(employee)
    await session.flush()
    audit.record(session, actor, "create", "employee", employee.id, after=values)
    outbox.publish(session, actor.organization_id, EventType.EMPLOYEE_CREATED, await present(session, employee))
    return employee


async def update(session: AsyncSession, actor: Actor, employee: Employee, changes: dict[str, Any]) -> Employee:
    await _check_references(session, actor, {**changes, "id": employee.id})
    new_manager = changes.get("manager_id")
    if new_manager is not None and new_manager != employee.manager_id:
        await lock_tree(session, actor.organization_id, "manager")
        below = set(await session.scalars(reports_of(employee.id)))
        if new_manager == employee.id or new_manager in below:
            raise Conflict(translate("detail.loop", tree=translate("tree.manager")), code=ProblemCode.WOULD_CREATE_LOOP)
    diff = apply_changes(employee, changes)
    await session.flush()
    audit.record_diff(session, actor, "update", "employee", employee.id, diff)
    if diff:
        data = await present(session, employee)
        outbox.publish(session, actor.organization_id, EventType.EMPLOYEE_UPDATED, data)
        if diff.get("active", (None, None))[1] is False:
            outbox.publish(session, actor.organization_id, EventType.EMPLOYEE_DEACTIVATED, data)
    return employee


async def deactivate(session: AsyncSession, actor: Actor, employee: Employee) -> None:
    """Deleting an employee only deactivates them: their plans, check-ins and evaluations stay."""
    if employee.active:
        employee.active = False
        await session.flush()
        audit.record(
            session, actor, "deactivate", "employee", employee.id, before={"active": True}, after={"active": False}
        )
        outbox.publish(session, actor.organization_id, EventType.EMPLOYEE_DEACTIVATED, await present(session, employee))
