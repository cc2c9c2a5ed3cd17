"""Compare micro-credentials side by side: every EU element, offerings, skills, feedback; a shareable
address; the visitor's selection (tray) that refuses a fifth; only published versions; bounded queries."""

from __future__ import annotations

import html as html_module
import re
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from osaamo.catalog import compare
from osaamo.catalog.compare import FeedbackSummary, register_feedback_source
from osaamo.catalog.models import MicroCredentialVersion
from tests.catalog.test_public_fixtures import catalog, detail_url, publish, texts, upcoming, url
from tests.factories import SKILL_DATA_PROTECTION, SKILL_GDPR, VALID_DESIGN

__all__ = ["catalog"]

SKILL_INTERVIEW = "http://data.europa.eu/esco/skill/a7c5a2f6-a4ba-4f7c-9dbc-e2e2e5d7a3c1"


def name(version: MicroCredentialVersion) -> str:
    return f"{version.micro_credential.provider.slug}/{version.micro_credential.slug}"


def compare_page(client: Any, *names: str, language: str = "en") -> str:
    query = "&".join(f"mc={value}" for value in names)
    response = client.get(url("catalog:compare", language, query=query))
    assert response.status_code == 200
    return response.content.decode()


def text_of(fragment: str) -> str:
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def row(html: str, label: str) -> list[str]:
    """The cells (as text) of the table row whose row header is `label`."""
    match = re.search(r'<tr><th scope="row">\s*' + re.escape(label) + r"(?:<span[^>]*>.*?</span>)?\s*</th>(.*?)</tr>",
                      html, re.S)
    assert match, f"no row headed {label!r}"
    return [text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)]


def column_titles(html: str) -> list[str]:
    return [text_of(re.sub(r'<a class="compare-remove".*?</a>|<span class="compare-provider".*?</span>', "", cell,
                           flags=re.S))
            for cell in re.findall(r'<th scope="col">(.*?)</th>', html, re.S)]


# --- the page --------------------------------------------------------------------------------------------------

def test_three_side_by_side_on_every_eu_element(client: Any, catalog: Any) -> None:
    html = compare_page(client, name(catalog.a), name(catalog.b), name(catalog.c))
    assert column_titles(html) == ["Data protection in practice", "Secure software development", "Patient safety basics"]
    assert row(html, "Title") == ["Data protection in practice", "Secure software development", "Patient safety basics"]
    bodies = row(html, "Awarding bodies")
    assert bodies[0] == "University of Helsinki"
    assert bodies[1] == "Aalto University University of Helsinki (co-provider)"
    assert row(html, "Country of the awarding bodies") == ["Finland"] * 3
    for cell in row(html, "Learning outcomes"):
        for outcome in VALID_DESIGN["learning_outcomes"]:
            assert outcome["text"]["en"] in cell
    assert row(html, "Workload") == ["5 ECTS credits 135 hours of work", "10 ECTS credits 270 hours of work",
                                     "2 ECTS credits 54 hours of work"]
    level = row(html, "Level")
    assert level[0].startswith("EQF level 6") and "QF-EHEA cycle: First cycle" in level[0]
    assert level[1].startswith("EQF level 7") and "Second cycle" in level[1]
    assert level[2].startswith("EQF level 5") and "Short cycle" in level[2]
    assert all(cell.startswith("Project work") for cell in row(html, "Type of assessment"))
    assert row(html, "Form of participation") == ["Online", "Online", "Blended"]
    assert all("audited by FINEEC" in cell for cell in row(html, "Type of quality assurance"))
    # the optional elements
    assert row(html, "Prerequisites") == ["None."] * 3
    assert len(set(row(html, "Supervision and identity verification during assessment"))) == 1
    assert row(html, "Integration and stackability") == ["Stand-alone, independent micro-credential"] * 3
    assert row(html, "Field of education (ISCED-F)")[1].startswith("0613")
    assert row(html, "Languages of instruction") == ["Finnish, English", "English", "Swedish"]


