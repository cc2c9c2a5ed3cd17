"""The staff pages through HTTP: the offerings list, an offering's results, one learner's form, the group grid,
the issuing setting; who may open them, and another university's staff get 404 and change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from osaamo.assessment.models import OfferingAssessment, Result
from osaamo.enrolment.models import EnrolmentState
from tests.assessment.conftest import enrol, login, make_learner

TODAY = timezone.localdate().isoformat()


def base(offering: Any, slug: str = "helsinki") -> str:
    return f"/en/provider/{slug}/assessment/{offering.pk}/"


def test_the_offerings_list_counts_learners_results_and_passes(offering: Any, enrolled: list[Any],
                                                               helsinki_teacher: Any) -> None:
    client = login(helsinki_teacher)
    client.post(f"{base(offering)}learners/{enrolled[0].pk}/", {"grade": "4", "assessed_on": TODAY})
    client.post(f"{base(offering)}learners/{enrolled[1].pk}/", {"grade": "0", "assessed_on": TODAY})
    page = client.get("/en/provider/helsinki/assessment/").content.decode()
    assert "Data protection in practice" in page
    assert "<td>3</td>\n      <td>2</td>\n      <td>1</td>\n      <td>0</td>" in page


def test_one_learners_result_through_the_form(offering: Any, enrolled: list[Any], helsinki_teacher: Any) -> None:
    client = login(helsinki_teacher)
    url = f"{base(offering)}learners/{enrolled[0].pk}/"
    form = client.get(url).content.decode()
    assert '<option value="5">5 (excellent)</option>' in form and '<option value="0">0 (fail)</option>' in form
    response = client.post(url, {"grade": "5", "assessed_on": TODAY, "identity_verification": "supervised_onsite_id",
                                 "assessor": "Prof. Ek", "note": "Excellent project"}, follow=True)
    assert "1 result saved." in response.content.decode()
    result = Result.objects.get()
    assert (result.grade, result.identity_verification, result.assessor, result.source) == (
        "5", "supervised_onsite_id", "Prof. Ek", "form")
    enrolled[0].refresh_from_db()
    assert enrolled[0].state == EnrolmentState.COMPLETED
    again = client.get(url).content.decode()
    assert 'value="Prof. Ek"' in again and "Recorded" in again


def test_the_form_shows_problems_and_saves_nothing(offering: Any, enrolled: list[Any], helsinki_teacher: Any) -> None:
    client = login(helsinki_teacher)
    url = f"{base(offering)}learners/{enrolled[0].pk}/"
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    response = client.post(url, {"grade": "4", "assessed_on": tomorrow})
    assert response.status_code == 400
    assert f"The date of the assessment {tomorrow} is in the future." in response.content.decode()
    response = client.post(url, {"grade": "9", "assessed_on": TODAY})
    assert response.status_code == 400 and "Select a valid choice." in response.content.decode()
    assert not Result.objects.exists()


def test_a_waitlisted_learner_has_no_result_form(offering: Any, helsinki_registrar: Any) -> None:
    waiting = enrol(offering)
    waiting.state = EnrolmentState.WAITLISTED
    waiting.save(update_fields=["state"])
    page = login(helsinki_registrar).get(f"{base(offering)}learners/{waiting.pk}/").content.decode()
    assert "Only an enrolled learner gets a result." in page and "Save the result" not in page


def test_the_group_grid_saves_the_grades_given_and_skips_the_rest(offering: Any, enrolled: list[Any],
                                                                   helsinki_teacher: Any) -> None:
    client = login(helsinki_teacher)
    grid = client.get(f"{base(offering)}group/").content.decode()
    for enrolment in enrolled:
        assert f'name="grade_{enrolment.pk}"' in grid
    data = {"assessed_on": TODAY, "identity_verification": "", "assessor": "Course team",
            f"grade_{enrolled[0].pk}": "3", f"grade_{enrolled[1].pk}": "0", f"grade_{enrolled[2].pk}": ""}
    response = client.post(f"{base(offering)}group/", data, follow=True)
    assert "2 results saved." in response.content.decode()
    assert sorted(Result.objects.values_list("grade", "assessor")) == [("0", "Course team"), ("3", "Course team")]
    response = client.post(f"{base(offering)}group/", data, follow=True)
    assert "Nothing changed: no grade was given or changed." in response.content.decode()


def test_the_grid_saves_nothing_when_one_result_has_a_problem(offering: Any, enrolled: list[Any],
                                                              helsinki_registrar: Any,
                                                              django_capture_on_commit_callbacks: Any) -> None:
    from osaamo.assessment.services import offering_assessment_update
    from osaamo.credentials.models import IssuedCredential

    offering_assessment_update(offering=offering, by=helsinki_registrar, issuing="automatic")
    client = login(helsinki_registrar)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{base(offering)}learners/{enrolled[1].pk}/", {"grade": "4", "assessed_on": TODAY})
    assert IssuedCredential.objects.count() == 1
    data = {"assessed_on": TODAY, f"grade_{enrolled[0].pk}": "5", f"grade_{enrolled[1].pk}": "2"}
    response = client.post(f"{base(offering)}group/", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was saved: check the results marked below." in page
    assert "A credential has already been issued for" in page
    assert Result.objects.count() == 1 and Result.objects.get().grade == "4"


def test_the_offering_page_lists_learners_and_stays_within_a_fixed_number_of_queries(
        offering: Any, helsinki_registrar: Any) -> None:
    client = login(helsinki_registrar)
    for _ in range(3):
        enrol(offering)
    client.get(base(offering))
    with CaptureQueriesContext(connection) as few:
        client.get(base(offering))
    for _ in range(12):
        enrol(offering)
    with CaptureQueriesContext(connection) as many:
        page = client.get(base(offering)).content.decode()
    assert len(many) == len(few)
    assert page.count("Record<span") == 15


def test_only_a_registrar_of_the_owner_changes_the_issuing_setting(offering: Any, helsinki_teacher: Any,
                                                                    helsinki_registrar: Any) -> None:
    teacher = login(helsinki_teacher)
    assert "Save the setting" not in teacher.get(base(offering)).content.decode()
    response = teacher.post(f"{base(offering)}issuing/", {"issuing": "automatic"}, follow=True)
    assert "Only a registrar or administrator of University of Helsinki decides" in response.content.decode()
    assert not OfferingAssessment.objects.exists()
    registrar = login(helsinki_registrar)
    response = registrar.post(f"{base(offering)}issuing/", {"issuing": "automatic"}, follow=True)
    assert "The setting is saved." in response.content.decode()
    settings = OfferingAssessment.objects.get()
    assert (settings.issuing, settings.authorised_by) == ("automatic", helsinki_registrar)
    assert "switched on by Reija Registrar" in response.content.decode()


@pytest.mark.parametrize("path", ["", "group/", "upload/", "results.csv", "learners/{enrolment}/"])
def test_another_universitys_staff_and_designers_and_learners_get_404(
        path: str, offering: Any, enrolled: list[Any], aalto_registrar: Any, helsinki_designer: Any) -> None:
    url = base(offering) + path.format(enrolment=enrolled[0].pk)
    for user in (aalto_registrar, helsinki_designer, enrolled[0].learner):
        client = login(user)
        assert client.get(url).status_code == 404, (user, url)
        assert client.get(url.replace("/helsinki/", "/aalto/")).status_code == 404
    anonymous = login(make_learner())
    anonymous.logout()
    assert anonymous.get(url).status_code == 302  # to the sign-in page


def test_posts_from_another_university_change_nothing(offering: Any, enrolled: list[Any],
                                                      aalto_registrar: Any) -> None:
    client = login(aalto_registrar)
    assert client.post(f"{base(offering)}learners/{enrolled[0].pk}/", {"grade": "5", "assessed_on": TODAY}
                       ).status_code == 404
    assert client.post(f"{base(offering)}group/", {"assessed_on": TODAY, f"grade_{enrolled[0].pk}": "5"}
                       ).status_code == 404
    assert client.post(f"{base(offering)}issuing/", {"issuing": "automatic"}).status_code == 404
    assert client.post(f"{base(offering)}issue/").status_code == 404
    assert not Result.objects.exists() and not OfferingAssessment.objects.exists()
    enrolled[0].refresh_from_db()
    assert enrolled[0].state == EnrolmentState.ENROLLED


def test_the_home_page_links_staff_to_assessment_and_learners_to_their_studies(
        helsinki_teacher: Any, learner: Any) -> None:
    staff_home = login(helsinki_teacher).get("/en/accounts/").content.decode()
    assert 'href="/en/provider/helsinki/assessment/"' in staff_home
    learner_home = login(learner).get("/en/accounts/").content.decode()
    assert 'href="/en/my-studies/"' in learner_home
    assert "/assessment/" not in learner_home
