from fastapi import APIRouter

from app.core.auth import CurrentPrincipal, Session, SystemPrincipal
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination, paginate
from app.core.repository import changed_fields
from app.core.responses import IfMatch, ResourceResponse, check_if_match, resource_response
from app.core.routing import ApiRoute
from app.core.schemas import Page
from app.models import Organization as OrganizationRow
from app.organizations import service
from app.organizations.dependencies import ReadableOrganization, WritableOrganization
from app.organizations.presenter import present, present_many
from app.organizations.schemas import Organization, OrganizationCreate, OrganizationUpdate

router = APIRouter(route_class=ApiRoute, prefix="/organizations", tags=["organizations"])


@router.get("", response_model=Page[Organization], summary="List organizations (system: all; others: their own)")
async def list_organizations(session: Session, principal: CurrentPrincipal, page: Pagination) -> Page[Organization]:
    rows, cursor = await paginate(
        session, service.list_statement(principal), page, [OrganizationRow.created_at, OrganizationRow.id]
    )
    return Page(items=await present_many(session, rows), next_cursor=cursor)


@router.post(
    "",
    status_code=201,
    response_model=Organization,
    responses=WRITE_RESPONSES,
    summary="Create an organization (system role)",
)
async def create_organization(
    session: Session, principal: SystemPrincipal, body: OrganizationCreate
) -> ResourceResponse:
    organization = await service.create(session, principal, body)
    return resource_response(
        await present(session, organization), status_code=201, location=f"/api/v1/organizations/{organization.id}"
    )


@router.get("/{organization_id:uuid}", response_model=Organization, summary="Get an organization")
async def get_organization(session: Session, organization: ReadableOrganization) -> ResourceResponse:
    return resource_response(await present(session, organization))


@router.patch(
    "/{organization_id:uuid}",
    response_model=Organization,
    responses=WRITE_RESPONSES,
    summary="Update an organization (system role, or the organization's admin)",
)
async def update_organization(
    session: Session,
    principal: CurrentPrincipal,
    organization: WritableOrganization,
    body: OrganizationUpdate,
    if_match: IfMatch = None,
) -> ResourceResponse:
    # If-Match is checked here, once the body is valid: an If-Match dependency would run before FastAPI reads the
    # body, so a malformed body would get 412 instead of 422 (the contract run flags that).
    await check_if_match(if_match, lambda: present(session, organization))
    organization = await service.update(session, principal, organization, changed_fields(body))
    return resource_response(await present(session, organization))
