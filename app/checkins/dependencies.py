"""Who may push check-ins in bulk (DESIGN §6, §14): the organization's services (an API key, a service token) and
admins; everyone else records check-ins one at a time on what they may measure (``MeasurableKpr``/``MeasurableKpi``)."""

from typing import Annotated

from fastapi import Depends

from app.core.access import Actor
from app.core.auth import CurrentActor
from app.core.errors import Forbidden

PUSH_ACTION = "push check-ins in bulk"


async def check_in_pusher(actor: CurrentActor) -> Actor:
    if not (actor.is_admin or actor.is_service):
        raise Forbidden(action=PUSH_ACTION)
    return actor


CheckInPusher = Annotated[Actor, Depends(check_in_pusher)]
