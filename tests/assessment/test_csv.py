"""Results from a CSV file through the pages: upload → preview with row-level problems → save (all valid rows,
or all or nothing). Bad files get a clear message and change nothing; the same file again changes nothing."""

from __future__ import annotations

import codecs
import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from osaamo.assessment import services
from osaamo.assessment.csvfile import MAX_FILE_BYTES, CsvRefused, read_results_csv, safe_cell
from osaamo.assessment.models import Result, ResultImport
from osaamo.audit.models import AuditEntry
from osaamo.enrolment.models import EnrolmentState
from tests.assessment.conftest import HEADER, csv_bytes, enrol, login, make_learner

TODAY = timezone.localdate().isoformat()


def upload_url(offering: Any, slug: str = "helsinki") -> str:
    return f"/en/provider/{slug}/assessment/{offering.pk}/upload/"


def upload(client: Any, offering: Any, data: bytes, name: str = "results.csv", slug: str = "helsinki") -> Any:
    return client.post(upload_url(offering, slug), {"file": SimpleUploadedFile(name, data, "text/csv")})


def preview_of(response: Any) -> ResultImport:
    assert response.status_code == 302, response.content.decode()[:2000]
    return ResultImport.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))


def nothing_changed() -> None:
    assert not ResultImport.objects.exists()
    assert not Result.objects.exists()


