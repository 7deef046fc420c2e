import uuid

from fastapi import APIRouter
from sqlalchemy import select

from app.core.auth import CurrentPrincipal, Session
from app.core.schemas import OutputModel
from app.employees.schemas import Employee
from app.models import Employee as EmployeeRow

router = APIRouter(tags=["me"])


class Me(OutputModel):
    subject: str
    organization_id: uuid.UUID | None
    roles: list[str]
    employee: Employee | None


@router.get("/me", response_model=Me, summary="Who am I: subject, organization, roles and employee record")
async def get_me(session: Session, principal: CurrentPrincipal) -> Me:
    employee = None
    if principal.organization_id is not None and principal.api_key_id is None:
        employee = await session.scalar(
            select(EmployeeRow).where(
                EmployeeRow.organization_id == principal.organization_id, EmployeeRow.external_id == principal.subject
            )
        )
    return Me(
        subject=principal.subject,
        organization_id=principal.organization_id,
        roles=sorted(principal.roles),
        employee=Employee.model_validate(employee) if employee is not None else None,
    )
