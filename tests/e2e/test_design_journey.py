"""A designer creates a micro-credential and sees the framework check follow her typing; an admin publishes it.

The edit page is checked with axe-core as the designer sees it: a finding in the panel, an extra outcome
row and ESCO search results added in place by htmx.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.factories import design_data

PASSWORD = "correct horse battery staple"


def sign_in(page: Any, email: str) -> None:
    page.goto("/en/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/en/accounts/$"))


def fill_design(page: Any, design: dict[str, Any]) -> None:
    """Type a design into the edit page the way a person would: text per language, choices from the lists."""
    for name in ("title", "description", "target_group", "prerequisites", "assessment_description",
                 "quality_assurance_description"):
        for language, text in design[name].items():
            page.locator(f"#id_{name}_{language}").fill(text)
    for index, outcome in enumerate(design["learning_outcomes"]):
        if index > 0:
            page.get_by_role("button", name="Add another outcome").click()
            expect(page.locator(f"#id_outcomes-{index}-text_fi")).to_be_visible()
        for language, text in outcome["text"].items():
            page.locator(f"#id_outcomes-{index}-text_{language}").fill(text)
    page.get_by_label("Workload (hours)").fill(str(design["hours"]))
    page.get_by_label("EQF level").select_option(str(design["eqf_level"]))
    page.get_by_label("QF-EHEA cycle").select_option(design["qf_ehea_cycle"])
    page.get_by_label("Field of education (ISCED-F)").select_option(design["isced_f"])
    for language in design["languages"]:
        page.locator(f'input[name="languages"][value="{language}"]').check()
    page.get_by_label("Type of assessment").select_option(design["assessment_type"])
    page.get_by_label("Form of participation").select_option(design["participation_form"])
    page.get_by_label("Type of quality assurance").select_option(design["quality_assurance"])


def test_design_publish_and_find_it_in_the_catalog(page: Any, browser: Any, live_server: Any, helsinki: Any,
                                                  helsinki_designer: Any, helsinki_admin: Any,
                                                  assert_accessible: Any) -> None:
    design = design_data()
    sign_in(page, helsinki_designer.email)
    page.get_by_role("link", name="Design micro-credentials").click()
    page.get_by_role("link", name="New micro-credential").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New micro-credential")

    page.get_by_label("Code", exact=True).fill("HY-E2E-1")
    fill_design(page, design)
    panel = page.locator("#findings")

    # A workload of 60 ECTS: the error appears beside the form while typing, before anything is saved.
    page.get_by_label("Workload (ECTS credits)").fill("60")
    ects_finding = panel.locator('li[data-code="ects.out_of_range"]')
    # Generous: the first check in a fresh server process loads the lemmatiser's dictionaries (seconds).
    expect(ects_finding).to_be_visible(timeout=30_000)
    expect(ects_finding).to_contain_text("60 ECTS credits")
    expect(ects_finding.get_by_role("link", name="Workload (ECTS credits)")).to_have_attribute("href", "#id_ects")

    # An ESCO skill for the first outcome, found as one types.
    page.locator("#id_outcomes-0-skill_query").fill("data protection")
    page.locator("#outcomes-0-results").get_by_role("button", name=re.compile("^Add: data protection$")).click()
    expect(page.locator("#outcomes-0-chosen").get_by_role("checkbox", name="data protection")).to_be_checked()
    assert_accessible(page, "the design editor with a finding")

    # Fixing the workload removes the error, still unsaved.
    page.get_by_label("Workload (ECTS credits)").fill("5")
    expect(ects_finding).to_have_count(0)
    expect(panel).to_contain_text("0 errors")
    page.get_by_role("button", name="Save").first.click()
    page.wait_for_url(re.compile(r"/en/design/helsinki/versions/\d+/edit/$"))
    expect(page.get_by_role("status")).to_contain_text("The micro-credential was created as a draft.")
    expect(page.get_by_label("Workload (ECTS credits)")).to_have_value("5")
    expect(page.locator("#outcomes-0-chosen").get_by_role("checkbox", name="data protection")).to_be_checked()
    assert_accessible(page, "the design editor after saving")

    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_role("status")).to_contain_text("Submitted for review.")

    # The admin publishes it.
    admin_context = browser.new_context(base_url=live_server.url)
    try:
        admin = admin_context.new_page()
        sign_in(admin, helsinki_admin.email)
        admin.goto("/en/design/helsinki/")
        admin.get_by_role("link", name="Data protection in practice").click()
        expect(admin.get_by_role("cell", name="In review")).to_be_visible()
        admin.get_by_role("button", name="Publish version 1").click()
        expect(admin.get_by_role("status")).to_contain_text("Published: the micro-credential is now in the public catalog.")
        expect(admin.get_by_role("cell", name="Published", exact=True)).to_be_visible()
    finally:
        admin_context.close()

    # Anyone finds it in the public catalog.
    visitor_context = browser.new_context(base_url=live_server.url)
    try:
        visitor = visitor_context.new_page()
        visitor.goto("/en/")
        visitor.get_by_role("link", name="Data protection in practice").click()
        expect(visitor.get_by_role("heading", level=1)).to_have_text("Data protection in practice")
        expect(visitor.get_by_text("analyse the risks of processing personal data")).to_be_visible()
    finally:
        visitor_context.close()
