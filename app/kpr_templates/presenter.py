"""A library template as the API shows it: in the request's language (Accept-Language)."""

from collections.abc import Sequence

from app.core.i18n import current_locale
from app.kpr_templates import schemas
from app.kpr_templates.library import KprTemplate


def present(template: KprTemplate) -> schemas.KprTemplate:
    locale = current_locale.get()
    return schemas.KprTemplate(
        id=template.id,
        function=template.function,
        title=template.title.get(locale),
        description=template.description.get(locale),
        unit=template.unit.get(locale),
        direction=template.direction,
        suggested_kpis=[
            schemas.SuggestedKpi(
                name=kpi.name.get(locale),
                unit=kpi.unit.get(locale),
                direction=kpi.direction,
                frequency=kpi.frequency,
            )
            for kpi in template.suggested_kpis
        ],
    )


def present_many(templates: Sequence[KprTemplate]) -> list[schemas.KprTemplate]:
    return [present(template) for template in templates]
