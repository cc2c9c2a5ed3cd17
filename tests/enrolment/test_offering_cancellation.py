"""A provider cancels an offering: in the same transaction every enrolment on it is cancelled, every invoice
credited and every seat purchase cancelled (no link or code works any more); after the commit each
learner and each buying employer is told once, in their own language. A failure anywhere undoes it all."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from osaamo.audit.models import AuditEntry
from osaamo.catalog.models import Offering, OfferingState
from osaamo.catalog.services import offering_cancel
from osaamo.catalog.signals import offering_cancelled
from osaamo.enrolment import services
from osaamo.enrolment.models import Enrolment, EnrolmentState, Invoice, InvoiceState, Seat, SeatPurchase, SeatState
from osaamo.errors import Conflict, PermissionDenied
from tests.api.conftest import ApiClient, assert_error, make_token
from tests.concurrency import run_concurrently
from tests.enrolment.conftest import make_learner, make_offering
from tests.factories import ORGANISATION_BILLING, PERSON_BILLING, make_user

REASON = "The teacher fell ill."



@pytest.fixture(autouse=True)
def _mail_task_runs_at_once(settings: Any) -> None:
    """The cancellation's mails are one background task, run here as it is queued."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

@pytest.fixture
def busy(paid_offering: Any, employer: Any, employer_admin: Any) -> SimpleNamespace:
    """The paid offering (3 places) with everyone a cancellation concerns: Fiia (reads Finnish) enrolled
    with an invoice; Konepaja's two seats, bought by Eeva (reads Swedish), one taken by Emma with a code
    and one assigned by link to Aapo, who has not used it; so the offering is full and Sven (reads
    Swedish) is on the waiting list; Ivan has registered interest."""
    employer_admin.preferred_language = "sv"
    employer_admin.save(update_fields=["preferred_language"])
    fiia = make_learner("Fiia Finnish", language="fi")
    fiia_enrolment = services.enrolment_enrol(offering=paid_offering, learner=fiia, prerequisites_confirmed=True,
                                              billing={**PERSON_BILLING, "email": fiia.email})
    purchase = services.purchase_create(offering=paid_offering, organisation=employer, by=employer_admin,
                                        quantity=2, billing=ORGANISATION_BILLING)
    code_seat, link_seat = purchase.seats.order_by("number")
    code_seat = services.seat_issue_code(seat=code_seat, by=employer_admin)
    emma = make_learner("Emma English")
    emma_enrolment = services.seat_redeem(secret=code_seat.secret, learner=emma, prerequisites_confirmed=True)
    link_seat = services.seat_assign(seat=link_seat, email="aapo@konepaja.example", by=employer_admin)
    sven = make_learner("Sven Svensson", language="sv")
    sven_enrolment = services.enrolment_enrol(offering=paid_offering, learner=sven, prerequisites_confirmed=True,
                                              billing={**PERSON_BILLING, "email": sven.email})
    ivan = make_learner("Ivan Interested")
    ivan_enrolment = services.enrolment_register_interest(offering=paid_offering, learner=ivan)
    assert [e.state for e in (fiia_enrolment, emma_enrolment, sven_enrolment, ivan_enrolment)] == [
        EnrolmentState.ENROLLED, EnrolmentState.ENROLLED, EnrolmentState.WAITLISTED, EnrolmentState.INTERESTED]
    assert fiia_enrolment.invoice is not None and fiia_enrolment.invoice.state == InvoiceState.OPEN
    return SimpleNamespace(
        offering=paid_offering, purchase=purchase, buyer=employer_admin, code_seat=code_seat, link_seat=link_seat,
        fiia=fiia, emma=emma, sven=sven, ivan=ivan, enrolments=[fiia_enrolment, emma_enrolment, sven_enrolment,
                                                                ivan_enrolment],
    )


def mails_to(address: str) -> list[Any]:
    return [message for message in mail.outbox if message.to == [address]]


def snapshot(busy: SimpleNamespace) -> tuple[Any, ...]:
    """Everything a cancellation writes."""
    return (
        Offering.objects.get(pk=busy.offering.pk).state,
        sorted(Enrolment.objects.values_list("pk", "state", "cancelled_at")),
        sorted(Invoice.objects.values_list("pk", "state", "credited_at")),
        sorted(SeatPurchase.objects.values_list("pk", "cancelled_at")),
        sorted(Seat.objects.values_list("pk", "state", "secret")),
        AuditEntry.objects.count(),
    )


