import re
from collections import Counter
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid5

import pytest

from app.kpr_templates.library import (
    FUNCTIONS,
    NAMESPACE,
    TEMPLATES,
    KprTemplate,
    LocalizedText,
    get_template,
    list_templates,
)
from app.smart.check import SmartContext, SmartInput, SmartStatus, check_smart, looks_like_kpi

CJK = re.compile("[\u4e00-\u9fff]")
REQUIRED_FUNCTIONS = ("sales", "marketing", "hr", "production", "rnd", "customer_service", "finance")
IDS = [template.slug for template in TEMPLATES]


def test_ids_are_uuid5_of_the_slug_under_the_fixed_namespace() -> None:
    # Stored KPRs carry template_id: changing the namespace or a slug would orphan them.
    assert UUID("6f1c9e52-3b7a-5d84-9a20-4c8e1f0b7d35") == NAMESPACE
    assert get_template(UUID("0953d770-74af-51cd-b68b-0ba1ab652b23")) is not None
    for template in TEMPLATES:
        assert template.id == uuid5(NAMESPACE, template.slug)


def test_ids_and_slugs_are_unique() -> None:
    assert len({template.id for template in TEMPLATES}) == len(TEMPLATES)
    assert len({template.slug for template in TEMPLATES}) == len(TEMPLATES)


def test_slugs_are_kebab_case() -> None:
    for template in TEMPLATES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", template.slug), template.slug


def test_functions_cover_the_required_ones_and_are_unique() -> None:
    assert set(REQUIRED_FUNCTIONS) <= set(FUNCTIONS)
    assert len(set(FUNCTIONS)) == len(FUNCTIONS)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_function_has_at_least_three_templates(function: str) -> None:
    assert len(list_templates(function)) >= 3


def test_every_template_belongs_to_a_known_function() -> None:
    assert {template.function for template in TEMPLATES} == set(FUNCTIONS)


def _texts(template: KprTemplate) -> list[LocalizedText]:
    return [template.title, template.description, template.unit] + [
        text for kpi in template.suggested_kpis for text in (kpi.name, kpi.unit)
    ]


@pytest.mark.parametrize("template", TEMPLATES, ids=IDS)
def test_every_text_exists_in_both_languages(template: KprTemplate) -> None:
    for text in _texts(template):
        assert text.en.strip() == text.en
        assert text.zh.strip() == text.zh
        assert text.en
        assert text.zh
        assert not CJK.search(text.en), text.en
    for text in [template.title, template.description] + [kpi.name for kpi in template.suggested_kpis]:
        assert CJK.search(text.zh), text.zh


@pytest.mark.parametrize("template", TEMPLATES, ids=IDS)
def test_every_template_suggests_two_to_four_distinct_kpis(template: KprTemplate) -> None:
    assert 2 <= len(template.suggested_kpis) <= 4
    assert len({kpi.name.en for kpi in template.suggested_kpis}) == len(template.suggested_kpis)
    assert len({kpi.name.zh for kpi in template.suggested_kpis}) == len(template.suggested_kpis)


@pytest.mark.parametrize("template", TEMPLATES, ids=IDS)
def test_directions_and_frequencies_are_valid(template: KprTemplate) -> None:
    assert template.direction in ("increase", "decrease", "maintain")
    for kpi in template.suggested_kpis:
        assert kpi.direction in ("increase", "decrease", "maintain")
        assert kpi.frequency in ("daily", "weekly", "monthly")


@pytest.mark.parametrize("template", TEMPLATES, ids=IDS)
def test_units_fit_the_kpr_unit_column(template: KprTemplate) -> None:
    # Applying a template copies its unit into KPRs and KPIs, whose unit column holds 32 characters.
    for unit in [template.unit] + [kpi.unit for kpi in template.suggested_kpis]:
        assert len(unit.en) <= 32
        assert len(unit.zh) <= 32


@pytest.mark.parametrize("template", TEMPLATES, ids=IDS)
@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_every_template_is_a_result_that_passes_the_specific_check(template: KprTemplate, locale: str) -> None:
    title = template.title.get(locale)
    kpr = SmartInput(
        title=title,
        description=template.description.get(locale),
        unit=template.unit.get(locale),
        direction=template.direction,
        baseline=Decimal(100),
        target=Decimal(80) if template.direction == "decrease" else Decimal(120),
        due_date=date(2025, 12, 31),
    )
    ctx = SmartContext(True, True, True, date(2025, 1, 1), date(2025, 12, 31))

    assert not looks_like_kpi(title)
    report = check_smart(kpr, ctx)
    assert report.specific.status is SmartStatus.PASS, report.as_dict("zh-CN" if locale == "zh-CN" else "en")
    assert report.passed


