"""Bodies of the stateless scoring preview: a policy and KPR figures in, scores out."""

from decimal import Decimal
from typing import Annotated

from pydantic import ConfigDict, Field

from app.core.schemas import Declared, Figure, InputModel, Measure, OutputModel
from app.scoring import engine
from app.scoring.policy import PolicyIn

MAX_PREVIEW_KPRS = 200

ReviewScore = Annotated[Measure, Field(ge=0, le=1000)]


class PreviewKpr(InputModel):
    direction: engine.Direction
    baseline: Measure
    target: Measure
    threshold: Measure | None = None
    stretch: Measure | None = None
    tolerance: Annotated[Measure, Field(ge=0)] | None = None
    actual: Measure | None = Field(default=None, description="Latest measured value; null scores as the baseline.")
    weight: Annotated[Measure, Field(ge=0)] = Decimal(1)


class PreviewIn(InputModel):
    policy: PolicyIn = Field(default_factory=PolicyIn, description="Scoring policy; defaults apply when omitted.")
    kprs: list[PreviewKpr] = Field(max_length=MAX_PREVIEW_KPRS)
    manager_score: ReviewScore | None = None
    self_score: ReviewScore | None = None
    peer_score: ReviewScore | None = Field(
        default=None, description="The mean of the feedback responses; null leaves the peer part out (DESIGN §4)."
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "policy": {"curve": "linear", "cap": 120, "components": {"results": 70, "manager": 30, "self": 0}},
                    "kprs": [
                        {"direction": "increase", "baseline": 200, "target": 300, "actual": 250, "weight": 60},
                        {"direction": "decrease", "baseline": 5, "target": 2, "actual": 3, "weight": 40},
                    ],
                    "manager_score": 90,
                }
            ]
        }
    )


class PreviewKprScore(OutputModel):
    achievement: Figure | None = Field(description="100·a; null when the KPR is not measurable (target = baseline).")
    progress: Figure | None
    score: Figure | None


class PreviewOut(OutputModel):
    kprs: Annotated[list[PreviewKprScore], Declared(maxItems=MAX_PREVIEW_KPRS)]
    results_score: Figure | None
    final_score: Figure | None
    rating: Annotated[str, Declared(maxLength=16)] | None
