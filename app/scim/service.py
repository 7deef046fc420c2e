"""SCIM provisioning through the employee and department services: every write is theirs (their rules, audit events
and outbox events ``employee.created`` / ``employee.updated`` / ``employee.deactivated``), this module only reads
SCIM resources into their terms.

Users: ``userName`` is ``external_id``; the name is ``name.formatted``, else ``displayName``, else the given and
family names; the e-mail is the primary one (else the first); ``title`` is the job title; the enterprise
``department`` is a department's code and ``manager.value`` an employee's id (or ``userName``). A reference that
names nothing of the organization is ``invalidValue``. DELETE deactivates (history stays): the user stays readable
with ``active: false``, so an identity provider that assigns them again finds them by ``userName`` and reactivates
them rather than failing to create a duplicate.

Groups: ``displayName`` is the department's name and ``externalId`` its code (the name, when it fits a code, if the
provider sends none). ``members`` is read-only (``mutability``): where an employee works is written on the user.
"""

import uuid
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from scim2_models import Context, PatchOp
from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.access import Actor
from app.core.i18n import translate
from app.departments import service as departments
from app.departments.schemas import DepartmentCreate, DepartmentUpdate
from app.employees import service as employees
from app.employees.schemas import EmployeeCreate, EmployeeUpdate
from app.models import Department, Employee
from app.scim.errors import ScimProblem
from app.scim.filters import Searchable, searchable, to_sql
from app.scim.schemas import (
    ENTERPRISE_SCHEMA,
    PATCH_SCHEMA,
    Group,
    ScimEnterpriseUser,
    ScimPatchRequest,
    ScimType,
    User,
)

USER_FILTERS = searchable(
    Searchable("userName", Employee.external_id),
    Searchable("displayName", Employee.name),
    Searchable("name.formatted", Employee.name),
    Searchable("emails", Employee.email),
    Searchable("emails.value", Employee.email),
    Searchable("active", Employee.active, boolean=True),
)
GROUP_FILTERS = searchable(
    Searchable("displayName", Department.name),
    Searchable("externalId", Department.code, case_exact=True),
)
# Where a SCIM attribute lands in the employee and department schemas, to name it in an error.
USER_ATTRIBUTES = {"external_id": "userName", "name": "name.formatted", "email": "emails", "job_title": "title"}
GROUP_ATTRIBUTES = {"name": "displayName", "code": "externalId"}
CODE_MAX = 64
_MANAGER_PATH = f"{ENTERPRISE_SCHEMA}:manager".casefold()

ModelT = TypeVar("ModelT", bound=BaseModel)


def _validated(model: type[ModelT], values: Mapping[str, Any], attributes: Mapping[str, str]) -> ModelT:
    """The values as the employee or department service takes them, or ``invalidValue`` naming the SCIM attribute."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else ""
        raise ScimProblem(400, ScimType.INVALID_VALUE, f"{attributes.get(field, field)}: {error['msg']}") from exc


def _where(resource: type[Any], expression: str | None, filters: Any) -> ColumnElement[bool]:
    return to_sql(resource, expression, filters) if expression else true()


# --- Users


async def list_users(
    session: AsyncSession, actor: Actor, expression: str | None, start_index: int, count: int
) -> tuple[int, list[tuple[Employee, str | None]]]:
    """The total that match, and one page of them (oldest first) with their department's code."""
    where = _where(User, expression, USER_FILTERS)
    in_org = Employee.organization_id == actor.organization_id
    total = await session.scalar(select(func.count()).select_from(Employee).where(in_org, where)) or 0
    if count == 0 or start_index > total:
        return total, []
    statement = (
        select(Employee, Department.code)
        .outerjoin(Department, Department.id == Employee.department_id)
        .where(in_org, where)
        .order_by(Employee.created_at, Employee.id)
    )
    rows = (await session.execute(statement.offset(start_index - 1).limit(count))).all()
    return total, [(employee, code) for employee, code in rows]


def _name(user: User) -> str | None:
    if user.name is not None and user.name.formatted and user.name.formatted.strip():
        return user.name.formatted
    if user.display_name and user.display_name.strip():
        return user.display_name
    return _given_and_family(user)


def _given_and_family(user: User) -> str | None:
    if user.name is None:
        return None
    joined = " ".join(part.strip() for part in (user.name.given_name, user.name.family_name) if part and part.strip())
    return joined or None


def _email(user: User) -> str | None:
    emails = [email for email in user.emails or [] if email.value]
    primary = next((email for email in emails if email.primary), emails[0] if emails else None)
    return primary.value if primary is not None else None


