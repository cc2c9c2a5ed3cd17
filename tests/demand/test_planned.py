"""A planned micro-credential (published, no dates yet) collects interest; the provider sees the count and
can tell the interested people once there is an offering."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from osaamo.catalog.services import offering_create
from osaamo.demand.models import PlannedInterest
from osaamo.demand.services import plan_close, plan_open, planned_interest_register, planned_interest_withdraw
from osaamo.errors import Conflict, PermissionDenied
from tests.demand.conftest import make_person
from tests.factories import make_published, offering_data


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def planned_version(helsinki: Any, helsinki_admin: Any) -> Any:
    return make_published(helsinki, helsinki_admin, code="HY-PLAN-1", offering=False)


@pytest.fixture
def plan(planned_version: Any, helsinki_designer: Any) -> Any:
    return plan_open(micro_credential=planned_version.micro_credential, by=helsinki_designer,
                     timing={"fi": "kevät 2027", "en": "spring 2027"})


def detail_url(version: Any) -> str:
    return reverse("catalog:detail", args=[version.micro_credential.provider.slug, version.micro_credential.slug])


def test_learners_register_interest_in_a_planned_micro_credential_and_the_provider_sees_the_count(
        planned_version: Any, plan: Any, helsinki_designer: Any) -> None:
    learners = [make_person() for _ in range(3)]
    for learner in learners:
        response = signed_in(learner).post(reverse("demand:planned_interest", args=[plan.pk]))
        assert response.status_code == 302 and response["Location"] == detail_url(planned_version)
    planned_interest_register(plan=plan, learner=learners[0])  # again: still one
    assert PlannedInterest.objects.filter(plan=plan).count() == 3
    page = signed_in(helsinki_designer).get(reverse("demand:plan", args=["helsinki", plan.pk])).content.decode()
    assert "3 people have registered interest." in page
    listing = signed_in(helsinki_designer).get(reverse("demand:provider_pooling", args=["helsinki"])).content.decode()
    assert "HY-PLAN-1" in listing and "Collecting interest" in listing


def test_the_catalog_page_shows_a_planned_micro_credential_with_its_interest(planned_version: Any, plan: Any) -> None:
    learner = make_person()
    planned_interest_register(plan=plan, learner=make_person())
    page = signed_in(learner).get(detail_url(planned_version)).content.decode()
    assert "Planned: no dates yet." in page and "spring 2027" in page
    assert "1 person has registered interest." in page and "Register interest" in page
    planned_interest_register(plan=plan, learner=learner)
    page = signed_in(learner).get(detail_url(planned_version)).content.decode()
    assert "You have registered your interest." in page and "Withdraw my interest" in page
    signed_in(learner).post(reverse("demand:planned_interest", args=[plan.pk]), {"withdraw": "1"})
    assert not PlannedInterest.objects.filter(learner=learner).exists()
    anonymous = Client().get(detail_url(planned_version)).content.decode()
    assert "Sign in to register interest" in anonymous


def test_only_a_published_micro_credential_without_upcoming_offerings_can_be_planned(
        helsinki: Any, helsinki_admin: Any, helsinki_registrar: Any, planned_version: Any, plan: Any) -> None:
    with pytest.raises(Conflict) as refused:
        plan_open(micro_credential=planned_version.micro_credential, by=helsinki_admin)
    assert refused.value.code == "already_planned"
    scheduled = make_published(helsinki, helsinki_admin, code="HY-PLAN-2")  # has an upcoming offering
    with pytest.raises(Conflict) as refused:
        plan_open(micro_credential=scheduled.micro_credential, by=helsinki_admin)
    assert refused.value.code == "has_offering"
    with pytest.raises(PermissionDenied):
        plan_open(micro_credential=scheduled.micro_credential, by=helsinki_registrar)


def test_another_provider_cannot_see_or_close_a_plan(plan: Any, aalto_admin: Any) -> None:
    assert signed_in(aalto_admin).get(reverse("demand:plan", args=["helsinki", plan.pk])).status_code == 404
    assert signed_in(aalto_admin).get(reverse("demand:plan", args=["aalto", plan.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        plan_close(plan=plan, by=aalto_admin)


def test_closing_a_plan_tells_the_interested_people_about_the_new_offering_in_their_language(
        planned_version: Any, plan: Any, helsinki_admin: Any, committed: Any) -> None:
    finn, swede = make_person(language="fi"), make_person(language="sv")
    for learner in (finn, swede):
        planned_interest_register(plan=plan, learner=learner)
    offering = offering_create(version=planned_version, by=helsinki_admin, data=offering_data())
    mail.outbox.clear()
    with committed():
        response = signed_in(helsinki_admin).post(reverse("demand:plan", args=["helsinki", plan.pk]),
                                                  {"offering": str(offering.pk)})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert not plan.is_open
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[finn.email].startswith("Nyt aikataulutettu") and subjects[swede.email].startswith("Nu med datum")
    assert all(reverse("demand:offering", args=[offering.pk]).split("/", 2)[2] in m.body for m in mail.outbox)
    with pytest.raises(Conflict):
        planned_interest_register(plan=plan, learner=make_person())
    with pytest.raises(Conflict):
        plan_close(plan=plan, by=helsinki_admin)
    planned_interest_withdraw(plan=plan, learner=make_person())  # nothing to withdraw: nothing happens


def test_the_provider_opens_a_plan_from_its_pages(planned_version: Any, helsinki_designer: Any) -> None:
    client = signed_in(helsinki_designer)
    form = client.get(reverse("demand:plan_new", args=["helsinki"])).content.decode()
    assert "HY-PLAN-1" in form
    response = client.post(reverse("demand:plan_new", args=["helsinki"]), {
        "micro_credential": str(planned_version.micro_credential_id), "timing_fi": "syksy 2027",
        "timing_sv": "", "timing_en": "autumn 2027"})
    assert response.status_code == 302
    assert planned_version.micro_credential.plan.timing == {"fi": "syksy 2027", "en": "autumn 2027"}
    bad = client.post(reverse("demand:plan_new", args=["helsinki"]), {"micro_credential": "999999"})
    assert bad.status_code == 400
