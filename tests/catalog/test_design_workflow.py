"""The design workflow through HTTP: submit, return, publish, retire, clone, and offerings of a published version."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from osaamo.audit.models import AuditEntry
from osaamo.catalog.models import MicroCredential, Offering, OfferingState, VersionState
from osaamo.catalog.services import version_submit
from tests.catalog.test_design_support import (
    codes_in,
    design_url,
    form_data,
    login,
    make_draft,
)
from tests.factories import make_published


def messages_of(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- submit, return, publish, retire -----------------------------------------------------------------------------

def test_submit_is_refused_with_the_findings_while_errors_remain(client: Any, helsinki: Any,
                                                                 helsinki_designer: Any) -> None:
    version = make_draft(helsinki, helsinki_designer, ects="60", hours=None)
    response = login(client, helsinki_designer).post(design_url("submit", helsinki, version.pk), follow=True)
    version.refresh_from_db()
    assert version.state == VersionState.DRAFT
    assert any("Fix the errors before submitting for review." in m for m in messages_of(response))
    assert "ects.out_of_range" in codes_in(response)  # the editor shows what to fix


def test_submit_then_admin_returns_it_to_draft_with_a_reason(client: Any, helsinki: Any, helsinki_designer: Any,
                                                             helsinki_admin: Any) -> None:
    version = make_draft(helsinki, helsinki_designer)
    response = login(client, helsinki_designer).post(design_url("submit", helsinki, version.pk), follow=True)
    version.refresh_from_db()
    assert version.state == VersionState.IN_REVIEW and version.submitted_at is not None
    assert "Submitted for review." in messages_of(response)
    response = login(client, helsinki_admin).post(design_url("return", helsinki, version.pk),
                                                  {"reason": "Outcome 2 needs a verb"}, follow=True)
    version.refresh_from_db()
    assert version.state == VersionState.DRAFT
    assert "Returned to draft." in messages_of(response)
    record = AuditEntry.objects.filter(action="micro_credential.returned").get()
    assert record.data["reason"] == "Outcome 2 needs a verb"


def test_returning_a_draft_that_is_not_in_review_says_why(client: Any, helsinki: Any, helsinki_admin: Any) -> None:
    version = make_draft(helsinki, helsinki_admin)
    response = login(client, helsinki_admin).post(design_url("return", helsinki, version.pk), follow=True)
    assert "Only a version in review can be returned to draft." in messages_of(response)


def test_publish_refused_while_an_error_remains_then_accepted_and_listed_publicly(
    client: Any, helsinki: Any, helsinki_admin: Any
) -> None:
    version = make_draft(helsinki, helsinki_admin, ects="60", hours=None)
    login(client, helsinki_admin)
    response = client.post(design_url("publish", helsinki, version.pk), follow=True)
    version.refresh_from_db()
    assert version.state == VersionState.DRAFT
    assert any("cannot be published until every error is fixed" in m for m in messages_of(response))
    assert "ects.out_of_range" in codes_in(response)
    assert "Data protection in practice" not in client.get("/en/").content.decode()

    client.post(design_url("edit", helsinki, version.pk), form_data(ects="5"))
    response = client.post(design_url("publish", helsinki, version.pk), follow=True)
    version.refresh_from_db()
    assert version.state == VersionState.PUBLISHED and version.published_by == helsinki_admin
    assert "Published: the micro-credential is now in the public catalog." in messages_of(response)
    assert "Data protection in practice" in client.get("/en/").content.decode()


def test_a_designer_cannot_publish_return_or_retire(client: Any, helsinki: Any, helsinki_designer: Any,
                                                    helsinki_admin: Any) -> None:
    draft = make_draft(helsinki, helsinki_designer)
    published = make_published(helsinki, helsinki_admin, code="HY-P2", offering=False)
    login(client, helsinki_designer)
    assert client.post(design_url("publish", helsinki, draft.pk)).status_code == 403
    assert client.post(design_url("retire", helsinki, published.pk)).status_code == 403
    version_submit(version=draft, by=helsinki_designer)
    assert client.post(design_url("return", helsinki, draft.pk)).status_code == 403
    draft.refresh_from_db()
    published.refresh_from_db()
    assert draft.state == VersionState.IN_REVIEW and published.state == VersionState.PUBLISHED


def test_publishing_a_new_version_retires_the_old_one(client: Any, helsinki: Any, helsinki_admin: Any) -> None:
    first = make_published(helsinki, helsinki_admin, code="HY-V", offering=False)
    login(client, helsinki_admin).post(design_url("start", helsinki, first.micro_credential_id))
    second = first.micro_credential.versions.get(number=2)
    client.post(design_url("edit", helsinki, second.pk), form_data(title_en="Data protection, renewed"))
    client.post(design_url("publish", helsinki, second.pk))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (VersionState.RETIRED, VersionState.PUBLISHED)
    html = client.get(design_url("detail", helsinki, first.micro_credential_id)).content.decode()
    assert "Retired:" in html and "Published:" in html


def test_retire_takes_it_out_of_the_catalog(client: Any, helsinki: Any, helsinki_admin: Any) -> None:
    published = make_published(helsinki, helsinki_admin, code="HY-R", offering=False)
    login(client, helsinki_admin)
    assert "Data protection in practice" in client.get("/en/").content.decode()
    response = client.post(design_url("retire", helsinki, published.pk), follow=True)
    published.refresh_from_db()
    assert published.state == VersionState.RETIRED and published.retired_at is not None
    assert "Retired: the micro-credential is no longer in the catalog." in messages_of(response)
    assert "Data protection in practice" not in client.get("/en/").content.decode()
    again = client.post(design_url("retire", helsinki, published.pk), follow=True)
    assert "Only a published version can be retired." in messages_of(again)


def test_workflow_actions_need_post(client: Any, helsinki: Any, helsinki_admin: Any) -> None:
    version = make_draft(helsinki, helsinki_admin)
    login(client, helsinki_admin)
    for name in ("submit", "publish", "retire", "return"):
        assert client.get(design_url(name, helsinki, version.pk)).status_code == 405
    version.refresh_from_db()
    assert version.state == VersionState.DRAFT


# --- clone ------------------------------------------------------------------------------------------------------

def test_clone_own_micro_credential_to_a_new_code(client: Any, helsinki: Any, helsinki_designer: Any) -> None:
    source = make_draft(helsinki, helsinki_designer, code="HY-SRC")
    login(client, helsinki_designer)
    page = client.get(design_url("clone", helsinki, source.pk)).content.decode()
    assert "HY-SRC" in page and 'name="code"' in page
    response = client.post(design_url("clone", helsinki, source.pk), {"code": "HY-COPY"})
    copy = MicroCredential.objects.get(provider=helsinki, code="HY-COPY").versions.get()
    assert response["Location"] == design_url("edit", helsinki, copy.pk)
    assert copy.state == VersionState.DRAFT and copy.title == source.title
    assert [o.text for o in copy.outcomes.all()] == [o.text for o in source.outcomes.all()]


@pytest.mark.parametrize(("code", "message"), [
    ("HY-SRC", "A micro-credential with this code already exists."),
    ("", "This field is required."),
    ("x" * 41, "Ensure this value has at most 40 characters"),
])
def test_clone_with_a_bad_code_says_why(client: Any, helsinki: Any, helsinki_designer: Any, code: str,
                                        message: str) -> None:
    source = make_draft(helsinki, helsinki_designer, code="HY-SRC")
    response = login(client, helsinki_designer).post(design_url("clone", helsinki, source.pk), {"code": code})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert MicroCredential.objects.filter(provider=helsinki).count() == 1


def test_clone_from_the_catalog_another_providers_published_micro_credential(
    client: Any, helsinki: Any, aalto: Any, helsinki_designer: Any, aalto_admin: Any
) -> None:
    theirs = make_published(aalto, aalto_admin, code="AALTO-PUB", offering=False)
    login(client, helsinki_designer)
    search = client.get(design_url("catalog_clone", helsinki), {"q": "protection"}).content.decode()
    assert "Aalto University" in search
    assert f'href="{design_url("clone", helsinki, theirs.pk)}"' in search
    response = client.post(design_url("clone", helsinki, theirs.pk), {"code": "HY-FROM-AALTO"})
    assert response.status_code == 302
    copy = MicroCredential.objects.get(provider=helsinki, code="HY-FROM-AALTO").versions.get()
    assert copy.title == theirs.title and copy.state == VersionState.DRAFT
    assert AuditEntry.objects.filter(action="micro_credential.cloned", organisation=helsinki).exists()


def test_the_catalog_search_for_cloning_leaves_out_ones_own(client: Any, helsinki: Any, helsinki_admin: Any) -> None:
    make_published(helsinki, helsinki_admin, code="HY-OWN", offering=False)
    html = login(client, helsinki_admin).get(design_url("catalog_clone", helsinki), {"q": "protection"})
    assert "No published micro-credential of another university matches." in html.content.decode()


# --- offerings ----------------------------------------------------------------------------------------------------

def offering_form(**changes: Any) -> dict[str, Any]:
    today = timezone.localdate()
    data = {
        "start_date": (today + timedelta(days=40)).isoformat(), "end_date": (today + timedelta(days=80)).isoformat(),
        "enrolment_opens": (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "enrolment_closes": (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
        "mode": "blended", "place_fi": "Kumpulan kampus", "place_sv": "Gumtäkts campus", "place_en": "Kumpula campus",
        "language": "en", "seats": "25", "min_participants": "8", "price_individual": "120,50",
        "price_organisation": "400",
    }
    data.update(changes)
    return data


def test_create_an_offering_of_the_published_version(client: Any, helsinki: Any, helsinki_designer: Any,
                                                     helsinki_admin: Any) -> None:
    published = make_published(helsinki, helsinki_admin, code="HY-O", offering=False)
    login(client, helsinki_designer)
    detail = client.get(design_url("detail", helsinki, published.micro_credential_id)).content.decode()
    assert f'href="{design_url("offering_new", helsinki, published.pk)}"' in detail
    response = client.post(design_url("offering_new", helsinki, published.pk), offering_form(), follow=True)
    offering = published.offerings.get()
    assert "The offering was added." in messages_of(response)
    assert offering.mode == "blended" and offering.place["sv"] == "Gumtäkts campus"
    assert offering.seats == 25 and offering.min_participants == 8
    assert offering.price_individual == Decimal("120.50") and offering.price_organisation == Decimal("400.00")
    assert timezone.localtime(offering.enrolment_opens).date() == timezone.localdate() + timedelta(days=1)
    html = response.content.decode()
    assert "Kumpula campus" in html and "Blended" in html


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"end_date": "2020-01-01"}, "end_date", "The end cannot be before the start."),
    ({"seats": "many"}, "seats", "Enter a whole number."),
    ({"seats": "5", "min_participants": "10"}, "min_participants",
     "The minimum cannot be larger than the number of seats."),
    ({"price_individual": "-5"}, "price_individual", "Enter a number between 0 and"),
    ({"price_individual": "12.345"}, "price_individual", "Use at most 2 decimals."),
    ({"enrolment_opens": "tomorrow"}, "enrolment_opens", "Enter a valid date/time."),
    ({"mode": "teleport"}, "mode", "Select a valid choice."),
    ({"language": ""}, "language", "This field is required."),
])
def test_offering_validation_messages_on_the_field(client: Any, helsinki: Any, helsinki_admin: Any,
                                                   changes: dict[str, str], field: str, message: str) -> None:
    published = make_published(helsinki, helsinki_admin, code="HY-O", offering=False)
    response = login(client, helsinki_admin).post(design_url("offering_new", helsinki, published.pk),
                                                  offering_form(**changes))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in html and message in html
    assert not published.offerings.exists()


def test_enrolment_closing_before_it_opens_is_refused(client: Any, helsinki: Any, helsinki_admin: Any) -> None:
    published = make_published(helsinki, helsinki_admin, code="HY-O", offering=False)
    data = offering_form(enrolment_opens="2030-05-01T10:00", enrolment_closes="2030-04-01T10:00")
    response = login(client, helsinki_admin).post(design_url("offering_new", helsinki, published.pk), data)
    assert "Enrolment must close after it opens." in response.content.decode()


def test_no_offering_for_a_draft(client: Any, helsinki: Any, helsinki_admin: Any) -> None:
    draft = make_draft(helsinki, helsinki_admin)
    response = login(client, helsinki_admin).post(design_url("offering_new", helsinki, draft.pk),
                                                  offering_form(), follow=True)
    assert "Offerings can be added only to a published micro-credential." in messages_of(response)
    assert not Offering.objects.exists()


def test_edit_and_cancel_an_offering(client: Any, helsinki: Any, helsinki_admin: Any) -> None:
    published = make_published(helsinki, helsinki_admin, code="HY-O")
    offering = published.offerings.get()
    login(client, helsinki_admin)
    page = client.get(design_url("offering_edit", helsinki, offering.pk)).content.decode()
    assert f'value="{offering.start_date.isoformat()}"' in page
    response = client.post(design_url("offering_edit", helsinki, offering.pk), offering_form(seats="12",
                                                                                             min_participants="3"),
                           follow=True)
    offering.refresh_from_db()
    assert offering.seats == 12 and "The offering was saved." in messages_of(response)
    response = client.post(design_url("offering_cancel", helsinki, offering.pk), {"reason": "Too few"}, follow=True)
    offering.refresh_from_db()
    assert offering.state == OfferingState.CANCELLED
    assert "The offering was cancelled." in messages_of(response)
    refused = client.post(design_url("offering_edit", helsinki, offering.pk), offering_form(), follow=True)
    assert "A cancelled offering cannot be changed." in messages_of(refused)
    page = client.get(design_url("offering_edit", helsinki, offering.pk), follow=True)
    assert "A cancelled offering cannot be changed." in messages_of(page)
    offering.refresh_from_db()
    assert offering.seats == 12 and offering.state == OfferingState.CANCELLED
