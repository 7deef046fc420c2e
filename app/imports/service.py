"""Imports (DESIGN §14): departments and employees upserted from a sheet by ``code`` / ``external_id``, all or nothing.

An import reads the sheet (app/imports/parsing.py), loads the organization's rows it needs in one SELECT per table,
and works out in Python what each row creates or changes and what is wrong with it: its values, its references (to a
row of the file or of the organization), a key given twice, a loop in the tree that the file and the data make
together. Any error refuses the whole file (422) before anything is written. Otherwise it writes with a fixed number
of statements, whatever the number of rows: one INSERT of the new rows (parents before children, so every reference
is to a row already there), one UPDATE by primary key of the changed ones, one INSERT of their audit events, and one
per event type into the outbox. A dry run stops before writing, and reports the same figures.

What the file leaves out stays as it is: rows not in the file, and in the rows it has, the columns it does not have.
A blank cell clears an optional value; ``active`` blank means active for a new employee and unchanged for another.
"""

import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from graphlib import TopologicalSorter
from typing import Any

from sqlalchemy import Table, Update, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit import service as audit
from app.core import outbox
from app.core.access import Actor
from app.core.db import lock_tree
from app.core.enums import EventType
from app.core.i18n import translate
from app.employees.presenter import present_many as present_employees
from app.imports.parsing import Column, Record, RowError, Sheet, is_email, parse_active, read_sheet, refuse
from app.imports.presenter import present
from app.imports.schemas import ImportReport
from app.models import Department, Employee
from app.models.base import utcnow

DEPARTMENT_COLUMNS = (
    Column("code", "编码", 64),
    Column("name", "名称", 200),
    Column("parent_code", "上级编码", 64),
    Column("head_external_id", "负责人工号", 255),
)
EMPLOYEE_COLUMNS = (
    Column("external_id", "工号", 255),
    Column("name", "姓名", 200),
    Column("email", "邮箱", 320),
    Column("department_code", "部门编码", 64),
    Column("manager_external_id", "上级工号", 255),
    Column("job_title", "职位", 200),
    Column("active", "在职", 32),
)
# A loop is named by its keys, at most this many of them, each cut to so many characters (a message stays short).
LOOP_SHOWN = 8
KEY_SHOWN = 64

Audit = tuple[str, str, uuid.UUID, Mapping[str, Any] | None, Mapping[str, Any] | None]
Diff = dict[str, tuple[Any, Any]]


@dataclass
class _Row:
    """What one record of the file becomes: the row's values after the import, and its tree parent's key."""

    record: Record
    key: str
    values: dict[str, Any]
    parent: str | None  # the key of its parent department / manager (of the file or the organization)
    existing: Mapping[str, Any] | None  # the row as the organization has it, None for a new one


