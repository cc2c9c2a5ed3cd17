"""The assessment API for a study information system: token auth, one result, a batch, the list, and
idempotency with a client-supplied Idempotency-Key (same key + same body → same answer, no second write;
same key + another body → 409). Another university's token gets 404 and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from osaamo.assessment.models import IdempotencyKey, Result
from osaamo.audit.models import AuditEntry
from osaamo.enrolment.models import EnrolmentState
from tests.assessment.conftest import Api, token_for

TODAY = timezone.localdate().isoformat()


@pytest.fixture
def sis(helsinki: Any, helsinki_registrar: Any) -> Api:
    return Api(token_for(helsinki_registrar, helsinki))


def body(enrolment: Any, grade: str = "4", **changes: Any) -> dict[str, Any]:
    return {"email": enrolment.learner.email, "grade": grade, "assessed_on": TODAY, **changes}


def results_path(offering: Any) -> str:
    return f"/manage/offerings/{offering.pk}/results"


def test_recording_one_result(sis: Api, offering: Any, enrolled: list[Any]) -> None:
    response = sis.post(results_path(offering), body(enrolled[0], "5", assessor="Prof. Ek",
                                                     identity_verification="supervised_onsite_id"))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["outcome"] == "created" and data["issuing_started"] is False
    result = data["result"]
    assert (result["email"], result["grade"], result["passed"], result["scale"], result["enrolment_state"]) == (
        enrolled[0].learner.email, "5", True, "0-5", "completed")
    assert result["identity_verification"] == "supervised_onsite_id" and result["source"] == "api"
    assert result["credential"] is None
    again = sis.post(results_path(offering), body(enrolled[0], "5", assessor="Prof. Ek",
                                                  identity_verification="supervised_onsite_id"))
    assert again.json()["outcome"] == "unchanged"
    assert Result.objects.count() == 1


def test_problems_answer_422_per_field(sis: Api, offering: Any, enrolled: list[Any]) -> None:
    response = sis.post(results_path(offering), {"email": "nobody@example.com", "grade": "7", "assessed_on": TODAY})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "results_invalid"
    assert error["details"] == {
        "body.email": ["No learner with the address nobody@example.com is enrolled on this offering."],
        "body.grade": ["“7” is not a grade on this offering's scale (0–5, where 0 is a fail)."],
    }
    response = sis.post(results_path(offering), {"email": enrolled[0].learner.email, "grade": "4",
                                                 "assessed_on": "2026-02-30"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_input"
    assert "body.assessed_on" in response.json()["error"]["details"]
    assert not Result.objects.exists()


def test_messages_follow_the_requested_language(sis: Api, offering: Any, enrolled: list[Any]) -> None:
    response = sis.post(results_path(offering) + "?lang=fi", body(enrolled[0], "9"))
    assert response.json()["error"]["details"]["body.grade"] == [
        "”9” ei ole arvosana tämän toteutuksen asteikolla (0–5, jossa 0 on hylätty)."]
    response = sis.post(results_path(offering) + "?lang=sv", body(enrolled[0], "9"))
    assert response.json()["error"]["details"]["body.grade"] == [
        "”9” är inget vitsord på det här genomförandets skala (0–5, där 0 är underkänt)."]


def test_the_same_idempotency_key_and_body_answer_the_same_without_a_second_write(
        sis: Api, offering: Any, enrolled: list[Any]) -> None:
    first = sis.post(results_path(offering), body(enrolled[0], "3"), key="sis-2026-0001")
    audits = AuditEntry.objects.count()
    second = sis.post(results_path(offering), body(enrolled[0], "3"), key="sis-2026-0001")
    assert second.status_code == first.status_code == 200
    assert second.json() == first.json() and second.json()["outcome"] == "created"
    assert second["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert AuditEntry.objects.count() == audits
    assert IdempotencyKey.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(sis: Api, offering: Any, enrolled: list[Any]) -> None:
    sis.post(results_path(offering), body(enrolled[0], "3"), key="sis-2026-0002")
    response = sis.post(results_path(offering), body(enrolled[0], "5"), key="sis-2026-0002")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Result.objects.get().grade == "3"


def test_a_refused_request_keeps_no_key_so_the_fixed_request_goes_through(sis: Api, offering: Any,
                                                                          enrolled: list[Any]) -> None:
    refused = sis.post(results_path(offering), body(enrolled[0], "9"), key="sis-2026-0003")
    assert refused.status_code == 422 and not IdempotencyKey.objects.exists()
    fixed = sis.post(results_path(offering), body(enrolled[0], "4"), key="sis-2026-0003")
    assert fixed.status_code == 200 and Result.objects.get().grade == "4"


def test_keys_belong_to_one_university(helsinki: Any, aalto: Any, helsinki_registrar: Any,
                                       aalto_registrar: Any, offering: Any, enrolled: list[Any]) -> None:
    from tests.assessment.conftest import enrol
    from tests.factories import make_published

    aalto_offering = make_published(aalto, _aalto_admin(aalto), code="AALTO-1").offerings.get()
    aalto_learner = enrol(aalto_offering)
    helsinki_sis = Api(token_for(helsinki_registrar, helsinki))
    aalto_sis = Api(token_for(aalto_registrar, aalto))
    assert helsinki_sis.post(results_path(offering), body(enrolled[0]), key="shared-key").status_code == 200
    response = aalto_sis.post(results_path(aalto_offering), body(aalto_learner, "2"), key="shared-key")
    assert response.status_code == 200 and response.json()["outcome"] == "created"
    assert Result.objects.count() == 2


def _aalto_admin(aalto: Any) -> Any:
    from tests.factories import make_user

    return make_user("aila.admin@aalto.example", "Aila Admin", aalto, "provider_admin")


def test_a_batch_is_all_or_nothing_by_default(sis: Api, offering: Any, enrolled: list[Any]) -> None:
    payload = {"results": [body(enrolled[0], "4"), body(enrolled[1], "x"), body(enrolled[2], "2")]}
    response = sis.post(f"{results_path(offering)}/batch", payload)
    assert response.status_code == 422
    assert response.json()["error"]["details"] == {
        "body.results.1.grade": ["“x” is not a grade on this offering's scale (0–5, where 0 is a fail)."]}
    assert not Result.objects.exists()


def test_a_batch_of_valid_rows_saves_them_and_reports_each(sis: Api, offering: Any, enrolled: list[Any]) -> None:
    sis.post(results_path(offering), body(enrolled[2], "2"))
    payload = {"mode": "valid_rows", "results": [body(enrolled[0], "4"), body(enrolled[1], "x"),
                                                 body(enrolled[2], "2"), body(enrolled[0], "5")]}
    response = sis.post(f"{results_path(offering)}/batch", payload, key="batch-1")
    data = response.json()
    assert (data["created"], data["changed"], data["unchanged"], data["rejected"]) == (0, 0, 1, 3)
    assert [item["outcome"] for item in data["items"]] == ["rejected", "rejected", "unchanged", "rejected"]
    assert data["items"][0]["problems"][0]["code"] == "duplicate"
    assert data["items"][1]["problems"][0]["field"] == "grade"
    again = sis.post(f"{results_path(offering)}/batch", payload, key="batch-1")
    assert again.json() == data and again["Idempotent-Replayed"] == "true"


def test_a_batch_sent_again_without_a_key_changes_nothing(sis: Api, offering: Any, enrolled: list[Any]) -> None:
    payload = {"results": [body(e, grade) for e, grade in zip(enrolled, ("5", "3", "0"), strict=True)]}
    first = sis.post(f"{results_path(offering)}/batch", payload).json()
    assert first["created"] == 3
    audits = AuditEntry.objects.count()
    second = sis.post(f"{results_path(offering)}/batch", payload).json()
    assert (second["created"], second["unchanged"]) == (0, 3)
    assert AuditEntry.objects.count() == audits
    states = sorted(type(enrolled[0]).objects.filter(pk__in=[e.pk for e in enrolled]).values_list("state", flat=True))
    assert states == [EnrolmentState.COMPLETED, EnrolmentState.COMPLETED, EnrolmentState.FAILED]


def test_the_list_of_results(sis: Api, offering: Any, enrolled: list[Any]) -> None:
    for enrolment, grade in zip(enrolled, ("5", "3", "0"), strict=True):
        sis.post(results_path(offering), body(enrolment, grade))
    response = sis.get(results_path(offering), page_size=2)
    data = response.json()
    assert data["count"] == 3 and len(data["items"]) == 2 and data["next"]
    assert [item["grade"] for item in data["items"]] == ["5", "3"]


def test_a_teacher_token_records_and_a_designer_token_is_refused(
        helsinki: Any, helsinki_teacher: Any, helsinki_designer: Any, offering: Any, enrolled: list[Any]) -> None:
    assert Api(token_for(helsinki_teacher, helsinki)).post(results_path(offering), body(enrolled[0])
                                                           ).status_code == 200
    refused = Api(token_for(helsinki_designer, helsinki)).post(results_path(offering), body(enrolled[1]))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "permission_denied"
    assert Result.objects.count() == 1


def test_another_universitys_token_gets_404_and_changes_nothing(aalto: Any, aalto_registrar: Any, offering: Any,
                                                                enrolled: list[Any]) -> None:
    outsider = Api(token_for(aalto_registrar, aalto))
    assert outsider.post(results_path(offering), body(enrolled[0]), key="k").status_code == 404
    assert outsider.post(f"{results_path(offering)}/batch", {"results": [body(enrolled[0])]}).status_code == 404
    assert outsider.get(results_path(offering)).status_code == 404
    assert not Result.objects.exists() and not IdempotencyKey.objects.exists()


def test_without_a_token_the_answer_is_401(offering: Any, enrolled: list[Any]) -> None:
    response = Api("").post(results_path(offering), body(enrolled[0]))
    assert response.status_code == 401


@pytest.mark.parametrize("key", ["", "x" * 256, "with space", "ä"])
def test_a_malformed_idempotency_key_is_refused(sis: Api, offering: Any, enrolled: list[Any], key: str) -> None:
    response = sis.post(results_path(offering), body(enrolled[0]), key=key)
    assert response.status_code == 422, response.content
    assert not Result.objects.exists()
