"""Who may provision through SCIM (DESIGN §14): an organization's API key or an admin, and nobody else.

An API key acts with the ``service`` role, which on the JSON API only reads and writes check-ins; provisioning is what
such a key is made for, so SCIM allows it explicitly. Employees and managers get 403; no credentials, 401.

Identity providers send one static secret as ``Authorization: Bearer …`` (Entra ID has no other way), so an API key
is accepted there too, besides ``X-API-Key``; any other bearer credential is a JWT, as on the JSON API.
"""

import uuid
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials

from app.core.access import Actor
from app.core.auth import Session, api_key_scheme, bearer_scheme, get_principal, resolve_actor
from app.core.errors import Forbidden
from app.core.security import API_KEY_PREFIX, principal_from_api_key
from app.departments import service as departments
from app.employees import service as employees
from app.models import Department, Employee

PROVISION = "provision through SCIM"


async def scim_actor(
    request: Request,
    session: Session,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    api_key: Annotated[str | None, Depends(api_key_scheme)],
) -> Actor:
    if bearer is not None and bearer.credentials.startswith(API_KEY_PREFIX):
        principal = await principal_from_api_key(session, bearer.credentials)
        request.state.principal = principal
    else:
        principal = await get_principal(request, session, bearer, api_key)
    actor = await resolve_actor(session, principal)
    if not (actor.is_admin or principal.api_key_id is not None):
        raise Forbidden(action=PROVISION)
    request.state.actor = actor
    return actor


ScimActor = Annotated[Actor, Depends(scim_actor)]


async def scim_employee(session: Session, actor: ScimActor, user_id: uuid.UUID) -> Employee:
    return await employees.get(session, actor, user_id)


async def writable_scim_employee(session: Session, actor: ScimActor, user_id: uuid.UUID) -> Employee:
    return await employees.get(session, actor, user_id, lock=True)


async def scim_department(session: Session, actor: ScimActor, group_id: uuid.UUID) -> Department:
    return await departments.get(session, actor, group_id)


async def writable_scim_department(session: Session, actor: ScimActor, group_id: uuid.UUID) -> Department:
    return await departments.get(session, actor, group_id, lock=True)


ScimEmployee = Annotated[Employee, Depends(scim_employee)]
WritableScimEmployee = Annotated[Employee, Depends(writable_scim_employee)]
ScimDepartment = Annotated[Department, Depends(scim_department)]
WritableScimDepartment = Annotated[Department, Depends(writable_scim_department)]
