"""The app's assembly: every API route sits on the app itself, so a request is matched once."""

from fastapi.routing import APIRoute
from starlette.routing import Mount, Route

from app.main import API_PREFIX, create_app
from app.scim.router import SCIM_PREFIX


def test_routes_are_plain_routes_on_the_app() -> None:
    app = create_app()
    api = [
        route
        for route in app.routes
        if isinstance(route, APIRoute) and route.path.startswith((API_PREFIX, SCIM_PREFIX))
    ]
    assert all(isinstance(route, Route | Mount) for route in app.routes), app.routes
    assert len(api) == sum(len(methods) for methods in app.openapi()["paths"].values())
    assert {route.path for route in api} >= {f"{API_PREFIX}/kprs/{{kpr_id:uuid}}", f"{API_PREFIX}/goals/tree"}
