"""SCIM 2.0 (RFC 7643/7644) as this service speaks it, built on scim2-models.

The resources are scim2-models resources holding exactly the attributes the service keeps, each with the limits of
the column behind it (checked on the way in, and declared in the contract). Identity providers send more than that
(phone numbers, addresses, given and family names, …): the policy accepts and ignores what no model declares, so a
provider's default attribute mapping provisions without errors, and ``/Schemas`` says what is kept.

Entra ID's habits are read as it sends them (the policy's own tolerances): operations in any case (``Replace``),
``remove`` with a value, and a path filter that matches nothing (``emails[type eq "work"].value`` on a user with no
e-mail) adding the entry it describes.

The messages (``ScimUserList``, ``ScimError``, ``ScimPatchRequest``, …) are the documented shapes of what the router
writes with scim2-models' own ``ListResponse``, ``Error`` and ``PatchOp``.
"""

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema
from scim2_models import URN as Urn
from scim2_models import (
    AnyExtension,
    CaseExact,
    ComplexAttribute,
    Extension,
    Meta,
    Mutability,
    Required,
    Resource,
    Returned,
    ScimPolicy,
    Uniqueness,
)

from app.core.pagination import MAX_LIMIT
from app.core.schemas import CAPACITY, INT32_MAX, Declared

SCIM_JSON = "application/scim+json"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

POLICY = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)

# A page of a list: ?count= above it is cut to it, as ?limit= is on the JSON API.
MAX_COUNT = MAX_LIMIT
DEFAULT_COUNT = 100
MAX_FILTER_LENGTH = 1000
MAX_ATTRIBUTES_LENGTH = 1000
MAX_EMAILS = 10
MAX_OPERATIONS = 100
MAX_SCHEMAS = 8
URI_MAX = 255
LOCATION_MAX = 2048
UUID_LENGTH = 36

# Said of every resource body in the contract.
ACCEPTS_MORE = (
    "Attributes this service does not keep (phoneNumbers, addresses, …) are accepted and ignored; `/Schemas` lists "
    "those it keeps."
)


# How a resource is documented: the attributes it keeps, open to those it ignores.
DOCUMENTED = ConfigDict(json_schema_extra={"additionalProperties": True})


def _text(max_length: int, min_length: int = 0) -> Any:
    return StringConstraints(min_length=min_length, max_length=max_length)


SchemaUris = Annotated[list[Annotated[str, _text(URI_MAX)]], Required.true, Field(max_length=MAX_SCHEMAS)]


def _timestamp_text(value: object) -> object:
    # The document says date-time strings; a number would otherwise be read as a Unix time and accepted.
    if value is not None and not isinstance(value, str | datetime):
        raise ValueError("expected a date-time string")
    return value


def _no_number(value: object) -> object:
    # A boolean is true or false (Entra ID's "True"/"False" strings are read too); 0 and 1 are refused rather than
    # taken for one, as the document declares a boolean.
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("expected a boolean")
    return value


Flag = Annotated[bool | None, BeforeValidator(_no_number)]


class ScimMeta(Meta):
    """Written by the service; ignored when a client sends it (but held to its documented types)."""

    model_config = DOCUMENTED

    created: Annotated[datetime | None, Mutability.read_only, BeforeValidator(_timestamp_text)] = None
    last_modified: Annotated[datetime | None, Mutability.read_only, BeforeValidator(_timestamp_text)] = None

    resource_type: Annotated[str | None, Mutability.read_only, CaseExact.true, _text(32)] = None
    location: Annotated[str | None, Mutability.read_only, _text(LOCATION_MAX)] = None
    version: Annotated[str | None, Mutability.read_only, CaseExact.true, _text(64)] = None


