"""Who may import (admins: DESIGN §6, the org chart is theirs to write), and the uploaded file, read from the request
as it comes: the body itself (text/csv or XLSX) or the ``file`` field of a multipart form."""

from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import UploadFile

from app.core.access import Actor
from app.core.auth import admin_only
from app.core.errors import UnsupportedMediaType
from app.imports.parsing import RowError, refuse

CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MULTIPART = "multipart/form-data"
# The body of an import may be this large (10 MiB, the rest of the API 1 MiB): a 10,000-row XLSX is about 0.4 MiB,
# its CSV about 0.7 MiB, so a file of MAX_ROWS rows with long names still fits.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024

ImportAdmin = Annotated[Actor, Depends(admin_only("import departments and employees"))]


async def uploaded_file(request: Request) -> bytes:
    """The file's bytes. Which format they are is told by the bytes themselves (an XLSX is a zip), since browsers
    label a CSV picked for a form field anything from text/csv to application/vnd.ms-excel."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type in (CSV, XLSX):
        return await request.body()
    if media_type != MULTIPART:
        raise UnsupportedMediaType(media_type=media_type or "-", xlsx=XLSX)
    async with request.form(max_files=1, max_fields=8) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise refuse([RowError.of(None, "file", "import.missing_file")])
        return await upload.read()


UploadedFile = Annotated[bytes, Depends(uploaded_file)]