def assert_everyone_released(busy: SimpleNamespace, by: Any) -> None:
    """What a cancellation must leave behind, and the one mail each person gets."""
    offering = Offering.objects.get(pk=busy.offering.pk)
    assert offering.state == OfferingState.CANCELLED
    for enrolment in busy.enrolments:
        enrolment.refresh_from_db()
        assert enrolment.state == EnrolmentState.CANCELLED and enrolment.cancelled_at is not None
    fiia_invoice = busy.enrolments[0].invoice
    purchase = SeatPurchase.objects.select_related("invoice").get(pk=busy.purchase.pk)
    # Nobody is charged: both invoices are credited in full, and no other invoice was made.
    assert {(i.pk, i.state) for i in Invoice.objects.all()} == {
        (fiia_invoice.pk, InvoiceState.CREDITED), (purchase.invoice.pk, InvoiceState.CREDITED)}
    assert purchase.cancelled_at is not None
    assert set(purchase.seats.values_list("state", flat=True)) == {SeatState.CANCELLED}

    # Neither the code nor the link opens a place any more.
    aapo = make_user("aapo@konepaja.example", "Aapo Employee")
    with pytest.raises(Conflict) as refused:
        services.seat_redeem(secret=busy.link_seat.secret, learner=aapo, prerequisites_confirmed=True)
    assert refused.value.code == "offering_cancelled"
    with pytest.raises(Conflict):
        services.seat_redeem(secret=busy.code_seat.secret, learner=make_learner(), prerequisites_confirmed=True)

    # The audit trail: who cancelled, why, and each consequence, with the person who cancelled as the actor.
    assert AuditEntry.objects.get(action="offering.cancelled", target_id=str(offering.pk)).data == {"reason": REASON}
    cancelled = AuditEntry.objects.filter(action="enrolment.cancelled")
    assert sorted(int(e.target_id) for e in cancelled) == sorted(e.pk for e in busy.enrolments)
    assert {(e.actor_id, e.data["reason"], e.data["offering_cancelled"]) for e in cancelled} == {(by.pk, REASON, True)}
    assert sorted(int(e.target_id) for e in AuditEntry.objects.filter(action="invoice.credited", actor=by)) == sorted(
        [fiia_invoice.pk, purchase.invoice.pk])
    purchase_entry = AuditEntry.objects.get(action="seat_purchase.cancelled", target_id=str(purchase.pk))
    assert purchase_entry.actor == by and purchase_entry.data["credited"] is True
    assert purchase_entry.data["seats"] == {"assigned": 1, "redeemed": 1}

    # One mail to each learner and to the buyer, each in their own language; nobody else.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [busy.fiia.email, busy.emma.email, busy.sven.email, busy.ivan.email, busy.buyer.email])
    (fiia_mail,) = mails_to(busy.fiia.email)
    assert fiia_mail.subject == "Toteutus peruttu: Tietosuoja käytännön työssä"
    assert "Helsingin yliopisto on perunut tämän toteutuksen:" in fiia_mail.body
    assert f"Korkeakoulun perustelu: {REASON}" in fiia_mail.body
    assert "Ilmoittautumisesi on peruttu." in fiia_mail.body
    assert f"Lasku {fiia_invoice.number} on hyvitetty kokonaan" in fiia_mail.body
    (sven_mail,) = mails_to(busy.sven.email)
    assert sven_mail.subject == "Genomförandet inställt: Dataskydd i praktiskt arbete"
    assert "Din plats på väntelistan har annullerats." in sven_mail.body and "Du debiteras ingenting." in sven_mail.body
    (emma_mail,) = mails_to(busy.emma.email)
    assert emma_mail.subject == "Offering cancelled: Data protection in practice"
    assert "Your enrolment is cancelled." in emma_mail.body
    assert "Konepaja Oy paid for your place; it is not charged either." in emma_mail.body
    (ivan_mail,) = mails_to(busy.ivan.email)
    assert "Your registration of interest is cancelled." in ivan_mail.body and REASON in ivan_mail.body
    (buyer_mail,) = mails_to(busy.buyer.email)
    assert buyer_mail.subject == "Genomförandet inställt, platserna krediterade: Dataskydd i praktiskt arbete"
    assert (f"De 2 platser som Konepaja Oy köpte är annullerade och faktura {purchase.invoice.number} krediterad "
            "i sin helhet") in buyer_mail.body
    assert "Länkarna och koderna ni delade ut fungerar inte längre." in buyer_mail.body
    assert "Den 1 anställd som redan tagit en plats meddelas per e-post." in buyer_mail.body
    assert f"/sv/organisation/konepaja/seats/{purchase.pk}/" in buyer_mail.body


