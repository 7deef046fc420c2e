import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.core.auth import CurrentActor, Session
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination, paginate
from app.core.repository import changed_fields
from app.core.responses import IfMatch, check_if_match, resource_response
from app.core.routing import ApiRoute
from app.core.schemas import Page
from app.employees import service
from app.employees.schemas import Employee, EmployeeCreate, EmployeeUpdate
from app.models import Employee as EmployeeRow

router = APIRouter(route_class=ApiRoute, prefix="/employees", tags=["employees"])


@router.get("", response_model=Page[Employee], summary="List employees (the organization's directory)")
async def list_employees(
    session: Session,
    actor: CurrentActor,
    page: Pagination,
    department_id: uuid.UUID | None = None,
    manager_id: uuid.UUID | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Matches name, email or external id.")] = None,
    active: bool | None = None,
) -> Page[Employee]:
    statement = service.list_statement(actor, department_id=department_id, manager_id=manager_id, q=q, active=active)
    rows, cursor = await paginate(session, statement, page, [EmployeeRow.created_at, EmployeeRow.id])
    return Page(items=[Employee.model_validate(r) for r in rows], next_cursor=cursor)


@router.post("", status_code=201, response_model=Employee, responses=WRITE_RESPONSES, summary="Create an employee")
async def create_employee(session: Session, actor: CurrentActor, body: EmployeeCreate) -> Response:
    employee = await service.create(session, actor, body)
    return resource_response(
        Employee.model_validate(employee), status_code=201, location=f"/api/v1/employees/{employee.id}"
    )


@router.get("/{employee_id:uuid}", response_model=Employee, summary="Get an employee")
async def get_employee(session: Session, actor: CurrentActor, employee_id: uuid.UUID) -> Response:
    return resource_response(Employee.model_validate(await service.get(session, actor, employee_id)))


@router.patch("/{employee_id:uuid}", response_model=Employee, responses=WRITE_RESPONSES, summary="Update an employee")
async def update_employee(
    session: Session, actor: CurrentActor, employee_id: uuid.UUID, body: EmployeeUpdate, if_match: IfMatch = None
) -> Response:
    employee = await service.get(session, actor, employee_id, lock=True)
    await check_if_match(if_match, lambda: Employee.model_validate(employee))
    employee = await service.update(session, actor, employee, changed_fields(body))
    return resource_response(Employee.model_validate(employee))


@router.delete(
    "/{employee_id:uuid}",
    status_code=204,
    responses=WRITE_RESPONSES,
    summary="Deactivate an employee (history is kept)",
)
async def delete_employee(
    session: Session, actor: CurrentActor, employee_id: uuid.UUID, if_match: IfMatch = None
) -> Response:
    employee = await service.get(session, actor, employee_id, lock=True)
    await check_if_match(if_match, lambda: Employee.model_validate(employee))
    await service.deactivate(session, actor, employee)
    return Response(status_code=204)