def _enterprise(user: User) -> ScimEnterpriseUser:
    extension: ScimEnterpriseUser | None = user[ScimEnterpriseUser]
    return extension or ScimEnterpriseUser()


def _manager_value(user: User) -> str | None:
    manager = _enterprise(user).manager
    return manager.value if manager is not None and manager.value else None


async def _department_id(session: AsyncSession, actor: Actor, code: str | None) -> uuid.UUID | None:
    if code is None:
        return None
    found = await session.scalar(
        select(Department.id).where(Department.organization_id == actor.organization_id, Department.code == code)
    )
    if found is None:
        raise ScimProblem(400, ScimType.INVALID_VALUE, translate("scim.unknown_department", code=code))
    return found


async def _manager_id(session: AsyncSession, actor: Actor, value: str | None) -> uuid.UUID | None:
    """The manager by their user id, or else by their ``userName`` (what a provider's own mapping often holds)."""
    if value is None:
        return None
    in_org = Employee.organization_id == actor.organization_id
    try:
        by_id = await session.scalar(select(Employee.id).where(in_org, Employee.id == uuid.UUID(value)))
    except ValueError:
        by_id = None
    found = by_id or await session.scalar(select(Employee.id).where(in_org, Employee.external_id == value))
    if found is None:
        raise ScimProblem(400, ScimType.INVALID_VALUE, translate("scim.unknown_manager", value=value))
    return found


async def create_user(session: AsyncSession, actor: Actor, user: User) -> Employee:
    extension = _enterprise(user)
    values = {
        "external_id": user.user_name,
        "name": _name(user) or user.user_name,
        "email": _email(user),
        "job_title": user.title,
        "department_id": await _department_id(session, actor, extension.department),
        "manager_id": await _manager_id(session, actor, _manager_value(user)),
    }
    employee = await employees.create(session, actor, _validated(EmployeeCreate, values, USER_ATTRIBUTES))
    if user.active is False:
        await employees.deactivate(session, actor, employee)
    return employee


async def _apply(session: AsyncSession, actor: Actor, employee: Employee, values: dict[str, Any]) -> Employee:
    update = _validated(EmployeeUpdate, values, USER_ATTRIBUTES)
    changes = {
        field: value
        for field, value in update.model_dump(exclude_unset=True).items()
        if getattr(employee, field) != value
    }
    if not changes:
        return employee
    return await employees.update(session, actor, employee, changes)


async def replace_user(session: AsyncSession, actor: Actor, employee: Employee, user: User) -> Employee:
    """PUT: the user as sent; what it leaves out is cleared (the name, which cannot be, and ``active`` stay)."""
    extension = _enterprise(user)
    values: dict[str, Any] = {
        "external_id": user.user_name,
        "email": _email(user),
        "job_title": user.title,
        "department_id": await _department_id(session, actor, extension.department),
        "manager_id": await _manager_id(session, actor, _manager_value(user)),
    }
    name = _name(user)
    if name is not None:
        values["name"] = name
    if user.active is not None:
        values["active"] = user.active
    return await _apply(session, actor, employee, values)


def _operations(request: ScimPatchRequest) -> list[dict[str, Any]]:
    operations = []
    for operation in request.operations:
        item = operation.model_dump(exclude_unset=True)
        # Entra ID writes the manager as the bare id: {"path": "…enterprise:2.0:User:manager", "value": "<id>"}.
        if (operation.path or "").casefold() == _MANAGER_PATH and isinstance(operation.value, str):
            item["value"] = {"value": operation.value}
        operations.append(item)
    return operations


def _patched(resource: ModelT, request: ScimPatchRequest) -> ModelT:
    """The resource after the operations (scim2-models' PatchOp, applied in order), the original left as it was."""
    patch = PatchOp[type(resource)].model_validate(  # type: ignore[misc]
        {"schemas": [PATCH_SCHEMA], "Operations": _operations(request)}, scim_ctx=Context.RESOURCE_PATCH_REQUEST
    )
    patched = resource.model_copy(deep=True)
    patch.patch(patched)
    return patched


async def patch_user(
    session: AsyncSession, actor: Actor, employee: Employee, before: User, request: ScimPatchRequest
) -> Employee:
    """PATCH: ``before`` is the user as the service shows it; what the operations changed is written."""
    after = _patched(before, request)
    values: dict[str, Any] = {}
    if after.user_name != before.user_name:
        values["external_id"] = after.user_name
    name = _patched_name(before, after)
    if name is not None:
        values["name"] = name
    if _email(after) != _email(before):
        values["email"] = _email(after)
    if after.title != before.title:
        values["job_title"] = after.title
    if after.active is not None and after.active != before.active:
        values["active"] = after.active
    if _enterprise(after).department != _enterprise(before).department:
        values["department_id"] = await _department_id(session, actor, _enterprise(after).department)
    if _manager_value(after) != _manager_value(before):
        values["manager_id"] = await _manager_id(session, actor, _manager_value(after))
    return await _apply(session, actor, employee, values)


