"""An employer buys 5 seats, assigns 3 to named employees and hands out 2 codes; employees enrol.

Every page on the way is checked with axe-core: buying, the seat list with its codes, the employee's
assignment link, the code page and the learner's enrolments.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from osaamo.enrolment.models import Enrolment, SeatState
from osaamo.enrolment.references import format_finnish_reference
from tests.enrolment.pdf_text import pdf_text
from tests.factories import make_published, make_user

PASSWORD = "correct horse battery staple"
EMPLOYEES = ["tiina@konepaja.example", "ville@konepaja.example", "sanna@konepaja.example"]


def sign_in(page: Any, email: str) -> None:
    page.goto("/en/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/en/accounts/$"))


def test_employer_buys_seats_hands_them_out_and_employees_enrol(
    page: Any, browser: Any, live_server: Any, helsinki: Any, helsinki_admin: Any, employer: Any,
    mailoutbox: Any, assert_accessible: Any,
) -> None:
    version = make_published(helsinki, helsinki_admin, code="HY-SEATS-1")
    admin = make_user("eeva.admin@konepaja.example", "Eeva Employer", employer, "employer_admin")
    tiina = make_user(EMPLOYEES[0], "Tiina Työntekijä")
    coder = make_user("kalle.koodi@example.com", "Kalle Koodi")

    # The employer's administrator finds the offering in the catalog and buys 5 seats.
    sign_in(page, admin.email)
    page.goto(f"/en/micro-credentials/helsinki/{version.micro_credential.slug}/")
    page.get_by_role("link", name=re.compile(r"^Enrol")).first.click()
    page.get_by_role("link", name="Buy seats for Konepaja Oy").click()
    page.wait_for_url(re.compile(r"/en/organisation/konepaja/seats/buy/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Data protection in practice")
    assert_accessible(page, "the page for buying seats")
    page.get_by_label("Number of seats").fill("5")
    page.get_by_label("Business ID (Y-tunnus)").fill("0112038-9")
    page.get_by_label("Street address").fill("Tehtaankatu 1")
    page.get_by_label("Postal code").fill("00140")
    page.get_by_label("City").fill("Helsinki")
    page.get_by_label("Your reference (e.g. purchase order)").fill("PO-4711")
    page.get_by_role("button", name="Buy the seats").click()
    page.wait_for_url(re.compile(r"/en/organisation/konepaja/seats/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text("The seats are yours.")
    expect(page.get_by_role("cell", name="Not handed out")).to_have_count(5)
    assert_accessible(page, "the seat list of a new purchase")

    # The invoice, with its reference number, as a PDF.
    purchase = employer.seat_purchases.get()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the invoice (PDF)").click()
    text = pdf_text(open(download.value.path(), "rb").read())  # noqa: SIM115 — Playwright owns the file
    assert format_finnish_reference(purchase.invoice.reference) in text and "2250.00\xa0€" in text

    # Three seats to named employees, two codes.
    for number, email in enumerate(EMPLOYEES, start=1):
        page.get_by_label(f"Assign seat {number} to (email)").fill(email)
        page.locator(f"#seat-{number}").get_by_role("button", name="Assign").click()
        expect(page.get_by_role("status")).to_contain_text(f"Seat {number} is assigned")
    for number in (4, 5):
        page.get_by_role("button", name=f"Code for seat {number}").click()
        expect(page.get_by_role("status")).to_contain_text(f"Seat {number} has a new code")
    codes = [page.locator(f"#seat-{number} .seat-code").inner_text() for number in (4, 5)]
    assert all(re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code) for code in codes), codes
    expect(page.get_by_role("cell", name="Assigned to a person")).to_have_count(3)
    expect(page.get_by_role("cell", name="Code handed out")).to_have_count(2)
    assert_accessible(page, "the seat list with assignments and codes")

    # Each named employee got a link by email.
    invitations = {mail.to[0]: mail for mail in mailoutbox if "has a place for you" in mail.subject}
    assert set(invitations) == set(EMPLOYEES)
    link = re.search(r"https?://\S+/en/enrol/seat/\S+/", invitations[tiina.email].body)
    assert link is not None
    path = re.sub(r"^https?://[^/]+", "", link.group(0))

    # Tiina opens her link, confirms the prerequisites and is enrolled, paid by her employer.
    tiina_context = browser.new_context(base_url=live_server.url)
    try:
        employee = tiina_context.new_page()
        sign_in(employee, tiina.email)
        employee.goto(path)
        expect(employee.get_by_role("heading", level=1)).to_have_text("A seat from your employer")
        assert_accessible(employee, "the assignment link")
        employee.get_by_label("I meet the prerequisites stated above.").check()
        employee.get_by_role("button", name="Take the seat and enrol").click()
        employee.wait_for_url(re.compile(r"/en/enrol/mine/$"))
        expect(employee.get_by_role("status")).to_contain_text("You are enrolled. Your employer pays for the place.")
        expect(employee.get_by_role("cell", name="Paid by Konepaja Oy")).to_be_visible()
        assert_accessible(employee, "the employee's enrolments")
    finally:
        tiina_context.close()

    # Kalle got a code by hand and uses it.
    kalle_context = browser.new_context(base_url=live_server.url)
    try:
        learner = kalle_context.new_page()
        sign_in(learner, coder.email)
        learner.goto("/en/enrol/code/")
        assert_accessible(learner, "the seat code page")
        learner.get_by_label("Seat code").fill(codes[0].lower())
        learner.get_by_role("button", name="Use the code and enrol").click()
        expect(learner.get_by_role("heading", level=2)).to_have_text("Data protection in practice")
        assert_accessible(learner, "the seat code page with the prerequisites to confirm")
        learner.get_by_label("I meet the prerequisites stated above.").check()
        learner.get_by_role("button", name="Use the code and enrol").click()
        learner.wait_for_url(re.compile(r"/en/enrol/mine/$"))
        expect(learner.get_by_role("cell", name="Paid by Konepaja Oy")).to_be_visible()
    finally:
        kalle_context.close()

    # The administrator sees who uses which seat.
    page.reload()
    expect(page.get_by_role("cell", name="In use")).to_have_count(2)
    expect(page.locator("#seat-1")).to_contain_text("Tiina Työntekijä")
    expect(page.locator("#seat-4")).to_contain_text("Kalle Koodi")
    assert {seat.state for seat in purchase.seats.all()} == {SeatState.REDEEMED, SeatState.ASSIGNED, SeatState.CODE}
    assert Enrolment.objects.filter(seat__purchase=purchase, payment_method="employer_seat").count() == 2
