"""Matching a skill need to micro-credentials and offerings: the ranking and its explanations."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from osaamo.demand.matching import (
    BUDGET,
    FITS,
    NO,
    NOT_ASKED,
    PARTLY,
    REGION,
    SEATS,
    SKILLS,
    TEXT,
    TIMING,
    Fit,
    match_score,
    rank_matches,
)
from osaamo.demand.regions import region_of_place
from osaamo.demand.text import need_terms, stems_match
from tests.demand.conftest import (
    NORTH_OSTROBOTHNIA,
    PIRKANMAA,
    SKILL_LEAN,
    SKILL_PROJECT_MANAGEMENT,
    UUSIMAA,
    days,
    make_micro_credential,
    make_need,
    outcome,
)
from tests.factories import SKILL_DATA_PROTECTION, SKILL_GDPR

# --- the scoring function ------------------------------------------------------------------------------

ALL_FIT = [Fit("region", FITS, ""), Fit("timing", FITS, ""), Fit("budget", FITS, ""), Fit("seats", FITS, "")]


def test_the_weights_add_up_to_a_hundred() -> None:
    assert SKILLS + TEXT + REGION + TIMING + BUDGET + SEATS == 100
    assert match_score(skills_needed=2, skills_covered=2, words_needed=3, words_found=3, fit=ALL_FIT) == 100


def test_covering_more_of_the_needed_skills_scores_higher() -> None:
    half = match_score(skills_needed=2, skills_covered=1, words_needed=0, words_found=0, fit=None)
    full = match_score(skills_needed=2, skills_covered=2, words_needed=0, words_found=0, fit=None)
    assert (half, full) == (35, 70)  # with no words, the text's weight goes to the skills


def test_a_need_in_words_only_is_scored_on_the_words() -> None:
    assert match_score(skills_needed=0, skills_covered=0, words_needed=4, words_found=1, fit=None) == 18
    assert match_score(skills_needed=0, skills_covered=0, words_needed=4, words_found=4, fit=None) == 70


@pytest.mark.parametrize(("criterion", "level", "expected"), [
    ("region", NO, 100 - REGION), ("region", PARTLY, 100 - REGION / 2), ("timing", NO, 100 - TIMING),
    ("budget", NO, 100 - BUDGET), ("seats", PARTLY, 100 - SEATS / 2), ("budget", NOT_ASKED, 100),
])
def test_each_fit_criterion_counts_by_its_weight(criterion: str, level: str, expected: float) -> None:
    fit = [f if f.criterion != criterion else Fit(criterion, level, "") for f in ALL_FIT]
    assert match_score(skills_needed=1, skills_covered=1, words_needed=1, words_found=1, fit=fit) == round(expected)


def test_no_upcoming_offering_scores_only_the_content() -> None:
    assert match_score(skills_needed=1, skills_covered=1, words_needed=1, words_found=1, fit=None) == SKILLS + TEXT


# --- words ---------------------------------------------------------------------------------------------


def test_inflected_and_compound_finnish_words_match() -> None:
    assert stems_match("tietosuo", "tietosuojasel")  # tietosuoja ~ tietosuojaseloste
    assert stems_match("kyberturvallisuus", "kyberturvallisuud")  # -uus ~ -uuden
    assert stems_match("risk", "riskej")  # riskit ~ riskejä
    assert not stems_match("tietosuo", "tietoturv")  # data protection is not information security


def test_the_need_words_leave_out_what_every_need_says() -> None:
    assert [t.word for t in need_terms("Our staff need to learn GDPR and privacy notices")] == [
        "gdpr", "privacy", "notices"]


@pytest.mark.parametrize(("place", "region"), [
    ("Helsinki, Kumpula campus", UUSIMAA), ("Helsingin yliopisto", UUSIMAA), ("Tampereen kampus", PIRKANMAA),
    ("Oulussa", NORTH_OSTROBOTHNIA), ("Åbo Akademi", "02"), ("Kemian laitos", None), ("", None),
])
def test_the_region_is_read_from_the_place(place: str, region: str | None) -> None:
    assert region_of_place(place) == region


# --- ranking and explaining ----------------------------------------------------------------------------


@pytest.fixture
def catalog(helsinki: Any, helsinki_admin: Any, aalto: Any, aalto_admin: Any) -> dict[str, Any]:
    """Four published micro-credentials with different skills, places, dates and prices."""
    both = make_micro_credential(
        helsinki, helsinki_admin, title="Privacy and projects",
        outcomes=[outcome("analyse the risks of processing personal data", SKILL_DATA_PROTECTION,
                          fi="analysoida henkilötietojen käsittelyn riskejä"),
                  outcome("plan a data protection project", SKILL_PROJECT_MANAGEMENT)],
        offerings=[{"mode": "online", "start_date": days(30), "end_date": days(60),
                    "price_organisation": Decimal("400.00"), "seats": 30}],
    )
    privacy_online = make_micro_credential(
        helsinki, helsinki_admin, title="Data protection online",
        outcomes=[outcome("apply the GDPR to customer data", SKILL_DATA_PROTECTION, SKILL_GDPR)],
        offerings=[{"mode": "online", "start_date": days(20), "end_date": days(50),
                    "price_organisation": Decimal("450.00")}],
    )
    privacy_oulu = make_micro_credential(
        aalto, aalto_admin, title="Data protection in Oulu",
        outcomes=[outcome("apply data protection law", SKILL_DATA_PROTECTION)],
        offerings=[{"mode": "onsite", "place": {"fi": "Oulun kampus"}, "start_date": days(200),
                    "end_date": days(230), "price_organisation": Decimal("900.00"), "seats": 3,
                    "min_participants": 2, "enrolment_closes": days(190) + "T12:00:00+02:00"}],
    )
    lean = make_micro_credential(
        aalto, aalto_admin, title="Lean production",
        outcomes=[outcome("apply lean principles on the factory floor", SKILL_LEAN)],
        offerings=[{"mode": "onsite", "place": {"fi": "Espoo, Otaniemi"}}],
    )
    return {"both": both, "privacy_online": privacy_online, "privacy_oulu": privacy_oulu, "lean": lean}


def test_matches_are_ranked_by_skills_then_fit(employer: Any, employer_admin: Any, catalog: dict[str, Any]) -> None:
    need = make_need(employer, employer_admin, skills=[SKILL_DATA_PROTECTION, SKILL_PROJECT_MANAGEMENT],
                     region=UUSIMAA, people=5, needed_by=days(90), budget_per_person="500")
    ranked = [match.version for match in rank_matches(need)]
    # Both skills first; then the online one that fits everywhere above the one in Oulu that starts too late,
    # costs too much and has too few places; lean production teaches neither skill.
    assert ranked == [catalog["both"], catalog["privacy_online"], catalog["privacy_oulu"]]


def test_each_match_says_which_skill_each_outcome_covers(employer: Any, employer_admin: Any,
                                                         catalog: dict[str, Any]) -> None:
    need = make_need(employer, employer_admin, skills=[SKILL_DATA_PROTECTION, SKILL_PROJECT_MANAGEMENT])
    match = next(m for m in rank_matches(need) if m.version == catalog["privacy_online"])
    assert [(str(c.skill), [o.text["en"] for o in c.outcomes]) for c in match.covered] == [
        ("data protection", ["apply the GDPR to customer data"])]
    assert [str(skill) for skill in match.missing] == ["project management"]


def test_the_fit_of_the_best_offering_is_explained(employer: Any, employer_admin: Any,
                                                   catalog: dict[str, Any]) -> None:
    need = make_need(employer, employer_admin, skills=[SKILL_DATA_PROTECTION], region=UUSIMAA, people=5,
                     needed_by=days(90), budget_per_person="500")
    matches = {m.version: m for m in rank_matches(need)}
    online = matches[catalog["privacy_online"]].offering.fits_by_criterion
    assert (online["region"].level, online["region"].message) == (FITS, "Online: fits every region.")
    assert online["timing"].level == FITS and "before" in online["timing"].message
    assert online["budget"].level == FITS and online["budget"].message == (
        "450.00 € per seat, within the budget of 500.00 €.")
    assert online["seats"].level == FITS

    oulu = matches[catalog["privacy_oulu"]].offering.fits_by_criterion
    assert (oulu["region"].level, oulu["region"].message) == (NO, "On-site in North Ostrobothnia, not Uusimaa.")
    assert oulu["timing"].level == NO and "after" in oulu["timing"].message
    assert oulu["budget"].level == NO and "over the budget of 500.00 €" in oulu["budget"].message
    assert (oulu["seats"].level, oulu["seats"].message) == (PARTLY, "Only 3 places left for your 5 people.")


def test_on_site_in_the_needs_region_fits(employer: Any, employer_admin: Any, catalog: dict[str, Any]) -> None:
    need = make_need(employer, employer_admin, skills=[SKILL_LEAN], region=UUSIMAA, title="Lean production")
    (match,) = rank_matches(need)
    assert match.version == catalog["lean"]
    assert match.offering.fits_by_criterion["region"].message == "Held in Uusimaa."
    assert match.offering.region == UUSIMAA


def test_words_of_the_need_are_found_in_outcomes_in_any_language(employer: Any, employer_admin: Any,
                                                                 catalog: dict[str, Any]) -> None:
    need = make_need(employer, employer_admin, skills=[], language="fi",
                     title="Henkilötietojen käsittelyn riskit", description="")
    (match,) = rank_matches(need)
    assert match.version == catalog["both"]
    assert {(w.word, w.found) for w in match.words} == {
        ("henkilötietojen", "henkilötietojen"), ("käsittelyn", "käsittelyn"), ("riskit", "riskejä")}
    assert match.words[0].outcome.text["en"] == "analyse the risks of processing personal data"


def test_a_micro_credential_without_offerings_matches_on_content_only(employer: Any, employer_admin: Any,
                                                                      helsinki: Any, helsinki_admin: Any) -> None:
    planned = make_micro_credential(helsinki, helsinki_admin, title="Lean for offices",
                                    outcomes=[outcome("apply lean thinking in offices", SKILL_LEAN)])
    need = make_need(employer, employer_admin, skills=[SKILL_LEAN], title="Lean in our offices")
    (match,) = rank_matches(need)
    # The skill and both words ("lean", "offices") are covered; with no offering there is no fit to add.
    assert match.version == planned and match.offering is None and match.score == SKILLS + TEXT


def test_nothing_matches_a_need_no_outcome_speaks_of(employer: Any, employer_admin: Any,
                                                     catalog: dict[str, Any]) -> None:
    need = make_need(employer, employer_admin, skills=[], title="Forklift licence", description="")
    assert rank_matches(need) == []


def test_drafts_and_cancelled_offerings_are_not_offered(employer: Any, employer_admin: Any, helsinki: Any,
                                                        helsinki_admin: Any) -> None:
    from osaamo.catalog.services import micro_credential_create, offering_cancel
    from tests.factories import design_data

    micro_credential_create(provider=helsinki, by=helsinki_admin, code="DRAFT-1", data=design_data(
        learning_outcomes=[outcome("apply lean in a draft", SKILL_LEAN)]))
    version = make_micro_credential(helsinki, helsinki_admin, title="Lean", outcomes=[
        outcome("apply lean principles", SKILL_LEAN)], offerings=[{"mode": "online"}])
    offering_cancel(offering=version.offerings.get(), by=helsinki_admin)
    need = make_need(employer, employer_admin, skills=[SKILL_LEAN], title="Lean")
    (match,) = rank_matches(need)
    assert match.version == version and match.offering is None
