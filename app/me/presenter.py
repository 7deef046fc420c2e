"""Who the caller is, as the API shows it: the credential's subject, organization and roles, and their employee."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.security import Principal
from app.employees.presenter import present as present_employee
from app.me import schemas
from app.models import Employee


async def present(session: AsyncSession, principal: Principal, employee: Employee | None) -> schemas.Me:
    return schemas.Me(
        subject=principal.subject,
        organization_id=principal.organization_id,
        roles=sorted(principal.roles),
        employee=await present_employee(session, employee) if employee is not None else None,
    )