class ScimResource(Resource[AnyExtension]):
    """The common attributes (RFC 7643 §3.1), with the limits this service keeps."""

    model_config = DOCUMENTED

    schemas: SchemaUris = Field(default_factory=list)
    id: Annotated[
        str | None, Mutability.read_only, Returned.always, Uniqueness.global_, CaseExact.true, _text(UUID_LENGTH)
    ] = None
    external_id: Annotated[str | None, Mutability.read_write, Returned.default, CaseExact.true, _text(255)] = None
    meta: Annotated[ScimMeta | None, Mutability.read_only, Returned.default] = None


class ScimName(ComplexAttribute):
    """``formatted`` is the employee's name; given and family names make one when it is missing."""

    model_config = DOCUMENTED

    formatted: Annotated[str | None, _text(200)] = None
    family_name: Annotated[str | None, _text(200)] = None
    given_name: Annotated[str | None, _text(200)] = None


class ScimEmail(ComplexAttribute):
    model_config = DOCUMENTED

    value: Annotated[str | None, _text(320)] = None
    type: Annotated[str | None, _text(32)] = None
    primary: Flag = None


class ScimManager(ComplexAttribute):
    """The manager's user ``id`` (their ``userName`` is accepted too)."""

    model_config = DOCUMENTED

    value: Annotated[str | None, CaseExact.true, _text(255)] = None
    display_name: Annotated[str | None, Mutability.read_only, _text(200)] = None


class ScimEnterpriseUser(Extension):
    """The enterprise extension: the department's code and the manager."""

    __schema__ = Urn(ENTERPRISE_SCHEMA)
    model_config = DOCUMENTED

    schemas: Annotated[list[Annotated[str, _text(URI_MAX)]], Field(max_length=MAX_SCHEMAS)] = Field(
        default_factory=list
    )
    department: Annotated[str | None, _text(64)] = None
    manager: ScimManager | None = None


class ScimUser(ScimResource[AnyExtension]):
    """An employee: ``userName`` is their ``external_id`` (the identity provider's subject)."""

    __schema__ = Urn(USER_SCHEMA)

    user_name: Annotated[str | None, Uniqueness.server, Required.true, _text(255, 1)] = None
    name: ScimName | None = None
    display_name: Annotated[str | None, _text(200)] = None
    title: Annotated[str | None, _text(200)] = None
    active: Flag = None
    emails: Annotated[list[ScimEmail] | None, Field(max_length=MAX_EMAILS)] = None


class ScimMember(ComplexAttribute):
    model_config = DOCUMENTED

    value: Annotated[str | None, Mutability.read_only, CaseExact.true, _text(UUID_LENGTH)] = None
    display: Annotated[str | None, Mutability.read_only, _text(200)] = None
    type: Annotated[str | None, Mutability.read_only, _text(16)] = None


class ScimGroup(ScimResource[Any]):
    """A department: ``externalId`` is its code, ``displayName`` its name. ``members`` are the active employees of
    the department, read-only: an employee's department is written on the user (enterprise ``department``)."""

    __schema__ = Urn(GROUP_SCHEMA)

    display_name: Annotated[str | None, Required.true, _text(200, 1)] = None
    members: Annotated[list[ScimMember] | None, Mutability.read_only, Field(max_length=CAPACITY)] = None


# The resources as the endpoints read and write them (the enterprise extension on every user).
User = ScimUser[ScimEnterpriseUser]
Group = ScimGroup


def _the_body(model: type[Any]) -> WithJsonSchema:
    """A resource as a response documents it: the same component as the request body that carries it.

    scim2-models writes a resource through a serializer of its own, which Pydantic can only describe as "an object";
    the resource written is the resource read, attribute for attribute, so the answer points at the body's schema.
    """
    component = re.sub(r"[^a-zA-Z0-9.\-_]", "_", model.__name__)  # as Pydantic names its definitions
    return WithJsonSchema({"$ref": f"#/components/schemas/{component}"}, mode="serialization")


UserOut = Annotated[User, _the_body(User)]
GroupOut = Annotated[Group, _the_body(Group)]


