"""The demo's people working together on the annual results (DESIGN §12): a thread on 刘洋's sales KPR between him and
his managers, a question to HR on a department goal, and a revision waiting for a decision. The mentions and the
revision leave each demo token (赵敏, 张伟, 刘洋) something on ``GET /me/tasks``, whatever the date."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.demo import calls
from app.demo.data import ANNUAL_COMMENTS, ANNUAL_REVISIONS
from app.demo.org import Company
from app.demo.planning import AnnualCycle


async def load_conversations(session: AsyncSession, company: Company, annual: AnnualCycle) -> None:
    for row in ANNUAL_COMMENTS:
        entity = annual.kprs[row.key] if row.entity_type == "kpr" else annual.goals[row.key]
        body = {
            "entity_type": row.entity_type,
            "entity_id": entity.id,
            "body": row.body,
            "mention_ids": [company.employees[person].id for person in row.mentions],
        }
        await calls.create_comment(session, company.actors[row.author], body)
    for revision in ANNUAL_REVISIONS:
        kpr = annual.kprs[revision.kpr]
        body = {"changes": revision.changes, "reason": revision.reason}
        await calls.request_revision(session, company.actor_of(kpr.owner_id), kpr.id, body)
