"""What the service says of itself on the discovery endpoints (RFC 7644 §4), built by scim2-models from the very
models the endpoints read and write, so it cannot drift from them."""

from functools import cache
from typing import Any

from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    ETag,
    Filter,
    ListResponse,
    Patch,
    ResourceType,
    Schema,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
)

from app.scim.schemas import MAX_COUNT, Group, ScimEnterpriseUser, ScimGroup, ScimUser, User

# The schemas' names as RFC 7643 §8.7 gives them, rather than the Python classes'.
_NAMES = {ScimUser: "User", ScimGroup: "Group", ScimEnterpriseUser: "EnterpriseUser"}


@cache
def provider() -> ScimProvider:
    config = ServiceProviderConfig(
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_COUNT),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=True),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="Bearer token",
                description="An organization's API key (kpr_…) as the bearer token, or an admin's JWT. The API key "
                "may also be sent as X-API-Key.",
                primary=True,
            )
        ],
    )
    return ScimProvider(
        models=[ScimUser, ScimEnterpriseUser, ScimGroup],
        resource_types=[ResourceType.from_resource(User), ResourceType.from_resource(Group)],
        config=config,
    )


@cache
def service_provider_config() -> dict[str, Any]:
    config = provider().config
    assert config is not None
    return config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)


@cache
def resource_types() -> dict[str, Any]:
    types = list(provider().resource_types)
    page = ListResponse[ResourceType](
        total_results=len(types), start_index=1, items_per_page=len(types), resources=types
    )
    return page.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)


@cache
def schemas() -> dict[str, Any]:
    described = [
        schema.model_copy(update={"name": _NAMES[model]})
        for model, schema in zip(provider().models, provider().schemas, strict=True)
    ]
    page = ListResponse[Schema](
        total_results=len(described), start_index=1, items_per_page=len(described), resources=described
    )
    return page.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
