import uuid

from fastapi import APIRouter

from app.core.auth import CurrentPrincipal, Session, resolve_actor
from app.core.routing import ApiRoute
from app.core.schemas import OutputModel
from app.employees.schemas import Employee
from app.models import Employee as EmployeeRow

router = APIRouter(route_class=ApiRoute, tags=["me"])


class Me(OutputModel):
    subject: str
    organization_id: uuid.UUID | None
    roles: list[str]
    employee: Employee | None


@router.get("/me", response_model=Me, summary="Who am I: subject, organization, roles and employee record")
async def get_me(session: Session, principal: CurrentPrincipal) -> Me:
    employee = None
    if principal.organization_id is not None and not principal.is_system:
        # The same rule as every other route: a person must still be an active employee of the organization.
        actor = await resolve_actor(session, principal)
        if actor.employee_id is not None:
            employee = await session.get(EmployeeRow, actor.employee_id)
    return Me(
        subject=principal.subject,
        organization_id=principal.organization_id,
        roles=sorted(principal.roles),
        employee=Employee.model_validate(employee) if employee is not None else None,
    )
