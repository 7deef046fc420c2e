from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.core.auth import Session
from app.core.errors import PROBLEM_JSON
from app.core.rate_limit import bulk
from app.core.routing import ApiRoute
from app.core.schemas import Problem
from app.imports import service
from app.imports.dependencies import CSV, MAX_UPLOAD_BYTES, MULTIPART, XLSX, ImportAdmin, UploadedFile
from app.imports.schemas import ImportReport

router = APIRouter(route_class=ApiRoute, prefix="/imports", tags=["imports"])

DryRun = Annotated[
    bool,
    Query(description="`true`: check the file and report what the import would do, writing nothing."),
]

_FILE = {"type": "string", "format": "binary", "maxLength": MAX_UPLOAD_BYTES}
UPLOAD: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The sheet, as the body itself or as the `file` field of a form: CSV (UTF-8 with or without "
        "BOM, or GBK; comma, semicolon or tab separated) or XLSX (its first worksheet). Row 1 holds the headers, "
        "in English or Chinese, matched after trimming; a column the file leaves out stays as it is. At most 10 MiB "
        "and 20,000 data rows.",
        "content": {
            CSV: {"schema": {"type": "string", "maxLength": MAX_UPLOAD_BYTES}},
            XLSX: {"schema": _FILE},
            MULTIPART: {
                "schema": {
                    "type": "object",
                    "properties": {"file": _FILE},
                    "required": ["file"],
                    "title": "ImportUpload",
                }
            },
        },
    }
}


def _problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description, "content": {PROBLEM_JSON: {}}}


RESPONSES: dict[int | str, dict[str, Any]] = {
    413: _problem("Body larger than 10 MiB."),
    415: _problem("Not text/csv, XLSX or multipart/form-data."),
    422: _problem(
        "The file has problems, and nothing of it was written: `errors` lists them as `{row, field, code, message}` "
        "(`row` as Excel numbers it, the header being row 1; `error_count` counts them all, at most 1,000 listed)."
    ),
}
HOW = (
    "All or nothing: any error refuses the whole file (422, `IMPORT_INVALID`) and nothing is written; otherwise every "
    "row is created or updated, by its key, in one transaction, and rows not in the file are left as they are. A blank "
    "cell clears an optional value. References may point at rows of the same file or already in the organization; a "
    "key given twice, or a loop in the tree the file and the organization make together, is an error of its rows. "
    "`?dry_run=true` answers the same report and writes nothing. Admins only."
)


@router.post(
    "/departments",
    response_model=ImportReport,
    responses=RESPONSES,
    openapi_extra=UPLOAD,
    max_body_size=MAX_UPLOAD_BYTES,
    summary="Import departments from CSV or XLSX (upsert by code)",
    description="Columns `code` (编码, the key), `name` (名称, required for a new department), `parent_code` "
    "(上级编码) and `head_external_id` (负责人工号, an employee of the organization). Every change is audited. " + HOW,
)
@bulk
async def import_departments(
    session: Session, actor: ImportAdmin, content: UploadedFile, dry_run: DryRun = False
) -> ImportReport:
    return await service.import_departments(session, actor, content, dry_run=dry_run)


@router.post(
    "/employees",
    response_model=ImportReport,
    responses=RESPONSES,
    openapi_extra=UPLOAD,
    max_body_size=MAX_UPLOAD_BYTES,
    summary="Import employees from CSV or XLSX (upsert by external_id)",
    description="Columns `external_id` (工号, the key), `name` (姓名, required for a new employee), `email` (邮箱), "
    "`department_code` (部门编码, a department of the organization), `manager_external_id` (上级工号), `job_title` "
    "(职位) and `active` (在职: true/false, 1/0, yes/no, 是/否, 在职/离职; blank is active for a new employee and "
    "unchanged for another; false deactivates). Every change is audited and published as `employee.created`, "
    "`employee.updated` and `employee.deactivated` events. " + HOW,
)
@bulk
async def import_employees(
    session: Session, actor: ImportAdmin, content: UploadedFile, dry_run: DryRun = False
) -> ImportReport:
    return await service.import_employees(session, actor, content, dry_run=dry_run)