def _patched_name(before: User, after: User) -> str | None:
    """The name a PATCH wrote: the first of ``name.formatted``, ``displayName`` and the given and family names (both:
    the service keeps neither, so one alone cannot make a name) that it changed; None when it changed none."""
    both = after.name is not None and after.name.given_name and after.name.family_name
    candidates = [
        (before.name.formatted if before.name else None, after.name.formatted if after.name else None),
        (before.display_name, after.display_name),
        (_given_and_family(before), _given_and_family(after) if both else None),
    ]
    for old, new in candidates:
        if new != old and new and new.strip():
            return new
    return None


async def deactivate_user(session: AsyncSession, actor: Actor, employee: Employee) -> None:
    await employees.deactivate(session, actor, employee)


# --- Groups


async def list_groups(
    session: AsyncSession, actor: Actor, expression: str | None, start_index: int, count: int
) -> tuple[int, list[Department]]:
    where = _where(Group, expression, GROUP_FILTERS)
    in_org = Department.organization_id == actor.organization_id
    total = await session.scalar(select(func.count()).select_from(Department).where(in_org, where)) or 0
    if count == 0 or start_index > total:
        return total, []
    statement = select(Department).where(in_org, where).order_by(Department.created_at, Department.id)
    return total, list(await session.scalars(statement.offset(start_index - 1).limit(count)))


async def members_of(
    session: AsyncSession, department_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[uuid.UUID, str]]]:
    """The active employees of each department, in one statement for a whole page."""
    members: dict[uuid.UUID, list[tuple[uuid.UUID, str]]] = {department_id: [] for department_id in department_ids}
    if not department_ids:
        return members
    rows = await session.execute(
        select(Employee.department_id, Employee.id, Employee.name)
        .where(Employee.department_id.in_(department_ids), Employee.active.is_(True))
        .order_by(Employee.created_at, Employee.id)
    )
    for department_id, employee_id, name in rows:
        assert department_id is not None
        members[department_id].append((employee_id, name))
    return members


def _code(group: Group) -> str | None:
    if group.external_id is not None:
        return group.external_id
    name = (group.display_name or "").strip()
    return name if len(name) <= CODE_MAX else None


async def create_group(session: AsyncSession, actor: Actor, group: Group) -> Department:
    code = _code(group)
    if code is None:
        raise ScimProblem(400, ScimType.INVALID_VALUE, translate("scim.code_required", limit=CODE_MAX))
    values = {"name": group.display_name, "code": code}
    return await departments.create(session, actor, _validated(DepartmentCreate, values, GROUP_ATTRIBUTES))


async def _apply_group(
    session: AsyncSession, actor: Actor, department: Department, values: dict[str, Any]
) -> Department:
    update = _validated(DepartmentUpdate, values, GROUP_ATTRIBUTES)
    changes = {
        field: value
        for field, value in update.model_dump(exclude_unset=True).items()
        if getattr(department, field) != value
    }
    if not changes:
        return department
    return await departments.update(session, actor, department, changes)


async def replace_group(session: AsyncSession, actor: Actor, department: Department, group: Group) -> Department:
    """PUT: the name as sent; the code as sent, or as it was when the provider sends none (a code cannot be empty)."""
    values: dict[str, Any] = {"name": group.display_name}
    if group.external_id is not None:
        values["code"] = group.external_id
    return await _apply_group(session, actor, department, values)


async def patch_group(
    session: AsyncSession, actor: Actor, department: Department, before: Group, request: ScimPatchRequest
) -> Department:
    after = _patched(before, request)
    values: dict[str, Any] = {}
    if after.display_name != before.display_name:
        values["name"] = after.display_name
    if after.external_id != before.external_id:
        if after.external_id is None:
            raise ScimProblem(400, ScimType.MUTABILITY, translate("scim.code_cannot_be_removed"))
        values["code"] = after.external_id
    return await _apply_group(session, actor, department, values)


async def delete_group(session: AsyncSession, actor: Actor, department: Department) -> None:
    """The department's own rule: only an empty one is deleted (409 while it has employees or sub-departments)."""
    await departments.delete(session, actor, department)
