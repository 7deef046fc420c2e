"""The org-chart access queries (DESIGN §6): manager chains and department subtrees at any depth."""

import uuid

import pytest
from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.access import (
    Actor,
    can_manage_employee_data,
    can_read_employee_data,
    heads_department_of,
    is_manager_of,
    managers_of,
    reports_of,
    sub_departments_of,
    visible_employees_filter,
)
from app.core.errors import Forbidden
from app.core.security import Principal
from app.models import Employee
from tests.factories import Tenant, make_department, make_employee


def actor_for(tenant: Tenant, employee_id: uuid.UUID | None, roles: frozenset[str] = frozenset()) -> Actor:
    principal = Principal(subject="s", organization_id=tenant.org.id, roles=roles)
    return Actor(principal=principal, organization_id=tenant.org.id, employee_id=employee_id)


async def test_reports_and_managers_at_any_depth(session: AsyncSession, tenant: Tenant) -> None:
    grandchild = await make_employee(session, tenant.org, manager=tenant.employee)
    assert set(await session.scalars(reports_of(tenant.manager.id))) == {
        tenant.employee.id,
        tenant.peer.id,
        grandchild.id,
    }
    assert set(await session.scalars(reports_of(grandchild.id))) == set()
    assert set(await session.scalars(managers_of(grandchild.id))) == {tenant.employee.id, tenant.manager.id}
    assert set(await session.scalars(managers_of(tenant.manager.id))) == set()


async def test_sub_departments_include_the_department_itself(session: AsyncSession, tenant: Tenant) -> None:
    child = await make_department(session, tenant.org, parent=tenant.department)
    grandchild = await make_department(session, tenant.org, parent=child)
    sibling = await make_department(session, tenant.org)
    subtree = set(await session.scalars(sub_departments_of(tenant.department.id)))
    assert subtree == {tenant.department.id, child.id, grandchild.id}
    assert sibling.id not in subtree


async def test_manager_relations(session: AsyncSession, tenant: Tenant) -> None:
    grandchild = await make_employee(session, tenant.org, manager=tenant.employee)
    manager = actor_for(tenant, tenant.manager.id)
    employee = actor_for(tenant, tenant.employee.id)
    peer = actor_for(tenant, tenant.peer.id)
    assert await is_manager_of(session, manager, grandchild.id)
    assert await is_manager_of(session, employee, grandchild.id)
    assert not await is_manager_of(session, peer, tenant.employee.id)
    assert not await is_manager_of(session, employee, tenant.employee.id)  # nobody manages themselves
    assert not await is_manager_of(session, employee, tenant.manager.id)

    assert await can_read_employee_data(session, employee, tenant.employee.id)
    assert await can_read_employee_data(session, manager, tenant.employee.id)
    assert not await can_read_employee_data(session, peer, tenant.employee.id)
    assert not await can_manage_employee_data(session, employee, tenant.employee.id)
    assert await can_manage_employee_data(session, manager, tenant.employee.id)


@pytest.mark.parametrize("role", ["admin", "service"])
async def test_admin_and_service_read_the_whole_org(session: AsyncSession, tenant: Tenant, role: str) -> None:
    actor = actor_for(tenant, None, frozenset({role}))
    assert await can_read_employee_data(session, actor, tenant.peer.id)
    assert visible_employees_filter(actor, Employee.id) is None
    assert await can_manage_employee_data(session, actor, tenant.peer.id) is (role == "admin")


async def test_visible_employees_filter(session: AsyncSession, tenant: Tenant) -> None:
    def visible(actor: Actor) -> ColumnElement[bool]:
        condition = visible_employees_filter(actor, Employee.id)
        assert condition is not None
        return condition

    query = select(Employee.id).where(Employee.organization_id == tenant.org.id)
    as_manager = set(await session.scalars(query.where(visible(actor_for(tenant, tenant.manager.id)))))
    assert as_manager == {tenant.manager.id, tenant.employee.id, tenant.peer.id}
    as_employee = set(await session.scalars(query.where(visible(actor_for(tenant, tenant.employee.id)))))
    assert as_employee == {tenant.employee.id}
    nobody = set(await session.scalars(query.where(visible(actor_for(tenant, None)))))
    assert nobody == set()


async def test_heads_department_of_covers_sub_departments(session: AsyncSession, tenant: Tenant) -> None:
    child = await make_department(session, tenant.org, parent=tenant.department)
    other = await make_department(session, tenant.org)
    head = actor_for(tenant, tenant.manager.id)  # the factory makes the manager head of the tenant's department
    assert await heads_department_of(session, head, tenant.department.id)
    assert await heads_department_of(session, head, child.id)
    assert not await heads_department_of(session, head, other.id)
    assert not await heads_department_of(session, actor_for(tenant, tenant.employee.id), child.id)
    assert not await heads_department_of(session, actor_for(tenant, None), child.id)


def test_require_admin(tenant: Tenant) -> None:
    actor_for(tenant, None, frozenset({"admin"})).require_admin()
    with pytest.raises(Forbidden):
        actor_for(tenant, None, frozenset({"service"})).require_admin()
