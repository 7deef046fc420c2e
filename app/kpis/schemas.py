import uuid

from pydantic import ConfigDict, Field

from app.core.enums import Direction, Frequency
from app.core.schemas import Choice, Figure, InputModel, Measure, Name, NameOut, OutputModel, PatchModel, UtcDatetime
from app.kprs.schemas import MetricKey, MetricKeyOut, Unit, UnitOut


class Kpi(OutputModel):
    id: uuid.UUID
    kpr_id: uuid.UUID
    name: NameOut
    unit: UnitOut | None
    direction: Choice[Direction]
    baseline: Measure
    target: Measure
    frequency: Choice[Frequency]
    metric_key: MetricKeyOut | None = Field(description="What pushed figures name (POST /check-ins/bulk).")
    current_value: Measure | None = Field(description="Newest check-in; null before the first.")
    progress: Figure | None = Field(description="Progress towards the target, 0–100.")
    created_at: UtcDatetime
    updated_at: UtcDatetime


class KpiCreate(InputModel):
    name: Name
    unit: Unit | None = None
    direction: Choice[Direction]
    baseline: Measure
    target: Measure
    frequency: Choice[Frequency]
    metric_key: MetricKey | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "每周客户拜访次数",
                    "unit": "次",
                    "direction": "increase",
                    "baseline": 5,
                    "target": 12,
                    "frequency": "weekly",
                }
            ]
        }
    )


class KpiUpdate(PatchModel):
    non_nullable = frozenset({"name", "direction", "baseline", "target", "frequency"})

    name: Name | None = None
    unit: Unit | None = None
    direction: Choice[Direction] | None = None
    baseline: Measure | None = None
    target: Measure | None = None
    frequency: Choice[Frequency] | None = None
    metric_key: MetricKey | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{"target": 15}]})
