from typing import Annotated

from pydantic import ConfigDict, Field

from app.core.schemas import Count, Declared, OutputModel

# The most errors one answer lists (app/imports/parsing.py MAX_ERRORS; a 422's `error_count` counts them all).
MAX_LISTED_ERRORS = 1_000


class ImportRowError(OutputModel):
    """One problem of an imported file, as the 422's `errors` lists them."""

    row: Annotated[int, Declared(minimum=1, maximum=1_000_000, format="int32")] | None = Field(
        description="The row number as Excel shows it (the header is row 1); null for the file as a whole."
    )
    field: Annotated[str, Declared(maxLength=100)] | None = Field(
        description="The column (its API name, e.g. `manager_external_id`); null for the whole row or file."
    )
    code: Annotated[str, Declared(maxLength=64)] = Field(
        description="Stable snake_case: `required`, `too_long`, `invalid_text`, `invalid_email`, `invalid_boolean`, "
        "`duplicate_key`, `unknown_department`, `unknown_parent`, `unknown_employee`, `unknown_manager`, `loop`, "
        "`unknown_column`, `duplicate_column`, `missing_column`, `no_header`, `too_many_rows`, `missing_file`, "
        "`malformed_csv`, `unreadable_file`, `xls_unsupported`, `too_large_unpacked`, `unsupported_encoding`."
    )
    message: Annotated[str, Declared(maxLength=1_000)] = Field(description="What is wrong, in the request's language.")


class ImportReport(OutputModel):
    dry_run: bool = Field(description="True when nothing was written: the report says what the import would do.")
    created: Count = Field(description="Rows whose key was new: created.")
    updated: Count = Field(description="Rows whose key exists and whose values differ: updated.")
    unchanged: Count = Field(description="Rows whose key exists with exactly these values: left as they are.")
    errors: Annotated[list[ImportRowError], Declared(maxItems=MAX_LISTED_ERRORS)] = Field(
        description="Always empty here: a file with any error is refused whole (422, with the errors listed)."
    )

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"dry_run": True, "created": 48, "updated": 2, "unchanged": 0, "errors": []}]}
    )