def test_titles_are_unique_in_each_language() -> None:
    for counts in (Counter(t.title.en for t in TEMPLATES), Counter(t.title.zh for t in TEMPLATES)):
        assert counts.most_common(1)[0][1] == 1


@pytest.mark.parametrize(
    ("function", "title_zh", "direction"),
    [
        ("sales", "销售额增长", "increase"),
        ("sales", "新客户数量", "increase"),
        ("sales", "回款率", "increase"),
        ("marketing", "有效线索数", "increase"),
        ("marketing", "品牌知名度", "increase"),
        ("marketing", "获客成本", "decrease"),
        ("hr", "关键岗位到岗率", "increase"),
        ("hr", "员工年度流失率", "decrease"),
        ("hr", "培训覆盖率", "increase"),
        ("production", "单位生产成本", "decrease"),
        ("production", "产品不良率", "decrease"),
        ("production", "准时交付率", "increase"),
        ("rnd", "新产品按期上市数", "increase"),
        ("rnd", "线上缺陷逃逸率", "decrease"),
        ("rnd", "研发项目按期交付率", "increase"),
        ("customer_service", "客户满意度", "increase"),
        ("customer_service", "首次解决率", "increase"),
        ("customer_service", "平均响应时长", "decrease"),
        ("finance", "应收账款周转天数", "decrease"),
        ("finance", "预算偏差率", "decrease"),
        ("finance", "月结及时率", "increase"),
    ],
)
def test_core_templates_are_shipped(function: str, title_zh: str, direction: str) -> None:
    matches = [template for template in list_templates(function) if template.title.zh == title_zh]

    assert len(matches) == 1
    assert matches[0].direction == direction


def test_sales_revenue_growth_is_driven_by_its_process_kpis() -> None:
    template = next(template for template in TEMPLATES if template.slug == "sales-revenue-growth")

    assert template.title == LocalizedText(en="Sales revenue growth", zh="销售额增长")
    assert template.unit == LocalizedText(en="CNY 10k", zh="万元")
    kpis = {kpi.name.zh: kpi for kpi in template.suggested_kpis}
    assert set(kpis) == {"客户拜访次数", "新增商机数", "报价转化率"}
    assert kpis["客户拜访次数"].frequency == "weekly"
    assert looks_like_kpi(kpis["客户拜访次数"].name.zh)
    assert looks_like_kpi(kpis["客户拜访次数"].name.en)


# --- listing and lookup ---------------------------------------------------------------------------------------------


def test_list_all_is_ordered_by_function_then_slug() -> None:
    templates = list_templates()

    assert templates == list(TEMPLATES)
    assert templates == sorted(templates, key=lambda template: (template.function, template.slug))


@pytest.mark.parametrize("function", FUNCTIONS)
def test_list_filters_by_function(function: str) -> None:
    templates = list_templates(function)

    assert templates
    assert all(template.function == function for template in templates)
    assert [template.slug for template in templates] == sorted(template.slug for template in templates)
    assert templates == [template for template in TEMPLATES if template.function == function]


def test_list_of_an_unknown_function_is_empty() -> None:
    assert list_templates("astrology") == []


def test_list_returns_a_fresh_list() -> None:
    list_templates("sales").clear()

    assert list_templates("sales")


@pytest.mark.parametrize("template", TEMPLATES, ids=IDS)
def test_get_template_finds_each_template_by_id(template: KprTemplate) -> None:
    assert get_template(template.id) is template


def test_get_template_of_an_unknown_id_is_none() -> None:
    assert get_template(uuid5(NAMESPACE, "no-such-template")) is None
    assert get_template(UUID(int=0)) is None


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("zh-CN", "回款率"), ("zh", "回款率"), ("en", "Cash collection rate"), ("fr", "Cash collection rate")],
)
def test_localized_text_picks_chinese_for_zh_and_english_otherwise(locale: str, expected: str) -> None:
    assert LocalizedText(en="Cash collection rate", zh="回款率").get(locale) == expected
