"""A provider cancels a tentative (or pooled and confirmed) offering: waiting pledges are released in the
cancellation's transaction and their employers told; the learners hear once, from the enrolment app.
Pooling's own cancellation at the decision date does not go through the provider's cancel, so nothing is
released or told twice."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from osaamo.audit.models import AuditEntry
from osaamo.catalog.models import Offering, OfferingState
from osaamo.catalog.services import offering_cancel
from osaamo.catalog.signals import offering_cancelled
from osaamo.demand import pooling
from osaamo.demand.models import Pledge, PledgeState
from osaamo.enrolment.models import Enrolment, EnrolmentState, Invoice, InvoiceState, SeatPurchase
from tests.api.conftest import ApiClient, make_token
from tests.demand.conftest import decision_day, make_person, make_tentative
from tests.factories import ORGANISATION_BILLING, PERSON_BILLING

REASON = "Our lecturer is on leave."


@pytest.fixture(autouse=True)
def _mail_task_runs_at_once(settings: Any) -> None:
    """The enrolment app's cancellation mails are one background task, run here as it is queued."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def enrol(offering: Any, learner: Any) -> Enrolment:
    return pooling.pooling_enrol(offering=offering, learner=learner, billing={**PERSON_BILLING, "email": learner.email})


def pledge(offering: Any, organisation: Any, by: Any, quantity: int = 1) -> Pledge:
    return pooling.pledge_create(offering=offering, organisation=organisation, by=by, quantity=quantity,
                                 billing=ORGANISATION_BILLING)


def mails_to(address: str) -> list[Any]:
    return [message for message in mail.outbox if message.to == [address]]