def test_offerings_price_dates_mode_and_language(client: Any, catalog: Any) -> None:
    html = compare_page(client, name(catalog.a), name(catalog.b), name(catalog.c), name(catalog.d))
    next_offering = row(html, "Next offering")
    assert "No upcoming offerings" in next_offering[3]  # D: one ended, one cancelled
    assert "and 1 later offering" in next_offering[2]  # C has two
    assert row(html, "Mode") == ["Online", "On-site", "Online, Blended", "–"]
    assert row(html, "Language of the offerings") == ["Finnish", "English", "Swedish", "–"]
    prices = row(html, "Price for individuals")
    assert prices[0] == "Free"
    assert prices[1] == "250.00 €"
    assert prices[2] == "free – 90.00 €"  # two offerings: a range
    assert prices[3] == "–"
    enrol_links = re.findall(r'<a href="(/en/enrol/\d+/)">Enrol or register interest', html)
    assert enrol_links == [f"/en/enrol/{version.offerings.order_by('start_date').first().pk}/"
                           for version in (catalog.a, catalog.b, catalog.c)]


def test_shared_skills_are_marked(client: Any, catalog: Any, helsinki: Any, helsinki_admin: Any) -> None:
    other = publish(helsinki, helsinki_admin, "OTHER", title=texts("Interviewing", "Haastattelu", "Intervju"),
                    learning_outcomes=[{"text": texts("protect data", "suojata", "skydda"),
                                        "skills": [SKILL_DATA_PROTECTION]}],
                    offerings=(upcoming(20),))
    html = compare_page(client, name(catalog.a), name(other))
    skills = row(html, "ESCO skills")
    # A has data protection and GDPR; OTHER only data protection: that one is shared, GDPR is not.
    assert skills[0].startswith("data protection shared")
    assert "GDPR" in skills[0] and "GDPR shared" not in skills[0]
    assert skills[1] == "data protection shared"
    assert "Skills that more than one of these builds are marked" in html
    result = compare.comparison([name(catalog.a), name(other)])
    assert result.shared_skill_uris == {SKILL_DATA_PROTECTION}
    assert SKILL_GDPR in compare.skill_uris(result.versions[0])


def test_no_feedback_yet_is_said_plainly_and_a_feedback_source_is_shown(client: Any, catalog: Any) -> None:
    html = compare_page(client, name(catalog.a), name(catalog.b))
    assert row(html, "Learner feedback") == ["No feedback yet", "No feedback yet"]
    register_feedback_source(lambda ids: {catalog.a.micro_credential_id: FeedbackSummary(12, Decimal("4.25"))})
    try:
        html = compare_page(client, name(catalog.a), name(catalog.b))
    finally:
        register_feedback_source(None)
    assert row(html, "Learner feedback") == ["12 answers, average 4.3", "No feedback yet"]


def test_only_published_versions_unknown_ones_are_reported_and_the_rest_shown(client: Any, catalog: Any) -> None:
    html = compare_page(client, "helsinki/draft", name(catalog.a), "aalto/review", "helsinki/retired",
                        "nobody/nothing", "not a name", name(catalog.e))
    assert column_titles(html) == ["Data protection in practice", "Renewed course"]  # E's current version only
    problems = text_of(re.search(r'<section class="compare-problems".*?</section>', html, re.S).group(0))
    for missing in ("helsinki/draft", "aalto/review", "helsinki/retired", "nobody/nothing"):
        assert f"“{missing}” is not in the catalog" in problems
    assert "“not a name” is not the address of a micro-credential" in problems
    assert "Hidden topic" not in html and "Old title hidden" not in html and "Unpublished hidden change" not in html


def test_at_most_four_the_rest_are_reported_as_left_out(client: Any, catalog: Any) -> None:
    names = [name(catalog.a), name(catalog.b), name(catalog.c), name(catalog.d), name(catalog.e)]
    html = compare_page(client, *names)
    assert len(column_titles(html)) == 4
    assert "At most 4 micro-credentials can be compared at a time; these were left out: helsinki/e." in text_of(html)