def csrf_client(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- through the design tool and the API -----------------------------------------------------------------


def test_a_designer_cancels_in_the_design_tool_and_everyone_is_released_and_told(
        busy: SimpleNamespace, helsinki: Any, helsinki_designer: Any, django_capture_on_commit_callbacks: Any) -> None:
    client = csrf_client(helsinki_designer)
    page = client.get(reverse("design:detail", args=[helsinki.slug, busy.offering.version.micro_credential_id]))
    html = page.content.decode()
    action = reverse("design:offering_cancel", args=[helsinki.slug, busy.offering.pk])
    assert f'action="{action}"' in html
    assert "is told by email, with your reason, and nobody is charged for the run." in html
    token = csrf_token(html)

    assert client.post(action, {"reason": REASON}).status_code == 403  # no CSRF token: refused, nothing done
    assert Offering.objects.get(pk=busy.offering.pk).state == OfferingState.SCHEDULED

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action, {"reason": REASON, "csrfmiddlewaretoken": token}, follow=True)
    assert response.status_code == 200 and "The offering was cancelled." in messages_of(response)
    assert_everyone_released(busy, helsinki_designer)

    # Cancelling again (a second click, an old tab) is refused clearly and tells nobody again.
    before, sent = snapshot(busy), len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(action, {"reason": "again", "csrfmiddlewaretoken": token}, follow=True)
    assert "This offering has already been cancelled." in messages_of(again)
    assert snapshot(busy) == before and len(mail.outbox) == sent


def test_the_api_cancels_and_everyone_is_released_and_told(
        busy: SimpleNamespace, helsinki: Any, helsinki_designer: Any, django_capture_on_commit_callbacks: Any) -> None:
    api = ApiClient(make_token(helsinki_designer, helsinki))
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/manage/offerings/{busy.offering.pk}/cancel", {"reason": REASON})
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    assert_everyone_released(busy, helsinki_designer)

    before, sent = snapshot(busy), len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        again = api.post(f"/manage/offerings/{busy.offering.pk}/cancel", {"reason": "again"})
    error = assert_error(again, 409, "offering_cancelled")
    assert error["message"] == "This offering has already been cancelled."
    assert snapshot(busy) == before and len(mail.outbox) == sent


