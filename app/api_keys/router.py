from fastapi import APIRouter, Response

from app.api_keys import service
from app.api_keys.dependencies import ApiKeyAdmin, ReadableApiKey, WritableApiKey
from app.api_keys.presenter import present, present_created, present_many
from app.api_keys.schemas import ApiKey, ApiKeyCreate, ApiKeyCreated
from app.core.auth import Session
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination, paginate
from app.core.responses import IfMatch, ResourceResponse, check_if_match, resource_response
from app.core.routing import ApiRoute
from app.core.schemas import Page
from app.models import ApiKey as ApiKeyRow

router = APIRouter(route_class=ApiRoute, prefix="/api-keys", tags=["api-keys"])


@router.get("", response_model=Page[ApiKey], summary="List API keys (admin)")
async def list_api_keys(session: Session, actor: ApiKeyAdmin, page: Pagination) -> Page[ApiKey]:
    rows, cursor = await paginate(session, service.list_statement(actor), page, [ApiKeyRow.created_at, ApiKeyRow.id])
    return Page(items=await present_many(session, rows), next_cursor=cursor)


@router.post(
    "", status_code=201, response_model=ApiKeyCreated, responses=WRITE_RESPONSES, summary="Create an API key (admin)"
)
async def create_api_key(session: Session, actor: ApiKeyAdmin, body: ApiKeyCreate) -> ResourceResponse:
    key, secret = await service.create(session, actor, body)
    return resource_response(
        await present_created(session, key, secret), status_code=201, location=f"/api/v1/api-keys/{key.id}", secret=True
    )


@router.delete("/{api_key_id:uuid}", status_code=204, responses=WRITE_RESPONSES, summary="Revoke an API key (admin)")
async def delete_api_key(
    session: Session, actor: ApiKeyAdmin, key: WritableApiKey, if_match: IfMatch = None
) -> Response:
    await check_if_match(if_match, lambda: present(session, key))
    await service.delete(session, actor, key)
    return Response(status_code=204)


@router.get("/{api_key_id:uuid}", response_model=ApiKey, summary="Get an API key's metadata (admin; never the secret)")
async def get_api_key(session: Session, key: ReadableApiKey) -> ResourceResponse:
    return resource_response(await present(session, key))