@dataclass
class _Plan:
    """The file, row by row, and what is wrong with it."""

    sheet: Sheet
    rows: list[_Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def __post_init__(self) -> None:
        # A cell the sheet already refused (too long, a NUL) reads as blank; saying it is missing too would be noise.
        self._refused = {(error.row, error.field) for error in self.sheet.errors}

    def error(self, record: Record, column: str, key: str, **params: object) -> None:
        if (record.row, column) not in self._refused:
            self.errors.append(RowError.of(record.row, column, key, header=self.sheet.header(column), **params))

    def refuse_if_wrong(self) -> None:
        if self.sheet.errors or self.errors:
            raise refuse([*self.sheet.errors, *self.errors])


@dataclass
class _Change:
    """An existing row the file changes: its values as the organization has them, and what changes."""

    row: _Row
    existing: Mapping[str, Any]
    diff: Diff

    @property
    def id(self) -> uuid.UUID:
        value: uuid.UUID = self.existing["id"]
        return value


# --- departments ----------------------------------------------------------------------------------------------------

DEPARTMENT_FIELDS = ("name", "parent_id", "head_id")


async def import_departments(session: AsyncSession, actor: Actor, content: bytes, *, dry_run: bool) -> ImportReport:
    sheet = read_sheet(content, DEPARTMENT_COLUMNS, "code")
    org = actor.organization_id
    if not dry_run:
        # The loop check reads the tree as committed: moves made meanwhile wait (app/core/db.py lock_tree).
        await lock_tree(session, org, "department")
    table = Department.__table__
    existing = {
        row.code: dict(row._mapping)
        for row in await session.execute(select(table).where(table.c.organization_id == org))
    }
    by_external_id = select(Employee.external_id, Employee.id).where(Employee.organization_id == org)
    employees = {external_id: id_ for external_id, id_ in await session.execute(by_external_id)}
    code_of = {row["id"]: code for code, row in existing.items()}

    plan = _Plan(sheet)
    for record, key in _keyed(plan, "code"):
        current = existing.get(key)
        values: dict[str, Any] = {"code": key}
        _required(plan, record, "name", current, values)
        head = _given(record, "head_external_id")
        if head is None:
            values["head_id"] = current["head_id"] if current is not None else None
        else:
            values["head_id"] = employees.get(head)
            if head and head not in employees:
                plan.error(record, "head_external_id", "import.unknown_employee", value=head)
        parent = _given(record, "parent_code")
        if parent is None:
            parent = code_of.get(current["parent_id"]) if current is not None else None
        plan.rows.append(_Row(record, key, values, parent or None, current))
    _check_parents(plan, existing, "parent_code", "import.unknown_parent")
    _refuse_loops(
        plan, {code: code_of.get(row["parent_id"]) for code, row in existing.items()}, "parent_code", "tree.department"
    )
    plan.refuse_if_wrong()

    ids = _ids(plan.rows)
    for row in plan.rows:
        row.values["parent_id"] = _id_of(row.parent, ids, existing)
    created, changed, unchanged = _split(plan.rows, DEPARTMENT_FIELDS)
    if not dry_run:
        now = utcnow()
        new = {
            row.key: {"id": ids[row.key], "organization_id": org, **row.values, "created_at": now, "updated_at": now}
            for row in created
        }
        if new:
            await session.execute(insert(_table(Department)), _parents_first(created, new))
        if changed:
            await session.execute(_UPDATE_DEPARTMENT, [_set(change, DEPARTMENT_FIELDS, now) for change in changed])
        await _audit(session, actor, "department", "import_departments", ids, created, changed, unchanged)
    return present(dry_run=dry_run, created=len(created), updated=len(changed), unchanged=unchanged)


# --- employees ------------------------------------------------------------------------------------------------------

EMPLOYEE_FIELDS = ("name", "email", "department_id", "manager_id", "job_title", "active")


async def import_employees(session: AsyncSession, actor: Actor, content: bytes, *, dry_run: bool) -> ImportReport:
    sheet = read_sheet(content, EMPLOYEE_COLUMNS, "external_id")
    org = actor.organization_id
    if not dry_run:
        await lock_tree(session, org, "manager")
    by_code = select(Department.code, Department.id).where(Department.organization_id == org)
    departments = {code: id_ for code, id_ in await session.execute(by_code)}
    table = Employee.__table__
    existing = {
        row.external_id: dict(row._mapping)
        for row in await session.execute(select(table).where(table.c.organization_id == org))
    }
    key_of = {row["id"]: key for key, row in existing.items()}

    plan = _Plan(sheet)
    for record, key in _keyed(plan, "external_id"):
        current = existing.get(key)
        values: dict[str, Any] = {"external_id": key}
        _required(plan, record, "name", current, values)
        for column in ("email", "job_title"):
            given = _given(record, column)
            if given is None:
                values[column] = current[column] if current is not None else None
            else:
                values[column] = given or None
        email = _given(record, "email")
        if email and not is_email(email):
            plan.error(record, "email", "import.invalid_email", value=email)
        department = _given(record, "department_code")
        if department is None:
            values["department_id"] = current["department_id"] if current is not None else None
        else:
            values["department_id"] = departments.get(department)
            if department and department not in departments:
                plan.error(record, "department_code", "import.unknown_department", value=department)
        active = _given(record, "active")
        flag = parse_active(active) if active else None
        if active and flag is None:
            plan.error(record, "active", "import.invalid_boolean", value=active)
        if flag is None:  # blank: active when new, as it was otherwise
            flag = current["active"] if current is not None else True
        values["active"] = flag
        manager = _given(record, "manager_external_id")
        if manager is None:
            manager = key_of.get(current["manager_id"]) if current is not None else None
        plan.rows.append(_Row(record, key, values, manager or None, current))
    _check_parents(plan, existing, "manager_external_id", "import.unknown_manager")
    _refuse_loops(
        plan,
        {key: key_of.get(row["manager_id"]) for key, row in existing.items()},
        "manager_external_id",
        "tree.manager",
    )
    plan.refuse_if_wrong()

    ids = _ids(plan.rows)
    for row in plan.rows:
        row.values["manager_id"] = _id_of(row.parent, ids, existing)
    created, changed, unchanged = _split(plan.rows, EMPLOYEE_FIELDS)
    if dry_run:
        return present(dry_run=dry_run, created=len(created), updated=len(changed), unchanged=unchanged)

    now = utcnow()
    new = {
        row.key: {"id": ids[row.key], "organization_id": org, **row.values, "created_at": now, "updated_at": now}
        for row in created
    }
    if new:
        await session.execute(insert(_table(Employee)), _parents_first(created, new))
    updates = [_set(change, EMPLOYEE_FIELDS, now) for change in changed]
    if updates:
        await session.execute(_UPDATE_EMPLOYEE, updates)
    await _audit(session, actor, "employee", "import_employees", ids, created, changed, unchanged)

    # Each event carries the employee as the API shows it, made from the values written (nothing is read back).
    moved = [{**change.existing, **values, "id": change.id} for change, values in zip(changed, updates, strict=True)]
    gone = [
        row for row, change in zip(moved, changed, strict=True) if change.diff.get("active", (None, None))[1] is False
    ]
    await outbox.publish_many(
        session, org, EventType.EMPLOYEE_CREATED, await present_employees(session, list(new.values()))
    )
    await outbox.publish_many(session, org, EventType.EMPLOYEE_UPDATED, await present_employees(session, moved))
    await outbox.publish_many(session, org, EventType.EMPLOYEE_DEACTIVATED, await present_employees(session, gone))
    return present(dry_run=dry_run, created=len(created), updated=len(changed), unchanged=unchanged)


# --- what both share ------------------------------------------------------------------------------------------------


def _given(record: Record, column: str) -> str | None:
    """The cell's text, "" for a blank cell, None when the file has no such column."""
    if column not in record.values:
        return None
    return record.values[column] or ""


def _keyed(plan: _Plan, key_column: str) -> Iterable[tuple[Record, str]]:
    """The records that have a key, each key once (a repeat is an error naming the first row that has it)."""
    first: dict[str, int] = {}
    for record in plan.sheet.records:
        key = record.values.get(key_column)
        if not key:
            plan.error(record, key_column, "import.required")
            continue
        if key in first:
            plan.error(record, key_column, "import.duplicate_key", value=key, first=first[key])
            continue
        first[key] = record.row
        yield record, key


def _required(
    plan: _Plan, record: Record, column: str, current: Mapping[str, Any] | None, values: dict[str, Any]
) -> None:
    """A value no row may be without: given, or kept from the organization's row when the file has no such column."""
    given = _given(record, column)
    if given:
        values[column] = given
    elif given is None and current is not None:
        values[column] = current[column]
    else:
        plan.error(record, column, "import.required")
        values[column] = None


def _check_parents(plan: _Plan, existing: Collection[str], column: str, message: str) -> None:
    """A parent (department, manager) is a row of the file or of the organization."""
    in_file = {row.key for row in plan.rows}
    for row in plan.rows:
        if row.parent is not None and row.parent not in in_file and row.parent not in existing:
            plan.error(row.record, column, message, value=row.parent)
            row.parent = None


def _refuse_loops(plan: _Plan, tree: Mapping[str, str | None], column: str, tree_name: str) -> None:
    """An error on each row of the file that lies on a loop of the tree as the import would leave it: the
    organization's parents (``tree``, key → parent key), with the file's rows in their place."""
    parents = {**tree, **{row.key: row.parent for row in plan.rows}}
    by_key = {row.key: row for row in plan.rows}
    for key, loop in _loops(parents, by_key).items():
        shown = [*loop[:LOOP_SHOWN], "…"] if len(loop) > LOOP_SHOWN else loop
        path = " → ".join(_short(name) for name in [*shown, key])
        plan.error(by_key[key].record, column, "import.loop", tree=translate(tree_name), path=path)


def _short(key: str) -> str:
    return key if len(key) <= KEY_SHOWN else key[: KEY_SHOWN - 1] + "…"


def _loops(parents: Mapping[str, str | None], starts: Collection[str]) -> dict[str, list[str]]:
    """Each of ``starts`` that lies on a loop of ``parents`` → the loop, beginning with it. Every key is walked once."""
    done: set[str] = set()
    found: dict[str, list[str]] = {}
    for start in starts:
        path: list[str] = []
        on_path: dict[str, int] = {}
        node: str | None = start
        while node is not None and node not in done and node not in on_path:
            on_path[node] = len(path)
            path.append(node)
            node = parents.get(node)
        if node is not None and node in on_path:
            loop = path[on_path[node] :]
            for position, member in enumerate(loop):
                if member in starts:
                    found[member] = loop[position:] + loop[:position]
        done.update(path)
    return found


def _ids(rows: Sequence[_Row]) -> dict[str, uuid.UUID]:
    """A new id for each new row, by key."""
    return {row.key: uuid.uuid4() for row in rows if row.existing is None}


def _id_of(
    key: str | None, new: Mapping[str, uuid.UUID], existing: Mapping[str, Mapping[str, Any]]
) -> uuid.UUID | None:
    if key is None:
        return None
    if key in new:
        return new[key]
    found: uuid.UUID = existing[key]["id"]
    return found


def _split(rows: Sequence[_Row], fields: Sequence[str]) -> tuple[list[_Row], list[_Change], int]:
    """The new rows, the changed ones, and how many stay exactly as they are."""
    created: list[_Row] = []
    changed: list[_Change] = []
    for row in rows:
        if row.existing is None:
            created.append(row)
            continue
        diff = {
            name: (row.existing[name], row.values[name]) for name in fields if row.existing[name] != row.values[name]
        }
        if diff:
            changed.append(_Change(row, row.existing, diff))
    return created, changed, len(rows) - len(created) - len(changed)


def _parents_first(rows: Sequence[_Row], values: Mapping[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The new rows' values, a new parent before its children: each INSERT then refers only to rows already there, as
    SQLite checks foreign keys row by row. (Inserted by Core, in one executemany: the ORM's bulk INSERT would send one
    statement per pattern of blank cells, and cost more besides.)"""
    graph: dict[str, set[str]] = {}
    for row in rows:
        graph[row.key] = {row.parent} if row.parent is not None and row.parent in values else set()
    return [values[key] for key in TopologicalSorter(graph).static_order()]


def _table(model: type[Department | Employee]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)  # a mapped class's own table, typed as any selectable
    return table


def _update_by_id(model: type[Department | Employee]) -> Update:
    """An UPDATE of one row by id, its SET taken from the parameters' other keys: many rows in one executemany.
    (Core, not the ORM's bulk UPDATE, whose bookkeeping cost a 10,000-row import a quarter of its writing time.)"""
    table = _table(model)
    return update(table).where(table.c.id == bindparam("row_id"))


_UPDATE_DEPARTMENT = _update_by_id(Department)
_UPDATE_EMPLOYEE = _update_by_id(Employee)


def _set(change: _Change, fields: Sequence[str], now: datetime) -> dict[str, Any]:
    """The parameters of a changed row's UPDATE: every field, changed or not, so that all rows share one statement."""
    return {"row_id": change.id, **{name: change.row.values[name] for name in fields}, "updated_at": now}


async def _audit(
    session: AsyncSession,
    actor: Actor,
    entity_type: str,
    action: str,
    ids: Mapping[str, uuid.UUID],
    created: Sequence[_Row],
    changed: Sequence[_Change],
    unchanged: int,
) -> None:
    """One event per row written, and one for the import itself (who ran it, and what it did), in one INSERT."""
    events: list[Audit] = [("create", entity_type, ids[row.key], None, row.values) for row in created]
    for change in changed:
        before = {name: values[0] for name, values in change.diff.items()}
        after = {name: values[1] for name, values in change.diff.items()}
        events.append(("update", entity_type, change.id, before, after))
    figures = {"created": len(created), "updated": len(changed), "unchanged": unchanged}
    events.append((action, "organization", actor.organization_id, None, figures))
    await audit.record_many(session, actor, events)
