"""An import's report as the API shows it."""

from app.imports import schemas


def present(*, dry_run: bool, created: int, updated: int, unchanged: int) -> schemas.ImportReport:
    """The report of an import that went through: a file with errors is refused whole, so ``errors`` is empty."""
    return schemas.ImportReport(dry_run=dry_run, created=created, updated=updated, unchanged=unchanged, errors=[])
