"""Importing departments: upsert by code, parents in the file or the organization, no loops, heads by external id."""

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import AuditEvent, Department, OutboxEvent
from tests.assertions import assert_problem, ok
from tests.factories import Tenant, make_department
from tests.imports.sheets import DEPARTMENTS, csv_bytes, send, xlsx_bytes


async def _departments(session: AsyncSession, tenant: Tenant) -> dict[str, Department]:
    statement = select(Department).where(Department.organization_id == tenant.org.id)
    rows = await session.scalars(statement.execution_options(populate_existing=True))
    return {row.code: row for row in rows}


async def test_a_tree_is_imported_with_chinese_headers(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    sales = tenant.department.code
    content = xlsx_bytes(
        [
            ["编码", "名称", "上级编码", "负责人工号"],
            ["EAST", "华东大区", "HQ", tenant.manager.external_id],  # its parent comes further down
            ["HQ", "总部", None, tenant.admin.external_id],
            ["SH", "上海分公司", "EAST", None],
            [sales, "销售中心", "HQ", tenant.manager.external_id],  # the existing department moves under HQ
        ]
    )
    dry = ok(await send(client, DEPARTMENTS, content, tenant.headers("admin"), dry_run=True))
    assert dry == {"dry_run": True, "created": 3, "updated": 1, "unchanged": 0, "errors": []}
    assert set(await _departments(session, tenant)) == {sales}

    assert ok(await send(client, DEPARTMENTS, content, tenant.headers("admin"))) == {**dry, "dry_run": False}
    tree = await _departments(session, tenant)
    assert (tree["HQ"].parent_id, tree["EAST"].parent_id, tree["SH"].parent_id, tree[sales].parent_id) == (
        None,
        tree["HQ"].id,
        tree["EAST"].id,
        tree["HQ"].id,
    )
    assert (tree["HQ"].head_id, tree["EAST"].head_id, tree["SH"].head_id) == (tenant.admin.id, tenant.manager.id, None)
    assert tree[sales].name == "销售中心"

    audited = (
        await session.scalars(
            select(AuditEvent).where(
                AuditEvent.organization_id == tenant.org.id, AuditEvent.entity_type == "department"
            )
        )
    ).all()
    assert sorted(a.action for a in audited) == ["create", "create", "create", "update"]
    [moved] = [a for a in audited if a.action == "update"]
    assert (moved.entity_id, moved.before, moved.after) == (
        tenant.department.id,
        {"name": "销售部", "parent_id": None},
        {"name": "销售中心", "parent_id": str(tree["HQ"].id)},
    )
    # Departments have no event types (DESIGN §13): the outbox stays empty.
    count = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.organization_id == tenant.org.id)
    assert await session.scalar(count) == 0

    again = ok(await send(client, DEPARTMENTS, content, tenant.headers("admin")))
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 4)


async def test_a_parent_loop_is_an_error_of_its_rows(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    content = csv_bytes(
        [
            ["code", "name", "parent_code"],
            ["ROOT", "根", None],
            ["A", "甲", "C"],
            ["B", "乙", "A"],
            ["C", "丙", "B"],
        ],
        "utf-8-sig",
    )
    body = assert_problem(await send(client, DEPARTMENTS, content, tenant.headers("admin")), 422, "IMPORT_INVALID")
    assert [(e["row"], e["field"], e["code"]) for e in body["errors"]] == [
        (3, "parent_code", "loop"),
        (4, "parent_code", "loop"),
        (5, "parent_code", "loop"),
    ]
    assert "A → C → B → A" in body["errors"][0]["message"]
    assert "department tree" in body["errors"][0]["message"]
    assert set(await _departments(session, tenant)) == {tenant.department.code}


async def test_a_loop_through_the_organizations_tree_is_found(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    child = await make_department(session, tenant.org, name="华东", parent=tenant.department)
    await session.commit()
    content = csv_bytes([["编码", "上级编码"], [tenant.department.code, child.code]])
    body = assert_problem(await send(client, DEPARTMENTS, content, tenant.headers("admin")), 422, "IMPORT_INVALID")
    assert [(e["row"], e["code"]) for e in body["errors"]] == [(2, "loop")]
    assert (await _departments(session, tenant))[tenant.department.code].parent_id is None


async def test_unknown_parents_and_heads_are_errors(client: AsyncClient, tenant: Tenant) -> None:
    content = csv_bytes(
        [
            ["code", "name", "parent_code", "head_external_id"],
            ["X1", "一", "NOWHERE", None],
            ["X2", "二", None, "nobody"],
            ["X1", "重复", None, None],
            ["X3", None, None, None],
        ]
    )
    body = assert_problem(await send(client, DEPARTMENTS, content, tenant.headers("admin")), 422, "IMPORT_INVALID")
    assert [(e["row"], e["field"], e["code"]) for e in body["errors"]] == [
        (2, "parent_code", "unknown_parent"),
        (3, "head_external_id", "unknown_employee"),
        (4, "code", "duplicate_key"),
        (5, "name", "required"),
    ]


async def test_blank_cells_clear_parent_and_head(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    child = await make_department(session, tenant.org, name="华东", parent=tenant.department)
    await session.commit()
    content = csv_bytes(
        [["code", "parent_code", "head_external_id"], [child.code, "", ""], [tenant.department.code, None, None]]
    )
    report = ok(await send(client, DEPARTMENTS, content, tenant.headers("admin")))
    assert (report["updated"], report["unchanged"]) == (2, 0)
    tree = await _departments(session, tenant)
    assert (tree[child.code].parent_id, tree[tenant.department.code].head_id) == (None, None)
    assert tree[child.code].name == "华东"  # no name column: kept