# --- the file as a whole -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "message"), [
    (b"", "The file is empty."),
    (b"\r\n  \r\n", "The file is empty."),
    (b"email,grade,assessed_on\r\n", "The file has the column names but no rows of results."),
    ("email,grade,assessed_on\nanna@example.com,4,2026-01-31\nbj\xf6rn@example.com,3,2026-01-31\n".encode("latin-1"),
     "The file is not in UTF-8: line 3 has a character that UTF-8 does not have"),
    (codecs.BOM_UTF16_LE + "email,grade,assessed_on\n".encode("utf-16-le"),
     "The file is saved as UTF-16 (“Unicode text”), not as UTF-8."),
    (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40, "This is a spreadsheet workbook, not a CSV file."),
    (b"email,arvosana\nanna@example.com,4\n",
     "The column assessed_on is missing. The first row must name the columns email, grade, assessed_on"),
    (b"name,points\nAnna,4\n", "The columns email, grade, assessed_on are missing."),
    (b"email|grade|assessed_on\nanna@example.com|4|2026-01-31\n",
     "The columns could not be told apart. The first row is “email|grade|assessed_on”"),
    (b"email,grade,grade,assessed_on\n", "The column grade appears more than once in the first row."),
    (b'email,grade,assessed_on\n"anna@example.com,4,2026-01-31\n', "The row that starts on line 2 cannot be read (unexpected end of data)"),
])
def test_a_file_that_cannot_be_read_is_refused_with_the_reason(offering: Any, helsinki_registrar: Any,
                                                               data: bytes, message: str) -> None:
    response = upload(login(helsinki_registrar), offering, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    nothing_changed()


def test_the_save_as_help_is_given_for_an_encoding_problem(offering: Any, helsinki_registrar: Any) -> None:
    response = upload(login(helsinki_registrar), offering, "email,grade,assessed_on\nä,4,1.1.2026\n".encode("cp1252"))
    assert "CSV UTF-8 (comma delimited)" in response.content.decode()


def test_a_50_megabyte_file_is_refused_before_it_is_read(offering: Any, helsinki_registrar: Any) -> None:
    client = login(helsinki_registrar)
    big = csv_bytes([]) + b"x" * (50 * 1024 * 1024)
    response = upload(client, offering, big)
    assert response.status_code == 413
    page = response.content.decode()
    assert "The file is too large (50.0 MB); the limit is 10 MB. Nothing was read." in page
    nothing_changed()


def test_a_file_over_the_limit_is_refused_by_the_service_too(offering: Any, helsinki_registrar: Any) -> None:
    with pytest.raises(CsvRefused, match="the limit is 10 MB"):
        services.result_import_create(offering=offering, provider=offering.version.micro_credential.provider,
                                      by=helsinki_registrar, filename="big.csv", data=b"e" * (MAX_FILE_BYTES + 1))
    nothing_changed()


# --- reading: encodings, delimiters, column names -------------------------------------------------------------


def test_utf8_with_and_without_bom_and_every_delimiter_is_read(offering: Any, enrolled: list[Any],
                                                               helsinki_registrar: Any) -> None:
    rows = [[enrolled[0].learner.email, "4", TODAY]]
    for delimiter in (",", ";", "\t"):
        for bom in (True, False):
            parsed = read_results_csv(csv_bytes(rows, delimiter=delimiter, bom=bom))
            assert parsed.delimiter == delimiter
            assert parsed.rows == [(2, {"email": enrolled[0].learner.email, "grade": "4", "assessed_on": TODAY})]


def test_finnish_and_swedish_column_names_and_extra_columns(offering: Any, enrolled: list[Any],
                                                            helsinki_registrar: Any) -> None:
    data = csv_bytes([[enrolled[0].learner.email.upper(), "Opiskelija", "5", "31.1.2026", "Eeva Ek"]],
                     header=["Sähköposti", "Nimi", "Arvosana", "Päivämäärä", "Arvioija"], delimiter=";", bom=True)
    upload_ = preview_of(upload(login(helsinki_registrar), offering, data))
    assert upload_.counts == {"new": 1, "changed": 0, "unchanged": 0, "error": 0}
    page = login(helsinki_registrar).get(f"{upload_url(offering)}{upload_.pk}/").content.decode()
    assert "Columns left out: Nimi." in page and "columns separated by semicolon" in page
    assert "Anna Aalto" in page


# --- the preview shows each row's problem; saving is a choice ---------------------------------------------------


@pytest.fixture
def mixed_file(offering: Any, enrolled: list[Any]) -> bytes:
    waiting = enrol(offering)
    waiting.state = EnrolmentState.WAITLISTED
    waiting.save(update_fields=["state"])
    return csv_bytes([
        [enrolled[0].learner.email, "4", TODAY],           # line 2: valid
        [enrolled[1].learner.email, "0", "2026-02-30"],    # line 3: bad date
        ["stranger@example.com", "3", TODAY],              # line 4: unknown learner
        [waiting.learner.email, "3", TODAY],               # line 5: not enrolled (waiting list)
        [enrolled[2].learner.email, "A", TODAY],           # line 6: bad grade
        [enrolled[2].learner.email, "5", TODAY],           # line 7: duplicate of line 6
    ])


def test_the_preview_lists_every_row_with_a_problem_and_changes_nothing(offering: Any, enrolled: list[Any],
                                                                        helsinki_registrar: Any,
                                                                        mixed_file: bytes) -> None:
    client = login(helsinki_registrar)
    stored = preview_of(upload(client, offering, mixed_file))
    assert stored.counts == {"new": 1, "changed": 0, "unchanged": 0, "error": 5}
    assert not Result.objects.exists()
    page = client.get(f"{upload_url(offering)}{stored.pk}/").content.decode()
    third = enrolled[2].learner.email
    for expected in (
        "“2026-02-30” is not a valid date",
        "No learner with the address stranger@example.com is enrolled on this offering.",
        "is not enrolled on this offering (on the waiting list)",
        "“A” is not a grade on this offering&#x27;s scale (0–5, where 0 is a fail).",
        f"{third} appears more than once (rows 6, 7); give each learner one row.",
        "Rows with problems", "Results to save",
    ):
        assert expected in page, expected


def test_all_or_nothing_saves_nothing_when_a_row_has_a_problem(offering: Any, enrolled: list[Any],
                                                               helsinki_registrar: Any, mixed_file: bytes) -> None:
    client = login(helsinki_registrar)
    stored = preview_of(upload(client, offering, mixed_file))
    response = client.post(f"{upload_url(offering)}{stored.pk}/", {"mode": "all_or_nothing"})
    assert response.status_code == 400
    assert "Nothing was saved: some rows have problems." in response.content.decode()
    assert not Result.objects.exists()
    stored.refresh_from_db()
    assert stored.state == "previewed"


def test_saving_the_valid_rows_leaves_the_others_out(offering: Any, enrolled: list[Any], helsinki_registrar: Any,
                                                     mixed_file: bytes) -> None:
    client = login(helsinki_registrar)
    stored = preview_of(upload(client, offering, mixed_file))
    response = client.post(f"{upload_url(offering)}{stored.pk}/", {"mode": "valid_rows"}, follow=True)
    page = response.content.decode()
    assert "1 result saved." in page and "5 rows with problems were left out." in page
    assert list(Result.objects.values_list("enrolment_id", "grade")) == [(enrolled[0].pk, "4")]
    stored.refresh_from_db()
    assert (stored.state, stored.mode, stored.outcome["saved"], stored.outcome["left_out"]) == (
        "applied", "valid_rows", 1, 5)
    assert AuditEntry.objects.filter(action="result_import.applied").count() == 1


def test_a_valid_file_saved_all_or_nothing_completes_the_enrolments(offering: Any, enrolled: list[Any],
                                                                    helsinki_registrar: Any) -> None:
    client = login(helsinki_registrar)
    data = csv_bytes([[e.learner.email, grade, TODAY] for e, grade in zip(enrolled, ("5", "1", "0"), strict=True)])
    stored = preview_of(upload(client, offering, data))
    response = client.post(f"{upload_url(offering)}{stored.pk}/", {"mode": "all_or_nothing"}, follow=True)
    assert "3 results saved." in response.content.decode()
    states = {e.pk: e.state for e in (type(enrolled[0]).objects.filter(pk__in=[e.pk for e in enrolled]))}
    assert states == {enrolled[0].pk: "completed", enrolled[1].pk: "completed", enrolled[2].pk: "failed"}
    assert set(Result.objects.values_list("source", flat=True)) == {"csv"}


def test_saving_works_on_what_was_previewed_and_only_once(offering: Any, enrolled: list[Any],
                                                          helsinki_registrar: Any) -> None:
    client = login(helsinki_registrar)
    stored = preview_of(upload(client, offering, csv_bytes([[enrolled[0].learner.email, "3", TODAY]])))
    client.post(f"{upload_url(offering)}{stored.pk}/", {"mode": "valid_rows"})
    again = client.post(f"{upload_url(offering)}{stored.pk}/", {"mode": "valid_rows"})
    assert again.status_code == 400
    assert "This file has already been saved or discarded" in again.content.decode()
    assert Result.objects.count() == 1
    assert AuditEntry.objects.filter(action="result.recorded").count() == 1


def test_the_preview_is_checked_again_when_saved(offering: Any, enrolled: list[Any], helsinki_registrar: Any,
                                                 helsinki_teacher: Any) -> None:
    client = login(helsinki_registrar)
    stored = preview_of(upload(client, offering, csv_bytes([[enrolled[0].learner.email, "3", TODAY]])))
    # Meanwhile a teacher records the same result by hand: saving the file then changes nothing.
    services.result_record(enrolment=enrolled[0], by=helsinki_teacher, grade="3", assessed_on=TODAY)
    client.post(f"{upload_url(offering)}{stored.pk}/", {"mode": "all_or_nothing"})
    stored.refresh_from_db()
    assert stored.counts["unchanged"] == 1 and stored.outcome["saved"] == 0
    assert Result.objects.get().recorded_by == helsinki_teacher


def test_discarding_a_file_saves_nothing(offering: Any, enrolled: list[Any], helsinki_registrar: Any) -> None:
    client = login(helsinki_registrar)
    stored = preview_of(upload(client, offering, csv_bytes([[enrolled[0].learner.email, "3", TODAY]])))
    response = client.post(f"{upload_url(offering)}{stored.pk}/", {"discard": "1"}, follow=True)
    assert "The file was discarded; nothing was saved." in response.content.decode()
    stored.refresh_from_db()
    assert stored.state == "discarded" and not Result.objects.exists()


# --- the same file again ------------------------------------------------------------------------------------------


def test_uploading_the_same_file_again_changes_nothing(offering: Any, enrolled: list[Any],
                                                       helsinki_registrar: Any) -> None:
    client = login(helsinki_registrar)
    data = csv_bytes([[e.learner.email, "4", TODAY] for e in enrolled])
    first = preview_of(upload(client, offering, data))
    client.post(f"{upload_url(offering)}{first.pk}/", {"mode": "all_or_nothing"})
    results = {r.pk: r.updated_at for r in Result.objects.all()}
    audits = AuditEntry.objects.exclude(action__startswith="result_import").count()

    second = preview_of(upload(client, offering, data, name="results (1).csv"))
    assert second.counts == {"new": 0, "changed": 0, "unchanged": 3, "error": 0}
    page = client.get(f"{upload_url(offering)}{second.pk}/").content.decode()
    assert "This same file was saved on" in page
    response = client.post(f"{upload_url(offering)}{second.pk}/", {"mode": "all_or_nothing"}, follow=True)
    assert "Nothing changed: the results were saved already." in response.content.decode()
    assert {r.pk: r.updated_at for r in Result.objects.all()} == results
    assert AuditEntry.objects.exclude(action__startswith="result_import").count() == audits


# --- tenancy ------------------------------------------------------------------------------------------------------


def test_another_universitys_registrar_gets_404_and_changes_nothing(offering: Any, enrolled: list[Any],
                                                                    helsinki_registrar: Any,
                                                                    aalto_registrar: Any) -> None:
    stored = preview_of(upload(login(helsinki_registrar), offering, csv_bytes([[enrolled[0].learner.email, "3",
                                                                              TODAY]])))
    outsider = login(aalto_registrar)
    data = csv_bytes([[enrolled[1].learner.email, "5", TODAY]])
    assert upload(outsider, offering, data).status_code == 404
    assert upload(outsider, offering, data, slug="aalto").status_code == 404  # not Aalto's offering either
    assert outsider.get(f"{upload_url(offering)}{stored.pk}/").status_code == 404
    assert outsider.post(f"{upload_url(offering)}{stored.pk}/", {"mode": "valid_rows"}).status_code == 404
    assert outsider.post(f"{upload_url(offering, 'aalto')}{stored.pk}/", {"mode": "valid_rows"}).status_code == 404
    assert ResultImport.objects.count() == 1 and not Result.objects.exists()


# --- exports ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("Anna", "Anna"), (4, 4),
])
def test_exported_cells_never_run_as_formulas(value: Any, expected: Any) -> None:
    assert safe_cell(value) == expected


def test_the_group_csv_is_a_fillable_upload_and_formula_safe(offering: Any, helsinki_registrar: Any) -> None:
    learner = make_learner("=cmd|' /C calc'!A0")
    enrol(offering, learner)
    response = login(helsinki_registrar).get(f"/en/provider/helsinki/assessment/{offering.pk}/results.csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff") and response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == list(HEADER)
    assert rows[1][0] == learner.email and rows[1][-1] == "'=cmd|' /C calc'!A0"
    assert read_results_csv(response.content).columns == ["email", "grade", "assessed_on", "identity_verification",
                                                          "assessor", "note"]
