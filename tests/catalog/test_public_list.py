"""The public catalog list: search, every filter alone and combined, pagination, bounded queries."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.catalog.test_public_fixtures import PUBLIC_CODES, catalog, codes, detail_url, publish, upcoming, url

__all__ = ["catalog"]


def get(client: Any, query: str = "", language: str = "en") -> Any:
    response = client.get(url("catalog:list", language, query))
    assert response.status_code == 200
    return response


def in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def test_without_filters_every_published_micro_credential_is_listed_once(client: Any, catalog: Any) -> None:
    response = get(client)
    assert codes(response) == PUBLIC_CODES
    assert response.context["page"].paginator.count == len(PUBLIC_CODES)
    assert "5 micro-credentials found" in response.content.decode()


def test_drafts_reviews_retired_and_old_versions_never_appear(client: Any, catalog: Any) -> None:
    html = get(client).content.decode()
    assert "Renewed course" in html  # the current published version of E
    for title in ("Hidden topic", "Old title hidden", "Unpublished hidden change"):
        assert title not in html
    assert codes(get(client, "q=hidden")) == set()


def test_a_result_shows_title_providers_ects_level_languages_and_next_offering(client: Any, catalog: Any) -> None:
    html = get(client, "q=software").content.decode()
    assert f'href="{detail_url(catalog.b)}"' in html
    assert "Secure software development" in html
    assert "Aalto University" in html and "University of Helsinki" in html  # owner and co-provider
    assert "10 ECTS" in html and "EQF 7" in html and "English" in html
    start = catalog.b.offerings.get().start_date
    assert f'datetime="{start:%Y-%m-%d}"' in html
    assert "on-site" in html and "250.00" in html


def test_free_next_offering_says_free_and_none_says_so(client: Any, catalog: Any) -> None:
    html = get(client, "q=protection").content.decode()
    assert ">free<" in html
    html = get(client, "q=timber").content.decode()
    assert "No upcoming offerings at the moment." in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=software", {"B"}),
        ("q=SOFTWARE+secure", {"B"}),
        ("q=software+timber", set()),
        ("q=käytännön", {"A", "C"}),  # every language is searched, in any form: A "käytännön", C "hoitokäytännöt"
        ("q=Träbyggande", {"D"}),
        ("ects_min=5", {"A", "B", "D"}),
        ("ects_max=5", {"A", "C", "E"}),
        ("ects_min=5&ects_max=10", {"A", "B"}),
        ("ects_min=2,5", {"A", "B", "D", "E"}),
        ("eqf_level=6", {"A", "D", "E"}),
        ("eqf_level=5&eqf_level=7", {"B", "C"}),
        ("isced=04", {"A", "E"}),
        ("isced=06", {"B"}),
        ("isced=061", {"B"}),
        ("isced=0613", {"B"}),
        ("isced=09", {"C"}),
        ("language=sv", {"C"}),
        ("language=en", {"A", "B", "E"}),
        ("language=fi", {"A", "D", "E"}),
        ("mode=online", {"A", "C"}),
        ("mode=onsite", {"B"}),
        ("mode=blended", {"C"}),
        ("provider=helsinki", {"A", "B", "C", "E"}),
        ("provider=aalto", {"B", "D"}),
        ("price=free", {"A", "C"}),
        ("price=paid", {"B", "C"}),
        (f"starts_after={in_days(50)}", {"B", "C"}),
        (f"starts_after={in_days(100)}", {"C"}),
    ],
)
def test_each_filter_alone(client: Any, catalog: Any, query: str, expected: set[str]) -> None:
    assert codes(get(client, query)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # The offering filters must hold for one and the same offering: C's online offering is paid
        # and its free one is blended.
        ("mode=online&price=free", {"A"}),
        ("mode=blended&price=free", {"C"}),
        ("mode=online&price=paid", {"C"}),
        (f"mode=online&starts_after={in_days(50)}", set()),
        (f"price=free&starts_after={in_days(50)}", {"C"}),
        ("provider=helsinki&eqf_level=7", {"B"}),
        ("provider=aalto&language=fi", {"D"}),
        ("ects_min=2&ects_max=10&eqf_level=6&eqf_level=7", {"A", "B", "E"}),
        ("isced=06&language=en&mode=onsite&price=paid&provider=helsinki", {"B"}),
        ("q=patient&price=free&language=sv", {"C"}),
        ("q=patient&price=free&language=fi", set()),
    ],
)
def test_filters_combined(client: Any, catalog: Any, query: str, expected: set[str]) -> None:
    assert codes(get(client, query)) == expected


def test_filter_form_keeps_the_chosen_values(client: Any, catalog: Any) -> None:
    html = get(client, "q=safety&eqf_level=5&mode=blended&provider=helsinki&ects_min=1").content.decode()
    assert re.search(r'<input[^>]*name="q"[^>]*value="safety"', html)
    assert '<option value="blended" selected>' in html
    assert '<option value="helsinki" selected>' in html
    assert re.search(r'<input[^>]*name="eqf_level"[^>]*value="5"[^>]*checked', html)
    assert not re.search(r'<input[^>]*name="eqf_level"[^>]*value="6"[^>]*checked', html)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("ects_min=abc", "ects_min", "Enter a number."),
        ("ects_max=-1", "ects_max", "greater than or equal to 0"),
        ("ects_min=10&ects_max=2", "ects_max", "The upper limit must not be smaller than the lower limit."),
        ("eqf_level=9", "eqf_level", "Select a valid choice."),
        ("eqf_level=x", "eqf_level", "Select a valid choice."),
        ("isced=zz", "isced", "Select a valid choice."),
        ("language=xx", "language", "Select a valid choice."),
        ("mode=teleport", "mode", "Select a valid choice."),
        ("provider=nobody", "provider", "Select a valid choice."),
        ("price=cheap", "price", "Select a valid choice."),
        ("starts_after=2026-13-45", "starts_after", "Enter a valid date."),
        ("page_size=1000", "page_size", "Select a valid choice."),
        ("q=" + "x" * 300, "q", "Ensure this value has at most 200 characters"),
        ("q=data%00", "q", "Null characters are not allowed."),
        ("ects_min=NaN", "ects_min", "Enter a number."),
        ("ects_min=1e400", "ects_min", "less than or equal to 999"),
        ("starts_after=yesterday", "starts_after", "Enter a valid date."),
    ],
)
def test_bad_filter_input_gives_a_message_not_an_error(
    client: Any, catalog: Any, query: str, field: str, message: str
) -> None:
    response = get(client, query)
    html = response.content.decode()
    assert "Some filters could not be used" in html
    assert message in html
    anchor = f"id_{field}_0" if field == "eqf_level" else f"id_{field}"
    assert f'href="#{anchor}"' in html  # the summary links to the field
    assert 'aria-invalid="true"' in html
    # The invalid value is left out (and says so); the valid ones still filter.
    expected = {"B", "D"} if "ects_min=10" in query else PUBLIC_CODES
    assert codes(response) == expected


def test_an_invalid_filter_does_not_undo_the_valid_ones(client: Any, catalog: Any) -> None:
    response = get(client, "ects_min=abc&provider=aalto")
    assert codes(response) == {"B", "D"}
    assert "Enter a number." in response.content.decode()


def test_valid_filters_show_no_error_summary(client: Any, catalog: Any) -> None:
    html = get(client, "ects_min=&q=&eqf_level=6").content.decode()
    assert "Some filters could not be used" not in html
    assert 'aria-invalid="true"' not in html


def test_no_match_says_so(client: Any, catalog: Any) -> None:
    html = get(client, "q=astrophysics").content.decode()
    assert "0 micro-credentials found" in html
    assert "No micro-credential matches" in html


# --- pagination -------------------------------------------------------------------------------

@pytest.fixture
def many(helsinki: Any, helsinki_admin: Any) -> list[Any]:
    return [publish(helsinki, helsinki_admin, f"MANY-{n:02d}", offerings=(upcoming(10 + n),)) for n in range(23)]


def test_pagination_pages_through_everything_once(client: Any, many: list[Any]) -> None:
    seen: list[str] = []
    for number in (1, 2, 3):
        response = get(client, f"page_size=10&page={number}")
        page = response.context["page"]
        assert page.number == number
        seen.extend(v.micro_credential.code for v in page.object_list)
    assert len(seen) == 23 and set(seen) == {f"MANY-{n:02d}" for n in range(23)}
    html = get(client, "page_size=10&page=2").content.decode()
    assert "Page 2 of 3" in html
    assert 'href="?page_size=10&amp;page=1"' in html and 'href="?page_size=10&amp;page=3"' in html


def test_search_matches_the_providers_code(client: Any, many: list[Any]) -> None:
    assert codes(get(client, "q=MANY-07")) == {"MANY-07"}


def test_pagination_keeps_the_filters(client: Any, many: list[Any]) -> None:
    html = get(client, "provider=helsinki&page_size=10").content.decode()
    assert 'href="?provider=helsinki&amp;page_size=10&amp;page=2"' in html


@pytest.mark.parametrize(("page", "shown"), [("999", 3), ("abc", 1), ("-1", 3), ("0", 3)])
def test_a_page_number_out_of_range_or_not_a_number_shows_a_page(
    client: Any, many: list[Any], page: str, shown: int
) -> None:
    response = get(client, f"page_size=10&page={page}")
    assert response.context["page"].number == shown


@pytest.mark.parametrize(("size", "per_page"), [("10", 10), ("20", 20), ("50", 50), ("", 20), ("7", 20)])
def test_page_size_is_one_of_the_offered_sizes(client: Any, many: list[Any], size: str, per_page: int) -> None:
    response = get(client, f"page_size={size}")
    assert response.context["page"].paginator.per_page == per_page
    assert len(response.context["page"].object_list) == min(per_page, 23)


# --- bounded queries --------------------------------------------------------------------------

def count_queries(client: Any, query: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        get(client, query)
    return len(captured.captured_queries)


def test_the_list_runs_the_same_number_of_queries_for_5_or_50_results(
    client: Any, helsinki: Any, aalto: Any, helsinki_admin: Any, aalto_admin: Any
) -> None:
    created: list[Any] = []

    def add(count: int) -> None:
        """Joint and single-provider micro-credentials, each with two offerings."""
        for n in range(len(created), len(created) + count):
            owner, by = (helsinki, helsinki_admin) if n % 2 else (aalto, aalto_admin)
            created.append(publish(owner, by, f"Q-{n:02d}", co_providers=[] if n % 2 else ["helsinki"],
                                   offerings=(upcoming(10 + n), upcoming(200 + n, mode="blended"))))

    add(5)
    few = count_queries(client, "page_size=50")
    few_filtered = count_queries(client, "page_size=50&provider=helsinki&mode=online&language=fi&q=data")
    add(45)
    many = count_queries(client, "page_size=50")
    many_filtered = count_queries(client, "page_size=50&provider=helsinki&mode=online&language=fi&q=data")
    assert len(created) == 50
    assert many == few
    assert many_filtered == few_filtered
    assert many <= 10  # count, page, co-providers, offerings, the form's ISCED-F and university choices


def test_list_query_limit(client: Any, catalog: Any, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(10):
        get(client, "page_size=50&eqf_level=6&eqf_level=7")


def test_each_result_shows_its_next_offering_that_meets_the_filters(client: Any, catalog: Any) -> None:
    online_paid, blended_free = catalog.c.offerings.order_by("start_date")
    unfiltered = get(client, "q=patient").content.decode()
    assert f'datetime="{online_paid.start_date:%Y-%m-%d}"' in unfiltered
    free = get(client, "q=patient&price=free").content.decode()
    assert f'datetime="{blended_free.start_date:%Y-%m-%d}"' in free
    assert f'datetime="{online_paid.start_date:%Y-%m-%d}"' not in free
    assert "blended" in free and ">free<" in free


def test_the_page_size_select_shows_the_size_in_use(client: Any, catalog: Any) -> None:
    for query in ("", "q=data", "page_size=50"):
        html = get(client, query).content.decode()
        size = "50" if "50" in query else "20"
        assert re.search(rf'<select name="page_size"[^>]*>.*<option value="{size}" selected>', html, re.S)
