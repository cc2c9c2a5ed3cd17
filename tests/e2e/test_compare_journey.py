"""A learner searches in Finnish, filters, compares three micro-credentials side by side, and registers
interest in one. The comparison is checked with axe-core on a desktop and at a phone's 390 px width.

The search word is a plain Finnish word ("tietoturva"); every title below writes it in another form or in
a compound. (An inflected query, e.g. "tietoturvaa", belongs here once the lemmatising search is the
catalog's search.) Registering interest goes through the enrolment app's interest action.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from osaamo.enrolment.models import Enrolment, EnrolmentState
from tests.catalog.test_public_fixtures import publish, texts, upcoming
from tests.factories import make_user

PASSWORD = "correct horse battery staple"


@pytest.fixture
def security_catalog(helsinki: Any, aalto: Any, helsinki_admin: Any, aalto_admin: Any) -> SimpleNamespace:
    basics = publish(
        helsinki, helsinki_admin, "TT-1",
        title=texts("Information security basics", "Tietoturvan perusteet", "Grunderna i informationssäkerhet"),
        offerings=(upcoming(30, mode="online", price_individual="0", language="fi"),),
    )
    software = publish(
        aalto, aalto_admin, "TT-2",
        title=texts("Security in software development", "Tietoturva ohjelmistokehityksessä",
                    "Informationssäkerhet i mjukvaruutveckling"),
        ects="10", hours=270, eqf_level=7, qf_ehea_cycle="second", isced_f="0613", languages=["en"],
        offerings=(upcoming(60, mode="onsite", price_individual="250", language="en",
                            place=texts("Otaniemi campus", "Otaniemen kampus", "Otnäs campus")),),
    )
    leadership = publish(
        helsinki, helsinki_admin, "TT-3",
        title=texts("Leading information security", "Tietoturvajohtaminen", "Ledning av informationssäkerhet"),
        ects="3", hours=81, eqf_level=7, qf_ehea_cycle="second",
        offerings=(upcoming(20, mode="online", price_individual="90", language="fi"),),
    )
    cloud = publish(
        aalto, aalto_admin, "TT-4",
        title=texts("Cloud security", "Pilvipalveluiden tietoturva", "Molnsäkerhet"),
        ects="2", hours=54, eqf_level=6, languages=["fi"],
        offerings=(upcoming(45, mode="online", price_individual="0", language="fi"),),
    )
    publish(helsinki, helsinki_admin, "WOOD", title=texts("Timber construction", "Puurakentaminen", "Träbyggande"),
            offerings=(upcoming(30, mode="online"),))
    learner = make_user("liisa.learner@example.com", "Liisa Learner")
    return SimpleNamespace(basics=basics, software=software, leadership=leadership, cloud=cloud, learner=learner)


def name(version: Any) -> str:
    return f"{version.micro_credential.provider.slug}/{version.micro_credential.slug}"


def result_titles(page: Any) -> list[str]:
    return [title.strip() for title in page.locator(".result-list .result-title").all_inner_texts()]


def test_search_in_finnish_filter_compare_three_and_register_interest(
        page: Any, browser: Any, live_server: Any, security_catalog: Any, assert_accessible: Any) -> None:
    catalog = security_catalog
    page.goto("/fi/")
    expect(page.locator("html")).to_have_attribute("lang", "fi")

    # Search in Finnish: four of the five match, whatever form or compound the word is in.
    page.locator("input[name=q]").fill("tietoturva")
    page.locator("#search-submit").click()
    page.wait_for_url(re.compile(r"/fi/\?.*q=tietoturva"))
    expect(page.locator(".result-list > li")).to_have_count(4)
    assert "Puurakentaminen" not in result_titles(page)

    # Filter: online only leaves three.
    page.locator("select[name=mode]").select_option("online")
    page.locator("#filters-submit").click()
    page.wait_for_url(re.compile(r"mode=online"))
    expect(page.locator(".result-list > li")).to_have_count(3)
    assert sorted(result_titles(page)) == sorted(
        ["Tietoturvan perusteet", "Tietoturvajohtaminen", "Pilvipalveluiden tietoturva"])
    filtered = page.url

    # Compare three: each "add to comparison" is a POST that comes back to the same filtered list.
    for version in (catalog.basics, catalog.leadership, catalog.cloud):
        page.locator(f'.result-list button[name=mc][value="{name(version)}"]').click()
        page.wait_for_load_state()
        assert page.url == filtered
    tray = page.locator(".compare-tray")
    expect(tray.locator("li")).to_have_count(3)
    expect(page.locator(f'.result-list button[name=mc][value="{name(catalog.basics)}"]')).to_have_attribute(
        "formaction", re.compile(r"/fi/compare/remove/"))
    tray.locator("a.button").click()
    page.wait_for_url(re.compile(r"/fi/compare/\?mc="))
    assert parse_qs(urlsplit(page.url).query)["mc"] == [name(catalog.basics), name(catalog.leadership),
                                                        name(catalog.cloud)]
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader")).to_have_count(3)
    expect(table.get_by_role("rowheader").first).to_be_visible()
    expect(table.get_by_role("columnheader").nth(1)).to_contain_text("Tietoturvajohtaminen")
    assert_accessible(page, "the comparison (fi, desktop)")
    compare_address = page.url

    # The same address on a phone: the page itself does not scroll sideways; the table scrolls in its own
    # region and the row headers stay in view.
    phone = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True, device_scale_factor=2, locale="fi-FI")
    try:
        phone_page = phone.new_page()
        phone_page.goto(compare_address)
        expect(phone_page.get_by_role("columnheader")).to_have_count(3)
        overflow = phone_page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the comparison page is {overflow}px wider than the phone"
        region = phone_page.locator(".compare-scroll")
        assert region.evaluate("element => element.scrollWidth > element.clientWidth")  # three columns do not fit
        row_header = phone_page.locator('th[scope="row"]').first
        before = row_header.bounding_box()
        region.evaluate("element => { element.scrollLeft = 300; }")
        phone_page.wait_for_timeout(100)
        after = row_header.bounding_box()
        assert before and after and abs(after["x"] - before["x"]) < 1, "the row headers scrolled out of view"
        assert_accessible(phone_page, "the comparison (fi, phone 390 px)")
    finally:
        phone.close()

    # Register interest in the leadership course's next offering (signing in on the way).
    offering = catalog.leadership.offerings.get()
    page.locator(f'td a[href="/fi/enrol/{offering.pk}/"]').click()
    page.wait_for_url(re.compile(rf"/fi/enrol/{offering.pk}/$"))
    page.locator('main a[href^="/fi/accounts/login/"]').first.click()
    page.fill("input[name=username]", catalog.learner.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit], main input[type=submit]").first.click()
    page.wait_for_url(re.compile(rf"/fi/enrol/{offering.pk}/$"))
    page.locator(f'form[action="/fi/enrol/{offering.pk}/interest/"] button').click()
    page.wait_for_load_state()
    expect(page.locator(".messages")).to_be_visible()
    enrolment = Enrolment.objects.get(learner=catalog.learner)
    assert enrolment.state == EnrolmentState.INTERESTED
    assert enrolment.offering.version_id == catalog.leadership.pk
    assert_accessible(page, "the offering after registering interest")


def test_a_fifth_is_refused_and_the_comparison_works_without_javascript(
        page_without_javascript: Any, security_catalog: Any) -> None:
    page = page_without_javascript
    catalog = security_catalog
    page.goto("/en/?q=tietoturva")
    for version in (catalog.basics, catalog.software, catalog.leadership, catalog.cloud):
        page.locator(f'.result-list button[name=mc][value="{name(version)}"]').click()
        page.wait_for_load_state()
    expect(page.locator(".compare-tray")).to_contain_text("Your comparison (4 of 4)")
    page.goto(f"/en/micro-credentials/{name(catalog.basics)}/")
    page.locator(".mc-compare button").click()  # already in: this one removes it
    page.wait_for_load_state()
    expect(page.locator(".compare-tray")).to_contain_text("Your comparison (3 of 4)")
    page.locator(".mc-compare button").click()
    expect(page.locator(".compare-tray")).to_contain_text("Your comparison (4 of 4)")
    page.goto("/en/micro-credentials/helsinki/wood/")
    page.locator(".mc-compare button").click()
    expect(page.locator(".messages")).to_contain_text(
        "You can compare at most 4 micro-credentials at a time. Remove one from the comparison before you add another.")
    page.locator(".compare-tray a.button").click()
    expect(page.get_by_role("columnheader")).to_have_count(4)
    page.get_by_role("link", name=re.compile(r"^Remove\s*: Cloud security")).click()
    expect(page.get_by_role("columnheader")).to_have_count(3)
    assert "mc=aalto%2Ftt-4" not in page.url and "aalto/tt-4" not in page.url
