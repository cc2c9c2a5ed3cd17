"""Pooling through the pages: the offering's status (progress towards the minimum, the decision date),
tentative enrolment and interest, pledging from a need's matches, the provider's pooling pages."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from osaamo.demand import pooling
from osaamo.demand.models import Pledge, PledgeState
from osaamo.enrolment.models import Enrolment, EnrolmentState, Invoice
from tests.demand.conftest import (
    days,
    make_need,
    make_person,
    make_tentative,
)
from tests.factories import ORGANISATION_BILLING, PERSON_BILLING, SKILL_DATA_PROTECTION


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def detail_url(version: Any) -> str:
    return reverse("catalog:detail", args=["helsinki", version.micro_credential.slug])


def test_the_catalog_shows_a_tentative_offerings_progress_and_decision_date(tentative: Any, pooled_version: Any,
                                                                           employer: Any, employer_admin: Any) -> None:
    pooling.pooling_enrol(offering=tentative, learner=make_person(), billing=PERSON_BILLING)
    pooling.pledge_create(offering=tentative, organisation=employer, by=employer_admin, quantity=1,
                          billing=ORGANISATION_BILLING)
    page = Client().get(detail_url(pooled_version)).content.decode()
    assert "Tentative: runs if 3 participants commit before" in page
    assert "2 of 3 committed" in page and '<progress id="progress-' in page and 'value="2"' in page
    assert "1 person enrolled tentatively" in page and "1 seat pledged by employers" in page
    assert reverse("demand:offering", args=[tentative.pk]) in page
    # The ordinary "Enrol" button is not offered for it: enrolment there would be refused.
    assert reverse("enrolment:offering", args=[tentative.pk]) not in page


def test_a_learner_enrols_tentatively_on_the_offering_page(tentative: Any) -> None:
    learner = make_person()
    client = signed_in(learner)
    page = client.get(reverse("demand:offering", args=[tentative.pk])).content.decode()
    assert "Will it run?" in page and "Enrol tentatively for 290.00" in page
    response = client.post(reverse("demand:offering", args=[tentative.pk]), {**PERSON_BILLING})
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(learner=learner)
    assert enrolment.state == EnrolmentState.ENROLLED and enrolment.invoice is None
    after = client.get(reverse("demand:offering", args=[tentative.pk])).content.decode()
    assert "Enrolled tentatively: your place is held, nothing is invoiced unless the offering runs" in after


def test_the_tentative_enrolment_form_says_what_is_missing(tentative: Any) -> None:
    response = signed_in(make_person()).post(reverse("demand:offering", args=[tentative.pk]), {"name": "X"})
    assert response.status_code == 400 and "Please check the following" in response.content.decode()
    assert not Enrolment.objects.exists()


def test_a_learner_registers_interest_on_the_offering_page(tentative: Any) -> None:
    learner = make_person()
    signed_in(learner).post(reverse("demand:interest", args=[tentative.pk]))
    assert Enrolment.objects.get(learner=learner).state == EnrolmentState.INTERESTED


def test_an_employer_pledges_seats_from_its_needs_matches(tentative: Any, pooled_version: Any, employer: Any,
                                                          employer_admin: Any, employer_member: Any) -> None:
    need = make_need(employer, employer_admin, skills=[SKILL_DATA_PROTECTION], people=2, needed_by=days(60))
    matches = signed_in(employer_admin).get(reverse("demand:need", args=["konepaja", need.pk])).content.decode()
    pledge_url = reverse("demand:pledge_new", args=["konepaja", tentative.pk])
    assert "Data protection in practice" in matches and f"{pledge_url}?need={need.pk}" in matches
    assert "Tentative: runs if 3 participants commit" in matches
    # An employee sees the matches but does not commit the employer's money.
    member_page = signed_in(employer_member).get(reverse("demand:need", args=["konepaja", need.pk])).content.decode()
    assert pledge_url not in member_page
    assert signed_in(employer_member).get(pledge_url).status_code == 404

    form = signed_in(employer_admin).get(f"{pledge_url}?need={need.pk}").content.decode()
    assert 'name="quantity"' in form and 'value="2"' in form
    response = signed_in(employer_admin).post(pledge_url, {
        **ORGANISATION_BILLING, "quantity": "2", "language": "fi", "need": str(need.pk)})
    assert response.status_code == 302 and response["Location"] == reverse("demand:pledges", args=["konepaja"])
    made = Pledge.objects.get()
    assert (made.quantity, made.need, made.state, made.language) == (2, need, PledgeState.PLEDGED, "fi")
    listing = signed_in(employer_admin).get(reverse("demand:pledges", args=["konepaja"])).content.decode()
    assert "2 of 3 before" in listing and "Withdraw" in listing
    assert not Invoice.objects.exists()


def test_the_pledge_that_reaches_the_minimum_takes_the_employer_to_its_seats(
        tentative: Any, employer: Any, employer_admin: Any) -> None:
    response = signed_in(employer_admin).post(reverse("demand:pledge_new", args=["konepaja", tentative.pk]), {
        **ORGANISATION_BILLING, "quantity": "3", "language": "en"})
    made = Pledge.objects.get()
    assert made.state == PledgeState.PURCHASED
    assert response["Location"] == reverse("enrolment:purchase", args=["konepaja", made.purchase_id])


def test_a_refused_pledge_says_why(tentative: Any, employer: Any, employer_admin: Any) -> None:
    response = signed_in(employer_admin).post(reverse("demand:pledge_new", args=["konepaja", tentative.pk]), {
        **ORGANISATION_BILLING, "quantity": "11", "language": "en"})
    assert response.status_code == 400 and "Only 10 places are left; you asked for 11." in response.content.decode()


def test_another_employer_cannot_withdraw_a_pledge(tentative: Any, employer: Any, employer_admin: Any,
                                                   other_employer_admin: Any) -> None:
    made = pooling.pledge_create(offering=tentative, organisation=employer, by=employer_admin, quantity=1,
                                 billing=ORGANISATION_BILLING)
    outsider = signed_in(other_employer_admin)
    assert outsider.post(reverse("demand:pledge_withdraw", args=["sahatehdas", made.pk])).status_code == 404
    assert outsider.get(reverse("demand:pledges", args=["konepaja"])).status_code == 404
    made.refresh_from_db()
    assert made.state == PledgeState.PLEDGED
    signed_in(employer_admin).post(reverse("demand:pledge_withdraw", args=["konepaja", made.pk]))
    made.refresh_from_db()
    assert made.state == PledgeState.WITHDRAWN


def test_the_provider_follows_commitments_and_sets_the_decision_date(pooled_version: Any, helsinki_admin: Any,
                                                                     helsinki_designer: Any, employer: Any,
                                                                     employer_admin: Any, aalto_admin: Any) -> None:
    offering = make_tentative(pooled_version, helsinki_admin, decision_date=None)
    client = signed_in(helsinki_designer)
    listing = client.get(reverse("demand:provider_pooling", args=["helsinki"])).content.decode()
    assert reverse("demand:provider_offering", args=["helsinki", offering.pk]) in listing and "Scheduled" in listing
    url = reverse("demand:provider_offering", args=["helsinki", offering.pk])
    refused = client.post(url, {"decision_date": days(45)})
    assert refused.status_code == 400 and "The decision date cannot be after the start." in refused.content.decode()
    assert client.post(url, {"decision_date": days(7)}).status_code == 302
    offering.refresh_from_db()
    assert offering.is_tentative
    pooling.pledge_create(offering=offering, organisation=employer, by=employer_admin, quantity=2,
                          billing=ORGANISATION_BILLING)
    page = client.get(url).content.decode()
    assert "Konepaja Oy" in page and "2 of 3 committed" in page
    assert signed_in(aalto_admin).get(url).status_code == 404
    assert signed_in(employer_admin).get(url).status_code == 404


def test_a_cancelled_offering_says_so_and_that_nobody_was_charged(tentative: Any, pooled_version: Any) -> None:
    from tests.demand.conftest import decision_day

    pooling.pooling_enrol(offering=tentative, learner=make_person(), billing=PERSON_BILLING)
    pooling.decide_offerings(now=decision_day())
    page = Client().get(reverse("demand:offering", args=[tentative.pk])).content.decode()
    assert "Cancelled: the minimum number of participants was not reached. Nobody was charged." in page
