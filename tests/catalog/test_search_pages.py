"""Search on the catalog page and in the API: inflected words, facet counts beside the filters,
sorting, highlighted titles, and bad input that never makes an error."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from osaamo.catalog.search.engine import SearchQuery, Sort, search
from tests.catalog.test_search import library, make_library  # the scenario

__all__ = ["library", "make_library"]


def page(client: Any, query: str = "", language: str = "en") -> str:
    with translation.override(language):
        path = reverse("catalog:list")
    response = client.get(f"{path}?{query}")
    assert response.status_code == 200
    return response.content.decode()


def result_codes(client: Any, query: str) -> list[str]:
    with translation.override("en"):
        path = reverse("catalog:list")
    response = client.get(f"{path}?{query}")
    assert response.status_code == 200
    return [version.micro_credential.code for version in response.context["page"].object_list]


def test_the_page_finds_inflected_finnish_and_corrects_typos(client: Any, library: Any) -> None:
    assert result_codes(client, "q=tietoturvaa")[0] == "SEC"
    assert result_codes(client, "q=johtamisen")[0] == "LEAD"
    assert result_codes(client, "q=netwroks") == ["NET"]
    html = page(client, "q=netwroks")
    assert "Also searched for similar words:" in html and "networks" in html


def test_the_page_marks_the_words_that_matched_in_titles(client: Any, library: Any) -> None:
    html = page(client, "q=geothermal")
    assert "<mark>Geothermal</mark> heating" in html
    html = page(client, "q=tietoturvaa", language="fi")
    assert "<mark>Tietoturva</mark> pilvipalveluissa" in html


def test_every_filter_choice_shows_how_many_results_it_gives(client: Any, library: Any) -> None:
    html = page(client, "q=analyse")
    found = search(SearchQuery(text="analyse"))
    for value, count in found.facets["mode"].items():
        label = {"online": "Online", "onsite": "On-site", "blended": "Blended"}[value]
        assert re.search(rf'value="{value}"[^>]*>{label} \({count}\)<', html), (value, count)
    assert f"Aalto University ({found.facets['provider']['aalto']})" in html
    for level, count in found.facets["eqf_level"].items():
        label = re.search(rf'name="eqf_level" value="{level}"[^>]*>\s*([^<]*)<', html)
        assert label is not None and label.group(1).strip().endswith(f"({count})"), (level, count)


def test_the_ects_ranges_are_links_with_their_counts(client: Any, library: Any) -> None:
    html = page(client, "q=analyse")
    assert "3–5 ECTS (" in html
    link = re.search(r'href="\?([^"]*ects_max=5[^"]*)"', html)
    assert link is not None
    query = link.group(1).replace("&amp;", "&")
    chosen = page(client, query)
    assert '<strong aria-current="true">3–5 ECTS' in chosen


def test_the_page_sorts_by_what_is_chosen(client: Any, library: Any) -> None:
    for sort in (Sort.START, Sort.PRICE, Sort.ECTS, Sort.NEWEST):
        expected = [hit.micro_credential_id for hit in search(SearchQuery(text="analyse", sort=sort)).hits]
        with translation.override("en"):
            path = reverse("catalog:list")
        response = client.get(f"{path}?q=analyse&sort={sort.value}")
        shown = [version.micro_credential_id for version in response.context["page"].object_list]
        assert shown == expected, sort
    assert 'name="sort"' in page(client)


def test_a_start_month_filter_and_its_counts(client: Any, library: Any) -> None:
    months = search(SearchQuery()).facets["start_month"]
    month, count = next(iter(months.items()))
    assert len(result_codes(client, f"start_month={month}")) == count
    html = page(client, "start_month=2020-13")
    assert "Select a valid choice" in html  # a month that is not offered is a message, not an error


@pytest.mark.parametrize(
    "query",
    ['q="*:()%26|!', "q=" + "a" * 300, "q=%27%3B+DROP+TABLE+x", "q=NEAR(a+b)", "q=tieto*", "q=%F0%9F%98%80",
     "sort=nonsense", "q=data&sort=price&page=999", "start_month=x"],
)
def test_no_search_input_makes_a_server_error(client: Any, library: Any, query: str) -> None:
    page(client, query)


# --- the API ----------------------------------------------------------------------------------------

def api(client: Any, path: str, **params: Any) -> Any:
    response = client.get(f"/api/v1{path}", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_api_searches_like_the_page(client: Any, library: Any) -> None:
    items = api(client, "/micro-credentials", q="tietoturvaa")["items"]
    assert items[0]["code"] == "SEC"
    by_start = [item["code"] for item in api(client, "/micro-credentials", q="analyse", sort="start")["items"]]
    expected = search(SearchQuery(text="analyse", sort=Sort.START, limit=100)).hits
    assert len(by_start) == len(expected)


def test_the_api_gives_facet_counts_that_match_its_lists(client: Any, library: Any) -> None:
    answer = api(client, "/micro-credentials/facets", q="analyse", mode="online")
    listed = api(client, "/micro-credentials", q="analyse", mode="online", page_size=100)
    assert answer["count"] == listed["count"] > 0
    for value, count in answer["facets"]["provider"].items():
        assert api(client, "/micro-credentials", q="analyse", mode="online", provider=value)["count"] == count
    for value, count in answer["facets"]["mode"].items():
        assert api(client, "/micro-credentials", q="analyse", mode=value)["count"] == count


def test_the_api_refuses_a_bad_sort_or_month_with_a_message(client: Any, library: Any) -> None:
    for params in ({"sort": "cheapest"}, {"start_month": "2026-13"}):
        response = client.get("/api/v1/micro-credentials", params)
        assert response.status_code == 422
        assert response.json()["error"]["message"]