class ScimType(StrEnum):
    """The detail error keywords of RFC 7644 §3.12 this service answers with."""

    INVALID_FILTER = "invalidFilter"
    TOO_MANY = "tooMany"
    UNIQUENESS = "uniqueness"
    MUTABILITY = "mutability"
    INVALID_SYNTAX = "invalidSyntax"
    INVALID_PATH = "invalidPath"
    NO_TARGET = "noTarget"
    INVALID_VALUE = "invalidValue"
    INVALID_VERS = "invalidVers"
    SENSITIVE = "sensitive"


class _Message(BaseModel):
    # Documented shapes only: the router writes these messages with scim2-models and sends them as they are.
    model_config = ConfigDict(populate_by_name=True)

    schemas: Annotated[list[Annotated[str, Declared(maxLength=URI_MAX)]], Declared(maxItems=MAX_SCHEMAS)]


class ScimError(_Message):
    """An error, in SCIM's own form (RFC 7644 §3.12)."""

    status: Annotated[str, Declared(maxLength=3, pattern="^[1-5][0-9][0-9]$")] = Field(
        description="The HTTP status, as a string."
    )
    scim_type: ScimType | None = Field(default=None, alias="scimType")
    detail: Annotated[str, Declared(maxLength=10_000)] | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "schemas": [ERROR_SCHEMA],
                    "status": "409",
                    "scimType": "uniqueness",
                    "detail": "userName 'zhang.wei' is already in use.",
                }
            ]
        }
    )


Count = Annotated[int, Declared(minimum=0, maximum=INT32_MAX, format="int32")]


class _ListResponse(_Message):
    total_results: Count = Field(alias="totalResults")
    start_index: Annotated[int, Declared(minimum=1, maximum=INT32_MAX, format="int32")] = Field(alias="startIndex")
    items_per_page: Annotated[int, Declared(minimum=0, maximum=MAX_COUNT, format="int32")] = Field(alias="itemsPerPage")


class ScimUserList(_ListResponse):
    """A page of users (RFC 7644 §3.4.2)."""

    resources: Annotated[list[UserOut], Declared(maxItems=MAX_COUNT)] = Field(alias="Resources")


class ScimGroupList(_ListResponse):
    """A page of groups (RFC 7644 §3.4.2)."""

    resources: Annotated[list[GroupOut], Declared(maxItems=MAX_COUNT)] = Field(alias="Resources")


class PatchOperationName(StrEnum):
    ADD = "add"
    REMOVE = "remove"
    REPLACE = "replace"


class ScimPatchOperation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    op: Annotated[
        str,
        _text(16, 1),
        WithJsonSchema(
            {
                "type": "string",
                "maxLength": 16,
                "description": "add, remove or replace, in any case (Entra ID sends Add, Remove, Replace).",
            }
        ),
    ]
    path: Annotated[str | None, _text(MAX_FILTER_LENGTH, 1)] = None
    value: Any = Field(
        default=None,
        description="What to write: a value for `path`, or without a path an object of attributes (as Okta sends "
        'it: `{"active": false}`). Booleans may come as strings ("False"), as Entra ID sends them.',
    )


class ScimPatchRequest(BaseModel):
    """A PatchOp (RFC 7644 §3.5.2): the operations are applied in order, all or nothing."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"schemas": [PATCH_SCHEMA], "Operations": [{"op": "Replace", "path": "active", "value": "False"}]},
                {"schemas": [PATCH_SCHEMA], "Operations": [{"op": "replace", "value": {"active": False}}]},
            ]
        },
    )

    schemas: Annotated[list[Annotated[str, _text(URI_MAX)]], Field(min_length=1, max_length=MAX_SCHEMAS)]
    operations: Annotated[list[ScimPatchOperation], Field(min_length=1, max_length=MAX_OPERATIONS)] = Field(
        alias="Operations"
    )


class Discovery(BaseModel):
    """What a discovery endpoint answers: documented by RFC 7643 (§5 ServiceProviderConfig, §6 ResourceType, §7
    Schema) and written by scim2-models, so the contract does not repeat its every attribute here."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"additionalProperties": True})
