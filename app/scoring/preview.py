"""The scoring preview: what a set of KPR figures would score under a policy, with nothing read or stored."""

from dataclasses import dataclass
from decimal import Decimal

from app.core.errors import ValidationFailed
from app.core.i18n import translate
from app.scoring import engine
from app.scoring.schemas import PreviewIn


@dataclass(frozen=True)
class Preview:
    """What the figures would score: each KPR, the results score over them, the final score and its rating."""

    kprs: list[engine.KprResult]
    results_score: Decimal | None
    final_score: Decimal | None
    rating: str | None


def preview_scores(body: PreviewIn) -> Preview:
    errors = [
        {"loc": ["body", "kprs", index, field], "msg": translate(f"definition.{code}"), "type": code.lower()}
        for index, kpr in enumerate(body.kprs)
        for field, code in engine.definition_errors(
            kpr.direction, kpr.baseline, kpr.target, kpr.threshold, kpr.stretch, kpr.tolerance
        )
    ]
    if errors:
        raise ValidationFailed(errors=errors)
    policy = body.policy.to_engine()
    results = [
        engine.score_kpr(
            engine.KprFigures(
                direction=kpr.direction,
                baseline=kpr.baseline,
                target=kpr.target,
                threshold=kpr.threshold,
                stretch=kpr.stretch,
                tolerance=kpr.tolerance,
                actual=kpr.actual,
                weight=kpr.weight,
            ),
            policy,
        )
        for kpr in body.kprs
    ]
    results_score = engine.results_score((kpr.weight, r.score) for kpr, r in zip(body.kprs, results, strict=True))
    final = engine.final_score(results_score, body.manager_score, body.self_score, policy, body.peer_score)
    return Preview(results, results_score, final, engine.rating_for(final, policy))
