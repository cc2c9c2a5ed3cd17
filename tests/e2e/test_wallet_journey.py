"""The certificate's journey in a browser: the learner opens the wallet, downloads the PDF and makes a share
link; an anonymous visitor opens it and sees "Valid"; the registrar revokes; the same link says "Revoked".
The wallet, the credential, the verification page and the result are checked with axe-core."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from osaamo.credentials import services
from osaamo.enrolment.services import enrolment_enrol, enrolment_record_result
from tests.factories import make_published, make_user

PASSWORD = "correct horse battery staple"


def _sign_in(page: Any, email: str) -> None:
    page.goto("/en/accounts/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit], main input[type=submit]").first.click()
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_learner_shares_a_certificate_and_the_registrar_revokes_it(
        page: Any, browser: Any, live_server: Any, helsinki: Any, helsinki_admin: Any, helsinki_registrar: Any,
        assert_accessible: Any) -> None:
    version = make_published(helsinki, helsinki_admin, code="HY-E2E-CRED")
    learner = make_user("liisa.learner@example.com", "Liisa Learner")
    enrolment = enrolment_enrol(offering=version.offerings.get(), learner=learner, prerequisites_confirmed=True)
    enrolment = enrolment_record_result(enrolment=enrolment, passed=True, by=helsinki_registrar)
    credential, _ = services.credential_issue_for_enrolment(enrolment=enrolment, by=helsinki_registrar, grade="4")

    # The learner: wallet → the credential → PDF → a share link.
    _sign_in(page, learner.email)
    page.goto("/en/wallet/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My credentials")
    assert_accessible(page, "the wallet")
    page.get_by_role("link", name="Data protection in practice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Data protection in practice")
    assert_accessible(page, "a credential in the wallet")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Certificate (PDF), English").click()
    download = download_info.value
    assert download.suggested_filename == "certificate-HY-E2E-CRED-en.pdf"
    assert Path(download.path()).read_bytes()[:5] == b"%PDF-"
    page.get_by_label("Note for yourself (e.g. whom you gave it to)").fill("Job application")
    page.get_by_role("button", name="Make a share link").click()
    expect(page.locator(".messages")).to_contain_text("The share link was made")
    share_path = page.locator("a.share-link").first.get_attribute("href")
    assert share_path and re.fullmatch(r"/en/share/[-\w]+/", share_path)

    # An anonymous visitor opens the link.
    visitor = browser.new_context(base_url=live_server.url)
    visitor_page = visitor.new_page()
    visitor_page.goto(share_path)
    expect(visitor_page.get_by_role("status")).to_contain_text("Valid")
    expect(visitor_page.get_by_text("Data protection in practice").first).to_be_visible()
    assert_accessible(visitor_page, "a shared credential")
    visitor_page.goto("/en/verify/")
    assert_accessible(visitor_page, "the verification page")

    # The registrar revokes the credential.
    registrar = browser.new_context(base_url=live_server.url)
    registrar_page = registrar.new_page()
    _sign_in(registrar_page, helsinki_registrar.email)
    registrar_page.goto(f"/en/provider/helsinki/credentials/{credential.uuid}/")
    registrar_page.get_by_label("Reason").first.fill("The grade was recorded for the wrong person")
    registrar_page.get_by_role("button", name="Revoke").click()
    expect(registrar_page.locator(".messages")).to_contain_text("The credential was revoked.")
    registrar.close()

    # The same link now says "Revoked".
    visitor_page.goto(share_path)
    expect(visitor_page.get_by_role("status")).to_contain_text("Revoked")
    visitor.close()
