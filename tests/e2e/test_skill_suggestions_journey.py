"""A designer writes a learning outcome and aligns it to ESCO with a click: the suggestions appear under
the outcome when typing pauses (htmx), one click adds a skill to the outcome, and saving keeps it.
The editor with its suggestions is checked with axe-core."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from osaamo.framework import suggestions
from tests.catalog.test_design_support import make_draft
from tests.factories import SKILL_GDPR

PASSWORD = "correct horse battery staple"


@pytest.mark.django_db(transaction=True)
def test_suggested_skills_appear_as_the_designer_types_and_one_click_adds(
        page: Any, live_server: Any, helsinki: Any, helsinki_admin: Any, helsinki_designer: Any,
        assert_accessible: Any) -> None:
    draft = make_draft(helsinki, helsinki_admin)  # outcome 1 has the skill "data protection" already
    # The index is built once per process on first use (a second or more on a busy machine); the live
    # server runs in this process, so build it here rather than inside the browser's first request.
    suggestions.reset_index()
    suggestions.skill_index()
    page.goto("/en/accounts/login/")
    page.get_by_label("Email address").fill(helsinki_designer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/en/accounts/$"))
    page.goto(f"/en/design/helsinki/versions/{draft.pk}/edit/")

    outcome = page.locator("#id_outcomes-0-text_en")
    outcome.fill("")
    outcome.press_sequentially("apply the GDPR when processing personal data", delay=10)
    suggested = page.locator("#outcomes-0-suggestions")
    expect(suggested.get_by_text("Suggested skills")).to_be_visible(timeout=15_000)
    gdpr = suggested.get_by_role("button", name=re.compile(r"^Add\s*: GDPR$"))
    expect(gdpr).to_be_visible()
    # a skill already chosen for the outcome is not suggested again
    expect(suggested.get_by_role("button", name=re.compile(r"^Add\s*: data protection$"))).to_have_count(0)
    assert_accessible(page, "the design editor with skill suggestions")

    gdpr.click()
    expect(page.locator("#outcomes-0-chosen").get_by_role("checkbox", name="GDPR")).to_be_checked()
    expect(suggested.get_by_role("button", name=re.compile(r"^Add\s*: GDPR$"))).to_have_count(0)

    page.get_by_role("button", name="Save", exact=True).first.click()
    page.wait_for_load_state()
    draft.refresh_from_db()
    assert SKILL_GDPR in {skill.uri for skill in draft.outcomes.first().skills.all()}
