"""A visitor finds a micro-credential: search, filter, open it, read it in Finnish and Swedish.

Each catalog list and detail page on the way is checked with axe-core in every language.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.catalog.test_public_fixtures import catalog

__all__ = ["catalog"]


def test_search_filter_open_and_switch_language(page: Any, catalog: Any, assert_accessible: Any) -> None:
    page.goto("/en/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a micro-credential")
    expect(page.locator("#results-heading")).to_contain_text("5 micro-credentials found")
    assert_accessible(page, "the catalog list (en)")

    # Search: the results are replaced in place and the address can be shared.
    page.get_by_role("searchbox", name="Search words").fill("data")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"/en/\?.*q=data"))
    expect(page.locator("#results-heading")).to_contain_text("5 micro-credentials found")

    # Filter: free offerings at EQF level 5.
    page.get_by_label("Price").select_option("free")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"price=free"))
    expect(page.locator("#results-heading")).to_contain_text("2 micro-credentials found")
    page.get_by_role("checkbox", name=re.compile(r"^5 ")).check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"eqf_level=5"))
    expect(page.get_by_role("button", name="Apply filters")).to_be_focused()  # kept across the update
    expect(page.locator("#results-heading")).to_contain_text("1 micro-credential found")
    expect(page.get_by_role("status")).to_have_text("1 micro-credential found")
    results = page.locator(".result-list > li")
    expect(results).to_have_count(1)
    expect(results.first.get_by_role("heading", level=3)).to_have_text("Patient safety basics")
    assert_accessible(page, "the filtered catalog list (en)")

    # Back and forward go through the filter steps.
    page.go_back()
    expect(page.locator("#results-heading")).to_contain_text("2 micro-credentials found")
    page.go_forward()
    expect(page.locator("#results-heading")).to_contain_text("1 micro-credential found")
    # A shared address shows the same results to someone else.
    other = page.context.new_page()
    other.goto(page.url)
    expect(other.locator(".result-list .result-title")).to_have_text("Patient safety basics")
    other.close()

    # The language switcher follows the address that htmx pushed: same filters, in Finnish.
    page.get_by_role("button", name="Suomi").click()
    page.wait_for_url(re.compile(r"/fi/\?(?=.*price=free)(?=.*eqf_level=5)"))
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    expect(page.locator(".result-list .result-title")).to_have_text("Potilasturvallisuuden perusteet")
    assert_accessible(page, "the filtered catalog list (fi)")
    page.get_by_role("button", name="Svenska").click()
    page.wait_for_url(re.compile(r"/sv/\?.*price=free"))
    expect(page.locator(".result-list .result-title")).to_have_text("Grunderna i patientsäkerhet")
    assert_accessible(page, "the filtered catalog list (sv)")
    page.get_by_role("button", name="English").click()
    page.wait_for_url(re.compile(r"/en/\?"))

    # Open the micro-credential.
    page.get_by_role("link", name="Patient safety basics").click()
    page.wait_for_url(re.compile(r"/en/micro-credentials/helsinki/c/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Patient safety basics")
    expect(page.get_by_role("heading", name="Upcoming offerings")).to_be_visible()
    expect(page.get_by_role("heading", name="Information required by the EU standard")).to_be_visible()
    assert_accessible(page, "the micro-credential page (en)")

    # Switch language on the micro-credential's page: the same page, the provider's Finnish and Swedish texts.
    page.get_by_role("button", name="Suomi").click()
    page.wait_for_url(re.compile(r"/fi/micro-credentials/helsinki/c/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Potilasturvallisuuden perusteet")
    expect(page.locator(".description")).to_contain_text("Turvalliset hoitokäytännöt.")
    assert_accessible(page, "the micro-credential page (fi)")
    page.get_by_role("button", name="Svenska").click()
    page.wait_for_url(re.compile(r"/sv/micro-credentials/helsinki/c/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Grunderna i patientsäkerhet")
    expect(page.locator(".description")).to_contain_text("Säkra vårdrutiner.")
    assert_accessible(page, "the micro-credential page (sv)")


def test_the_catalog_works_without_javascript(page_without_javascript: Any, catalog: Any) -> None:
    page = page_without_javascript
    page.goto("/en/")
    page.get_by_role("searchbox", name="Search words").fill("timber")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_url(re.compile(r"q=timber"))
    expect(page.locator(".result-list .result-title")).to_have_text("Timber construction")
    page.get_by_label("University").select_option("aalto")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"provider=aalto"))
    expect(page.locator(".result-list .result-title")).to_have_text("Timber construction")
    page.get_by_role("button", name="Svenska").click()
    page.wait_for_url(re.compile(r"/sv/\?(?=.*q=timber)(?=.*provider=aalto)"))
    expect(page.locator(".result-list .result-title")).to_have_text("Träbyggande")


def test_invalid_filters_are_explained_in_the_browser(page: Any, catalog: Any, assert_accessible: Any) -> None:
    page.goto("/en/")
    page.get_by_label("At least").fill("12")
    page.get_by_label("At most").fill("3")
    page.get_by_role("button", name="Apply filters").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Some filters could not be used")
    expect(alert.get_by_role("link")).to_contain_text("The upper limit must not be smaller than the lower limit.")
    expect(page.get_by_label("At most")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "the catalog list with an error")


def test_on_a_phone_nothing_scrolls_sideways(phone_page: Any, catalog: Any, assert_accessible: Any) -> None:
    for address in ("/fi/", "/fi/micro-credentials/aalto/b/", "/fi/universities/", "/fi/universities/helsinki/"):
        phone_page.goto(address)
        width = phone_page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert width <= 0, f"{address} is {width}px wider than the phone screen"
        assert_accessible(phone_page, f"{address} on a phone")


def test_keyboard_users_can_skip_to_the_content(page: Any, catalog: Any) -> None:
    page.goto("/en/universities/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
