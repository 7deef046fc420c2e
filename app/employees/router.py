import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.core.auth import CurrentActor, Session
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination, paginate_changes
from app.core.params import UpdatedSince
from app.core.repository import changed_fields
from app.core.responses import IfMatch, ResourceResponse, check_if_match, resource_response
from app.core.routing import ApiRoute
from app.core.schemas import Page
from app.employees import service
from app.employees.dependencies import EmployeeAdmin, ReadableEmployee, WritableEmployee
from app.employees.presenter import present, present_many
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
    updated_since: UpdatedSince = None,
) -> Page[Employee]:
    statement = service.list_statement(actor, department_id=department_id, manager_id=manager_id, q=q, active=active)
    rows, cursor = await paginate_changes(session, statement, page, EmployeeRow, updated_since)
    return Page(items=await present_many(session, rows), next_cursor=cursor)


@router.post("", status_code=201, response_model=Employee, responses=WRITE_RESPONSES, summary="Create an employee")
async def create_employee(session: Session, actor: EmployeeAdmin, body: EmployeeCreate) -> ResourceResponse:
    employee = await service.create(session, actor, body)
    return resource_response(
        await present(session, employee), status_code=201, location=f"/api/v1/employees/{employee.id}"
    )


@router.get("/{employee_id:uuid}", response_model=Employee, summary="Get an employee")
async def get_employee(session: Session, employee: ReadableEmployee) -> ResourceResponse:
    return resource_response(await present(session, employee))


@router.patch("/{employee_id:uuid}", response_model=Employee, responses=WRITE_RESPONSES, summary="Update an employee")
async def update_employee(
    session: Session, actor: EmployeeAdmin, employee: WritableEmployee, body: EmployeeUpdate, if_match: IfMatch = None
) -> ResourceResponse:
    # If-Match is checked here, once the body is valid: a dependency (as in DELETE) runs before FastAPI reads the
    # body, so a malformed body would get 412 instead of 422 (the contract run flags that).
    await check_if_match(if_match, lambda: present(session, employee))
    employee = await service.update(session, actor, employee, changed_fields(body))
    return resource_response(await present(session, employee))


@router.delete(
    "/{employee_id:uuid}",
    status_code=204,
    responses=WRITE_RESPONSES,
    summary="Deactivate an employee (history is kept)",
)
async def delete_employee(
    session: Session, actor: EmployeeAdmin, employee: WritableEmployee, if_match: IfMatch = None
) -> Response:
    await check_if_match(if_match, lambda: present(session, employee))
    await service.deactivate(session, actor, employee)
    return Response(status_code=204)
