"""Recording results through the services: grades on the offering's scale, the enrolment's new state,
corrections, the same result again, who may record, and every row-level problem."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from osaamo.assessment import services
from osaamo.assessment.grading import PASS_FAIL, ZERO_TO_FIVE
from osaamo.assessment.models import ApplyMode, Result, ResultSource
from osaamo.assessment.validation import ResultInput, RowStatus, parse_date
from osaamo.audit.models import AuditEntry
from osaamo.enrolment.models import EnrolmentState
from osaamo.enrolment.services import enrolment_cancel
from osaamo.errors import InvalidInput, PermissionDenied
from tests.assessment.conftest import enrol, make_learner
from tests.factories import make_user

TODAY = timezone.localdate


def record(offering: Any, by: Any, *rows: ResultInput, mode: str = ApplyMode.ALL_OR_NOTHING) -> Any:
    return services.results_record(offering=offering, by=by, rows=list(rows), mode=mode, source=ResultSource.API)


def row(enrolment: Any, grade: Any = "4", **changes: Any) -> ResultInput:
    values = {"email": enrolment.learner.email, "grade": grade, "assessed_on": TODAY().isoformat()}
    values.update(changes)
    return ResultInput(**values)


def test_a_passing_grade_completes_the_enrolment_and_a_zero_fails_it(offering: Any, enrolled: list[Any],
                                                                   helsinki_registrar: Any) -> None:
    passing, failing, _other = enrolled
    outcome = record(offering, helsinki_registrar, row(passing, "4"), row(failing, "0"))
    assert outcome.counts == {"new": 2, "changed": 0, "unchanged": 0, "error": 0}
    passing.refresh_from_db()
    failing.refresh_from_db()
    assert passing.state == EnrolmentState.COMPLETED and failing.state == EnrolmentState.FAILED
    result = Result.objects.get(enrolment=passing)
    assert (result.grade, result.passed, result.scale, result.source) == ("4", True, "0-5", "api")
    assert result.recorded_by == helsinki_registrar and result.assessed_on == TODAY()
    assert not Result.objects.get(enrolment=failing).passed
    entry = AuditEntry.objects.get(action="result.recorded", target_id=str(result.pk))
    assert entry.actor == helsinki_registrar and entry.data["grade"] == "4"
    assert AuditEntry.objects.filter(action="enrolment.completed").count() == 1


def test_the_same_result_again_changes_nothing(offering: Any, enrolled: list[Any], helsinki_registrar: Any) -> None:
    record(offering, helsinki_registrar, row(enrolled[0], "4", assessor="Prof. Ek"))
    before = Result.objects.get()
    audits = AuditEntry.objects.count()
    outcome = record(offering, helsinki_registrar, row(enrolled[0], " 4 ", assessor="Prof.  Ek"))
    assert outcome.counts["unchanged"] == 1 and outcome.counts["new"] == 0
    after = Result.objects.get()
    assert after.updated_at == before.updated_at
    assert AuditEntry.objects.count() == audits


def test_a_correction_changes_the_result_and_the_enrolment_and_is_audited(offering: Any, enrolled: list[Any],
                                                                         helsinki_registrar: Any) -> None:
    record(offering, helsinki_registrar, row(enrolled[0], "3"))
    outcome = record(offering, helsinki_registrar, row(enrolled[0], "0"))
    assert outcome.counts["changed"] == 1
    result = Result.objects.get()
    assert result.grade == "0" and not result.passed
    enrolled[0].refresh_from_db()
    assert enrolled[0].state == EnrolmentState.FAILED
    change = AuditEntry.objects.get(action="result.changed")
    assert change.data["previous"]["grade"] == "3" and change.data["grade"] == "0"


def test_one_result_per_enrolment(offering: Any, enrolled: list[Any], helsinki_registrar: Any) -> None:
    for grade in ("1", "2", "5"):
        record(offering, helsinki_registrar, row(enrolled[0], grade))
    assert Result.objects.filter(enrolment=enrolled[0]).count() == 1


def test_a_teacher_records_results_but_a_designer_and_another_university_do_not(
        offering: Any, enrolled: list[Any], helsinki_teacher: Any, helsinki_designer: Any,
        aalto_registrar: Any) -> None:
    record(offering, helsinki_teacher, row(enrolled[0], "5"))
    assert Result.objects.get().recorded_by == helsinki_teacher
    for outsider in (helsinki_designer, aalto_registrar, make_learner()):
        with pytest.raises(PermissionDenied):
            record(offering, outsider, row(enrolled[1], "5"))
    assert Result.objects.count() == 1
    enrolled[1].refresh_from_db()
    assert enrolled[1].state == EnrolmentState.ENROLLED


def test_a_pass_fail_offering_reads_the_words_of_a_study_information_system(
        pass_fail_offering: Any, helsinki_registrar: Any) -> None:
    first, second, third = (enrol(pass_fail_offering) for _ in range(3))
    outcome = record(pass_fail_offering, helsinki_registrar, row(first, "Hyväksytty"), row(second, "underkänd"),
                     row(third, "4"), mode=ApplyMode.VALID_ROWS)
    assert [r.status for r in outcome.rows] == [RowStatus.NEW, RowStatus.NEW, RowStatus.ERROR]
    assert outcome.rows[2].messages() == ["“4” is not a grade on this offering's scale (pass / fail)."]
    assert {r.grade: r.passed for r in Result.objects.all()} == {"pass": True, "fail": False}


@pytest.mark.parametrize(("raw", "expected"), [
    ("5", "5"), (" 0 ", "0"), ("hyl", "0"), ("Hylätty", "0"), ("6", None), ("4.5", None), ("pass", None), ("", None),
])
def test_the_0_to_5_scale(raw: str, expected: str | None) -> None:
    assert ZERO_TO_FIVE.parse(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("pass", "pass"), ("PASS", "pass"), ("godkänd", "pass"), ("hyv", "pass"), ("fail", "fail"), ("hylätty", "fail"),
    ("1", None), ("0", None),
])
def test_the_pass_fail_scale(raw: str, expected: str | None) -> None:
    assert PASS_FAIL.parse(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("2026-05-31", (2026, 5, 31)), ("31.5.2026", (2026, 5, 31)), ("1.12.2025", (2025, 12, 1)),
    ("2026-02-30", None), ("30.2.2026", None), ("2026/05/31", None), ("31.5.26", None), ("", None), ("tomorrow", None),
])
def test_dates_are_read_in_iso_and_finnish_form(raw: str, expected: tuple[int, int, int] | None) -> None:
    parsed = parse_date(raw)
    assert (parsed.timetuple()[:3] if parsed else None) == expected


def test_every_row_problem_has_its_message(offering: Any, enrolled: list[Any], helsinki_registrar: Any,
                                           helsinki_admin: Any) -> None:
    waitlisted_learner = make_learner()
    waiting = enrol(offering, waitlisted_learner)
    waiting.state = EnrolmentState.WAITLISTED  # as if the offering had been full
    waiting.save(update_fields=["state"])
    tomorrow = (TODAY() + timedelta(days=1)).isoformat()
    outcome = record(
        offering, helsinki_registrar,
        row(enrolled[0], "7"),
        row(enrolled[1], "3", assessed_on="31.2.2026"),
        row(enrolled[2], "3", assessed_on=tomorrow),
        ResultInput(email="nobody@example.com", grade="3", assessed_on=TODAY().isoformat()),
        row(waiting, "3"),
        ResultInput(email="", grade="", assessed_on=""),
        row(enrolled[0], "4", identity_verification="webcam", note="x" * 2001),
        mode=ApplyMode.VALID_ROWS,
    )
    messages = [r.messages() for r in outcome.rows]
    email = enrolled[0].learner.email
    assert messages[0] == [f"{email} appears more than once (rows 1, 7); give each learner one row.",
                           "“7” is not a grade on this offering's scale (0–5, where 0 is a fail)."]
    assert messages[1] == ["“31.2.2026” is not a valid date: write it as YYYY-MM-DD (2026-05-31) or D.M.YYYY "
                           "(31.5.2026)."]
    assert messages[2] == [f"The date of the assessment {tomorrow} is in the future."]
    assert messages[3] == ["No learner with the address nobody@example.com is enrolled on this offering."]
    assert messages[4] == [f"{waitlisted_learner.email} is not enrolled on this offering (on the waiting list): "
                           "only an enrolled learner gets a result."]
    assert messages[5] == ["The learner's email address is missing.", "The grade is missing.",
                           "The date of the assessment is missing."]
    assert messages[6][0].startswith(f"{email} appears more than once")
    assert messages[6][1].startswith("“webcam” is not a way of identity verification; use one of: unsupervised_no_id")
    assert messages[6][2] == "The note is longer than 2000 characters."
    assert outcome.counts == {"new": 0, "changed": 0, "unchanged": 0, "error": 7}
    assert not Result.objects.exists()


def test_a_cancelled_learner_gets_no_result(offering: Any, enrolled: list[Any], helsinki_registrar: Any) -> None:
    enrolment_cancel(enrolment=enrolled[0], by=enrolled[0].learner)
    outcome = record(offering, helsinki_registrar, row(enrolled[0]), mode=ApplyMode.VALID_ROWS)
    assert outcome.rows[0].problems[0].code == "not_enrolled"
    assert "(cancelled)" in outcome.rows[0].messages()[0]


def test_all_or_nothing_saves_nothing_when_one_row_is_wrong(offering: Any, enrolled: list[Any],
                                                            helsinki_registrar: Any) -> None:
    with pytest.raises(services.ResultsRefused) as refused:
        record(offering, helsinki_registrar, row(enrolled[0], "4"), row(enrolled[1], "9"))
    assert [r.status for r in refused.value.details["rows"]] == [RowStatus.NEW, RowStatus.ERROR]
    assert not Result.objects.exists()
    enrolled[0].refresh_from_db()
    assert enrolled[0].state == EnrolmentState.ENROLLED


def test_valid_rows_mode_saves_the_valid_ones(offering: Any, enrolled: list[Any], helsinki_registrar: Any) -> None:
    outcome = record(offering, helsinki_registrar, row(enrolled[0], "4"), row(enrolled[1], "9"),
                     mode=ApplyMode.VALID_ROWS)
    assert outcome.counts == {"new": 1, "changed": 0, "unchanged": 0, "error": 1}
    assert list(Result.objects.values_list("enrolment_id", flat=True)) == [enrolled[0].pk]


def test_identity_verification_defaults_to_what_the_micro_credential_states(
        offering: Any, enrolled: list[Any], helsinki_registrar: Any) -> None:
    record(offering, helsinki_registrar, row(enrolled[0]),
           row(enrolled[1], identity_verification="Supervised on-site, with identity verification"),
           row(enrolled[2], identity_verification="unsupervised_no_id"))
    by_enrolment = {r.enrolment_id: r.identity_verification for r in Result.objects.all()}
    assert by_enrolment == {enrolled[0].pk: "supervised_online_id", enrolled[1].pk: "supervised_onsite_id",
                            enrolled[2].pk: "unsupervised_no_id"}


def test_one_result_through_the_form_service_reports_problems_per_field(
        offering: Any, enrolled: list[Any], helsinki_registrar: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.result_record(enrolment=enrolled[0], by=helsinki_registrar, grade="A", assessed_on="")
    assert refused.value.details == {
        "grade": ["“A” is not a grade on this offering's scale (0–5, where 0 is a fail)."],
        "assessed_on": ["The date of the assessment is missing."],
    }
    outcome = services.result_record(enrolment=enrolled[0], by=helsinki_registrar, grade="2",
                                     assessed_on=TODAY(), note="Resubmitted the project")
    assert outcome.count(RowStatus.NEW) == 1
    assert Result.objects.get().note == "Resubmitted the project"


def test_a_co_providers_registrar_records_results_of_a_joint_micro_credential(
        helsinki: Any, aalto: Any, helsinki_admin: Any, aalto_registrar: Any) -> None:
    from tests.factories import make_published

    joint = make_published(helsinki, helsinki_admin, code="HY-JOINT")
    joint.co_providers.add(aalto)
    offering = joint.offerings.get()
    enrolment = enrol(offering)
    record(offering, aalto_registrar, row(enrolment, "3"))
    assert Result.objects.get().recorded_by == aalto_registrar
    outsider = make_user("other@tuni.example", "Other")
    with pytest.raises(PermissionDenied):
        record(offering, outsider, row(enrolment, "4"))
