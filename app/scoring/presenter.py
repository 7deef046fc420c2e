"""A scoring preview as the API shows it. It reads nothing (the preview answers while the database is down), so unlike
the presenters of stored resources it takes no session."""

from app.scoring.preview import Preview
from app.scoring.schemas import PreviewOut


def present(preview: Preview) -> PreviewOut:
    return PreviewOut.model_validate(preview)
