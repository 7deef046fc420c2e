"""A comment as the API shows it: a deleted one keeps its place in the thread, without its text."""

from app.comments import schemas
from app.models import Comment


def present(comment: Comment) -> schemas.Comment:
    deleted = comment.deleted_at is not None
    return schemas.Comment(
        id=comment.id,
        entity_type=comment.entity_type,
        entity_id=comment.entity_id,
        author_id=comment.author_id,
        body=None if deleted else comment.body,
        mention_ids=comment.mention_ids,
        created_at=comment.created_at,
        edited_at=comment.edited_at,
        deleted=deleted,
        updated_at=comment.updated_at,
    )
