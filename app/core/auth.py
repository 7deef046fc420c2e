"""FastAPI dependencies that authenticate the caller and place them in their organization."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Row, Select, String, Uuid, and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.access import Actor
from app.core.config import Settings
from app.core.db import get_session
from app.core.errors import Forbidden, Unauthenticated
from app.core.i18n import translate
from app.core.repository import M, fetch_in_org
from app.core.security import Principal, principal_from_api_key, principal_from_token
from app.models import Employee, Organization

bearer_scheme = HTTPBearer(auto_error=False, description="JWT with claims sub, org, roles, exp.")
api_key_scheme = APIKeyHeader(name="X-API-Key", auto_error=False, description="An organization's API key (service).")

Session = Annotated[AsyncSession, Depends(get_session, scope="function")]


def get_app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_principal(
    request: Request,
    session: Session,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    api_key: Annotated[str | None, Depends(api_key_scheme)],
) -> Principal:
    settings = get_app_settings(request)
    if bearer is not None and bearer.credentials:
        principal = await principal_from_token(settings, bearer.credentials)
    elif api_key:
        principal = await principal_from_api_key(session, api_key)
    else:
        raise Unauthenticated()
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


# The organization and the caller's active employee in it, in one statement built once (every request runs it). On
# the tables, not the mapped classes: a Core statement skips the ORM's compile and loading steps, and returns plain
# rows, which is all it needs.
_ORGANIZATIONS = Organization.__table__
_EMPLOYEES = Employee.__table__
ACTOR = (
    select(_ORGANIZATIONS.c.id, _EMPLOYEES.c.id)
    .outerjoin(
        _EMPLOYEES,
        and_(
            _EMPLOYEES.c.organization_id == _ORGANIZATIONS.c.id,
            _EMPLOYEES.c.external_id == bindparam("subject", type_=String),
            _EMPLOYEES.c.active.is_(True),
        ),
    )
    .where(_ORGANIZATIONS.c.id == bindparam("org", type_=Uuid))
)


def _check_principal(principal: Principal) -> uuid.UUID:
    if principal.organization_id is None:
        raise Forbidden(action="use organization resources without an organization")
    if principal.is_system and not principal.reads_whole_org:
        raise Forbidden(action="use organization resources with a system token")
    return principal.organization_id


def _actor_parameters(principal: Principal, organization_id: uuid.UUID) -> dict[str, Any]:
    # API keys act as a service, never as a person: no subject matches nobody (NULL equals nothing in SQL).
    subject = principal.subject if principal.api_key_id is None else None
    return {"org": organization_id, "subject": subject}


def _actor_from(row: Row[Any, Any] | None, principal: Principal, organization_id: uuid.UUID) -> Actor:
    if row is None:
        raise Unauthenticated(translate("detail.unknown_organization"))
    employee_id = row[1]
    if employee_id is None and not principal.reads_whole_org:
        raise Unauthenticated(translate("detail.not_an_employee"))
    return Actor(principal=principal, organization_id=organization_id, employee_id=employee_id)


async def resolve_actor(session: AsyncSession, principal: Principal) -> Actor:
    """The caller inside their organization, by the §6 rules, or 401/403.

    The organization must exist (a token for a deleted or unknown tenant is not a credential). A person — anyone who
    is neither admin nor service — must be an active employee of it, matched by sub = external_id: a deactivated
    employee's token, or one whose subject matches nobody, reads nothing. A system token manages organizations only.
    """
    organization_id = _check_principal(principal)
    row = (await session.execute(ACTOR, _actor_parameters(principal, organization_id))).first()
    return _actor_from(row, principal, organization_id)


# The actor statement joined to one row of a tenant's table: the caller and the resource they asked for in one round
# trip (a read's first two statements become one). Built once per model.
_ACTOR_AND: dict[type[Any], Select[Any]] = {}


def _actor_and(model: type[M]) -> Select[Any]:
    statement = _ACTOR_AND.get(model)
    if statement is None:
        table = model.__table__
        statement = ACTOR.add_columns(model).outerjoin(
            model,
            and_(
                table.c.id == bindparam("entity", type_=Uuid),
                table.c.organization_id == _ORGANIZATIONS.c.id,
            ),
        )
        _ACTOR_AND[model] = statement
    return statement


async def resolve_actor_and(
    request: Request, session: AsyncSession, principal: Principal, model: type[M], entity_id: uuid.UUID
) -> tuple[Actor, M | None]:
    """The caller (as ``resolve_actor``) and the organization's ``model`` row ``entity_id`` (None when it is missing or
    another tenant's), in one statement. For reads only: a writer locks its row, which an outer join cannot.

    The request remembers its actor, so another dependency of the same request that needs it asks nothing again.
    """
    known: Actor | None = getattr(request.state, "actor", None)
    if known is not None:
        return known, await fetch_in_org(session, model, entity_id, known.organization_id)
    organization_id = _check_principal(principal)
    parameters = _actor_parameters(principal, organization_id) | {"entity": entity_id}
    row = (await session.execute(_actor_and(model), parameters)).first()
    actor = _actor_from(row, principal, organization_id)
    request.state.actor = actor
    assert row is not None
    entity: M | None = row[2]
    return actor, entity


async def get_actor(request: Request, principal: CurrentPrincipal, session: Session) -> Actor:
    known: Actor | None = getattr(request.state, "actor", None)
    if known is None:
        known = request.state.actor = await resolve_actor(session, principal)
    return known


CurrentActor = Annotated[Actor, Depends(get_actor)]


def admin_only(action: str) -> Callable[[Actor], Awaitable[Actor]]:
    """A dependency for an admin-only endpoint: the actor, or 403 naming ``action`` (in the caller's language).

    Each domain declares its own, e.g. ``CycleAdmin = Annotated[Actor, Depends(admin_only("manage cycles"))]``.
    """

    async def dependency(actor: CurrentActor) -> Actor:
        actor.require_admin(action)
        return actor

    return dependency


def system_only(action: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency for the system role's endpoints (managing tenants): the principal, or 403 naming ``action``."""

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if not principal.is_system:
            raise Forbidden(action=action)
        return principal

    return dependency


SystemPrincipal = Annotated[Principal, Depends(system_only("create organizations"))]
