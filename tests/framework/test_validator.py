"""The validator: each rule on its own, its messages in three languages, and the valid design passing."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from osaamo.framework.rules import (
    FINDING_CODES,
    Design,
    Finding,
    Severity,
    has_errors,
    rules_by_area,
    validate_design,
)
from osaamo.framework.vocabularies import EQF_LEVEL_OF_CYCLE
from tests.factories import design_data
from tests.framework.conftest import design_from_data, valid_design


def changed(**fields: Any) -> Callable[[Design], Design]:
    return lambda design: dataclasses.replace(design, **fields)


def outcome_changed(index: int, **texts: str | None) -> Callable[[Design], Design]:
    def change(design: Design) -> Design:
        outcomes = [dict(outcome) for outcome in design.learning_outcomes]
        for language, text in texts.items():
            if text is None:
                outcomes[index].pop(language, None)
            else:
                outcomes[index][language] = text
        return dataclasses.replace(design, learning_outcomes=outcomes)
    return change


def title_changed(**texts: str | None) -> Callable[[Design], Design]:
    def change(design: Design) -> Design:
        title = dict(design.title)
        for language, text in texts.items():
            if text is None:
                title.pop(language, None)
            else:
                title[language] = text
        return dataclasses.replace(design, title=title)
    return change


LONG_TITLE = "Tietosuoja käytännön työssä: riskien arviointi, tietosuojaselosteet ja rekisterinpitäjän velvollisuudet"

# One design per rule that breaks that rule and nothing else.
BROKEN: dict[str, Callable[[Design], Design]] = {
    "title.missing": changed(title={}),
    "country.missing": changed(country=""),
    "country.invalid": changed(country="Finland"),
    "awarding_bodies.missing": changed(awarding_bodies=[]),
    "learning_outcomes.missing": changed(learning_outcomes=[]),
    "ects.missing": changed(ects=None),
    "eqf_level.missing": changed(eqf_level=None),
    "assessment_type.missing": changed(assessment_type=""),
    "participation_form.missing": changed(participation_form=""),
    "quality_assurance.missing": changed(quality_assurance=""),
    "title.too_long": title_changed(fi=LONG_TITLE),
    "title.degree_word": title_changed(en="Data protection for degree students"),
    "title.generic": title_changed(fi="Moduuli 2"),
    "title.national_language_missing": title_changed(fi=None, sv=None),
    "title.english_missing": title_changed(en=None),
    "description.missing": changed(description={}),
    "description.national_language_missing": changed(description={"en": "You learn to apply the GDPR."}),
    "description.english_missing": changed(description={"fi": "Opit soveltamaan tietosuoja-asetusta."}),
    "learning_outcome.empty": lambda d: dataclasses.replace(d, learning_outcomes=[*d.learning_outcomes, {}]),
    "learning_outcome.no_action_verb": outcome_changed(0, fi="Henkilötietojen käsittelyn riskit"),
    "learning_outcome.non_observable_verb": outcome_changed(1, sv="förstå vad en dataskyddsbeskrivning är"),
    "learning_outcome.language_missing": outcome_changed(1, sv=None),
    "ects.out_of_range": changed(ects=Decimal("60"), hours=None),
    "hours.inconsistent": changed(hours=40),
    "eqf_level.invalid": changed(eqf_level=9),
    "qf_ehea_cycle.invalid": changed(cycle="fourth"),
    "eqf_level.cycle_mismatch": changed(eqf_level=7),
    "eqf_level.below_higher_education": changed(eqf_level=4, cycle="none"),
    "assessment_type.invalid": changed(assessment_type="essay"),
    "assessment_description.missing": changed(assessment_description={}),
    "participation_form.invalid": changed(participation_form="by_post"),
    "quality_assurance.invalid": changed(quality_assurance="iso9001"),
    "quality_assurance_description.missing": changed(quality_assurance="other", quality_assurance_description={}),
    "identity_verification.invalid": changed(identity_verification="fingerprint"),
    "stackability.invalid": changed(stackability="maybe"),
    "stackability_description.missing": changed(stackability="stackable", stackability_description={}),
    "languages.missing": changed(languages=[]),
    "languages.invalid": changed(languages=["fi", "xx"]),
    "isced_f.missing": changed(isced_code=""),
    "isced_f.unknown": changed(isced_code="0420"),
    "isced_f.too_broad": changed(isced_code="04"),
}


def findings_for(code: str) -> list[Finding]:
    return validate_design(BROKEN[code](valid_design()))


def test_the_factory_design_has_no_findings() -> None:
    assert validate_design(valid_design()) == []


@pytest.mark.django_db
def test_the_factory_design_stored_through_the_catalog_has_no_findings(helsinki: Any, helsinki_admin: Any) -> None:
    from osaamo.catalog.services import micro_credential_create, version_findings

    version = micro_credential_create(provider=helsinki, by=helsinki_admin, code="FW-1", data=design_data())
    assert version_findings(version) == []


def test_every_rule_in_the_catalogue_has_a_case_here() -> None:
    assert set(BROKEN) == set(FINDING_CODES)


@pytest.mark.parametrize("code", sorted(BROKEN))
def test_a_design_breaking_one_rule_gets_exactly_that_finding(code: str) -> None:
    findings = findings_for(code)
    assert [finding.code for finding in findings] == [code]
    finding = findings[0]
    rule = FINDING_CODES[code]
    assert finding.severity == rule.severity
    assert finding.rule == rule.source
    assert finding.rule
    assert finding.field.split(".")[0] == rule.field
    assert has_errors(findings) == (rule.severity == Severity.ERROR)


@pytest.mark.parametrize("code", sorted(BROKEN))
def test_every_message_is_in_finnish_swedish_and_english(code: str) -> None:
    (finding,) = findings_for(code)
    messages = finding.messages()
    assert set(messages) == {"fi", "sv", "en"}
    assert all(text.strip() for text in messages.values())
    assert len(set(messages.values())) == 3, messages
    assert not any("%(" in text for text in messages.values())


@pytest.mark.parametrize("code", sorted(FINDING_CODES))
def test_every_rule_is_explained_in_three_languages_with_its_source(code: str) -> None:
    from django.utils import translation

    rule = FINDING_CODES[code]
    explanations = {}
    for language in ("fi", "sv", "en"):
        with translation.override(language):
            explanations[language] = str(rule.explanation)
    assert len(set(explanations.values())) == 3
    assert rule.source
    assert rule.as_dict("fi")["explanation"] == explanations["fi"]


def test_the_catalogue_groups_every_rule_once() -> None:
    grouped = [rule.code for _label, rules in rules_by_area() for rule in rules]
    assert sorted(grouped) == sorted(FINDING_CODES)


def test_a_missing_element_names_the_element_and_annex_i() -> None:
    (finding,) = findings_for("ects.missing")
    assert "Annex I M7" in finding.rule
    assert finding.is_error
    assert "ECTS" in finding.text("en")
    assert "opintopiste" in finding.text("fi")
    assert "studiepoäng" in finding.text("sv")


def test_several_missing_elements_give_one_finding_each() -> None:
    design = dataclasses.replace(valid_design(), title={}, ects=None, eqf_level=None, assessment_type="",
                                 participation_form="", quality_assurance="", learning_outcomes=[],
                                 awarding_bodies=[], country="")
    codes = [finding.code for finding in validate_design(design)]
    assert sorted(codes) == sorted([
        "title.missing", "ects.missing", "eqf_level.missing", "assessment_type.missing",
        "participation_form.missing", "quality_assurance.missing", "learning_outcomes.missing",
        "awarding_bodies.missing", "country.missing",
    ])


# --- workload -------------------------------------------------------------------------------------

@pytest.mark.parametrize("ects", ["1", "1.5", "5", "59"])
def test_ects_from_1_to_59_is_accepted(ects: str) -> None:
    assert validate_design(dataclasses.replace(valid_design(), ects=Decimal(ects), hours=None)) == []


@pytest.mark.parametrize("ects", ["0", "0.5", "59.5", "60", "120"])
def test_ects_outside_1_to_59_is_an_error(ects: str) -> None:
    findings = validate_design(dataclasses.replace(valid_design(), ects=Decimal(ects), hours=None))
    assert [(f.code, f.severity) for f in findings] == [("ects.out_of_range", Severity.ERROR)]


@pytest.mark.parametrize(("ects", "hours"), [("5", 125), ("5", 135), ("5", 150), ("2.5", 68), ("1.5", 40), ("5", None)])
def test_hours_within_25_to_30_per_credit_or_no_hours_are_fine(ects: str, hours: int | None) -> None:
    assert validate_design(dataclasses.replace(valid_design(), ects=Decimal(ects), hours=hours)) == []


@pytest.mark.parametrize(("ects", "hours"), [("5", 124), ("5", 151), ("5", 0), ("5", 20)])
def test_hours_outside_the_range_warn_and_suggest_27_per_credit(ects: str, hours: int) -> None:
    (finding,) = validate_design(dataclasses.replace(valid_design(), ects=Decimal(ects), hours=hours))
    assert finding.code == "hours.inconsistent"
    assert finding.severity == Severity.WARNING
    assert "135" in finding.text("en")  # 27 × 5
    assert "125–150" in finding.text("fi")


def test_decimal_credits_are_written_the_finnish_way_in_finnish() -> None:
    (finding,) = validate_design(dataclasses.replace(valid_design(), ects=Decimal("2.5"), hours=10))
    assert "2,5" in finding.text("fi")
    assert "2.5" in finding.text("en")
    assert "68" in finding.text("sv")  # 27 × 2.5 = 67.5, rounded


# --- level -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("cycle", "level"), [*EQF_LEVEL_OF_CYCLE.items(), ("none", 6), ("", 7), ("none", 5)])
def test_eqf_level_consistent_with_the_cycle_is_fine(cycle: str, level: int) -> None:
    assert validate_design(dataclasses.replace(valid_design(), cycle=cycle, eqf_level=level)) == []


@pytest.mark.parametrize(("cycle", "level"), [("short", 6), ("first", 5), ("first", 7), ("second", 6), ("third", 7)])
def test_eqf_level_inconsistent_with_the_cycle_is_an_error(cycle: str, level: int) -> None:
    findings = validate_design(dataclasses.replace(valid_design(), cycle=cycle, eqf_level=level))
    assert [(f.code, f.severity) for f in findings] == [("eqf_level.cycle_mismatch", Severity.ERROR)]
    assert str(EQF_LEVEL_OF_CYCLE[cycle]) in findings[0].text("en")


@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_eqf_below_5_warns(level: int) -> None:
    findings = validate_design(dataclasses.replace(valid_design(), cycle="none", eqf_level=level))
    assert [(f.code, f.severity) for f in findings] == [("eqf_level.below_higher_education", Severity.WARNING)]


# --- title -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "title"), [
    ("fi", "Tutkinnon osa: tietosuoja"),
    ("fi", "Ammattitutkintoon valmentava tietosuoja"),
    ("sv", "Dataskydd inom yrkesexamen"),
    ("en", "Degree-level data protection"),
    ("en", "Data protection degrees"),
])
def test_degree_words_in_the_title_warn(language: str, title: str) -> None:
    findings = validate_design(title_changed(**{language: title})(valid_design()))
    assert [(f.code, f.language) for f in findings] == [("title.degree_word", language)]


@pytest.mark.parametrize("title", ["360-degree feedback in leadership", "Rikostutkinta ja tietosuoja"])
def test_words_that_only_look_like_degree_do_not_warn(title: str) -> None:
    assert validate_design(title_changed(en=title)(valid_design())) == []


def test_a_title_of_exactly_100_characters_is_fine_and_101_is_too_long() -> None:
    base = "Tietosuoja käytännön työssä " + "x" * 100
    assert validate_design(title_changed(fi=base[:100])(valid_design())) == []
    (finding,) = validate_design(title_changed(fi=base[:101])(valid_design()))
    assert finding.code == "title.too_long"
    assert "101" in finding.text("sv")


def test_swedish_alone_is_enough_as_a_national_language() -> None:
    design = title_changed(fi=None)(valid_design())
    design = dataclasses.replace(design, description={"sv": "Du lär dig.", "en": "You learn."})
    assert validate_design(design) == []


# --- outcomes ---------------------------------------------------------------------------------------

def test_outcome_findings_name_the_outcome_and_the_language() -> None:
    design = outcome_changed(1, en="understand privacy notices", fi="Opiskelija tietää mikä on tietosuojaseloste")(
        valid_design())
    findings = validate_design(design)
    assert [(f.code, f.field, f.language) for f in findings] == [
        ("learning_outcome.non_observable_verb", "learning_outcomes.1", "fi"),
        ("learning_outcome.non_observable_verb", "learning_outcomes.1", "en"),
    ]
    assert "2" in findings[0].text("fi")
    assert "tietää" in findings[0].text("fi")
    assert "understand" in findings[1].text("en")
    assert "analyse" in findings[1].text("fi")  # examples in the outcome's own language


def test_the_outcome_language_check_follows_the_title_languages() -> None:
    design = dataclasses.replace(valid_design(), title={"fi": "Tietosuoja käytännön työssä", "en": "Data protection"},
                                 learning_outcomes=[{"fi": "laatia tietosuojaseloste", "en": "draft a privacy notice"}])
    assert validate_design(design) == []


def test_an_outcome_with_skills_but_no_text_is_an_error() -> None:
    design = dataclasses.replace(valid_design(), learning_outcomes=[{}])
    findings = validate_design(design)
    assert [(f.code, f.field, f.is_error) for f in findings] == [("learning_outcome.empty", "learning_outcomes.0", True)]


def test_other_quality_assurance_with_a_description_is_fine() -> None:
    design = dataclasses.replace(valid_design(), quality_assurance="other",
                                 quality_assurance_description={"en": "Audited by the consortium board."})
    assert validate_design(design) == []


def test_stackable_with_a_description_is_fine() -> None:
    design = dataclasses.replace(valid_design(), stackability="stackable",
                                 stackability_description={"fi": "Voidaan sisällyttää 30 op:n kokonaisuuteen."})
    assert validate_design(design) == []


def test_optional_elements_may_be_left_empty() -> None:
    design = dataclasses.replace(valid_design(), identity_verification="", stackability="")
    assert validate_design(design) == []


def test_the_validator_reads_design_data_keys_as_format_md_names_them() -> None:
    data = design_data(isced_f="0613", qf_ehea_cycle="second", eqf_level=7)
    assert validate_design(design_from_data(data)) == []
