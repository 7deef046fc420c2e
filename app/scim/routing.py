"""The route class of the SCIM endpoints: the project's (exact JSON, no NUL), under the SCIM policy, with what
scim2-models refuses turned into the SCIM error it stands for.

The policy (``app.scim.schemas.POLICY``) is opened around the whole request, so the body validation FastAPI runs and
every scim2-models call the service makes read payloads the same tolerant way.
"""

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from pydantic import ValidationError
from scim2_models import SCIMException

from app.core.routing import ApiRoute
from app.scim.errors import from_library, from_validation
from app.scim.schemas import POLICY


class ScimRoute(ApiRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def scim(request: Request) -> Response:
            with POLICY:
                try:
                    return await handler(request)
                except SCIMException as exc:
                    raise from_library(exc) from exc
                except ValidationError as exc:
                    # What the service validated itself (a PatchOp against the resource, a patched resource).
                    raise from_validation(exc.errors()) from exc

        return scim
