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
from app.departments import service
from app.departments.dependencies import DepartmentAdmin, ReadableDepartment, WritableDepartment
from app.departments.presenter import present, present_many
from app.departments.schemas import Department, DepartmentCreate, DepartmentUpdate
from app.models import Department as DepartmentRow

router = APIRouter(route_class=ApiRoute, prefix="/departments", tags=["departments"])


@router.get("", response_model=Page[Department], summary="List departments")
async def list_departments(
    session: Session,
    actor: CurrentActor,
    page: Pagination,
    parent_id: Annotated[uuid.UUID | None, Query(description="Only direct children of this department.")] = None,
    updated_since: UpdatedSince = None,
) -> Page[Department]:
    rows, cursor = await paginate_changes(
        session, service.list_statement(actor, parent_id), page, DepartmentRow, updated_since
    )
    return Page(items=await present_many(session, rows), next_cursor=cursor)


@router.post("", status_code=201, response_model=Department, responses=WRITE_RESPONSES, summary="Create a department")
async def create_department(session: Session, actor: DepartmentAdmin, body: DepartmentCreate) -> ResourceResponse:
    department = await service.create(session, actor, body)
    return resource_response(
        await present(session, department), status_code=201, location=f"/api/v1/departments/{department.id}"
    )


@router.get("/{department_id:uuid}", response_model=Department, summary="Get a department")
async def get_department(session: Session, department: ReadableDepartment) -> ResourceResponse:
    return resource_response(await present(session, department))


@router.patch(
    "/{department_id:uuid}", response_model=Department, responses=WRITE_RESPONSES, summary="Update or move a department"
)
async def update_department(
    session: Session,
    actor: DepartmentAdmin,
    department: WritableDepartment,
    body: DepartmentUpdate,
    if_match: IfMatch = None,
) -> ResourceResponse:
    # If-Match is checked here, once the body is valid: a dependency (as in DELETE) runs before FastAPI reads the
    # body, so a malformed body would get 412 instead of 422 (the contract run flags that).
    await check_if_match(if_match, lambda: present(session, department))
    department = await service.update(session, actor, department, changed_fields(body))
    return resource_response(await present(session, department))


@router.delete(
    "/{department_id:uuid}", status_code=204, responses=WRITE_RESPONSES, summary="Delete an empty department"
)
async def delete_department(
    session: Session, actor: DepartmentAdmin, department: WritableDepartment, if_match: IfMatch = None
) -> Response:
    await check_if_match(if_match, lambda: present(session, department))
    await service.delete(session, actor, department)
    return Response(status_code=204)