def test_the_same_one_twice_is_one_column(client: Any, catalog: Any) -> None:
    html = compare_page(client, name(catalog.a), name(catalog.a), name(catalog.b))
    assert column_titles(html) == ["Data protection in practice", "Secure software development"]


def test_nothing_to_compare_explains_how_to_start(client: Any, db: Any) -> None:
    html = compare_page(client)
    assert "Nothing to compare yet." in html
    assert "<table" not in html


def test_the_table_is_a_real_table_with_headers(client: Any, catalog: Any) -> None:
    html = compare_page(client, name(catalog.a), name(catalog.b), name(catalog.c))
    table = re.search(r"<table class=\"compare\">.*?</table>", html, re.S).group(0)
    assert "<caption" in table and "3 micro-credentials side by side" in table
    assert table.count('<th scope="col">') == 3
    assert table.count('<th scope="row">') >= 25
    assert table.count('<th scope="rowgroup"') == 4
    # the table scrolls sideways in its own keyboard-reachable region on a narrow screen
    assert re.search(r'<div class="compare-scroll" role="region" aria-labelledby="compare-caption" tabindex="0">', html)


def test_in_finnish_and_swedish(client: Any, catalog: Any) -> None:
    html = compare_page(client, name(catalog.a), name(catalog.c), language="fi")
    assert column_titles(html) == ["Tietosuoja käytännön työssä", "Potilasturvallisuuden perusteet"]
    html = compare_page(client, name(catalog.a), name(catalog.c), language="sv")
    assert column_titles(html) == ["Dataskydd i praktiskt arbete", "Grunderna i patientsäkerhet"]


def test_the_address_names_the_selection_and_can_be_shared(client: Any, catalog: Any) -> None:
    html = compare_page(client, name(catalog.a), name(catalog.b))
    shared = html_module.unescape(re.search(r'id="compare-share" value="([^"]+)"', html).group(1))
    parts = urlsplit(shared)
    assert parts.scheme == "http" and parts.path == "/en/compare/"
    assert parse_qs(parts.query)["mc"] == [name(catalog.a), name(catalog.b)]
    # each column can be removed with a plain link to the address without it
    assert f'href="/en/compare/?mc={name(catalog.b).replace("/", "%2F")}"' in html


