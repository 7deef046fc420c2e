"""The department tree: unique codes per organization, no loops. Who may write it (admins) is the routes' to declare
(app/departments/dependencies.py)."""

import uuid
from typing import Any

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.core.access import Actor, sub_departments_of
from app.core.db import lock_tree
from app.core.errors import Conflict
from app.core.i18n import translate
from app.core.problems import ProblemCode
from app.core.repository import apply_changes, get_in_org
from app.departments.schemas import DepartmentCreate
from app.models import Department, Employee


def list_statement(actor: Actor, parent_id: uuid.UUID | None) -> Select[Department]:
    statement = select(Department).where(Department.organization_id == actor.organization_id)
    if parent_id is not None:
        statement = statement.where(Department.parent_id == parent_id)
    return statement


async def get(session: AsyncSession, actor: Actor, department_id: uuid.UUID, *, lock: bool = False) -> Department:
    return await get_in_org(session, Department, department_id, actor.organization_id, "department", lock=lock)


async def _check_references(session: AsyncSession, actor: Actor, values: dict[str, Any]) -> None:
    if values.get("parent_id") is not None:
        await get_in_org(session, Department, values["parent_id"], actor.organization_id, "department")
    if values.get("head_id") is not None:
        await get_in_org(session, Employee, values["head_id"], actor.organization_id, "employee")
    if values.get("code") is not None:
        taken = await session.scalar(
            select(Department.id).where(
                Department.organization_id == actor.organization_id, Department.code == values["code"]
            )
        )
        if taken is not None and taken != values.get("id"):
            raise Conflict(
                translate("detail.duplicate", field="code", value=values["code"]), code=ProblemCode.DUPLICATE
            )


async def create(session: AsyncSession, actor: Actor, data: DepartmentCreate) -> Department:
    values = data.model_dump()
    await _check_references(session, actor, values)
    department = Department(organization_id=actor.organization_id, **values)
    session.add(department)
    await session.flush()
    audit.record(session, actor, "create", "department", department.id, after=values)
    return department


async def update(session: AsyncSession, actor: Actor, department: Department, changes: dict[str, Any]) -> Department:
    await _check_references(session, actor, {**changes, "id": department.id})
    new_parent = changes.get("parent_id")
    if new_parent is not None and new_parent != department.parent_id:
        await lock_tree(session, actor.organization_id, "department")
        subtree = await session.scalars(sub_departments_of(department.id))
        if new_parent in set(subtree):
            raise Conflict(
                translate("detail.loop", tree=translate("tree.department")), code=ProblemCode.WOULD_CREATE_LOOP
            )
    diff = apply_changes(department, changes)
    await session.flush()
    audit.record_diff(session, actor, "update", "department", department.id, diff)
    return department


async def delete(session: AsyncSession, actor: Actor, department: Department) -> None:
    in_use = await session.scalar(
        select(
            or_(
                exists().where(Department.parent_id == department.id),
                exists().where(Employee.department_id == department.id),
            )
        )
    )
    if in_use:
        raise Conflict(translate("detail.department_not_empty"), code=ProblemCode.DEPARTMENT_NOT_EMPTY)
    audit.record(session, actor, "delete", "department", department.id, before={"name": department.name})
    await session.delete(department)
    await session.flush()
