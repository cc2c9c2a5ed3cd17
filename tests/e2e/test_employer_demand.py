"""An employer posts a skill need, sees the matching micro-credentials with why they match, and pledges
seats on a tentative offering; a learner's tentative enrolment then reaches the minimum, the offering
is confirmed and the pledge becomes bought seats.

Every page on the way is checked with axe-core: the need form with the ESCO skill picker, the matches,
the pledge form, the pledges, the offering's pooling page and the bought seats.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect

from osaamo.catalog.services import offering_create
from osaamo.demand.models import Pledge, PledgeState
from osaamo.demand.pooling import pooling_enrol
from tests.factories import make_published, make_user, offering_data

PASSWORD = "correct horse battery staple"


def sign_in(page: Any, email: str) -> None:
    page.goto("/en/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/en/accounts/$"))


def test_employer_posts_a_need_sees_matches_and_pledges_seats(
    page: Any, browser: Any, live_server: Any, helsinki: Any, helsinki_admin: Any, employer: Any,
    mailoutbox: Any, assert_accessible: Any,
) -> None:
    today = timezone.localdate()
    version = make_published(helsinki, helsinki_admin, code="HY-DEMAND-1", offering=False)
    offering = offering_create(version=version, by=helsinki_admin, data=offering_data(
        seats=20, min_participants=4, decision_date=(today + timedelta(days=10)).isoformat(),
        price_individual=Decimal("0"), price_organisation=Decimal("450.00")))
    make_published(helsinki, helsinki_admin, code="HY-OTHER-1", title={"en": "Welding", "fi": "Hitsaus"},
                   learning_outcomes=[{"text": {"en": "weld steel structures", "fi": "hitsata teräsrakenteita"},
                                       "skills": []}])
    admin = make_user("eeva.admin@konepaja.example", "Eeva Employer", employer, "employer_admin")
    early = make_user("erkki.early@example.com", "Erkki Early")
    pooling_enrol(offering=offering, learner=early, prerequisites_confirmed=True)
    late = make_user("laura.late@example.com", "Laura Late")

    # The employer's administrator posts a need, choosing the ESCO skill with the picker.
    sign_in(page, admin.email)
    page.goto("/en/organisation/konepaja/needs/")
    assert_accessible(page, "the employer's needs")
    page.get_by_role("link", name="Post a skill need").click()
    page.get_by_label("Title").fill("Privacy for our customer service")
    page.get_by_label("What should your people learn?").fill("Handling personal data of customers")
    page.get_by_label("Find ESCO skills").fill("data protection")
    page.get_by_role("button", name="Add: data protection", exact=True).click()
    expect(page.get_by_role("checkbox", name="data protection", exact=True)).to_be_checked()
    page.get_by_label("Region").select_option(label="Uusimaa")
    page.get_by_label("Number of people").fill("2")
    page.get_by_label("Needed by").fill((today + timedelta(days=60)).isoformat())
    page.get_by_label("Budget per person (EUR, optional)").fill("500")
    assert_accessible(page, "the need form with a chosen skill")
    page.get_by_role("button", name="Post the need and see the matches").click()

    # The matches, each explained: the skill through an outcome, the place, the date, the price, the places.
    page.wait_for_url(re.compile(r"/en/organisation/konepaja/needs/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text("Your need was posted.")
    match = page.get_by_role("article").filter(has_text="Data protection in practice")
    expect(match).to_contain_text("Covers data protection")
    expect(match).to_contain_text("analyse the risks of processing personal data")
    expect(match).to_contain_text("Online: fits every region.")
    expect(match).to_contain_text("450.00 € per seat, within the budget of 500.00 €.")
    expect(match).to_contain_text("Tentative: runs if 4 participants commit before")
    expect(match).to_contain_text("1 of 4 committed")
    expect(page.get_by_role("article").filter(has_text="Welding")).to_have_count(0)
    assert_accessible(page, "the matches of a need")

    # Pledge two seats: nothing is bought yet, the offering still needs one more.
    match.get_by_role("link", name=re.compile(r"^Pledge seats")).click()
    page.wait_for_url(re.compile(r"/en/organisation/konepaja/pledges/new/\d+/\?need=\d+$"))
    expect(page.get_by_label("Number of seats")).to_have_value("2")
    assert_accessible(page, "the pledge form")
    page.get_by_label("Business ID (Y-tunnus)").fill("0112038-9")
    page.get_by_label("Street address").fill("Tehtaankatu 1")
    page.get_by_label("Postal code").fill("00140")
    page.get_by_label("City").fill("Helsinki")
    page.get_by_role("button", name="Pledge the seats").click()
    page.wait_for_url(re.compile(r"/en/organisation/konepaja/pledges/$"))
    expect(page.get_by_role("status")).to_contain_text("Your seats are pledged. Nothing is invoiced")
    expect(page.get_by_role("cell", name=re.compile(r"^3 of 4 before"))).to_be_visible()
    expect(page.get_by_role("cell", name="Pledged", exact=True)).to_be_visible()
    assert_accessible(page, "the employer's pledges")
    assert Pledge.objects.get().state == PledgeState.PLEDGED and not employer.seat_purchases.exists()

    # A learner enrols tentatively on the offering's page: the fourth commitment confirms the offering.
    learner_context = browser.new_context(base_url=live_server.url)
    try:
        learner = learner_context.new_page()
        sign_in(learner, late.email)
        learner.goto(f"/en/pooling/{offering.pk}/")
        expect(learner.get_by_role("heading", level=2, name="Will it run?")).to_be_visible()
        expect(learner.get_by_role("progressbar")).to_have_attribute("value", "3")
        assert_accessible(learner, "the offering's pooling page")
        learner.get_by_label("I meet the prerequisites stated above.").check()
        learner.get_by_role("button", name="Enrol tentatively, free of charge").click()
        expect(learner.get_by_role("status")).to_contain_text("the offering is confirmed: it will run")
        expect(learner.get_by_text(re.compile(r"Confirmed on .*: this offering will run\."))).to_be_visible()
        assert_accessible(learner, "the confirmed offering")
    finally:
        learner_context.close()

    # The pledge became bought seats with an invoice; the employer hands them out.
    page.reload()
    expect(page.get_by_role("cell", name="Bought", exact=True)).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Hand out the seats")).click()
    page.wait_for_url(re.compile(r"/en/organisation/konepaja/seats/\d+/$"))
    expect(page.get_by_role("cell", name="Not handed out")).to_have_count(2)
    assert_accessible(page, "the bought seats")
    purchase = employer.seat_purchases.get()
    assert purchase.quantity == 2 and purchase.invoice.number
    told: dict[str, list[str]] = {}
    for mail in mailoutbox:
        told.setdefault(mail.to[0], []).append(mail.subject)
    assert "It runs, and your seats are bought: Data protection in practice" in told[admin.email]
    assert "It runs: Data protection in practice" in told[early.email]
