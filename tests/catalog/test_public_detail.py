"""A micro-credential's public page: every EU Annex I element, the offerings, only published versions."""

from __future__ import annotations

import html as html_module
import re
from typing import Any

import pytest
from django.utils import formats, translation

from osaamo.catalog.models import MicroCredentialVersion
from osaamo.framework.eqf import eqf_level
from tests.catalog.test_public_fixtures import catalog, detail_url, publish, texts, upcoming, url
from tests.factories import SKILL_DATA_PROTECTION, SKILL_GDPR, VALID_DESIGN

__all__ = ["catalog"]


def page(client: Any, version: MicroCredentialVersion, language: str = "en") -> str:
    response = client.get(detail_url(version, language))
    assert response.status_code == 200
    return response.content.decode()


def element(html: str, label: str) -> str:
    """The text of the <dd> that follows the <dt> with `label` (tags removed, spaces collapsed)."""
    match = re.search(r"<dt>\s*" + re.escape(label) + r"\s*</dt>\s*<dd[^>]*>(.*?)</dd>", html, re.S)
    assert match, f"no element labelled {label!r}"
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


@pytest.fixture
def joint(helsinki: Any, aalto: Any, helsinki_admin: Any) -> MicroCredentialVersion:
    return publish(
        helsinki, helsinki_admin, "JOINT-1", co_providers=["aalto"],
        further_information=texts("See https://example.org/joint", "Katso https://example.org/joint",
                                  "Se https://example.org/joint"),
        stackability="stackable",
        stackability_description=texts("Counts towards the data specialist path.", "Lasketaan polkuun.",
                                       "Räknas mot stigen."),
        offerings=(
            upcoming(30, mode="onsite", language="en", seats=25, min_participants=8, price_individual="120",
                     price_organisation="480", place=texts("Main building, Helsinki", "Päärakennus", "Huvudbyggnaden")),
            upcoming(90, mode="online", language="fi", seats=None, min_participants=None, price_individual="0",
                     price_organisation=None),
        ),
    )


def test_every_mandatory_eu_element_is_shown_with_its_label(client: Any, joint: MicroCredentialVersion) -> None:
    html = page(client, joint)
    assert element(html, "Title") == VALID_DESIGN["title"]["en"]
    bodies = element(html, "Awarding bodies")
    assert "University of Helsinki" in bodies and "Aalto University" in bodies and "co-provider" in bodies
    assert element(html, "Country of the awarding bodies") == "Finland"
    outcomes = element(html, "Learning outcomes")
    for outcome in VALID_DESIGN["learning_outcomes"]:
        assert outcome["text"]["en"] in outcomes
    assert element(html, "Workload") == "5 ECTS credits (135 hours of work)"
    level = element(html, "Level")
    assert level.startswith("EQF level 6")
    assert "QF-EHEA cycle: First cycle (bachelor's level)" in level
    assert eqf_level(6).knowledge in level  # the descriptors, for the curious
    assessment = element(html, "Type of assessment")
    assert "Project work" in assessment and VALID_DESIGN["assessment_description"]["en"] in assessment
    assert element(html, "Form of participation") == "Online"
    qa = element(html, "Type of quality assurance")
    assert "audited by FINEEC (Karvi)" in qa and VALID_DESIGN["quality_assurance_description"]["en"] in qa


def test_esco_skills_link_to_their_esco_uris(client: Any, joint: MicroCredentialVersion) -> None:
    html = page(client, joint)
    for uri in (SKILL_DATA_PROTECTION, SKILL_GDPR):
        assert f'href="{uri}"' in html


def test_every_optional_element_is_shown(client: Any, joint: MicroCredentialVersion) -> None:
    html = page(client, joint)
    assert element(html, "Prerequisites") == "None."
    assert element(html, "Supervision and identity verification during assessment") == (
        "Supervised online, with identity verification")
    assert element(html, "Grading") == "0–5 (0 = fail)"
    stack = element(html, "Integration and stackability")
    assert "Integrated, stackable towards another credential" in stack and "data specialist path" in stack
    assert "https://example.org/joint" in element(html, "Further information")
    assert 'href="https://example.org/joint"' in html
    assert element(html, "Target group") == "Professionals"
    assert element(html, "Field of education (ISCED-F)").startswith("0421 ")
    assert element(html, "Languages of instruction") == "Finnish, English"


