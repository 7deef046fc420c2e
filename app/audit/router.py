import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from app.audit import service
from app.audit.dependencies import AuditReader
from app.audit.presenter import present_many
from app.audit.schemas import AuditEvent
from app.core.auth import Session
from app.core.pagination import Pagination, paginate
from app.core.routing import ApiRoute
from app.core.schemas import Page
from app.models import AuditEvent as AuditEventRow

router = APIRouter(route_class=ApiRoute, prefix="/audit-events", tags=["audit"])


@router.get("", response_model=Page[AuditEvent], summary="List audit events, newest first (admin)")
async def list_audit_events(
    session: Session,
    actor: AuditReader,
    page: Pagination,
    entity_type: Annotated[
        str | None, Query(max_length=64, description="Only events of this entity type (goal, kpr, plan, …).")
    ] = None,
    entity_id: Annotated[uuid.UUID | None, Query(description="Only events of this entity.")] = None,
) -> Page[AuditEvent]:
    statement = service.list_statement(actor, entity_type, entity_id)
    rows, cursor = await paginate(session, statement, page, [AuditEventRow.at, AuditEventRow.id], descending=True)
    return Page(items=await present_many(session, rows), next_cursor=cursor)
