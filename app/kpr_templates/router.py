from typing import Annotated

from fastapi import APIRouter, Query

from app.core.auth import CurrentActor, Session
from app.core.openapi import WRITE_RESPONSES
from app.core.pagination import Pagination
from app.core.rate_limit import bulk
from app.core.routing import ApiRoute
from app.core.schemas import Page
from app.kpr_templates import service
from app.kpr_templates.dependencies import KnownTemplate, TemplateApplier
from app.kpr_templates.library import FUNCTIONS
from app.kpr_templates.presenter import present_many
from app.kpr_templates.schemas import KprTemplate, TemplateApplied, TemplateApply

router = APIRouter(route_class=ApiRoute, prefix="/kpr-templates", tags=["kpr-templates"])


@router.get(
    "",
    response_model=Page[KprTemplate],
    summary="List the built-in KPR templates, in the request's language",
    description="Ordered by function, then template. Texts follow `Accept-Language` (zh-CN or en). "
    f"Functions shipped: {', '.join(FUNCTIONS)}; an unknown function lists nothing.",
)
async def list_kpr_templates(
    actor: CurrentActor,
    page: Pagination,
    function: Annotated[
        str | None, Query(max_length=64, description="Only templates of this business function (empty: all).")
    ] = None,
) -> Page[KprTemplate]:
    templates, cursor = service.list_page(function or None, page)
    return Page(items=present_many(templates), next_cursor=cursor)


@router.post(
    "/{template_id:uuid}/apply",
    status_code=201,
    response_model=TemplateApplied,
    responses=WRITE_RESPONSES,
    summary="Create one KPR from a template for each of many employees (all or nothing)",
    description="Creates, in one transaction, a KPR per employee from the template — title, description and unit "
    "in the organization's language, the template's direction — aligned to `goal_id`, in each employee's plan of "
    "the cycle (a draft plan is created where there is none). Admins apply to anyone; a manager to the employees "
    "in their reporting chain. Nothing is created when any employee is unknown (404), outside the caller's chain "
    "(403), inactive (422), or has a submitted or approved plan for the cycle (409, `PLAN_LOCKED`); the cycle must "
    "be `planning` or `active` (409, `CYCLE_NOT_OPEN`) and `due_date` inside it.",
)
@bulk
async def apply_kpr_template(
    session: Session, template: KnownTemplate, actor: TemplateApplier, body: TemplateApply
) -> TemplateApplied:
    return await service.apply(session, actor, template, body)
