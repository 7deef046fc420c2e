"""The request's session is the one place that commits: success commits, any error rolls everything back."""

import uuid

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.auth import Session
from app.core.config import Settings
from app.core.errors import Conflict
from app.models import Department, Employee, Organization
from tests.assertions import assert_problem
from tests.conftest import AppClientFactory
from tests.factories import Tenant


def _writing_routes(app: FastAPI) -> None:
    @app.post("/write/{organization_id}/{outcome}", include_in_schema=False)
    async def write(session: Session, organization_id: uuid.UUID, outcome: str) -> dict[str, str]:
        session.add(Department(organization_id=organization_id, name="事务测试", code=f"TX-{outcome}"))
        await session.flush()
        if outcome == "domain-error":
            raise Conflict("refused after writing")
        if outcome == "crash":
            raise RuntimeError("crashed after writing")
        return {"status": "written"}


async def _count(session: AsyncSession, code: str) -> int:
    return int(await session.scalar(select(func.count()).select_from(Department).where(Department.code == code)) or 0)


async def test_success_commits(
    client_for: AppClientFactory, settings: Settings, session: AsyncSession, tenant: Tenant
) -> None:
    async with client_for(settings, _writing_routes) as client:
        response = await client.post(f"/write/{tenant.org.id}/ok")
    assert response.status_code == 200
    assert await _count(session, "TX-ok") == 1


@pytest.mark.parametrize(
    ("outcome", "status", "code"), [("domain-error", 409, "CONFLICT"), ("crash", 500, "INTERNAL_ERROR")]
)
async def test_errors_roll_back_what_was_flushed(
    client_for: AppClientFactory,
    settings: Settings,
    session: AsyncSession,
    tenant: Tenant,
    outcome: str,
    status: int,
    code: str,
) -> None:
    async with client_for(settings, _writing_routes) as client:
        response = await client.post(f"/write/{tenant.org.id}/{outcome}")
    assert_problem(response, status, code)
    assert await _count(session, f"TX-{outcome}") == 0


async def test_foreign_keys_are_enforced(session: AsyncSession) -> None:
    # SQLite only enforces them with PRAGMA foreign_keys=ON, which the engine sets on every connection.
    org = Organization(name="外键测试", locale="zh-CN", timezone="Asia/Shanghai")
    session.add(org)
    await session.flush()
    session.add(Employee(organization_id=org.id, external_id="x", name="某人", department_id=uuid.uuid4()))
    with pytest.raises(IntegrityError):
        await session.flush()
    await session.rollback()
