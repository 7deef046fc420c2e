from fastapi import APIRouter

from app.core.auth import CurrentPrincipal
from app.core.routing import ApiRoute
from app.scoring import preview
from app.scoring.presenter import present
from app.scoring.schemas import PreviewIn, PreviewOut

router = APIRouter(route_class=ApiRoute, prefix="/scoring", tags=["scoring"])


@router.post(
    "/preview",
    response_model=PreviewOut,
    summary="Preview scores (stateless)",
    description=(
        "Scores KPR figures under a policy exactly as an evaluation would (DESIGN §4), without storing anything: "
        "per-KPR achievement, progress and score, the results score, the final score and the rating. Any "
        "authenticated caller may call it; it reads no data, so with a bearer token it answers even while the "
        "database is unavailable. Definitions that cannot be scored as meant (target = baseline, direction "
        "mismatch, threshold/stretch on the wrong side) answer 422 with field errors; at most 200 KPRs."
    ),
)
async def preview_scores(principal: CurrentPrincipal, body: PreviewIn) -> PreviewOut:
    return present(preview.preview_scores(body))