def test_cancelling_a_tentative_offering_releases_its_pledges_and_tells_everyone_once(
        pooled_version: Any, helsinki: Any, helsinki_admin: Any, helsinki_designer: Any, employer: Any,
        employer_admin: Any, other_employer: Any, other_employer_admin: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    tentative = make_tentative(pooled_version, helsinki_admin, min_participants=5)
    learner, interested = make_person(language="fi"), make_person(language="sv")
    other_employer_admin.preferred_language = "fi"
    other_employer_admin.save(update_fields=["preferred_language"])
    enrol(tentative, learner)
    pooling.pooling_register_interest(offering=tentative, learner=interested)
    ours, theirs = pledge(tentative, employer, employer_admin), pledge(tentative, other_employer, other_employer_admin)
    tentative.refresh_from_db()
    assert tentative.is_tentative
    mail.outbox.clear()

    api = ApiClient(make_token(helsinki_designer, helsinki))
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/manage/offerings/{tentative.pk}/cancel", {"reason": REASON})
    assert response.status_code == 200 and response.json()["state"] == "cancelled"

    for released in (ours, theirs):
        released.refresh_from_db()
        assert released.state == PledgeState.RELEASED and released.purchase is None
        entry = AuditEntry.objects.get(action="pledge.released", target_id=str(released.pk))
        assert entry.actor == helsinki_designer
        assert entry.data == {"offering": tentative.pk, "quantity": 1, "offering_cancelled": True, "reason": REASON}
    assert set(Enrolment.objects.filter(offering=tentative).values_list("state", flat=True)) == {
        EnrolmentState.CANCELLED}
    assert not Invoice.objects.exists() and not SeatPurchase.objects.exists()  # nothing was ever charged

    # One mail each: the learners from the enrolment app, the employers from demand, in their languages.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [learner.email, interested.email, employer_admin.email, other_employer_admin.email])
    (learner_mail,) = mails_to(learner.email)
    assert learner_mail.subject.startswith("Toteutus peruttu:") and "Sinulta ei laskuteta mitään." in learner_mail.body
    assert mails_to(interested.email)[0].subject.startswith("Genomförandet inställt:")
    (employer_mail,) = mails_to(employer_admin.email)
    assert employer_mail.subject == "Cancelled, pledge released: Data protection in practice"
    assert "University of Helsinki has cancelled this offering:" in employer_mail.body
    assert f"The university's reason: {REASON}" in employer_mail.body
    assert "The 1 seat Konepaja Oy pledged is released. You are not charged: nothing was invoiced." in employer_mail.body
    (other_mail,) = mails_to(other_employer_admin.email)
    assert other_mail.subject == "Peruttu, sitoumus vapautettu: Tietosuoja käytännön työssä"
    assert "Helsingin yliopisto on perunut tämän toteutuksen:" in other_mail.body
    assert f"Korkeakoulun perustelu: {REASON}" in other_mail.body

    # The scheduled decision later finds nothing to decide and tells nobody again.
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        decisions = pooling.decide_offerings(now=decision_day())
    assert tentative.pk not in decisions.cancelled + decisions.confirmed + decisions.waiting
    assert len(mail.outbox) == sent
    assert not AuditEntry.objects.filter(action="offering.pooling_cancelled").exists()


def test_pooling_cancels_without_the_providers_signal_so_nothing_happens_twice(
        tentative: Any, employer: Any, employer_admin: Any, django_capture_on_commit_callbacks: Any) -> None:
    learner = make_person()
    enrol(tentative, learner)
    pledged = pledge(tentative, employer, employer_admin)
    heard: list[Any] = []

    def listener(sender: Any, **kwargs: Any) -> None:
        heard.append(kwargs["offering"].pk)

    offering_cancelled.connect(listener, dispatch_uid="test.listener")
    try:
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            decisions = pooling.decide_offerings(now=decision_day())
    finally:
        offering_cancelled.disconnect(dispatch_uid="test.listener")
    assert decisions.cancelled == [tentative.pk] and heard == []
    pledged.refresh_from_db()
    assert pledged.state == PledgeState.RELEASED
    assert AuditEntry.objects.filter(action="pledge.released", target_id=str(pledged.pk)).count() == 1
    assert [m.subject for m in mails_to(learner.email)] == ["Cancelled: Data protection in practice"]
    assert len(mails_to(employer_admin.email)) == 1
    assert Offering.objects.get(pk=tentative.pk).state == OfferingState.CANCELLED


def test_cancelling_a_pooled_offering_after_it_was_confirmed_credits_the_bought_pledges(
        tentative: Any, helsinki_designer: Any, employer: Any, employer_admin: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    learner = make_person(language="sv")
    enrol(tentative, learner)
    bought = pledge(tentative, employer, employer_admin, quantity=2)  # reaches the minimum of 3: confirmed
    bought.refresh_from_db()
    assert bought.state == PledgeState.PURCHASED
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        offering_cancel(offering=tentative, by=helsinki_designer, reason=REASON)

    bought.refresh_from_db()
    assert bought.state == PledgeState.PURCHASED  # its purchase is what the cancellation undoes
    purchase = SeatPurchase.objects.select_related("invoice").get(pk=bought.purchase_id)
    assert purchase.cancelled_at is not None and purchase.invoice.state == InvoiceState.CREDITED
    enrolment = Enrolment.objects.select_related("invoice").get(offering=tentative, learner=learner)
    assert enrolment.state == EnrolmentState.CANCELLED and enrolment.invoice.state == InvoiceState.CREDITED
    assert set(Invoice.objects.values_list("state", flat=True)) == {InvoiceState.CREDITED}
    assert [m.subject for m in mails_to(employer_admin.email)] == [
        "Offering cancelled, seats credited: Data protection in practice"]
    assert [m.subject for m in mails_to(learner.email)] == ["Genomförandet inställt: Dataskydd i praktiskt arbete"]


def test_releasing_the_pledges_again_does_nothing(tentative: Any, helsinki_designer: Any, employer: Any,
                                                  employer_admin: Any, django_capture_on_commit_callbacks: Any) -> None:
    pledge(tentative, employer, employer_admin)
    with django_capture_on_commit_callbacks(execute=True):
        offering_cancel(offering=tentative, by=helsinki_designer)
    entries, sent = AuditEntry.objects.count(), len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert pooling.pledges_release_cancelled(offering=tentative, by=helsinki_designer) == []
    assert AuditEntry.objects.count() == entries and len(mail.outbox) == sent


@pytest.mark.parametrize("where", ["demand", "later"])
def test_a_failure_while_releasing_pledges_keeps_the_offering_and_its_commitments(
        tentative: Any, helsinki_designer: Any, employer: Any, employer_admin: Any, monkeypatch: Any, where: str,
        django_capture_on_commit_callbacks: Any) -> None:
    learner = make_person()
    enrol(tentative, learner)
    pledged = pledge(tentative, employer, employer_admin)
    mail.outbox.clear()

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("broken")

    if where == "demand":
        monkeypatch.setattr(pooling, "_tell", broken)  # after the pledges were released in the database
    else:
        offering_cancelled.connect(broken, dispatch_uid="test.broken")
    try:
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
            offering_cancel(offering=tentative, by=helsinki_designer, reason=REASON)
    finally:
        offering_cancelled.disconnect(dispatch_uid="test.broken")
    tentative.refresh_from_db()
    pledged.refresh_from_db()
    assert tentative.state == OfferingState.SCHEDULED and tentative.is_tentative
    assert pledged.state == PledgeState.PLEDGED
    assert Enrolment.objects.get(offering=tentative, learner=learner).state == EnrolmentState.ENROLLED
    assert not AuditEntry.objects.filter(action__in=["offering.cancelled", "pledge.released",
                                                     "enrolment.cancelled"]).exists()
    assert mail.outbox == []
