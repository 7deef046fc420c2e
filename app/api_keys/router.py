import uuid

from fastapi import APIRouter, Response

from app.api_keys import service
from app.api_keys.schemas import ApiKey, ApiKeyCreate, ApiKeyCreated
from app.core.auth import CurrentActor, Session
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination, paginate
from app.core.responses import IfMatch, check_if_match, resource_response
from app.core.routing import ApiRoute
from app.core.schemas import Page
from app.models import ApiKey as ApiKeyRow

router = APIRouter(route_class=ApiRoute, prefix="/api-keys", tags=["api keys"])


@router.get("", response_model=Page[ApiKey], summary="List API keys (admin)")
async def list_api_keys(session: Session, actor: CurrentActor, page: Pagination) -> Page[ApiKey]:
    rows, cursor = await paginate(session, service.list_statement(actor), page, [ApiKeyRow.created_at, ApiKeyRow.id])
    return Page(items=[ApiKey.model_validate(r) for r in rows], next_cursor=cursor)


@router.post(
    "", status_code=201, response_model=ApiKeyCreated, responses=WRITE_RESPONSES, summary="Create an API key (admin)"
)
async def create_api_key(session: Session, actor: CurrentActor, body: ApiKeyCreate) -> Response:
    key, secret = await service.create(session, actor, body)
    created = ApiKeyCreated.model_validate({**ApiKey.model_validate(key).model_dump(), "secret": secret})
    return resource_response(created, status_code=201, location=f"/api/v1/api-keys/{key.id}", secret=True)


@router.delete("/{api_key_id:uuid}", status_code=204, responses=WRITE_RESPONSES, summary="Revoke an API key (admin)")
async def delete_api_key(
    session: Session, actor: CurrentActor, api_key_id: uuid.UUID, if_match: IfMatch = None
) -> Response:
    key = await service.get(session, actor, api_key_id, lock=True)
    await check_if_match(if_match, lambda: ApiKey.model_validate(key))
    await service.delete(session, actor, key)
    return Response(status_code=204)


@router.get("/{api_key_id:uuid}", response_model=ApiKey, summary="Get an API key's metadata (admin; never the secret)")
async def get_api_key(session: Session, actor: CurrentActor, api_key_id: uuid.UUID) -> Response:
    return resource_response(ApiKey.model_validate(await service.get(session, actor, api_key_id)))
