"""What the SCIM endpoints send: ``application/scim+json`` resources (with their ETag) and lists, and errors in
SCIM's own form (RFC 7644 §3.12) for everything that fails under ``/scim/v2``."""

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi.responses import JSONResponse
from scim2_models import Context, Error, ListResponse, ResponseParameters

from app.core.problems import ProblemCode
from app.core.responses import ResourceResponse
from app.scim.errors import from_validation
from app.scim.schemas import SCIM_JSON, Group, ScimType, User


class ScimResourceResponse(ResourceResponse):
    """One user or group, with its ETag (``meta.version``)."""

    media_type = SCIM_JSON


class ScimResponse(JSONResponse):
    media_type = SCIM_JSON


def _parameters(model: type[User | Group], attributes: str | None, excluded: str | None) -> ResponseParameters[Any]:
    """``?attributes=`` and ``?excludedAttributes=``, each path resolved against the resource (else 400)."""
    parameters: ResponseParameters[Any] = ResponseParameters[model].model_validate(  # type: ignore[valid-type]
        {"attributes": attributes, "excludedAttributes": excluded}
    )
    return parameters


def scim_resource_response(
    resource: User | Group,
    *,
    status_code: int = 200,
    location: str | None = None,
    attributes: str | None = None,
    excluded_attributes: str | None = None,
) -> ScimResourceResponse:
    body = resource.model_dump_json(
        scim_ctx=Context.RESOURCE_QUERY_RESPONSE,
        response_parameters=_parameters(type(resource), attributes, excluded_attributes),
    )
    assert resource.meta is not None
    assert resource.meta.version is not None
    headers = {"ETag": resource.meta.version}
    if location is not None:
        headers["Location"] = location
    return ScimResourceResponse(body.encode(), status_code=status_code, headers=headers)


def scim_list_response(
    model: type[User | Group],
    resources: Sequence[User | Group],
    *,
    total: int,
    start_index: int,
    attributes: str | None = None,
    excluded_attributes: str | None = None,
) -> ScimResponse:
    page = ListResponse[User | Group](
        total_results=total, start_index=start_index, items_per_page=len(resources), resources=list(resources)
    )
    body = page.model_dump(
        scim_ctx=Context.RESOURCE_QUERY_RESPONSE,
        response_parameters=_parameters(model, attributes, excluded_attributes),
    )
    # An empty page still says so: identity providers read a missing "Resources" as a malformed answer.
    body.setdefault("Resources", [])
    return ScimResponse(body)


def scim_json(document: Mapping[str, Any]) -> ScimResponse:
    return ScimResponse(dict(document))


def scim_error_response(
    status: int,
    code: ProblemCode,
    detail: str,
    errors: Sequence[Mapping[str, Any]] | None,
    headers: Mapping[str, str],
    extra: Mapping[str, Any],
) -> JSONResponse:
    """The SCIM form of any error answered under ``/scim/v2`` (an ``app.core.errors.ErrorDialect``)."""
    scim_type: ScimType | None = extra.get("scimType")
    if code == ProblemCode.VALIDATION_FAILED or status == 422:
        # RFC 7644 answers a request it cannot read with 400 and a keyword, where the JSON API says 422.
        problem = from_validation(errors or [])
        status, scim_type, detail = 400, scim_type or problem.extra["scimType"], problem.detail
    elif scim_type is None and code == ProblemCode.DUPLICATE:
        scim_type = ScimType.UNIQUENESS
    body = Error(status=status, scim_type=scim_type, detail=detail).model_dump()
    return ScimResponse(body, status_code=status, headers=dict(headers))
