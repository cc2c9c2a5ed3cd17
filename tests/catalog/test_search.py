"""Catalog search: inflected fi/sv/en words, typos, prefixes, skills, ranking, facets, sorting, bad input.

The catalog below is built through the real services (publishing indexes a micro-credential), so
every test also shows that the index follows the catalog.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from osaamo.catalog.models import MicroCredentialVersion
from osaamo.catalog.search.engine import SearchQuery, SearchResults, Sort, search, search_queryset
from osaamo.catalog.search.facets import ECTS_RANGE_BY_KEY, FacetName
from osaamo.catalog.search.models import SearchDocument
from osaamo.catalog.services import (
    offering_cancel,
    offering_create,
    offering_update,
    version_edit_or_new,
    version_publish,
    version_retire,
    version_update,
)
from tests.factories import SKILL_GDPR, make_published, offering_data

SKILL_CLOUD = "http://data.europa.eu/esco/skill/bd14968e-e409-45af-b362-3495ed7b10e0"  # cloud technologies
SKILL_GEOTHERMAL = "http://data.europa.eu/esco/skill/5195eebc-f400-467c-97a3-6f9fbf136169"  # geothermal energy


def texts(en: str, fi: str, sv: str) -> dict[str, str]:
    return {"fi": fi, "sv": sv, "en": en}


def outcome(en: str, fi: str, sv: str, *skills: str) -> dict[str, Any]:
    return {"text": texts(en, fi, sv), "skills": list(skills)}


def upcoming(days: int, **changes: Any) -> dict[str, Any]:
    today, now = timezone.localdate(), timezone.now()
    return offering_data(
        start_date=(today + timedelta(days=days)).isoformat(),
        end_date=(today + timedelta(days=days + 40)).isoformat(),
        enrolment_opens=(now - timedelta(days=1)).isoformat(),
        enrolment_closes=(now + timedelta(days=max(days - 1, 1))).isoformat(),
        **changes,
    )


def publish(provider: Any, by: Any, code: str, *, offerings: tuple[dict[str, Any], ...] = (),
            **changes: Any) -> MicroCredentialVersion:
    version = make_published(provider, by, code=code, offering=False, **changes)
    for data in offerings:
        offering_create(version=version, by=by, data=data)
    return version


def found(text: str = "", **options: Any) -> list[str]:
    """The codes of the micro-credentials found, best first."""
    return codes(search(SearchQuery(text=text, limit=100, **options)))


def codes(results: SearchResults) -> list[str]:
    by_id = dict(MicroCredentialVersion.objects.filter(pk__in=results.version_ids)
                 .values_list("pk", "micro_credential__code"))
    return [by_id[pk] for pk in results.version_ids]


@pytest.fixture
def library(helsinki: Any, aalto: Any, helsinki_admin: Any, aalto_admin: Any) -> SimpleNamespace:
    return make_library(helsinki, aalto, helsinki_admin, aalto_admin)


def make_library(helsinki: Any, aalto: Any, helsinki_admin: Any, aalto_admin: Any) -> SimpleNamespace:
    """Eight published micro-credentials with texts in three languages, skills and offerings."""
    common = {"languages": ["fi", "sv", "en"]}
    security = publish(
        helsinki, helsinki_admin, "SEC",
        title=texts("Information security in cloud services", "Tietoturva pilvipalveluissa",
                    "Informationssäkerhet i molntjänster"),
        description=texts("Threats and safeguards of cloud platforms.", "Pilvialustojen uhat ja suojaukset.",
                          "Hot och skydd på molnplattformar."),
        learning_outcomes=[outcome("analyse the security risks of cloud services",
                                   "analysoida pilvipalveluiden tietoturvariskejä",
                                   "analysera säkerhetsrisker i molntjänster", SKILL_CLOUD)],
        ects="5", eqf_level=6, isced_f="0612", offerings=(upcoming(20, mode="online", price_individual="0"),),
        **common,
    )
    leadership = publish(
        aalto, aalto_admin, "LEAD",
        title=texts("Strategic management and competence", "Strateginen johtaminen ja osaaminen",
                    "Strategiskt ledarskap och kompetens"),
        description=texts("How organisations lead change.", "Miten organisaatiot johtavat muutosta.",
                          "Hur organisationer leder förändring."),
        learning_outcomes=[outcome("analyse the management of competence", "analysoida osaamisen johtamista",
                                   "analysera ledningen av kompetensen")],
        ects="10", hours=270, eqf_level=7, qf_ehea_cycle="second", isced_f="0413",
        offerings=(upcoming(60, mode="onsite", price_individual="250", language="en",
                            place=texts("Otaniemi campus", "Otaniemen kampus", "Otnäs campus")),),
        co_providers=["helsinki"], **common,
    )
    networks = publish(
        aalto, aalto_admin, "NET",
        title=texts("Computer networks", "Tietoverkot", "Datornätverk"),
        description=texts("Routing, switching and the internet.", "Reititys, kytkentä ja internet.",
                          "Routning, växling och internet."),
        learning_outcomes=[outcome("analyse the traffic of networks", "analysoida verkkojen liikennettä",
                                   "analysera trafiken i nätverk")],
        ects="3", hours=81, eqf_level=6, isced_f="0612",
        offerings=(upcoming(10, mode="blended", price_individual="90", language="sv"),
                   upcoming(120, mode="online", price_individual="0", language="sv")),
        **common,
    )
    gdpr = publish(helsinki, helsinki_admin, "GDPR", ects="2", hours=54, eqf_level=5, qf_ehea_cycle="short",
                   offerings=(upcoming(200, mode="online", price_individual="120"),))
    # The ranking four: "geothermal" in the title, in an ESCO skill's label only, in a learning
    # outcome only, in the description only.
    geo_title = publish(
        aalto, aalto_admin, "GEO-TITLE",
        title=texts("Geothermal heating", "Maalämpö", "Jordvärme"),
        description=texts("Heat from the ground.", "Lämpöä maasta.", "Värme från marken."),
        learning_outcomes=[outcome("analyse heat pumps", "analysoida lämpöpumppuja", "analysera värmepumpar")],
        isced_f="0713",
    )
    geo_skill = publish(
        aalto, aalto_admin, "GEO-SKILL",
        title=texts("Energy engineering", "Energiatekniikka", "Energiteknik"),
        description=texts("Energy in buildings.", "Energia rakennuksissa.", "Energi i byggnader."),
        learning_outcomes=[outcome("analyse the energy balance of a building", "analysoida rakennuksen energiataseen",
                                   "analysera energibalansen i en byggnad", SKILL_GEOTHERMAL)],
        isced_f="0713",
    )
    geo_outcome = publish(
        aalto, aalto_admin, "GEO-OUTCOME",
        title=texts("Heat pumps in buildings", "Lämpöpumput rakennuksissa", "Värmepumpar i byggnader"),
        description=texts("Heating systems.", "Lämmitysjärjestelmät.", "Värmesystem."),
        learning_outcomes=[outcome("analyse geothermal heating systems", "analysoida maalämpöjärjestelmiä",
                                   "analysera jordvärmesystem")],
        isced_f="0713",
    )
    geo_description = publish(
        aalto, aalto_admin, "GEO-DESCRIPTION",
        title=texts("Renewable energy", "Uusiutuva energia", "Förnybar energi"),
        description=texts("Wind, solar and geothermal energy.", "Tuuli-, aurinko- ja maalämpöenergia.",
                          "Vind-, sol- och jordvärmeenergi."),
        learning_outcomes=[outcome("analyse energy sources", "analysoida energialähteitä", "analysera energikällor")],
        isced_f="0713",
    )
    return SimpleNamespace(security=security, leadership=leadership, networks=networks, gdpr=gdpr,
                           geo_title=geo_title, geo_skill=geo_skill, geo_outcome=geo_outcome,
                           geo_description=geo_description)


# --- words in their forms ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "forms",
    [
        ("tietoturva", "tietoturvan", "tietoturvaa", "tietoturvassa"),  # Finnish cases of one noun
        ("johtaminen", "johtamisen", "johtamista"),  # Snowball stems these differently; the lemma joins them
        ("pilvipalvelu", "pilvipalveluissa", "pilvipalveluiden"),
        ("kompetens", "kompetensen", "kompetenser"),  # Swedish
        ("ledarskap", "ledarskapet"),
        ("network", "networks"),  # English
        ("analyse", "analysing", "analysed"),
    ],
)
def test_every_inflected_form_finds_the_same_micro_credentials(library: Any, forms: tuple[str, ...]) -> None:
    results = [found(form) for form in forms]
    assert results[0], f"{forms[0]} finds nothing"
    for form, result in zip(forms, results, strict=True):
        assert result == results[0], f"{form} finds {result}, {forms[0]} finds {results[0]}"


def test_a_finnish_query_finds_the_finnish_text_in_any_form(library: Any) -> None:
    assert found("tietoturvaa")[0] == "SEC"
    assert found("johtamisen osaaminen")[0] == "LEAD"
    assert found("kompetensen")[0] == "LEAD"


def test_a_part_of_a_finnish_compound_finds_the_compound(library: Any) -> None:
    # The outcome says "tietoturvariskejä" (tietoturva + riski); nothing says "riski" alone.
    assert "SEC" in found("riskit")
    assert "SEC" in found("pilvi")


# --- typos and prefixes -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("typed", "expected"),
    [("tietoturba", "SEC"), ("securty", "SEC"), ("netwroks", "NET"), ("geothremal", "GEO-TITLE"),
     ("kompetnes", "LEAD")],
)
def test_a_word_with_a_typo_still_finds_it(library: Any, typed: str, expected: str) -> None:
    results = search(SearchQuery(text=typed))
    assert codes(results)[0] == expected
    assert typed in results.parsed.corrections


def test_a_correctly_spelt_word_is_not_corrected(library: Any) -> None:
    results = search(SearchQuery(text="networks"))
    assert results.parsed.corrections == {}
    assert codes(results) == ["NET"]


def test_an_unfinished_last_word_is_a_prefix(library: Any) -> None:
    assert found("tietotur")[0] == "SEC"
    assert found("computer netw") == ["NET"]
    assert "LEAD" in found("strateg")


def test_while_typing_a_whole_word_is_also_a_prefix(library: Any) -> None:
    # "energi" is a word of its own in Swedish; typed into a search-as-you-type box it is also the start of more.
    assert set(found("energ")) >= {"GEO-SKILL", "GEO-DESCRIPTION"}
    assert set(found("energia", typing=True)) >= set(found("energia"))


def test_a_word_that_matches_nothing_finds_nothing(library: Any) -> None:
    assert found("xylofoni") == []
    assert found("networks xylofoni") == []


# --- skills -----------------------------------------------------------------------------------------

def test_an_esco_label_or_alternative_label_finds_the_aligned_micro_credentials(library: Any) -> None:
    # "edge computing" is an alternative label of "cloud technologies"; no text of SEC says it.
    assert found("edge computing") == ["SEC"]
    assert found("cloud technologies")[0] == "SEC"
    # "General Data Protection Regulation" is an alternative label of GDPR, aligned in the default design.
    assert "GDPR" in found("general data protection regulation")


def test_the_skill_filter_keeps_only_aligned_micro_credentials(library: Any) -> None:
    assert found(skills=(SKILL_CLOUD,)) == ["SEC"]
    assert set(found(skills=(SKILL_GDPR,))) == {"GDPR"}
    assert found("networks", skills=(SKILL_CLOUD,)) == []


# --- ranking ----------------------------------------------------------------------------------------

def test_title_ranks_over_skill_over_learning_outcome_over_description(library: Any) -> None:
    assert found("geothermal") == ["GEO-TITLE", "GEO-SKILL", "GEO-OUTCOME", "GEO-DESCRIPTION"]


def test_a_title_the_query_covers_whole_ranks_first(library: Any) -> None:
    assert found("computer networks")[0] == "NET"
    # Both titles have "heat"; the two-word title that is mostly the query ranks over the longer one.
    assert found("heat pumps")[0] == "GEO-OUTCOME"


def test_hits_carry_scores_in_order_and_highlighted_titles(library: Any) -> None:
    results = search(SearchQuery(text="geothermal"))
    scores = [hit.score for hit in results.hits]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]
    title = results.hits[0].title
    assert [segment.text for segment in title if segment.match] == ["Geothermal"]
    assert "".join(segment.text for segment in title) == "Geothermal heating"
    snippet = results.hits[2].snippet  # GEO-OUTCOME: the learning outcome that matched
    assert any(segment.match and segment.text == "geothermal" for segment in snippet)


def test_highlights_follow_the_language_asked_for(library: Any) -> None:
    results = search(SearchQuery(text="tietoturvaa"), language="fi")
    assert "".join(s.text for s in results.hits[0].title) == "Tietoturva pilvipalveluissa"
    assert [s.text for s in results.hits[0].title if s.match] == ["Tietoturva"]


# --- filters and facets -----------------------------------------------------------------------------

FILTER_OF_FACET = {
    FacetName.EQF_LEVEL: lambda value: {"eqf_levels": (int(value),)},
    FacetName.ISCED: lambda value: {"isced": value},
    FacetName.LANGUAGE: lambda value: {"language": value},
    FacetName.MODE: lambda value: {"mode": value},
    FacetName.PROVIDER: lambda value: {"provider": value},
    FacetName.PRICE: lambda value: {"price": value},
    FacetName.START_MONTH: lambda value: {"start_month": value},
    FacetName.ECTS: lambda value: {"ects_min": ECTS_RANGE_BY_KEY[value].low, "ects_max": ECTS_RANGE_BY_KEY[value].high},
}
OWN_FILTERS = {
    FacetName.EQF_LEVEL: ("eqf_levels",), FacetName.ISCED: ("isced",), FacetName.LANGUAGE: ("language",),
    FacetName.MODE: ("mode",), FacetName.PROVIDER: ("provider",), FacetName.PRICE: ("price",),
    FacetName.START_MONTH: ("start_month",), FacetName.ECTS: ("ects_min", "ects_max"),
}


@pytest.mark.parametrize(
    ("text", "filters"),
    [
        ("", {}),
        ("analyse", {}),
        ("", {"mode": "online"}),
        ("analyse", {"provider": "helsinki", "price": "free"}),
        ("energy", {"eqf_levels": (6,)}),
        ("", {"language": "sv", "mode": "online"}),
        ("", {"ects_min": Decimal("3"), "ects_max": Decimal("10")}),
    ],
)
def test_every_facet_count_is_the_number_of_results_that_choosing_it_gives(
    library: Any, text: str, filters: dict[str, Any]
) -> None:
    results = search(SearchQuery(text=text, **filters))
    assert set(results.facets) == set(FacetName.ALL)
    checked = 0
    for facet, counts in results.facets.items():
        for value, count in counts.items():
            narrowed = {name: value for name, value in filters.items() if name not in OWN_FILTERS[facet]}
            narrowed.update(FILTER_OF_FACET[facet](value))
            assert count == search(SearchQuery(text=text, **narrowed)).total, (facet, value)
            checked += 1
    assert checked > 5


def test_facet_values_without_results_are_left_out(library: Any) -> None:
    facets = search(SearchQuery(text="geothermal")).facets
    assert facets[FacetName.ISCED] == {"07": 4}
    assert "06" not in facets[FacetName.ISCED]


def test_a_facet_not_in_use_counts_the_results(library: Any) -> None:
    results = search(SearchQuery(text="analyse", mode="online"))
    assert sum(results.facets[FacetName.EQF_LEVEL].values()) == results.total
    assert sum(results.facets[FacetName.ISCED].values()) == results.total


def test_offering_filters_hold_for_one_and_the_same_offering(library: Any) -> None:
    # NET: blended 90 € and online free; no offering that is blended and free.
    assert found("networks", mode="online", price="free") == ["NET"]
    assert found("networks", mode="blended", price="free") == []
    assert search(SearchQuery(text="networks", mode="blended")).facets[FacetName.PRICE] == {"paid": 1}


def test_co_providers_count_for_the_provider_facet_and_filter(library: Any) -> None:
    assert "LEAD" in found(provider="helsinki")
    assert search(SearchQuery(text="strategic")).facets[FacetName.PROVIDER] == {"aalto": 1, "helsinki": 1}


# --- sorting ----------------------------------------------------------------------------------------

def _next_start(code: str) -> Any:
    version = MicroCredentialVersion.objects.get(micro_credential__code=code, state="published")
    starts = [o.start_date for o in version.offerings.filter(state="scheduled", end_date__gte=timezone.localdate())]
    return min(starts) if starts else None


def test_sorting_by_start_date_puts_the_soonest_first_and_none_last(library: Any) -> None:
    order = found(sort=Sort.START)
    starts = [_next_start(code) for code in order]
    dated = [start for start in starts if start is not None]
    assert dated == sorted(dated) and len(dated) == 4
    assert starts[len(dated):] == [None] * (len(starts) - len(dated))


def _cheapest(code: str, **conditions: Any) -> Any:
    version = MicroCredentialVersion.objects.get(micro_credential__code=code, state="published")
    prices = [o.price_individual for o in version.offerings.filter(
        state="scheduled", end_date__gte=timezone.localdate(), **conditions)]
    return min(prices) if prices else None


def test_sorting_by_price_uses_the_cheapest_matching_offering(library: Any) -> None:
    order = found(sort=Sort.PRICE)
    prices = [_cheapest(code) for code in order]
    priced = [price for price in prices if price is not None]
    assert priced == sorted(priced) and len(priced) == 4
    assert prices[len(priced):] == [None] * (len(prices) - len(priced))
    # NET's cheapest offering is free (online); among blended offerings its price is 90 €.
    assert found(sort=Sort.PRICE, mode="blended") == ["NET"]
    assert _cheapest("NET", mode="blended") == Decimal("90")
    assert order.index("NET") < order.index("GDPR") < order.index("LEAD")


def test_sorting_by_ects_and_by_newest(library: Any) -> None:
    by_ects = found(sort=Sort.ECTS)
    ects = [MicroCredentialVersion.objects.get(micro_credential__code=c, state="published").ects for c in by_ects]
    assert ects == sorted(ects)
    newest = found(sort=Sort.NEWEST)
    assert newest[0] == "GEO-DESCRIPTION" and newest[-1] == "SEC"


def test_without_words_relevance_means_newest_first(library: Any) -> None:
    assert found() == found(sort=Sort.NEWEST)


def test_the_queryset_gives_the_same_order_as_the_search(library: Any) -> None:
    for text, sort in [("geothermal", Sort.RELEVANCE), ("analyse", Sort.START), ("", Sort.PRICE),
                       ("energy", Sort.ECTS), ("", Sort.NEWEST)]:
        query = SearchQuery(text=text, sort=sort, limit=100)
        queryset = search_queryset(query)
        assert [version.pk for version in queryset] == search(query).version_ids, (text, sort)


def test_pages_follow_each_other(library: Any) -> None:
    everything = search(SearchQuery(limit=100)).version_ids
    pages = [search(SearchQuery(limit=3, offset=offset)).version_ids for offset in (0, 3, 6)]
    assert [pk for page in pages for pk in page] == everything[:9]


# --- the index follows the catalog ------------------------------------------------------------------

def test_publish_retire_and_a_new_version_change_what_is_found(library: Any, helsinki_admin: Any) -> None:
    new = publish(library.security.micro_credential.provider, helsinki_admin, "QUANTUM",
                  title=texts("Quantum computing", "Kvanttilaskenta", "Kvantberäkning"))
    assert found("kvanttilaskennan") == ["QUANTUM"]

    draft = version_edit_or_new(micro_credential=new.micro_credential, by=helsinki_admin)
    version_update(version=draft, by=helsinki_admin,
                   data={"title": texts("Quantum algorithms", "Kvanttialgoritmit", "Kvantalgoritmer")})
    assert found("kvanttialgoritmit") == []  # a draft is not public
    version_publish(version=draft, by=helsinki_admin)
    assert found("kvanttialgoritmit") == ["QUANTUM"]
    assert found("kvanttilaskenta") == []  # the old version's words are gone

    version_retire(version=MicroCredentialVersion.objects.get(pk=draft.pk), by=helsinki_admin)
    assert found("kvanttialgoritmit") == []
    assert not SearchDocument.objects.filter(micro_credential=new.micro_credential).exists()


def test_offerings_created_changed_and_cancelled_change_filters_and_facets(library: Any, aalto_admin: Any) -> None:
    assert found("networks", mode="onsite") == []
    offering = offering_create(version=library.networks, by=aalto_admin,
                               data=upcoming(30, mode="onsite", place=texts("Espoo", "Espoo", "Esbo")))
    assert found("networks", mode="onsite") == ["NET"]
    assert found("esbo") == ["NET"]
    offering_update(offering=offering, by=aalto_admin, data={"price_individual": "50"})
    assert found("networks", mode="onsite", price="free") == []
    offering_cancel(offering=offering, by=aalto_admin)
    assert found("networks", mode="onsite") == []
    assert "onsite" not in search(SearchQuery(text="networks")).facets[FacetName.MODE]


def test_an_offering_that_has_ended_no_longer_matches_offering_filters(library: Any) -> None:
    later = timezone.localdate() + timedelta(days=300)
    assert found("networks", mode="blended") == ["NET"]
    assert found("networks", mode="blended", today=later) == []


def test_an_inactive_provider_is_not_found(library: Any, helsinki: Any) -> None:
    helsinki.is_active = False
    helsinki.save(update_fields=["is_active"])
    assert "SEC" not in found("analyse")
    assert "LEAD" in found("analyse")  # Aalto's, co-provided by Helsinki


def test_reindex_rebuilds_the_same_index(library: Any, capsys: Any) -> None:
    before = {text: found(text) for text in ("geothermal", "tietoturvaa", "analyse", "")}
    SearchDocument.objects.all().delete()
    assert found("geothermal") == []
    call_command("reindex")
    assert "8 micro-credentials indexed" in capsys.readouterr().out
    assert {text: found(text) for text in before} == before


# --- bad input --------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        '"*:()&|!', "'; DROP TABLE catalog_searchdocument; --", "a" * 10_000, "x" * 60, "NEAR(a b)", "a AND OR NOT",
        "{title_terms} : tietoturva", "tieto*", "^tieto", "'tieto':*A", "!!!", "   ", "\u200b\u00a0", "😀 🚀",
        "ﬁnance ＤＡＴＡ", "tietoturva " * 50, "\x00null", "%_%", "\\", "e4820 " * 30,
    ],
)
def test_no_query_text_makes_an_error(library: Any, text: str) -> None:
    for sort in Sort:
        results = search(SearchQuery(text=text, sort=sort))
        assert results.total >= 0
    assert list(search_queryset(SearchQuery(text=text))[:5]) is not None


def test_punctuation_only_is_a_search_without_words(library: Any) -> None:
    assert found('"*:()&|!') == found()


def test_nonsense_filter_values_find_nothing_rather_than_fail(library: Any) -> None:
    for filters in ({"isced": "0%"}, {"language": "x'"}, {"start_month": "2026-13"}, {"price": "cheap"},
                    {"provider": "no-such"}, {"mode": "teleport"}, {"eqf_levels": (99,)}):
        assert search(SearchQuery(**filters)).total == 0, filters


def test_a_search_takes_a_fixed_number_of_queries(library: Any) -> None:
    def count(text: str, **filters: Any) -> int:
        with CaptureQueriesContext(connection) as captured:
            found = search(SearchQuery(text=text, **filters))
        assert found.hits
        return len(captured.captured_queries)

    first = count("analyse")  # reads the index's filter values and vocabulary, the matches and the hits' texts
    # Then: the index's state; for words not searched since the index last changed, their documents
    # in the short fields, then in the long ones among the results that can reach the page; however
    # many match. The vocabulary (typos too) is read in memory.
    again = count("analyse")
    assert again == 1
    with CaptureQueriesContext(connection) as captured:
        search(SearchQuery(text="analyse"))
    full_text = [q["sql"] for q in captured.captured_queries if "searchtext" in q["sql"] or "searchfts" in q["sql"]]
    assert full_text == []  # the words' documents are kept while the index is unchanged
    assert count("analyse", provider="aalto", mode="blended") <= again + 2  # + long fields, texts of new hits
    assert count("analyse risks") <= again + 3  # "risks" is new: its short fields, its long ones, texts
    assert first <= again + 7  # + organisations, documents, offerings, vocabulary; the matches; texts and outcomes
    assert count("geothermla") <= 4  # a typo: its neighbours from the vocabulary in memory, then as above
    assert count("geothermla") == 1  # the matches are kept
    assert count("") == 1  # no words: only whether the index changed


def test_a_kept_match_is_forgotten_when_the_index_changes(library: Any, helsinki_admin: Any) -> None:
    assert found("quantum") == []
    publish(library.security.micro_credential.provider, helsinki_admin, "QUANTUM",
            title=texts("Quantum computing", "Kvanttilaskenta", "Kvantberäkning"))
    assert found("quantum") == ["QUANTUM"]


def test_document_counts_follow_publishing_after_the_commit(
    helsinki: Any, helsinki_admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from osaamo.catalog.search.models import SearchTerm

    def documents(term: str) -> int:
        return SearchTerm.objects.get(term=term).document_count

    with django_capture_on_commit_callbacks(execute=True):
        first = publish(helsinki, helsinki_admin, "ONE", title=texts("Geothermal wells", "Maalämpökaivot", "Brunnar"))
    with django_capture_on_commit_callbacks(execute=True):
        publish(helsinki, helsinki_admin, "TWO", title=texts("Geothermal plants", "Maalämpölaitokset", "Verk"))
    assert documents("geothermal") == 2 and documents("wells") == 1 and documents("") == 2
    with django_capture_on_commit_callbacks(execute=True):
        version_retire(version=first, by=helsinki_admin)
    assert documents("geothermal") == 1 and documents("") == 1
    assert documents("wells") == 0  # kept (matches nothing) until the next reindex


def test_a_search_weighs_words_by_the_counts_adjusted_after_the_commit(
    helsinki: Any, helsinki_admin: Any, django_capture_on_commit_callbacks: Any
) -> None:
    def points(text: str) -> int:
        return search(SearchQuery(text=text)).parsed.groups[0].points

    with django_capture_on_commit_callbacks(execute=True):
        publish(helsinki, helsinki_admin, "ONE", title=texts("Geothermal wells", "Maalämpökaivot", "Brunnar"))
    alone = points("geothermal")  # in every document
    with django_capture_on_commit_callbacks(execute=True):
        publish(helsinki, helsinki_admin, "TWO", title=texts("Solar panels", "Aurinkopaneelit", "Solpaneler"))
    assert points("geothermal") > alone  # now in one document of two: rarer, so it weighs more
    assert points("geothermal") == points("solar")
