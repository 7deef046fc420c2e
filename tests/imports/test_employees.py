"""Importing employees: upsert by external_id, all or nothing, dry runs, loops, deactivation, events and audit."""

from typing import Any

from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import AuditEvent, Employee, OutboxEvent
from tests.assertions import assert_problem, ok
from tests.factories import Tenant, make_department
from tests.imports.sheets import EMPLOYEES, csv_bytes, send, xlsx_bytes

HEADER = ["工号", "姓名", "邮箱", "部门编码", "上级工号", "职位", "在职"]


async def _employees(session: AsyncSession, tenant: Tenant) -> dict[str, Employee]:
    # Fresh from the database: the import wrote past this session's identity map.
    statement = select(Employee).where(Employee.organization_id == tenant.org.id)
    rows = await session.scalars(statement.execution_options(populate_existing=True))
    return {row.external_id: row for row in rows}


async def _count(session: AsyncSession, model: Any, tenant: Tenant) -> int:
    return (
        await session.scalar(select(func.count()).select_from(model).where(model.organization_id == tenant.org.id)) or 0
    )


async def _events(session: AsyncSession, tenant: Tenant, event_type: str) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(OutboxEvent).where(OutboxEvent.organization_id == tenant.org.id, OutboxEvent.type == event_type)
    )
    return [row.data for row in rows]


def _team(tenant: Tenant) -> list[list[Any]]:
    code = tenant.department.code
    return [
        HEADER,
        ["E100", "王芳", "wang.fang@example.com", code, "", "销售总监", "是"],
        ["E101", "李娜", "li.na@example.com", code, "E100", "销售经理", ""],
        ["E102", "张伟", "", code, "E101", "销售代表", "在职"],
        # An existing employee now reports to a new one.
        [tenant.peer.external_id, "同事", tenant.peer.email, code, "E101", "", "1"],
    ]


async def test_dry_run_reports_what_the_real_run_then_does(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    content = xlsx_bytes(_team(tenant))
    before = (await _count(session, Employee, tenant), await _count(session, AuditEvent, tenant))

    dry = ok(await send(client, EMPLOYEES, content, tenant.headers("admin"), dry_run=True))
    assert dry == {"dry_run": True, "created": 3, "updated": 1, "unchanged": 0, "errors": []}
    assert (await _count(session, Employee, tenant), await _count(session, AuditEvent, tenant)) == before
    assert await _count(session, OutboxEvent, tenant) == 0

    real = ok(await send(client, EMPLOYEES, content, tenant.headers("admin")))
    assert real == {**dry, "dry_run": False}
    people = await _employees(session, tenant)
    assert len(people) == before[0] + 3
    fang, na, wei, peer = people["E100"], people["E101"], people["E102"], people[tenant.peer.external_id]
    assert (fang.manager_id, na.manager_id, wei.manager_id, peer.manager_id) == (None, fang.id, na.id, na.id)
    assert (wei.name, wei.email, wei.job_title, wei.active) == ("张伟", None, "销售代表", True)
    assert {fang.department_id, na.department_id, wei.department_id} == {tenant.department.id}

    # The same file again changes nothing.
    again = ok(await send(client, EMPLOYEES, content, tenant.headers("admin")))
    assert again == {"dry_run": False, "created": 0, "updated": 0, "unchanged": 4, "errors": []}


async def test_updates_only_what_differs_and_leaves_the_rest(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    employee, manager = tenant.employee, tenant.manager
    content = csv_bytes(
        [
            ["external_id", "name", "job_title"],
            [employee.external_id, employee.name, "高级销售"],  # job title changes
            [manager.external_id, manager.name, None],  # blank clears a job title already empty: unchanged
        ]
    )
    report = ok(await send(client, EMPLOYEES, content, tenant.headers("admin")))
    assert report == {"dry_run": False, "created": 0, "updated": 1, "unchanged": 1, "errors": []}
    people = await _employees(session, tenant)
    # Columns the file does not have stay as they were: email, department, manager, active.
    changed = people[employee.external_id]
    assert (changed.job_title, changed.email, changed.manager_id, changed.department_id, changed.active) == (
        "高级销售",
        employee.email,
        manager.id,
        tenant.department.id,
        True,
    )
    assert people[tenant.peer.external_id].job_title is None  # not in the file: untouched
    audit = (
        await session.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "employee", AuditEvent.entity_id == employee.id)
        )
    ).all()
    assert [(a.action, a.before, a.after) for a in audit] == [
        ("update", {"job_title": None}, {"job_title": "高级销售"})
    ]
    [summary] = (await session.scalars(select(AuditEvent).where(AuditEvent.action == "import_employees"))).all()
    assert (summary.entity_id, summary.actor) == (tenant.org.id, tenant.admin.external_id)
    assert summary.after == {"created": 0, "updated": 1, "unchanged": 1}