def test_a_designer_of_another_university_cannot_cancel(
        busy: SimpleNamespace, helsinki: Any, aalto: Any, aalto_designer: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    client = Client()
    client.force_login(aalto_designer)
    api = ApiClient(make_token(aalto_designer, aalto))
    before = snapshot(busy)
    with django_capture_on_commit_callbacks(execute=True):
        for slug in (helsinki.slug, aalto.slug):
            url = reverse("design:offering_cancel", args=[slug, busy.offering.pk])
            assert client.post(url, {"reason": "mine now"}).status_code == 404
        assert_error(api.post(f"/manage/offerings/{busy.offering.pk}/cancel", {"reason": "mine now"}), 404)
        with pytest.raises(PermissionDenied):
            offering_cancel(offering=busy.offering, by=aalto_designer, reason="mine now")
    assert snapshot(busy) == before and mail.outbox == []


def test_an_offering_that_has_ended_cannot_be_cancelled(version: Any, helsinki: Any, helsinki_designer: Any,
                                                         helsinki_admin: Any) -> None:
    today, now = timezone.localdate(), timezone.now()
    ended = make_offering(version, helsinki_admin, start_date=(today - timedelta(days=30)).isoformat(),
                          end_date=(today - timedelta(days=1)).isoformat(),
                          enrolment_opens=(now - timedelta(days=60)).isoformat(),
                          enrolment_closes=(now - timedelta(days=31)).isoformat())
    api = ApiClient(make_token(helsinki_designer, helsinki))
    error = assert_error(api.post(f"/manage/offerings/{ended.pk}/cancel"), 409, "offering_ended")
    assert error["message"] == "An offering that has ended cannot be cancelled."
    assert Offering.objects.get(pk=ended.pk).state == OfferingState.SCHEDULED
    # Still on its last day, it can be.
    last_day = make_offering(version, helsinki_admin, start_date=(today - timedelta(days=30)).isoformat(),
                             end_date=today.isoformat(), enrolment_opens=(now - timedelta(days=60)).isoformat(),
                             enrolment_closes=(now - timedelta(days=31)).isoformat())
    assert api.post(f"/manage/offerings/{last_day.pk}/cancel").json()["state"] == "cancelled"


def test_an_enrolment_with_a_result_keeps_it(paid_offering: Any, helsinki_admin: Any, helsinki_designer: Any,
                                             django_capture_on_commit_callbacks: Any) -> None:
    finished = services.enrolment_enrol(offering=paid_offering, learner=make_learner(), prerequisites_confirmed=True,
                                        billing=PERSON_BILLING)
    services.enrolment_record_result(enrolment=finished, passed=True, by=helsinki_admin)
    with django_capture_on_commit_callbacks(execute=True):
        offering_cancel(offering=paid_offering, by=helsinki_designer)
    finished.refresh_from_db()
    assert finished.state == EnrolmentState.COMPLETED and finished.invoice.state == InvoiceState.OPEN
    assert mail.outbox == []


# --- all or nothing ----------------------------------------------------------------------------------------


def test_a_failure_inside_a_receiver_undoes_the_whole_cancellation(
        busy: SimpleNamespace, helsinki_designer: Any, monkeypatch: Any,
        django_capture_on_commit_callbacks: Any) -> None:
    """The enrolments are already cancelled and Fiia's invoice credited when the purchases fail."""
    def broken(**kwargs: Any) -> Any:
        assert Enrolment.objects.get(pk=busy.enrolments[0].pk).state == EnrolmentState.CANCELLED
        raise RuntimeError("the ledger is down")

    monkeypatch.setattr(services, "offering_cancel_purchases", broken)
    before = snapshot(busy)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        offering_cancel(offering=busy.offering, by=helsinki_designer, reason=REASON)
    assert snapshot(busy) == before
    assert Offering.objects.get(pk=busy.offering.pk).state == OfferingState.SCHEDULED
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_failing_receiver_rolls_back_the_committed_transaction_and_sends_nothing(
        busy: SimpleNamespace, helsinki_designer: Any) -> None:
    """With real commits (no test transaction around): the enrolment and demand apps have done their part
    when a later receiver fails; nothing of it is kept and no mail goes out."""
    def failing(sender: Any, **kwargs: Any) -> None:
        assert Enrolment.objects.get(pk=busy.enrolments[0].pk).state == EnrolmentState.CANCELLED
        raise RuntimeError("a later receiver failed")

    before, sent = snapshot(busy), len(mail.outbox)
    offering_cancelled.connect(failing, dispatch_uid="test.failing_receiver")
    try:
        with pytest.raises(RuntimeError):
            offering_cancel(offering=busy.offering, by=helsinki_designer, reason=REASON)
    finally:
        offering_cancelled.disconnect(dispatch_uid="test.failing_receiver")
    assert snapshot(busy) == before and len(mail.outbox) == sent

    offering_cancel(offering=busy.offering, by=helsinki_designer, reason=REASON)  # commits: the mails go out
    assert Offering.objects.get(pk=busy.offering.pk).state == OfferingState.CANCELLED
    assert len(mail.outbox) == sent + 5


def test_the_request_only_queues_one_task_for_the_mails(
        busy: SimpleNamespace, helsinki_designer: Any, settings: Any, committed: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    sent = len(mail.outbox)
    with committed():
        offering_cancel(offering=busy.offering, by=helsinki_designer, reason=REASON)
    assert len(mail.outbox) == sent  # nobody is mailed from the designer's request
    queued = DBTaskResult.objects.get(task_path__endswith="mail_offering_cancelled")
    with committed():  # the worker runs it outside any transaction: its mails go at once
        services.offering_cancelled_mail(**queued.args_kwargs["kwargs"])
    assert len(mail.outbox) == sent + 5


def test_releasing_again_finds_nothing_to_do_and_tells_nobody(
        busy: SimpleNamespace, helsinki_designer: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        offering_cancel(offering=busy.offering, by=helsinki_designer, reason=REASON)
    before, sent = snapshot(busy), len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        services.offering_cancelled_release(offering=busy.offering, by=helsinki_designer, reason=REASON)
    assert snapshot(busy) == before and len(mail.outbox) == sent


# --- what people see afterwards ----------------------------------------------------------------------------


def test_the_pages_show_the_cancellation(busy: SimpleNamespace, helsinki: Any, helsinki_designer: Any,
                                        helsinki_registrar: Any, employer: Any) -> None:
    offering_cancel(offering=busy.offering, by=helsinki_designer, reason=REASON)

    learner = Client()
    learner.force_login(busy.emma)
    mine = learner.get("/en/enrol/mine/").content.decode()
    assert "Cancelled" in mine and "The university cancelled the offering." in mine
    assert f"/en/enrol/mine/{busy.enrolments[1].pk}/cancel/" not in mine  # nothing left to cancel

    staff = Client()
    staff.force_login(helsinki_registrar)
    page = staff.get(reverse("enrolment:staff_offering", args=[helsinki.slug, busy.offering.pk])).content.decode()
    assert "This offering has been cancelled. Every enrolment and seat purchase on it was cancelled" in page
    assert page.count(">Cancelled<") == 4  # the four learners
    assert "credited" in page.split("Seats bought by organisations</h2>")[1].split("</section>")[0]

    buyer = Client()
    buyer.force_login(busy.buyer)
    purchase_page = buyer.get(f"/en/organisation/konepaja/seats/{busy.purchase.pk}/").content.decode()
    assert "The university cancelled this offering" in purchase_page
    assert purchase_page.count("Cancelled with the offering") == 2
    assert "Assign seat" not in purchase_page and "Take back seat" not in purchase_page
    purchases = buyer.get("/en/organisation/konepaja/seats/").content.decode()
    assert "credited" in purchases and "The university cancelled the offering." in purchases

    aapo = Client()
    aapo.force_login(make_user("aapo@konepaja.example", "Aapo Employee"))
    link = aapo.get(f"/en/enrol/seat/{busy.link_seat.secret}/").content.decode()
    assert "This offering has been cancelled, so the seat can no longer be used." in link
    assert "Take the seat and enrol" not in link


# --- racing the cancellation ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_enrolments_and_a_redemption_racing_the_cancellation_are_refused_or_released(
        version: Any, helsinki_admin: Any, helsinki_designer: Any, employer: Any, employer_admin: Any,
        workers_database: Any) -> None:
    """Thirty enrolments, a seat code and the cancellation at the same moment (own threads and connections):
    whatever came before the cancellation is released with it, whatever came after is refused; no active
    enrolment, open invoice or usable seat is left on the cancelled offering."""
    offering = make_offering(version, helsinki_admin, seats=10, min_participants=2,
                             price_individual=Decimal("290.00"), price_organisation=Decimal("450.00"))
    purchase = services.purchase_create(offering=offering, organisation=employer, by=employer_admin, quantity=2,
                                        billing=ORGANISATION_BILLING)
    code = services.seat_issue_code(seat=purchase.seats.first(), by=employer_admin)
    learners, redeemer = [make_learner() for _ in range(30)], make_learner()
    calls: list[Any] = [
        (lambda learner=learner: services.enrolment_enrol(offering=offering, learner=learner, billing=PERSON_BILLING,
                                                          prerequisites_confirmed=True).state)
        for learner in learners
    ]
    calls.insert(15, lambda: offering_cancel(offering=offering, by=helsinki_designer, reason="race").state)
    calls.append(lambda: services.seat_redeem(secret=code.secret, learner=redeemer, prerequisites_confirmed=True).state)
    database = workers_database()

    outcomes = run_concurrently(calls, database)

    assert [value for kind, value in outcomes if kind == "error"] == []
    assert outcomes[15] == ("ok", OfferingState.CANCELLED)
    assert {value.code for kind, value in outcomes if kind == "refused"} <= {"offering_cancelled"}

    def stored() -> Any:
        return (
            Offering.objects.get(pk=offering.pk).state,
            Enrolment.objects.filter(offering=offering).exclude(state=EnrolmentState.CANCELLED).count(),
            Enrolment.objects.filter(offering=offering).count(),
            Invoice.objects.filter(state=InvoiceState.OPEN).count(),
            set(Seat.objects.filter(purchase__offering=offering).values_list("state", flat=True)),
            AuditEntry.objects.filter(action="offering.cancelled").count(),
        )

    state, active, rows, open_invoices, seats, cancellations = database.read(stored)
    accepted = sum(1 for kind, _ in outcomes if kind == "ok") - 1  # less the cancellation itself
    assert (state, active, open_invoices, seats, cancellations) == (
        OfferingState.CANCELLED, 0, 0, {SeatState.CANCELLED}, 1)
    assert rows == accepted  # every accepted enrolment exists (and is cancelled); no refused one left a row
