"""Employees as SCIM users and departments as SCIM groups: the one way each row becomes its resource.

``meta.version`` is the resource's strong ETag on the JSON API (``GET /api/v1/employees/{id}``): one version per
row whichever API reads it, so an ``If-Match`` taken from either is good for both.
"""

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.responses import etag_for
from app.departments.presenter import present as present_department
from app.employees.presenter import present as present_employee
from app.models import Department, Employee
from app.scim.schemas import (
    Group,
    ScimEmail,
    ScimEnterpriseUser,
    ScimManager,
    ScimMember,
    ScimMeta,
    ScimName,
    User,
)

USER = "User"
GROUP = "Group"


def _meta(resource_type: str, location: str, row: Employee | Department, version: str) -> ScimMeta:
    return ScimMeta(
        resource_type=resource_type,
        created=row.created_at,
        last_modified=row.updated_at,
        location=location,
        version=version,
    )


async def present_user(session: AsyncSession, employee: Employee, base: str) -> User:
    code = None
    if employee.department_id is not None:
        code = await session.scalar(select(Department.code).where(Department.id == employee.department_id))
    return await _user(session, employee, code, base)


async def _user(session: AsyncSession, employee: Employee, department_code: str | None, base: str) -> User:
    version = etag_for((await present_employee(session, employee)).model_dump_json().encode())
    enterprise = None
    if department_code is not None or employee.manager_id is not None:
        manager = ScimManager(value=str(employee.manager_id)) if employee.manager_id is not None else None
        enterprise = ScimEnterpriseUser(department=department_code, manager=manager)
    emails = [ScimEmail(value=employee.email, type="work", primary=True)] if employee.email else None
    user = User(
        id=str(employee.id),
        user_name=employee.external_id,
        name=ScimName(formatted=employee.name),
        display_name=employee.name,
        title=employee.job_title,
        active=employee.active,
        emails=emails,
        meta=_meta(USER, f"{base}/Users/{employee.id}", employee, version),
    )
    user[ScimEnterpriseUser] = enterprise
    return user


async def present_users(session: AsyncSession, rows: Sequence[tuple[Employee, str | None]], base: str) -> list[User]:
    return [await _user(session, employee, code, base) for employee, code in rows]


async def present_group(
    session: AsyncSession, department: Department, members: Sequence[tuple[uuid.UUID, str]] | None, base: str
) -> Group:
    version = etag_for((await present_department(session, department)).model_dump_json().encode())
    return Group(
        id=str(department.id),
        external_id=department.code,
        display_name=department.name,
        members=None
        if members is None
        else [ScimMember(value=str(member_id), display=name, type=USER) for member_id, name in members],
        meta=_meta(GROUP, f"{base}/Groups/{department.id}", department, version),
    )


async def present_groups(
    session: AsyncSession,
    departments: Sequence[Department],
    members: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] | None,
    base: str,
) -> list[Group]:
    return [
        await present_group(session, department, None if members is None else members.get(department.id, []), base)
        for department in departments
    ]
