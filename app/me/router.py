from fastapi import APIRouter

from app.core.auth import CurrentPrincipal, Session
from app.core.routing import ApiRoute
from app.me.dependencies import MyEmployee
from app.me.presenter import present
from app.me.schemas import Me

router = APIRouter(route_class=ApiRoute, tags=["me"])


@router.get("/me", response_model=Me, summary="Who am I: subject, organization, roles and employee record")
async def get_me(session: Session, principal: CurrentPrincipal, employee: MyEmployee) -> Me:
    return await present(session, principal, employee)
