"""Reading reference data: the ESCO skill picker's search and the ISCED-F select."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from osaamo.framework.models import EscoSkill
from osaamo.framework.selectors import (
    esco_search,
    esco_skill,
    esco_skills_by_uri,
    isced_choices,
    isced_field,
    isced_tree,
    vocabulary_list,
)
from tests.factories import SKILL_DATA_PROTECTION, SKILL_GDPR

pytestmark = pytest.mark.django_db


def _skill(name: str, label: str, alt: str = "") -> EscoSkill:
    return EscoSkill.objects.create(uri=f"http://data.europa.eu/esco/skill/test-{name}",
                                    preferred_label={"en": label}, alt_labels=alt)


@pytest.fixture
def zyx_skills(db: Any) -> dict[str, EscoSkill]:
    """Skills with a made-up word, so that only they match and the ranking is all that matters."""
    return {
        "alt_substring": _skill("a", "other thing one", "use of zyxqv tools"),
        "alt_prefix": _skill("b", "other thing two", "something else\nZyxqv tools"),
        "substring_long": _skill("c", "apply the zyxqv method carefully"),
        "substring": _skill("d", "apply zyxqv"),
        "prefix_long": _skill("e", "zyxqv analysis in practice"),
        "prefix": _skill("f", "Zyxqv analysis"),
        "exact": _skill("g", "zyxqv"),
    }


def test_exact_then_prefix_then_substring_then_alternative_labels(zyx_skills: dict[str, EscoSkill]) -> None:
    found = esco_search("ZYXQV")
    order = ["exact", "prefix", "prefix_long", "substring", "substring_long", "alt_prefix", "alt_substring"]
    assert found == [zyx_skills[name] for name in order]


def test_search_is_case_insensitive_and_normalises_spaces(zyx_skills: dict[str, EscoSkill]) -> None:
    assert esco_search("  zyxqv   ANALYSIS ") == [zyx_skills["prefix"], zyx_skills["prefix_long"]]


def test_search_respects_the_limit_with_one_query(zyx_skills: dict[str, EscoSkill],
                                                  django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        found = esco_search("zyxqv", limit=3)
    assert found == [zyx_skills["exact"], zyx_skills["prefix"], zyx_skills["prefix_long"]]


@pytest.mark.parametrize("query", ["", " ", "z", "%", "_%"])
def test_too_short_or_wildcard_queries_find_nothing(query: str) -> None:
    assert esco_search(query) == []


def test_like_wildcards_are_matched_literally(zyx_skills: dict[str, EscoSkill]) -> None:
    assert esco_search("zy%qv") == []
    assert esco_search("zy_qv") == []


def test_real_esco_skills_are_found_by_label_and_alternative_label() -> None:
    found = esco_search("data protection", limit=10)
    assert found[0].uri == SKILL_DATA_PROTECTION
    assert all("data protection" in (s.search_label + s.search_alt_labels) for s in found)
    assert esco_search("gdpr")[0].uri == SKILL_GDPR
    by_alt = esco_search("general data protection regulation", limit=5)
    assert SKILL_GDPR in [skill.uri for skill in by_alt]


def test_a_limit_above_the_maximum_is_capped() -> None:
    assert len(esco_search("manage", limit=10_000)) == 100


def test_skills_by_uri_keep_the_given_order_and_skip_unknown() -> None:
    found = esco_skills_by_uri([SKILL_GDPR, "http://data.europa.eu/esco/skill/nope", SKILL_DATA_PROTECTION])
    assert [skill.uri for skill in found] == [SKILL_GDPR, SKILL_DATA_PROTECTION]
    assert esco_skill(SKILL_GDPR) == found[0]
    assert esco_skill("nope") is None


def test_isced_choices_are_grouped_by_broad_field_in_the_active_language() -> None:
    with translation.override("fi"):
        groups = isced_choices()
    assert len(groups) == 12
    labels = [label for label, _options in groups]
    assert "04 Kauppa, hallinto ja oikeustieteet" in labels
    options = {code: label for _group, choices in groups for code, label in choices}
    assert "0421" in options and options["0421"].endswith("0421 Oikeustiede")
    assert "04" not in options  # a broad field is too coarse to choose
    assert len(options) == 208
    with translation.override("sv"):
        swedish = {code: label for _g, choices in isced_choices(include_broad=True) for code, label in choices}
    assert swedish["04"] == "04 Handel, administration och juridik"


def test_isced_tree_and_lookup() -> None:
    tree = isced_tree()
    assert [node.code for node in tree][:3] == ["00", "01", "02"]
    assert sum(1 + len(narrow.children) for broad in tree for narrow in broad.children) + len(tree) == 220
    field = isced_field(" 0613 ")
    assert field is not None and field.parent_id == "061"
    assert isced_field("0420") is None


def test_vocabularies_list_every_code_with_a_label() -> None:
    vocabularies = {vocabulary.field: vocabulary for vocabulary in vocabulary_list()}
    assert [code for code, _ in vocabularies["participation_form"].choices] == [
        "online", "onsite", "blended", "work_based"]
    with translation.override("fi"):
        assert str(dict(vocabularies["assessment_type"].choices)["project_work"]) == "Projektityö"
