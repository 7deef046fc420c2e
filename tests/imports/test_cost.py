"""An import is set-based: the same handful of statements for 3 rows as for 300."""

from collections.abc import Callable
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assertions import ok
from tests.factories import Tenant, make_department, make_employees
from tests.imports.sheets import DEPARTMENTS, EMPLOYEES, csv_bytes, send


def _lock(session: AsyncSession) -> int:
    """The advisory lock that serializes changes to a tree is taken on PostgreSQL only (app/core/db.py lock_tree)."""
    return int(session.get_bind().dialect.name == "postgresql")


async def _employee_file(session: AsyncSession, tenant: Tenant, n: int) -> bytes:
    """n new employees in a chain, n existing ones changed (the first deactivated), and n left as they are."""
    department = await make_department(session, tenant.org)
    existing = await make_employees(session, tenant.org, 2 * n)
    await session.commit()
    rows: list[list[Any]] = [["工号", "姓名", "部门编码", "上级工号", "职位", "在职"]]
    for i in range(n):
        rows.append([f"new-{n}-{i}", f"新员工{i}", department.code, f"new-{n}-{i - 1}" if i else "", "工程师", ""])
    for i, employee in enumerate(existing[:n]):
        rows.append(
            [employee.external_id, employee.name, department.code, f"new-{n}-0", "组长", "否" if i == 0 else ""]
        )
    for employee in existing[n:]:
        rows.append([employee.external_id, employee.name, "", "", "", "是"])
    return csv_bytes(rows)


@pytest.mark.parametrize("dry_run", [True, False])
async def test_an_employee_import_takes_the_same_statements_for_3_or_300_rows(
    client: AsyncClient,
    session: AsyncSession,
    tenant: Tenant,
    count_statements: Callable[[], Any],
    dry_run: bool,
) -> None:
    counts = []
    for n in (3, 300):
        content = await _employee_file(session, tenant, n)
        with count_statements() as counter:
            report = ok(await send(client, EMPLOYEES, content, tenant.headers("admin"), dry_run=dry_run))
        assert (report["created"], report["updated"], report["unchanged"]) == (n, n, n)
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    # The caller, the departments, the employees (and on PostgreSQL the manager chain's lock); then one INSERT, one
    # UPDATE, the audit events, and the events of each of the three types.
    assert counts[0] == (3 if dry_run else 9 + _lock(session)), counts


async def test_a_department_import_takes_the_same_statements_for_3_or_300_rows(
    client: AsyncClient, session: AsyncSession, tenant: Tenant, count_statements: Callable[[], Any]
) -> None:
    counts = []
    for n in (3, 300):
        rows: list[list[Any]] = [["code", "name", "parent_code", "head_external_id"]]
        rows += [[f"d{n}-{i}", f"部门{i}", f"d{n}-{i - 1}" if i else "", tenant.manager.external_id] for i in range(n)]
        rows.append([tenant.department.code, f"销售部{n}", "", ""])
        with count_statements() as counter:
            report = ok(await send(client, DEPARTMENTS, csv_bytes(rows), tenant.headers("admin")))
        assert (report["created"], report["updated"]) == (n, 1)
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    # The caller, (the lock,) the departments, the employees, one INSERT, one UPDATE, the audit events.
    assert counts[0] == 6 + _lock(session), counts
