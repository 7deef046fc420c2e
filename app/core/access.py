"""The access rules of DESIGN §6, derived from the org chart (manager chains, department heads).

Each function answers one question with one query, so routes and services reuse them instead of re-checking by hand.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import Forbidden, NotFound
from app.core.security import Principal
from app.models import Department, Employee


@dataclass(frozen=True)
class Actor:
    """An authenticated caller inside one organization, matched to their employee record when they have one."""

    principal: Principal
    organization_id: uuid.UUID
    employee_id: uuid.UUID | None

    @property
    def subject(self) -> str:
        return self.principal.subject

    @property
    def is_admin(self) -> bool:
        return self.principal.is_admin

    @property
    def is_service(self) -> bool:
        return self.principal.is_service

    @property
    def reads_whole_org(self) -> bool:
        return self.principal.reads_whole_org

    def require_admin(self, action: str = "do this") -> None:
        if not self.is_admin:
            raise Forbidden(action=action)


def reports_of(manager_id: uuid.UUID) -> Select[uuid.UUID]:
    """Every employee below ``manager_id`` in the management chain, at any depth."""
    reports = select(Employee.id).where(Employee.manager_id == manager_id).cte("reports", recursive=True)
    reports = reports.union(select(Employee.id).join(reports, Employee.manager_id == reports.c.id))
    return select(reports.c.id)


def managers_of(employee_id: uuid.UUID) -> Select[uuid.UUID]:
    """Every manager above ``employee_id``, at any depth (the employee excluded)."""
    chain = select(Employee.manager_id.label("id")).where(Employee.id == employee_id).cte("chain", recursive=True)
    chain = chain.union(select(Employee.manager_id).join(chain, Employee.id == chain.c.id))
    return select(chain.c.id).where(chain.c.id.is_not(None))


def sub_departments_of(department_id: uuid.UUID) -> Select[uuid.UUID]:
    """The department and all departments below it."""
    tree = select(Department.id).where(Department.id == department_id).cte("subtree", recursive=True)
    tree = tree.union(select(Department.id).join(tree, Department.parent_id == tree.c.id))
    return select(tree.c.id)


def visible_employees_filter(
    actor: Actor, column: InstrumentedAttribute[uuid.UUID] | ColumnElement[uuid.UUID]
) -> ColumnElement[bool] | None:
    """A WHERE clause limiting ``column`` (an employee id) to what the actor may read; None when they read all."""
    if actor.reads_whole_org:
        return None
    if actor.employee_id is None:
        return column.is_(None) & column.is_not(None)  # matches nothing
    return (column == actor.employee_id) | column.in_(reports_of(actor.employee_id))


async def is_manager_of(session: AsyncSession, actor: Actor, employee_id: uuid.UUID) -> bool:
    if actor.employee_id is None or actor.employee_id == employee_id:
        return False
    managers = managers_of(employee_id).subquery()
    found = await session.scalar(select(managers.c.id).where(managers.c.id == actor.employee_id).limit(1))
    return found is not None


async def can_read_employee_data(session: AsyncSession, actor: Actor, employee_id: uuid.UUID) -> bool:
    """Self, a manager in the chain, admin or service."""
    if actor.reads_whole_org or actor.employee_id == employee_id:
        return True
    return await is_manager_of(session, actor, employee_id)


async def can_manage_employee_data(session: AsyncSession, actor: Actor, employee_id: uuid.UUID) -> bool:
    """Approve, review and re-target: a manager in the chain or an admin, never oneself (unless admin)."""
    if actor.is_admin:
        return True
    return await is_manager_of(session, actor, employee_id)


async def heads_department_of(session: AsyncSession, actor: Actor, department_id: uuid.UUID) -> bool:
    """True when the actor heads ``department_id`` or one of the departments above it."""
    if actor.employee_id is None:
        return False
    above = select(Department.id, Department.parent_id, Department.head_id).where(Department.id == department_id)
    chain = above.cte("dept_chain", recursive=True)
    chain = chain.union(
        select(Department.id, Department.parent_id, Department.head_id).join(chain, Department.id == chain.c.parent_id)
    )
    found = await session.scalar(select(chain.c.id).where(chain.c.head_id == actor.employee_id).limit(1))
    return found is not None


async def authorize_employee_data(
    session: AsyncSession,
    actor: Actor,
    owner_id: uuid.UUID,
    *,
    resource: str,
    entity_id: uuid.UUID,
    write: bool = False,
    service_may_write: bool = False,
) -> None:
    """The §6 rule for an employee's own data (plans, KPRs, KPIs, check-ins).

    Readers: the owner, a manager in their chain, admin, service; everyone else gets 404 as if it did not exist.
    Writers: the owner, a manager in their chain, admin (and service where ``service_may_write``); else 403.
    """
    if actor.is_admin or actor.employee_id == owner_id:
        return
    manager = await is_manager_of(session, actor, owner_id)
    if not (manager or actor.is_service):
        raise NotFound(resource, entity_id)
    if write and not (manager or (actor.is_service and service_may_write)):
        raise Forbidden(action="change this")


def reads_employee_data(
    reader: InstrumentedAttribute[uuid.UUID] | ColumnElement[uuid.UUID], owner_id: uuid.UUID
) -> ColumnElement[bool]:
    """A WHERE clause holding when ``reader`` (an employee id) reads ``owner_id``'s data by the rule of
    ``can_read_employee_data``, for many readers at once: the owner and every manager above them. Admins and services
    read it too, by their role, which the org chart does not know."""
    return (reader == owner_id) | reader.in_(managers_of(owner_id))
