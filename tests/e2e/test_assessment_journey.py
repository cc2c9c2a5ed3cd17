"""From enrolment to credential in a browser: the learner enrols, the registrar uploads the results as a CSV
file, checks the preview, saves it and confirms issuing, and the learner finds the credential through "My
studies" in the wallet. Every page on the way is checked with axe-core."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from osaamo.credentials.models import IssuedCredential
from tests.factories import make_published, make_user

PASSWORD = "correct horse battery staple"


def _sign_in(page: Any, email: str) -> None:
    page.goto("/en/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit], main input[type=submit]").first.click()
    page.wait_for_load_state()


@pytest.fixture
def _tasks_run_in_the_request(settings: Any) -> None:
    # No worker runs beside the live server: the issuing job runs when it is enqueued.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.mark.django_db(transaction=True)
def test_learner_enrols_registrar_uploads_results_learner_finds_the_credential(
        page: Any, browser: Any, live_server: Any, helsinki: Any, helsinki_admin: Any, helsinki_registrar: Any,
        assert_accessible: Any, _tasks_run_in_the_request: None) -> None:
    version = make_published(helsinki, helsinki_admin, code="HY-E2E-ASSESS")
    offering = version.offerings.get()
    learner = make_user("liisa.learner@example.com", "Liisa Learner")

    # The learner enrols.
    _sign_in(page, learner.email)
    page.goto(f"/en/enrol/{offering.pk}/")
    page.get_by_label("I meet the prerequisites stated above.").check()
    page.get_by_role("button", name="Enrol free of charge").click()
    expect(page.locator(".messages")).to_contain_text("You are enrolled.")

    # The registrar uploads the results of the group.
    registrar = browser.new_context(base_url=live_server.url)
    staff = registrar.new_page()
    _sign_in(staff, helsinki_registrar.email)
    staff.goto("/en/accounts/")
    staff.get_by_role("link", name="Assessment and results").click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text("Assessment and results")
    assert_accessible(staff, "the assessment offerings")
    staff.get_by_role("link", name="Data protection in practice").click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text("Data protection in practice")
    assert_accessible(staff, "an offering's results")
    staff.get_by_role("link", name="Upload a CSV file").click()
    assert_accessible(staff, "the upload page")
    today = timezone.localdate()
    content = f"sähköposti;arvosana;päivämäärä\n{learner.email};4;{today.day}.{today.month}.{today.year}\n"
    staff.get_by_label("Results file (CSV)").set_input_files(
        files=[{"name": "tulokset.csv", "mimeType": "text/csv", "buffer": b"\xef\xbb\xbf" + content.encode()}])
    staff.get_by_role("button", name="Check the file").click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text("tulokset.csv")
    expect(staff.get_by_role("heading", name="Results to save")).to_be_visible()
    expect(staff.get_by_text("Liisa Learner")).to_be_visible()
    assert_accessible(staff, "the preview of a results file")
    staff.get_by_label("Save only if every row is valid").check()
    staff.get_by_role("button", name="Save the results").click()
    expect(staff.locator(".messages")).to_contain_text("1 result saved.")
    assert_accessible(staff, "a saved results file")

    # …and confirms issuing: post → redirect → the progress page.
    staff.get_by_role("link", name="Back to the results of the offering").click()
    staff.get_by_role("button", name=re.compile(r"Issue the credential of 1 passing result")).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Issuing certificates")
    expect(staff.locator("#job-progress")).to_contain_text("Issued: 1")
    registrar.close()
    assert IssuedCredential.objects.filter(learner=learner).count() == 1

    # The learner finds the credential through "My studies".
    page.goto("/en/accounts/")
    page.get_by_role("link", name="My studies").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My studies")
    expect(page.get_by_role("cell", name="Completed: 4")).to_be_visible()
    assert_accessible(page, "my studies")
    page.get_by_role("link", name="Your credential", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Data protection in practice")
    assert_accessible(page, "the credential in the wallet")
