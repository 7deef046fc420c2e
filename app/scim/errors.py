"""The SCIM failures with a keyword of their own (RFC 7644 §3.12 ``scimType``), as domain errors: what the SCIM
service raises, what scim2-models refuses, and what a request's validation found. ``app.scim.responses`` writes them
(and every other error under ``/scim/v2``) in SCIM's form."""

from collections.abc import Mapping, Sequence
from typing import Any

from scim2_models import SCIMException

from app.core.errors import AppError
from app.core.problems import ProblemCode
from app.scim.schemas import ScimType

# The statuses a SCIM error may carry, as the service's problem codes (never shown: they only keep the one family of
# domain errors whole).
_CODES = {
    400: ProblemCode.BAD_REQUEST,
    401: ProblemCode.UNAUTHENTICATED,
    403: ProblemCode.FORBIDDEN,
    404: ProblemCode.NOT_FOUND,
    409: ProblemCode.CONFLICT,
    412: ProblemCode.PRECONDITION_FAILED,
    413: ProblemCode.PAYLOAD_TOO_LARGE,
}
# Pydantic error types that say the body is not the request's shape at all, rather than a value being wrong.
_SYNTAX_ERRORS = frozenset({"json_invalid", "json_type", "extra_forbidden", "schema_error", "unknown_extension_schema"})
_OBJECT_ERRORS = frozenset({"model_type", "model_attributes_type", "dict_type", "missing"})
_LOCATIONS = ("body", "query", "path", "header")


class ScimProblem(AppError):
    """An error with a SCIM ``scimType``: what the SCIM endpoints raise where RFC 7644 names the failure."""

    def __init__(self, status: int, scim_type: ScimType | None, detail: str) -> None:
        super().__init__(detail, code=_CODES.get(status, ProblemCode.BAD_REQUEST), extra={"scimType": scim_type})
        self.status = status


def from_library(exc: SCIMException) -> ScimProblem:
    scim_type = ScimType(exc.scim_type) if exc.scim_type in set(ScimType) else None
    return ScimProblem(exc.status, scim_type, exc.detail)


def _path(loc: Sequence[Any]) -> str:
    parts = [str(part) for part in loc]
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    # Pydantic names the member of a union or a function it tried ("function-after[...]"): no attribute is named so.
    return ".".join(part for part in parts if "[" not in part and "(" not in part)


def _scim_type_of(error: Mapping[str, Any]) -> ScimType:
    kind = str(error.get("type", ""))
    if kind.startswith("scim_") and kind[5:] in set(ScimType):
        return ScimType(kind[5:])
    loc = [str(part) for part in error.get("loc", ())]
    at_root = loc in ([], ["body"])
    if kind in _SYNTAX_ERRORS or (kind in _OBJECT_ERRORS and at_root):
        return ScimType.INVALID_SYNTAX
    return ScimType.INVALID_VALUE


def from_validation(errors: Sequence[Mapping[str, Any]]) -> ScimProblem:
    """The first of a validation's errors (SCIM has room for one), as the keyword RFC 7644 gives it."""
    if not errors:
        return ScimProblem(400, ScimType.INVALID_VALUE, "invalid value")
    first = errors[0]
    path = _path(first.get("loc", ()))
    message = str(first.get("msg", ""))
    return ScimProblem(400, _scim_type_of(first), f"{path}: {message}" if path else message)