async def test_deactivation_through_active(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    content = csv_bytes(
        [
            ["工号", "在职"],
            [tenant.employee.external_id, "离职"],
            [tenant.peer.external_id, "否"],
            [tenant.manager.external_id, ""],  # blank: as it was
        ]
    )
    report = ok(await send(client, EMPLOYEES, content, tenant.headers("admin")))
    assert (report["updated"], report["unchanged"]) == (2, 1)
    people = await _employees(session, tenant)
    assert [people[e.external_id].active for e in (tenant.employee, tenant.peer, tenant.manager)] == [
        False,
        False,
        True,
    ]
    deactivated = await _events(session, tenant, "employee.deactivated")
    assert sorted(e["external_id"] for e in deactivated) == sorted(
        [tenant.employee.external_id, tenant.peer.external_id]
    )
    assert all(e["active"] is False for e in deactivated)
    assert len(await _events(session, tenant, "employee.updated")) == 2

    # And back: "true" reactivates, which is an update but not a deactivation.
    content = csv_bytes([["external_id", "active"], [tenant.employee.external_id, "TRUE"]])
    assert ok(await send(client, EMPLOYEES, content, tenant.headers("admin")))["updated"] == 1
    assert (await _employees(session, tenant))[tenant.employee.external_id].active is True
    assert len(await _events(session, tenant, "employee.deactivated")) == 2


async def test_events_carry_the_employee_as_the_api_shows_it(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    ok(await send(client, EMPLOYEES, xlsx_bytes(_team(tenant)), tenant.headers("admin")))
    created = await _events(session, tenant, "employee.created")
    updated = await _events(session, tenant, "employee.updated")
    assert sorted(e["external_id"] for e in created) == ["E100", "E101", "E102"]
    assert [e["external_id"] for e in updated] == [tenant.peer.external_id]
    for event in [*created, *updated]:
        shown = ok(await client.get(f"/api/v1/employees/{event['id']}", headers=tenant.headers("admin")))
        assert event == shown
    audited = (
        await session.scalars(
            select(AuditEvent).where(AuditEvent.organization_id == tenant.org.id, AuditEvent.entity_type == "employee")
        )
    ).all()
    assert sorted(a.action for a in audited) == ["create", "create", "create", "update"]
    [peer_update] = [a for a in audited if a.action == "update"]
    assert peer_update.before == {"manager_id": str(tenant.manager.id)}
    assert peer_update.after == {"manager_id": created[[e["external_id"] for e in created].index("E101")]["id"]}


async def test_one_bad_row_writes_nothing(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    rows = _team(tenant)
    rows.append(["E103", "赵敏", "not-an-email", tenant.department.code, "E100", "", "maybe"])
    before = await _employees(session, tenant)
    response = await send(client, EMPLOYEES, csv_bytes(rows, "utf-8-sig"), tenant.headers("admin"))
    body = assert_problem(response, 422, "IMPORT_INVALID")
    assert [(e["row"], e["field"], e["code"]) for e in body["errors"]] == [
        (6, "active", "invalid_boolean"),
        (6, "email", "invalid_email"),
    ]
    assert body["error_count"] == 2
    assert all(e["message"] for e in body["errors"])
    after = await _employees(session, tenant)
    assert after.keys() == before.keys()
    assert after[tenant.peer.external_id].manager_id == tenant.manager.id
    assert await _count(session, AuditEvent, tenant) == 0
    assert await _count(session, OutboxEvent, tenant) == 0

    # A dry run answers the same errors.
    dry = await send(client, EMPLOYEES, csv_bytes(rows, "utf-8-sig"), tenant.headers("admin"), dry_run=True)
    assert assert_problem(dry, 422, "IMPORT_INVALID")["errors"] == body["errors"]


async def test_errors_speak_chinese(client: AsyncClient, tenant: Tenant) -> None:
    content = csv_bytes([HEADER, ["E1", "", "", "", "", "", ""]])
    headers = {**tenant.headers("admin"), "Accept-Language": "zh-CN"}
    body = assert_problem(await send(client, EMPLOYEES, content, headers), 422, "IMPORT_INVALID")
    assert body["title"] == "导入文件有误"
    assert body["errors"] == [{"row": 2, "field": "name", "code": "required", "message": "姓名不能为空。"}]


async def test_a_manager_loop_is_an_error_of_its_rows(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    content = csv_bytes(
        [
            ["external_id", "name", "manager_external_id"],
            ["A1", "甲", ""],
            ["L1", "环一", "L3"],
            ["L2", "环二", "L1"],
            ["B1", "乙", "L2"],  # under the loop, not in it
            ["L3", "环三", "L2"],
            ["S1", "自己", "S1"],
        ]
    )
    body = assert_problem(await send(client, EMPLOYEES, content, tenant.headers("admin")), 422, "IMPORT_INVALID")
    loops = [(e["row"], e["field"], e["code"]) for e in body["errors"]]
    assert loops == [
        (3, "manager_external_id", "loop"),
        (4, "manager_external_id", "loop"),
        (6, "manager_external_id", "loop"),
        (7, "manager_external_id", "loop"),
    ]
    assert "L1 → L3 → L2 → L1" in body["errors"][0]["message"]
    assert "S1 → S1" in body["errors"][3]["message"]
    assert "A1" not in await _employees(session, tenant)


async def test_a_long_loop_is_named_shortly(client: AsyncClient, tenant: Tenant) -> None:
    keys = [f"{'k' * 250}{i:03d}" for i in range(20)]
    rows = [["external_id", "name", "manager_external_id"]]
    rows += [[key, f"环{i}", keys[(i + 1) % len(keys)]] for i, key in enumerate(keys)]
    body = assert_problem(
        await send(client, EMPLOYEES, csv_bytes(rows), tenant.headers("admin")), 422, "IMPORT_INVALID"
    )
    assert [e["row"] for e in body["errors"]] == list(range(2, 22))
    message = body["errors"][0]["message"]
    assert len(message) < 1000
    assert message.count(" → ") == 9  # eight of the loop, "…", and back to the row itself


async def test_a_loop_through_existing_employees_is_found(client: AsyncClient, tenant: Tenant) -> None:
    # The manager is above the employee already; making the manager report to the employee closes a loop, though the
    # file names only one of them.
    content = csv_bytes([["工号", "上级工号"], [tenant.manager.external_id, tenant.employee.external_id]])
    body = assert_problem(await send(client, EMPLOYEES, content, tenant.headers("admin")), 422, "IMPORT_INVALID")
    assert [(e["row"], e["code"]) for e in body["errors"]] == [(2, "loop")]


async def test_references_may_point_into_the_file_or_the_organization(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    other_department = await make_department(session, tenant.org, name="研发部")
    await session.commit()
    content = csv_bytes(
        [
            ["external_id", "name", "department_code", "manager_external_id"],
            ["N2", "新二", other_department.code, "N1"],  # a manager further down the file
            ["N1", "新一", other_department.code, tenant.manager.external_id],  # a manager already there
            ["N3", "新三", "NOPE", "GHOST"],
        ]
    )
    body = assert_problem(await send(client, EMPLOYEES, content, tenant.headers("admin")), 422, "IMPORT_INVALID")
    assert [(e["row"], e["field"], e["code"]) for e in body["errors"]] == [
        (4, "department_code", "unknown_department"),
        (4, "manager_external_id", "unknown_manager"),
    ]
    fixed = csv_bytes(
        [
            ["external_id", "name", "department_code", "manager_external_id"],
            ["N2", "新二", other_department.code, "N1"],
            ["N1", "新一", other_department.code, tenant.manager.external_id],
        ]
    )
    assert ok(await send(client, EMPLOYEES, fixed, tenant.headers("admin")))["created"] == 2
    people = await _employees(session, tenant)
    assert people["N2"].manager_id == people["N1"].id
    assert people["N1"].manager_id == tenant.manager.id
    assert people["N1"].department_id == other_department.id


async def test_a_key_twice_in_the_file_is_an_error(client: AsyncClient, tenant: Tenant) -> None:
    content = csv_bytes([["工号", "姓名"], ["D1", "一"], ["D2", "二"], ["D1", "又一"], ["", "无工号"]])
    body = assert_problem(await send(client, EMPLOYEES, content, tenant.headers("admin")), 422, "IMPORT_INVALID")
    assert [(e["row"], e["field"], e["code"]) for e in body["errors"]] == [
        (4, "external_id", "duplicate_key"),
        (5, "external_id", "required"),
    ]
    assert "row 2" in body["errors"][0]["message"]


async def test_values_are_checked(client: AsyncClient, tenant: Tenant) -> None:
    content = csv_bytes(
        [
            ["external_id", "name", "job_title", "email"],
            ["V1", "名" * 201, "t", "v1@example.com"],
            ["V2", "ok", "t" * 201, "two@@example.com"],
            ["V3", "nul\x00", "", ""],
        ]
    )
    body = assert_problem(await send(client, EMPLOYEES, content, tenant.headers("admin")), 422, "IMPORT_INVALID")
    assert [(e["row"], e["field"], e["code"]) for e in body["errors"]] == [
        (2, "name", "too_long"),
        (3, "email", "invalid_email"),
        (3, "job_title", "too_long"),
        (4, "name", "invalid_text"),
    ]


async def test_a_new_employee_needs_a_name_an_existing_one_keeps_it(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    content = csv_bytes([["external_id", "job_title"], [tenant.employee.external_id, "顾问"], ["NEW", "顾问"]])
    body = assert_problem(await send(client, EMPLOYEES, content, tenant.headers("admin")), 422, "IMPORT_INVALID")
    assert [(e["row"], e["field"], e["code"]) for e in body["errors"]] == [(3, "name", "required")]
    content = csv_bytes([["external_id", "job_title"], [tenant.employee.external_id, "顾问"]])
    assert ok(await send(client, EMPLOYEES, content, tenant.headers("admin")))["updated"] == 1
    assert (await _employees(session, tenant))[tenant.employee.external_id].name == "员工"


async def test_new_employees_may_be_imported_inactive(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    content = csv_bytes([["external_id", "name", "active"], ["GONE", "已离职", "no"], ["HERE", "在职者", "yes"]])
    ok(await send(client, EMPLOYEES, content, tenant.headers("admin")))
    people = await _employees(session, tenant)
    assert (people["GONE"].active, people["HERE"].active) == (False, True)
    assert await _events(session, tenant, "employee.deactivated") == []
    assert len(await _events(session, tenant, "employee.created")) == 2


async def test_someone_existing_may_move_under_someone_new(
    client: AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    # The new head is inserted before the existing manager is updated to report to them.
    content = csv_bytes(
        [
            ["external_id", "name", "manager_external_id"],
            [tenant.manager.external_id, "经理", "BOSS"],
            ["BOSS", "总", ""],
        ]
    )
    assert ok(await send(client, EMPLOYEES, content, tenant.headers("admin")))["created"] == 1
    people = await _employees(session, tenant)
    assert people[tenant.manager.external_id].manager_id == people["BOSS"].id
    assert people[tenant.employee.external_id].manager_id == tenant.manager.id
