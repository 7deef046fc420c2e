"""The sample sheets of docs/samples are what scripts/make_samples.py writes, and import as its docstring says."""

import importlib.util
from pathlib import Path
from types import ModuleType

from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Department, Employee
from tests.assertions import ok
from tests.factories import Tenant
from tests.imports.sheets import DEPARTMENTS, EMPLOYEES, send, upload

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "docs" / "samples"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_samples", ROOT / "scripts" / "make_samples.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_samples_are_the_scripts(tmp_path: Path) -> None:
    written = _script().write(tmp_path)
    assert [path.name for path in written] == ["departments-zh.xlsx", "employees-zh.xlsx", "department-heads-zh.csv"]
    for path in written:
        assert (SAMPLES / path.name).read_bytes() == path.read_bytes(), f"run scripts/make_samples.py ({path.name})"


async def test_the_samples_import_in_order(client: AsyncClient, session: AsyncSession, tenant: Tenant) -> None:
    admin = tenant.headers("admin")
    departments = (SAMPLES / "departments-zh.xlsx").read_bytes()
    employees = (SAMPLES / "employees-zh.xlsx").read_bytes()
    heads = (SAMPLES / "department-heads-zh.csv").read_bytes()

    assert ok(await upload(client, DEPARTMENTS, departments, admin, filename="departments-zh.xlsx"))["created"] == 13
    assert ok(await send(client, EMPLOYEES, employees, admin, dry_run=True))["created"] == 50
    assert ok(await upload(client, EMPLOYEES, employees, admin, filename="employees-zh.xlsx"))["created"] == 50
    report = ok(await send(client, DEPARTMENTS, heads, admin))
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 13, 0)

    people = {
        row.external_id: row for row in await session.scalars(select(Employee).where(Employee.external_id.like("XC%")))
    }
    tree = {
        row.code: row
        for row in await session.scalars(select(Department).where(Department.organization_id == tenant.org.id))
    }
    assert len(people) == 50
    assert sorted(key for key, person in people.items() if not person.active) == ["XC010", "XC024"]
    assert people["XC041"].manager_id == people["XC040"].id
    assert people["XC001"].manager_id is None
    assert (tree["XC-SALES-E"].parent_id, tree["XC-SALES-E"].head_id) == (tree["XC-SALES"].id, people["XC020"].id)
    assert people["XC021"].department_id == tree["XC-SALES-E"].id
    assert (people["XC021"].name, people["XC021"].email) == ("杨雪梅", "yang.xuemei@xingchen.example.com")
