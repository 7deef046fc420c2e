import uuid
from typing import Annotated
from zoneinfo import available_timezones

from pydantic import AfterValidator, ConfigDict, StringConstraints

from app.core.enums import OrganizationLocale
from app.core.schemas import Choice, Declared, InputModel, Name, NameOut, OutputModel, PatchModel, UtcDatetime


def _timezone(value: str) -> str:
    if value not in available_timezones():
        raise ValueError("unknown IANA timezone, e.g. Asia/Shanghai")
    return value


# IANA names are at most 32 characters long.
TimeZone = Annotated[str, StringConstraints(min_length=1, max_length=64), AfterValidator(_timezone)]


class Organization(OutputModel):
    id: uuid.UUID
    name: NameOut
    locale: Annotated[str, Declared(maxLength=16)]
    timezone: Annotated[str, Declared(maxLength=64)]
    created_at: UtcDatetime
    updated_at: UtcDatetime


class OrganizationCreate(InputModel):
    name: Name
    locale: Choice[OrganizationLocale] = OrganizationLocale.ZH_CN
    timezone: TimeZone = "Asia/Shanghai"

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "华东精密制造有限公司", "locale": "zh-CN", "timezone": "Asia/Shanghai"}]
        }
    )


class OrganizationUpdate(PatchModel):
    non_nullable = frozenset({"name", "locale", "timezone"})

    name: Name | None = None
    locale: Choice[OrganizationLocale] | None = None
    timezone: TimeZone | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "华东精密制造集团"}]})