def test_queries_are_bounded_whatever_the_number_compared(client: Any, catalog: Any) -> None:
    def count(*names: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            compare_page(client, *names)
        return len(captured)

    two = count(name(catalog.a), name(catalog.b))
    four = count(name(catalog.a), name(catalog.b), name(catalog.c), name(catalog.e))
    many_unknown = count(*[f"nobody/x{i}" for i in range(30)])
    assert four == two
    assert many_unknown <= two
    assert four <= 12


# --- the tray: choosing while browsing --------------------------------------------------------------------------

def add(client: Any, version_or_name: Any, next_url: str = "/en/") -> Any:
    value = version_or_name if isinstance(version_or_name, str) else name(version_or_name)
    return client.post(url("catalog:compare_add"), {"mc": value, "next": next_url})


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def test_add_from_the_list_then_compare(client: Any, catalog: Any) -> None:
    response = add(client, catalog.a, "/en/?q=data")
    assert response.status_code == 302 and response["Location"] == "/en/?q=data"
    add(client, catalog.b)
    page = client.get("/en/?q=data")
    html = page.content.decode()
    tray = re.search(r'<section class="compare-tray".*?</section>', html, re.S).group(0)
    assert "Your comparison (2 of 4)" in tray
    assert "Data protection in practice" in tray and "Secure software development" in tray
    link = html_module.unescape(re.search(r'<a class="button" href="([^"]+)">Compare side by side', tray).group(1))
    assert parse_qs(urlsplit(link).query)["mc"] == [name(catalog.a), name(catalog.b)]
    # the results say which ones are already chosen
    assert html.count(">Remove from comparison<") == 2
    # /compare/ without names goes to the shareable address of the tray
    response = client.get(url("catalog:compare"))
    assert response.status_code == 302 and parse_qs(urlsplit(response["Location"]).query)["mc"] == [
        name(catalog.a), name(catalog.b)]


def test_a_fifth_is_refused_with_a_clear_message(client: Any, catalog: Any) -> None:
    for version in (catalog.a, catalog.b, catalog.c, catalog.d):
        add(client, version)
    response = client.post(url("catalog:compare_add"), {"mc": name(catalog.e), "next": "/en/"}, follow=True)
    assert ("You can compare at most 4 micro-credentials at a time. Remove one from the comparison before you "
            "add another.") in messages_of(response)
    assert compare.tray_names(client.session) == [name(v) for v in (catalog.a, catalog.b, catalog.c, catalog.d)]
    # adding one that is already there is not a fifth
    response = client.post(url("catalog:compare_add"), {"mc": name(catalog.a), "next": "/en/"}, follow=True)
    assert not any("at most" in message for message in messages_of(response))


def test_unknown_or_unpublished_cannot_be_added(client: Any, catalog: Any) -> None:
    for value in (name(catalog.draft), "helsinki/retired", "nobody/x"):
        response = client.post(url("catalog:compare_add"), {"mc": value, "next": "/en/"}, follow=True)
        assert "This micro-credential is not in the catalog." in messages_of(response)
    response = client.post(url("catalog:compare_add"), {"mc": "../../etc", "next": "/en/"}, follow=True)
    assert "This is not the address of a micro-credential." in messages_of(response)
    assert compare.tray_names(client.session) == []


def test_remove_and_clear(client: Any, catalog: Any) -> None:
    add(client, catalog.a)
    add(client, catalog.b)
    client.post(url("catalog:compare_remove"), {"mc": name(catalog.a), "next": "/en/"})
    assert compare.tray_names(client.session) == [name(catalog.b)]
    client.post(url("catalog:compare_clear"), {"next": "/en/"})
    assert compare.tray_names(client.session) == []


def test_opening_a_shared_comparison_makes_the_tray_follow_it(client: Any, catalog: Any) -> None:
    add(client, catalog.d)
    compare_page(client, name(catalog.a), name(catalog.c), "nobody/x")
    assert compare.tray_names(client.session) == [name(catalog.a), name(catalog.c)]
    compare_page(client, "nobody/x", name(catalog.retired))  # nothing to show: the tray stays as it was
    assert compare.tray_names(client.session) == [name(catalog.a), name(catalog.c)]


def test_going_back_only_to_our_own_pages(client: Any, catalog: Any) -> None:
    response = add(client, catalog.a, "https://evil.example/phish")
    assert response["Location"] == url("catalog:compare")


def test_changing_the_tray_needs_post(client: Any, catalog: Any) -> None:
    assert client.get(url("catalog:compare_add") + f"?mc={name(catalog.a)}").status_code == 405


def test_list_and_detail_pages_have_a_compare_button(client: Any, catalog: Any) -> None:
    html = client.get("/en/").content.decode()
    # the list is one GET form: its compare buttons submit a separate POST form by its id
    assert re.search(r'<form id="compare-form" method="post" action="/en/compare/add/"', html)
    buttons = re.findall(r'<button type="submit" form="compare-form"[^>]*name="mc" value="([^"]+)"', html)
    assert set(buttons) == {name(v) for v in (catalog.a, catalog.b, catalog.c, catalog.d, catalog.e)}
    html = client.get(detail_url(catalog.b)).content.decode()
    assert re.search(r'<form method="post" action="/en/compare/add/".*?name="mc" value="aalto/b"', html, re.S)
    html = client.get(url("catalog:provider", slug="aalto")).content.decode()
    assert 'value="aalto/b"' in html and 'form="compare-form"' not in html


@pytest.mark.parametrize("value", ["", "a/b/c", "x" * 500, "%00", "helsinki/" + "a" * 61])
def test_bad_names_never_break_the_page(client: Any, catalog: Any, value: str) -> None:
    response = client.get(url("catalog:compare"), {"mc": [value, name(catalog.a)]})
    assert response.status_code == 200
    assert "Data protection in practice" in response.content.decode()
