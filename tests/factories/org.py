"""ORM builders for the people side: organizations, departments, employees, API keys, and a tenant with tokens."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.security import mint_token, new_api_key_secret
from app.models import ApiKey, Department, Employee, Organization
from tests.factories._common import save, seq


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def make_org(session: AsyncSession, name: str | None = None) -> Organization:
    org = Organization(name=name or f"组织 {next(seq)}", locale="zh-CN", timezone="Asia/Shanghai")
    return await save(session, org)


async def make_department(
    session: AsyncSession, org: Organization, *, name: str | None = None, parent: Department | None = None
) -> Department:
    n = next(seq)
    dept = Department(
        organization_id=org.id, name=name or f"部门{n}", code=f"D{n}", parent_id=parent.id if parent else None
    )
    return await save(session, dept)


async def make_employee(
    session: AsyncSession,
    org: Organization,
    *,
    name: str | None = None,
    manager: Employee | None = None,
    department: Department | None = None,
    external_id: str | None = None,
) -> Employee:
    n = next(seq)
    employee = Employee(
        organization_id=org.id,
        external_id=external_id or f"user{n}",
        name=name or f"员工{n}",
        email=f"user{n}@example.com",
        manager_id=manager.id if manager else None,
        department_id=department.id if department else None,
        active=True,
    )
    return await save(session, employee)


async def make_employees(
    session: AsyncSession,
    org: Organization,
    how_many: int,
    *,
    created_at: datetime | None = None,
    department: Department | None = None,
) -> list[Employee]:
    """Many employees in one flush (for pagination tests); ``created_at`` forces a tie so the id must break it."""
    employees = []
    for _ in range(how_many):
        n = next(seq)
        employee = Employee(
            organization_id=org.id,
            external_id=f"bulk{n}",
            name=f"批量员工{n}",
            email=f"bulk{n}@example.com",
            department_id=department.id if department else None,
            active=True,
        )
        if created_at is not None:
            employee.created_at = created_at
            employee.updated_at = created_at
        employees.append(employee)
    session.add_all(employees)
    await session.flush()
    return employees


async def make_api_key(session: AsyncSession, org: Organization, name: str = "同步服务") -> tuple[ApiKey, str]:
    """An API key row and its secret."""
    secret, prefix, secret_hash = new_api_key_secret()
    key = ApiKey(organization_id=org.id, name=name, prefix=prefix, secret_hash=secret_hash, created_by="factory")
    return await save(session, key), secret


@dataclass
class Tenant:
    """One organization with the cast the access rules talk about, and a token for each."""

    org: Organization
    department: Department
    admin: Employee
    manager: Employee
    employee: Employee
    peer: Employee  # same manager as employee, so neither sees the other's data
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        return auth(self.tokens[who])


async def make_tenant(session: AsyncSession, settings: Settings, name: str | None = None) -> Tenant:
    org = await make_org(session, name)
    department = await make_department(session, org, name="销售部")
    admin = await make_employee(session, org, name="人事管理员")
    manager = await make_employee(session, org, name="经理", department=department)
    employee = await make_employee(session, org, name="员工", manager=manager, department=department)
    peer = await make_employee(session, org, name="同事", manager=manager, department=department)
    department.head_id = manager.id
    await session.flush()
    tenant = Tenant(org, department, admin, manager, employee, peer)

    def token(subject: str, roles: list[str]) -> str:
        return mint_token(settings, subject=subject, organization_id=org.id, roles=roles)

    tenant.tokens = {
        "admin": token(admin.external_id, ["admin"]),
        "manager": token(manager.external_id, []),
        "employee": token(employee.external_id, []),
        "peer": token(peer.external_id, []),
        "service": token("svc-sync", ["service"]),
        "system": mint_token(settings, subject="ops", organization_id=None, roles=["system"]),
    }
    return tenant
