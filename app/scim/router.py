"""SCIM 2.0 at ``/scim/v2`` (DESIGN §14), for identity providers (Okta, Entra ID): Users are employees, Groups are
departments. Bodies are ``application/scim+json`` (``application/json`` is accepted too); every error is a SCIM
error (``urn:ietf:params:scim:api:messages:2.0:Error``)."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response
from scim2_models import Context, SCIMValidator

from app.core.auth import Session
from app.core.errors import public_base_url
from app.core.responses import IfMatch, check_if_match
from app.core.schemas import INT32_MAX
from app.departments.presenter import present as present_department
from app.employees.presenter import present as present_employee
from app.scim import service
from app.scim.dependencies import (
    ScimActor,
    ScimDepartment,
    ScimEmployee,
    WritableScimDepartment,
    WritableScimEmployee,
)
from app.scim.discovery import resource_types, schemas, service_provider_config
from app.scim.presenter import present_group, present_groups, present_user, present_users
from app.scim.responses import (
    ScimResourceResponse,
    ScimResponse,
    scim_json,
    scim_list_response,
    scim_resource_response,
)
from app.scim.routing import ScimRoute
from app.scim.schemas import (
    ACCEPTS_MORE,
    DEFAULT_COUNT,
    MAX_ATTRIBUTES_LENGTH,
    MAX_COUNT,
    MAX_FILTER_LENGTH,
    SCIM_JSON,
    Discovery,
    Group,
    GroupOut,
    ScimError,
    ScimGroupList,
    ScimPatchRequest,
    ScimUserList,
    User,
    UserOut,
)

SCIM_PREFIX = "/scim/v2"


def _error(description: str) -> dict[str, Any]:
    return {"model": ScimError, "description": description, "content": {SCIM_JSON: {}}}


# Every answer that is not a success is a SCIM error; "4XX" stands for the client errors not listed (RFC 7644 §3.12).
SCIM_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error(
        "The request cannot be read or holds an invalid value: scimType says which (invalidFilter, invalidValue, "
        "invalidSyntax, mutability, …)."
    ),
    401: _error("Missing or invalid credentials (an organization's API key, or an admin's JWT)."),
    403: _error("Authenticated, but neither an API key nor an admin."),
    404: _error("No such resource in the caller's organization."),
    413: _error("Body larger than 1 MiB."),
    "4XX": _error("Any other client error."),
    500: _error("An unexpected error; nothing was changed."),
}
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    409: _error("Conflicts with what exists: scimType uniqueness for a userName or code in use."),
}
CONDITIONAL_ERRORS: dict[int | str, dict[str, Any]] = {
    **WRITE_ERRORS,
    412: _error("If-Match did not match the resource's version (meta.version, the ETag)."),
}

router = APIRouter(route_class=ScimRoute, tags=["scim"], default_response_class=ScimResponse)

Filter = Annotated[
    str | None,
    Query(
        max_length=MAX_FILTER_LENGTH,
        description='e.g. `userName eq "zhang.wei"`: `eq` comparisons joined by `and` (invalidFilter otherwise).',
    ),
]
StartIndex = Annotated[
    int,
    Query(
        alias="startIndex",
        ge=-INT32_MAX - 1,
        le=INT32_MAX,
        description="1-based index of the first result; below 1 is read as 1 (RFC 7644 §3.4.2.4).",
    ),
]
Count = Annotated[
    int,
    Query(
        ge=-INT32_MAX - 1,
        le=INT32_MAX,
        description=f"Results per page, default {DEFAULT_COUNT}; above {MAX_COUNT} is cut to {MAX_COUNT}, below 0 "
        "is read as 0 (the total only).",
    ),
]
Attributes = Annotated[
    str | None,
    Query(max_length=MAX_ATTRIBUTES_LENGTH, description="Only these attributes (comma-separated), and id."),
]
ExcludedAttributes = Annotated[
    str | None,
    Query(
        alias="excludedAttributes",
        max_length=MAX_ATTRIBUTES_LENGTH,
        description="Leave these attributes out (comma-separated), e.g. `members`.",
    ),
]
UserCreation = Annotated[
    User, SCIMValidator(Context.RESOURCE_CREATION_REQUEST), Body(media_type=SCIM_JSON, description=ACCEPTS_MORE)
]
UserReplacement = Annotated[
    User, SCIMValidator(Context.RESOURCE_REPLACEMENT_REQUEST), Body(media_type=SCIM_JSON, description=ACCEPTS_MORE)
]
GroupCreation = Annotated[
    Group, SCIMValidator(Context.RESOURCE_CREATION_REQUEST), Body(media_type=SCIM_JSON, description=ACCEPTS_MORE)
]
GroupReplacement = Annotated[
    Group, SCIMValidator(Context.RESOURCE_REPLACEMENT_REQUEST), Body(media_type=SCIM_JSON, description=ACCEPTS_MORE)
]
Patch = Annotated[ScimPatchRequest, Body(media_type=SCIM_JSON)]


def _base(request: Request) -> str:
    return public_base_url(request).rstrip("/") + SCIM_PREFIX


def _window(start_index: int, count: int) -> tuple[int, int]:
    return max(start_index, 1), min(max(count, 0), MAX_COUNT)


# --- Users


@router.get("/Users", response_model=ScimUserList, responses=SCIM_ERRORS, summary="List or find users (SCIM)")
async def list_scim_users(
    request: Request,
    session: Session,
    actor: ScimActor,
    filter: Filter = None,
    start_index: StartIndex = 1,
    count: Count = DEFAULT_COUNT,
    attributes: Attributes = None,
    excluded_attributes: ExcludedAttributes = None,
) -> ScimResponse:
    start, size = _window(start_index, count)
    total, rows = await service.list_users(session, actor, filter, start, size)
    users = await present_users(session, rows, _base(request))
    return scim_list_response(
        User, users, total=total, start_index=start, attributes=attributes, excluded_attributes=excluded_attributes
    )


@router.post(
    "/Users",
    status_code=201,
    response_model=UserOut,
    responses={**SCIM_ERRORS, **WRITE_ERRORS},
    summary="Create a user (an employee)",
    description="A userName in use answers 409 uniqueness. " + ACCEPTS_MORE,
)
async def create_scim_user(
    request: Request, session: Session, actor: ScimActor, body: UserCreation
) -> ScimResourceResponse:
    employee = await service.create_user(session, actor, body)
    user = await present_user(session, employee, _base(request))
    return scim_resource_response(user, status_code=201, location=_location(user))


@router.get("/Users/{user_id:uuid}", response_model=UserOut, responses=SCIM_ERRORS, summary="Get a user")
async def get_scim_user(
    request: Request,
    session: Session,
    employee: ScimEmployee,
    attributes: Attributes = None,
    excluded_attributes: ExcludedAttributes = None,
) -> ScimResourceResponse:
    user = await present_user(session, employee, _base(request))
    return scim_resource_response(user, attributes=attributes, excluded_attributes=excluded_attributes)


@router.put(
    "/Users/{user_id:uuid}",
    response_model=UserOut,
    responses={**SCIM_ERRORS, **CONDITIONAL_ERRORS},
    summary="Replace a user",
    description="What the body leaves out is cleared (e-mail, title, department, manager); the name and active stay "
    "when left out. " + ACCEPTS_MORE,
)
async def replace_scim_user(
    request: Request,
    session: Session,
    actor: ScimActor,
    employee: WritableScimEmployee,
    body: UserReplacement,
    if_match: IfMatch = None,
) -> ScimResourceResponse:
    await check_if_match(if_match, lambda: present_employee(session, employee))
    employee = await service.replace_user(session, actor, employee, body)
    return scim_resource_response(await present_user(session, employee, _base(request)))


@router.patch(
    "/Users/{user_id:uuid}",
    response_model=UserOut,
    responses={**SCIM_ERRORS, **CONDITIONAL_ERRORS},
    summary="Update a user (PatchOp)",
    description="Operations with or without a path, as Okta and Entra ID send them; `active: false` deactivates.",
)
async def patch_scim_user(
    request: Request,
    session: Session,
    actor: ScimActor,
    employee: WritableScimEmployee,
    body: Patch,
    if_match: IfMatch = None,
) -> ScimResourceResponse:
    await check_if_match(if_match, lambda: present_employee(session, employee))
    before = await present_user(session, employee, _base(request))
    employee = await service.patch_user(session, actor, employee, before, body)
    return scim_resource_response(await present_user(session, employee, _base(request)))


@router.delete(
    "/Users/{user_id:uuid}",
    status_code=204,
    responses={**SCIM_ERRORS, **CONDITIONAL_ERRORS},
    summary="Deactivate a user (history is kept)",
    description="The employee is deactivated, never deleted: their plans, check-ins and evaluations stay, and the "
    "user stays readable with `active: false` (so a provider that assigns them again finds and reactivates them).",
)
async def delete_scim_user(
    session: Session, actor: ScimActor, employee: WritableScimEmployee, if_match: IfMatch = None
) -> Response:
    await check_if_match(if_match, lambda: present_employee(session, employee))
    await service.deactivate_user(session, actor, employee)
    return Response(status_code=204)


# --- Groups


@router.get("/Groups", response_model=ScimGroupList, responses=SCIM_ERRORS, summary="List or find groups (SCIM)")
async def list_scim_groups(
    request: Request,
    session: Session,
    actor: ScimActor,
    filter: Filter = None,
    start_index: StartIndex = 1,
    count: Count = DEFAULT_COUNT,
    attributes: Attributes = None,
    excluded_attributes: ExcludedAttributes = None,
) -> ScimResponse:
    start, size = _window(start_index, count)
    total, departments = await service.list_groups(session, actor, filter, start, size)
    members = None
    if _wants_members(attributes, excluded_attributes):
        members = await service.members_of(session, [department.id for department in departments])
    groups = await present_groups(session, departments, members, _base(request))
    return scim_list_response(
        Group, groups, total=total, start_index=start, attributes=attributes, excluded_attributes=excluded_attributes
    )


@router.post(
    "/Groups",
    status_code=201,
    response_model=GroupOut,
    responses={**SCIM_ERRORS, **WRITE_ERRORS},
    summary="Create a group (a department)",
    description="externalId is the department's code (the displayName, when it fits 64 characters, if none is "
    "sent); a code in use answers 409 uniqueness. members are read-only (ignored here). " + ACCEPTS_MORE,
)
async def create_scim_group(
    request: Request, session: Session, actor: ScimActor, body: GroupCreation
) -> ScimResourceResponse:
    department = await service.create_group(session, actor, body)
    group = await present_group(session, department, [], _base(request))
    return scim_resource_response(group, status_code=201, location=_location(group))


@router.get("/Groups/{group_id:uuid}", response_model=GroupOut, responses=SCIM_ERRORS, summary="Get a group")
async def get_scim_group(
    request: Request,
    session: Session,
    department: ScimDepartment,
    attributes: Attributes = None,
    excluded_attributes: ExcludedAttributes = None,
) -> ScimResourceResponse:
    members = None
    if _wants_members(attributes, excluded_attributes):
        members = (await service.members_of(session, [department.id]))[department.id]
    group = await present_group(session, department, members, _base(request))
    return scim_resource_response(group, attributes=attributes, excluded_attributes=excluded_attributes)


@router.put(
    "/Groups/{group_id:uuid}",
    response_model=GroupOut,
    responses={**SCIM_ERRORS, **CONDITIONAL_ERRORS},
    summary="Replace a group",
    description="displayName and externalId (kept when left out: a department always has a code); members are "
    "read-only (ignored here). " + ACCEPTS_MORE,
)
async def replace_scim_group(
    request: Request,
    session: Session,
    actor: ScimActor,
    department: WritableScimDepartment,
    body: GroupReplacement,
    if_match: IfMatch = None,
) -> ScimResourceResponse:
    await check_if_match(if_match, lambda: present_department(session, department))
    department = await service.replace_group(session, actor, department, body)
    members = (await service.members_of(session, [department.id]))[department.id]
    return scim_resource_response(await present_group(session, department, members, _base(request)))


@router.patch(
    "/Groups/{group_id:uuid}",
    response_model=GroupOut,
    responses={**SCIM_ERRORS, **CONDITIONAL_ERRORS},
    summary="Update a group (PatchOp)",
    description="displayName and externalId; an operation on members answers 400 mutability (an employee's "
    "department is written on the user, enterprise `department`).",
)
async def patch_scim_group(
    request: Request,
    session: Session,
    actor: ScimActor,
    department: WritableScimDepartment,
    body: Patch,
    if_match: IfMatch = None,
) -> ScimResourceResponse:
    await check_if_match(if_match, lambda: present_department(session, department))
    before = await present_group(session, department, None, _base(request))
    department = await service.patch_group(session, actor, department, before, body)
    members = (await service.members_of(session, [department.id]))[department.id]
    return scim_resource_response(await present_group(session, department, members, _base(request)))


@router.delete(
    "/Groups/{group_id:uuid}",
    status_code=204,
    responses={**SCIM_ERRORS, **CONDITIONAL_ERRORS},
    summary="Delete a group (an empty department)",
    description="As the department's own rule says: 409 while it has employees or sub-departments.",
)
async def delete_scim_group(
    session: Session, actor: ScimActor, department: WritableScimDepartment, if_match: IfMatch = None
) -> Response:
    await check_if_match(if_match, lambda: present_department(session, department))
    await service.delete_group(session, actor, department)
    return Response(status_code=204)


# --- Discovery (RFC 7644 §4)


@router.get(
    "/ServiceProviderConfig",
    response_model=Discovery,
    responses=SCIM_ERRORS,
    summary="What this SCIM service supports",
    description="RFC 7643 §5: PATCH, filters (eq and and), ETags; no bulk, sorting or password changes.",
)
async def get_scim_service_provider_config(actor: ScimActor) -> ScimResponse:
    return scim_json(service_provider_config())


@router.get(
    "/ResourceTypes",
    response_model=Discovery,
    responses=SCIM_ERRORS,
    summary="The resource types: User (with the enterprise extension) and Group",
    description="RFC 7643 §6, as a ListResponse.",
)
async def list_scim_resource_types(actor: ScimActor) -> ScimResponse:
    return scim_json(resource_types())


@router.get(
    "/Schemas",
    response_model=Discovery,
    responses=SCIM_ERRORS,
    summary="The attributes this service keeps, by schema",
    description="RFC 7643 §7, as a ListResponse: User, the enterprise extension and Group.",
)
async def list_scim_schemas(actor: ScimActor) -> ScimResponse:
    return scim_json(schemas())


def _location(resource: User | Group) -> str | None:
    return resource.meta.location if resource.meta is not None else None


def _wants_members(attributes: str | None, excluded_attributes: str | None) -> bool:
    """Whether the answer shows members: reading them costs a statement that Entra ID, which asks for groups with
    ``excludedAttributes=members``, never needs."""
    names = {name.strip().casefold() for name in (excluded_attributes or "").split(",")}
    if "members" in names:
        return False
    wanted = {name.strip().casefold() for name in (attributes or "").split(",") if name.strip()}
    return not wanted or "members" in wanted