def test_upcoming_offerings_show_dates_enrolment_mode_place_language_seats_and_prices(
    client: Any, joint: MicroCredentialVersion
) -> None:
    html = page(client, joint)
    onsite = joint.offerings.order_by("start_date").first()
    assert onsite is not None
    with translation.override("en"):
        assert formats.date_format(onsite.start_date, "DATE_FORMAT") in html
        assert formats.date_format(onsite.end_date, "DATE_FORMAT") in html
    sections = html.split('class="offering"')[1:]
    assert len(sections) == 2
    first, second = sections
    assert element(first, "Form") == "On-site"
    assert element(first, "Place") == "Main building, Helsinki"
    assert element(first, "Language of instruction") == "English"
    assert element(first, "Seats") == "25"
    assert element(first, "Minimum number of participants") == "8"
    assert element(first, "Price for individuals") == "120.00 €"
    assert element(first, "Price for organisations") == "480.00 € per seat"
    assert element(first, "Enrolment").startswith("from ")
    assert element(second, "Form") == "Online"
    assert element(second, "Seats") == "No limit"
    assert element(second, "Minimum number of participants") == "None"
    assert element(second, "Price for individuals") == "Free"
    assert element(second, "Price for organisations") == "Not offered to organisations"


def test_past_and_cancelled_offerings_are_not_offered(client: Any, catalog: Any) -> None:
    html = page(client, catalog.d)
    assert 'class="offering"' not in html
    assert "No upcoming offerings at the moment." in html


def test_the_current_published_version_is_shown_not_the_draft_nor_the_old_one(client: Any, catalog: Any) -> None:
    html = page(client, catalog.e)
    assert "Renewed course" in html
    assert "Unpublished hidden change" not in html and "Old title hidden" not in html
    assert f"Version {catalog.e.number}," in html


@pytest.mark.parametrize("which", ["draft", "in_review", "retired"])
def test_drafts_reviews_and_retired_versions_are_not_found(client: Any, catalog: Any, which: str) -> None:
    version = getattr(catalog, which)
    assert client.get(detail_url(version)).status_code == 404


def test_the_provider_staff_see_no_draft_either(client: Any, catalog: Any, helsinki_admin: Any) -> None:
    client.force_login(helsinki_admin)
    assert client.get(detail_url(catalog.draft)).status_code == 404


def test_unknown_addresses_are_not_found(client: Any, catalog: Any) -> None:
    assert client.get(url("catalog:detail", provider_slug="helsinki", slug="nothing")).status_code == 404
    # The right slug under another university is not found either.
    assert client.get(url("catalog:detail", provider_slug="aalto", slug=catalog.a.micro_credential.slug)
                      ).status_code == 404


def test_an_inactive_universitys_micro_credentials_are_not_public(client: Any, catalog: Any, aalto: Any) -> None:
    type(aalto).objects.filter(pk=aalto.pk).update(is_active=False)
    assert client.get(detail_url(catalog.d)).status_code == 404
    assert "Timber construction" not in client.get(url("catalog:list")).content.decode()


@pytest.mark.parametrize(("language", "title"), [
    ("fi", "Tietosuoja käytännön työssä"), ("sv", "Dataskydd i praktiskt arbete"), ("en", "Data protection in practice"),
])
def test_the_page_speaks_the_readers_language(client: Any, catalog: Any, language: str, title: str) -> None:
    html = page(client, catalog.a, language)
    assert f'<html lang="{language}">' in html
    assert re.search(r"<h1[^>]*>" + re.escape(title) + "</h1>", html)


def test_text_missing_in_the_readers_language_is_marked_with_its_own_language(
    client: Any, helsinki: Any, helsinki_admin: Any
) -> None:
    version = publish(helsinki, helsinki_admin, "FI-ONLY",
                      target_group={"fi": "Vain suomeksi kuvattu kohderyhmä"})
    html = page(client, version, "sv")
    assert re.search(r'<dd lang="fi">\s*Vain suomeksi kuvattu kohderyhmä', html)
    # Text that exists in Swedish carries no extra lang attribute.
    assert re.search(r"<h1 id=\"title\">Dataskydd i praktiskt arbete</h1>", html)


def test_detail_page_queries_are_bounded(client: Any, joint: MicroCredentialVersion,
                                         django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(8):
        page(client, joint)
