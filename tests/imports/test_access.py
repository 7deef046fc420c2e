"""Who may import (admins), and that an import stays inside its organization."""

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Department, Employee
from tests.assertions import assert_problem, ok
from tests.factories import Tenant, make_department, make_employee
from tests.imports.sheets import DEPARTMENTS, EMPLOYEES, csv_bytes, send

NON_ADMINS = ["manager", "employee", "peer", "service", "system"]


@pytest.mark.parametrize("url", [DEPARTMENTS, EMPLOYEES])
@pytest.mark.parametrize("who", NON_ADMINS)
async def test_only_admins_import(
    client: AsyncClient, session: AsyncSession, tenant: Tenant, url: str, who: str
) -> None:
    good = csv_bytes([["code", "external_id", "name"], ["NEW", "NEW", "新"]])
    before = await session.scalar(select(Employee.name).where(Employee.id == tenant.employee.id))
    # Refused before the file is even read: a broken one gets the same answer.
    for content in (good, b"\xff\xfe not a sheet"):
        for dry_run in (True, False):
            response = await send(client, url, content, tenant.headers(who), dry_run=dry_run, media_type="text/csv")
            assert_problem(response, 403, "FORBIDDEN")
    assert await session.scalar(select(Employee.name).where(Employee.id == tenant.employee.id)) == before
    assert await session.scalar(select(Employee.id).where(Employee.external_id == "NEW")) is None
    assert await session.scalar(select(Department.id).where(Department.code == "NEW")) is None


async def test_without_credentials(client: AsyncClient) -> None:
    response = await client.post(EMPLOYEES, content=b"external_id\nx\n", headers={"Content-Type": "text/csv"})
    assert_problem(response, 401, "UNAUTHENTICATED")


async def test_an_import_sees_and_touches_its_own_organization_only(
    client: AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = await make_employee(session, other_tenant.org, name="别家员工", external_id="shared-id")
    their_department = await make_department(session, other_tenant.org, name="别家部门")
    await session.commit()

    # Another organization's department and people are as if they did not exist.
    content = csv_bytes(
        [
            ["工号", "姓名", "部门编码", "上级工号"],
            ["shared-id", "本家员工", their_department.code, ""],
            ["mine", "本家二", "", other_tenant.manager.external_id],
        ]
    )
    body = assert_problem(await send(client, EMPLOYEES, content, tenant.headers("admin")), 422, "IMPORT_INVALID")
    assert [(e["row"], e["code"]) for e in body["errors"]] == [(2, "unknown_department"), (3, "unknown_manager")]

    # The same external id in this organization is a new employee here; theirs stays as it was.
    content = csv_bytes([["工号", "姓名", "在职"], ["shared-id", "本家员工", "离职"]])
    assert ok(await send(client, EMPLOYEES, content, tenant.headers("admin")))["created"] == 1
    statement = select(Employee.organization_id, Employee.name, Employee.active).where(
        Employee.external_id == "shared-id"
    )
    rows = {org: (name, active) for org, name, active in await session.execute(statement)}
    assert rows == {tenant.org.id: ("本家员工", False), other_tenant.org.id: ("别家员工", True)}
    assert theirs.id not in {
        row[0] for row in await session.execute(select(Employee.id).where(Employee.organization_id == tenant.org.id))
    }

    # A department code both organizations use: each keeps its own.
    content = csv_bytes([["编码", "名称"], [their_department.code, "本家同码部门"]])
    assert ok(await send(client, DEPARTMENTS, content, tenant.headers("admin")))["created"] == 1
    names = dict(
        (
            await session.execute(
                select(Department.organization_id, Department.name).where(Department.code == their_department.code)
            )
        ).all()
    )
    assert names == {tenant.org.id: "本家同码部门", other_tenant.org.id: "别家部门"}
