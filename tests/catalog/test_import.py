"""Importing courses from a study information system export (osaamo import-courses)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from osaamo.__main__ import command_line
from osaamo.audit.models import AuditEntry
from osaamo.catalog.importing import (
    DEFAULT_LEVEL_MAP,
    ImportOptions,
    ImportReport,
    RowStatus,
    courses_import,
    split_outcomes,
)
from osaamo.catalog.models import LearningOutcome, MicroCredential, MicroCredentialVersion, VersionState
from osaamo.catalog.services import version_update
from osaamo.errors import InvalidInput, PermissionDenied
from osaamo.framework.models import EscoSkill, IscedField
from tests.factories import make_user

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "aalto_courses_sample.jsonl"
LEVEL_MAP = {**DEFAULT_LEVEL_MAP, "other-studies": 6}
# What the export lacks, so that complete rows pass every rule.
DEFAULTS: dict[str, Any] = {
    "assessment_type": "assignments",
    "assessment_description": {
        "fi": "Harjoitustyöt arvioidaan asteikolla 0–5.",
        "sv": "Övningsarbetena bedöms på skalan 0–5.",
        "en": "The assignments are assessed on a scale of 0–5.",
    },
    "quality_assurance": "internal_qa_audited",
    "identity_verification": "supervised_online_id",
    "stackability": "standalone",
}


def sample_rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").split("\n") if line.strip()]


def run(provider: Any, by: Any, path: Path | None = None, *, lines: Any = None, **options: Any) -> ImportReport:
    options.setdefault("level_map", LEVEL_MAP)
    options.setdefault("defaults", DEFAULTS)
    if lines is None:
        with (path or SAMPLE).open("rb") as handle:
            return courses_import(provider=provider, by=by, lines=handle, options=ImportOptions(**options))
    return courses_import(provider=provider, by=by, lines=lines, options=ImportOptions(**options))


def db_counts() -> tuple[int, int, int, int]:
    return (MicroCredential.objects.count(), MicroCredentialVersion.objects.count(),
            LearningOutcome.objects.count(), AuditEntry.objects.count())


def current(provider: Any, code: str) -> MicroCredentialVersion:
    return MicroCredentialVersion.objects.filter(
        micro_credential__provider=provider, micro_credential__code=code
    ).order_by("-number").first()  # type: ignore[return-value]


def command(*args: str) -> str:
    out = StringIO()
    call_command("import_courses", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def aalto_registrar(aalto: Any) -> Any:
    return make_user("riku.registrar@aalto.example", "Riku Registrar", aalto, "registrar")


# --- a good file ----------------------------------------------------------------------------------

def test_a_good_file_becomes_drafts_of_the_provider_with_the_validators_findings(aalto, aalto_designer):
    report = run(aalto, aalto_designer)

    rows = sample_rows()
    assert report.ok and report.written and report.invalid == 0
    assert report.created == len(rows) == MicroCredential.objects.filter(provider=aalto).count()
    assert [row.line for row in report.rows] == list(range(1, len(rows) + 1))
    assert set(MicroCredentialVersion.objects.values_list("state", flat=True)) == {VersionState.DRAFT}
    by_code = {row.code: row for row in report.rows}
    # The 0-credit course and the course without outcomes are imported, with the validator's errors.
    assert "ects.out_of_range" in {finding.code for finding in by_code["ARTS-EV"].findings}
    assert "learning_outcomes.missing" in {finding.code for finding in by_code["31L20012"].findings}
    assert report.with_errors == sum(1 for row in report.rows if row.has_finding_errors) > 0


def test_imported_rows_carry_the_exports_content(aalto, aalto_designer):
    run(aalto, aalto_designer)

    chem = current(aalto, "CHEM-E3205")
    assert chem.title == {"en": "Bioprocess Optimization and Simulation D"}
    assert (chem.ects, chem.hours, chem.eqf_level, chem.cycle) == (Decimal("5.0"), 135, 7, "second")
    assert chem.languages == ["en"]
    assert chem.assessment_type == "assignments"  # from the options
    # The export's own English assessment text wins; the options fill Finnish and Swedish.
    assert chem.assessment_description["fi"] == DEFAULTS["assessment_description"]["fi"]
    assert chem.assessment_description["en"] != DEFAULTS["assessment_description"]["en"]
    postgraduate = current(aalto, "21L53609")
    assert (postgraduate.eqf_level, postgraduate.cycle, postgraduate.grading_scale) == (8, "third", "pass_fail")
    assert current(aalto, "AAE-E3095").participation_form == "blended"  # from the realisation type


def test_names_lose_the_realisation_type_that_the_export_appended(aalto, aalto_designer):
    run(aalto, aalto_designer)

    # name_en "Master's Thesis Seminar, Lectures"; name_sv is only "Närundervisning" (contact teaching);
    # name_fi repeats the English name.
    assert current(aalto, "28E99905").title == {"en": "Master's Thesis Seminar"}
    # name_sv "Föreläsning" (lecture) is not a Swedish title.
    assert current(aalto, "20E99904").title == {"en": "Capstone: Business Development Project"}
    assert current(aalto, "ALC-4320").title == {"fi": "Ranska 2", "sv": "Franska 2", "en": "French 2"}


def test_a_text_that_the_export_repeats_under_other_languages_is_kept_once_in_its_own_language(aalto, aalto_designer):
    finnish = "Opiskelija osaa suunnitella valaistuksen ja toteuttaa sen kuvauksissa."
    row = {"code": "ELO-COPY", "name_fi": "Valaisu", "name_sv": "Belysning", "name_en": "Lighting",
           "credits_min": 5, "credits_max": 5, "level": "basic-studies", "teaching_languages": ["fi"],
           "learning_outcomes_fi": finnish, "learning_outcomes_sv": finnish, "learning_outcomes_en": finnish}

    run(aalto, aalto_designer, lines=[json.dumps(row).encode()])

    assert [o.text for o in current(aalto, "ELO-COPY").outcomes.all()] == [{"fi": finnish}]


def test_learning_outcomes_are_split_into_statements_paired_across_languages(aalto, aalto_designer):
    run(aalto, aalto_designer)

    outcomes = [o.text for o in current(aalto, "ARTS-A0124").outcomes.all()]
    assert len(outcomes) == 5
    assert all(set(text) == {"fi", "sv", "en"} for text in outcomes)
    assert outcomes[1]["en"] == "You are able to use artistic work as a tool for thinking."
    # The introduction "After completing the course, students will be able to" is not an outcome.
    capstone = [o.text["en"] for o in current(aalto, "20E99904").outcomes.all()]
    assert capstone[0].startswith("identify, analyse and solve real-life business problems")
    assert len(capstone) == 6


def test_a_credit_range_takes_the_minimum_and_says_so(aalto, aalto_designer):
    report = run(aalto, aalto_designer)

    row = next(row for row in report.rows if row.code == "42E01200")
    assert current(aalto, "42E01200").ects == Decimal("3.0")
    assert any("3–6" in note for note in row.notes)


def test_fractional_credits_are_kept_and_rounded_to_a_tenth(aalto, aalto_designer):
    report = run(aalto, aalto_designer, DATA / "courses_handmade.jsonl")

    assert (current(aalto, "OSM-HM-1").ects, current(aalto, "OSM-HM-1").hours) == (Decimal("2.5"), 68)
    assert current(aalto, "OSM-HM-2").ects == Decimal("1.3")  # "1,25" in the export
    assert any("1.25" in note for note in report.rows[1].notes)


def test_the_command_prints_each_row_with_its_findings_and_a_summary(aalto, aalto_designer):
    output = command(str(SAMPLE), "--provider", "aalto", "--user", aalto_designer.email,
                     "--level-map", "other-studies=6", "--assessment-type", "assignments",
                     "--quality-assurance", "internal_qa_audited")

    assert "line 30  ARTS-EV  created (version 1, draft)" in output
    assert "ects.out_of_range" in output
    assert f"Summary: {len(sample_rows())} created, 0 updated, 0 unchanged, 0 published" in output
    assert current(aalto, "ARTS-EV").quality_assurance == "internal_qa_audited"


def test_the_command_takes_three_language_texts_and_a_defaults_file(aalto, aalto_designer, tmp_path):
    defaults = tmp_path / "defaults.json"
    defaults.write_text(json.dumps({"target_group": {"fi": "Insinöörit", "en": "Engineers"},
                                    "stackability": "stackable"}), encoding="utf-8")
    command(str(DATA / "courses_handmade.jsonl"), "--provider", "aalto", "--user", aalto_designer.email,
            "--defaults", str(defaults), "--stackability", "standalone",
            "--quality-assurance-text-sv", "Universitetets kvalitetssystem.")

    version = current(aalto, "OSM-HM-1")
    assert version.target_group == {"fi": "Insinöörit", "en": "Engineers"}
    assert version.stackability == "standalone"  # the command line wins over the file
    assert version.quality_assurance_description == {"sv": "Universitetets kvalitetssystem."}


def test_a_defaults_file_with_an_unknown_field_is_refused(aalto, aalto_designer, tmp_path):
    defaults = tmp_path / "defaults.json"
    defaults.write_text(json.dumps({"ects": 5}), encoding="utf-8")
    with pytest.raises(CommandError, match="cannot be given as defaults: ects"):
        command(str(SAMPLE), "--provider", "aalto", "--user", aalto_designer.email, "--defaults", str(defaults))
    assert MicroCredential.objects.count() == 0


def test_a_hyphenated_command_name_runs_the_django_command():
    assert command_line(["osaamo", "import-courses", "file.jsonl", "--dry-run"]) == [
        "osaamo", "import_courses", "file.jsonl", "--dry-run"]
    assert command_line(["osaamo", "--help"]) == ["osaamo", "--help"]


# --- publishing -----------------------------------------------------------------------------------

def test_publish_publishes_exactly_the_rows_that_pass_every_rule(aalto, aalto_admin):
    report = run(aalto, aalto_admin, publish=True)

    passing = {row.code for row in report.rows if not row.has_finding_errors}
    failing = {row.code for row in report.rows if row.has_finding_errors}
    assert passing and failing
    assert {row.code for row in report.rows if row.published} == passing
    published = set(MicroCredential.objects.filter(versions__state=VersionState.PUBLISHED)
                    .values_list("code", flat=True))
    assert published == passing
    assert report.published == len(passing)


def test_publishing_needs_the_administrator_role(aalto, aalto_designer):
    before = db_counts()
    with pytest.raises(PermissionDenied):
        run(aalto, aalto_designer, publish=True)
    assert db_counts() == before


# --- importing again ------------------------------------------------------------------------------

def test_importing_the_same_file_again_changes_nothing_and_says_so(aalto, aalto_designer):
    run(aalto, aalto_designer)
    before = db_counts()[:3]

    report = run(aalto, aalto_designer)

    assert report.unchanged == len(sample_rows()) and report.created == report.updated == 0
    assert db_counts()[:3] == before


def test_a_changed_row_updates_its_draft_in_place(aalto, aalto_designer, tmp_path):
    run(aalto, aalto_designer)
    rows = sample_rows()
    rows[0]["name_en"] = "Capstone: Business Development Project (renewed)"
    changed = tmp_path / "changed.jsonl"
    changed.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows), encoding="utf-8")

    report = run(aalto, aalto_designer, changed)

    assert (report.updated, report.unchanged, report.created) == (1, len(rows) - 1, 0)
    assert MicroCredential.objects.count() == len(rows)
    version = current(aalto, rows[0]["code"])
    assert (version.number, version.state) == (1, VersionState.DRAFT)
    assert version.title["en"] == "Capstone: Business Development Project (renewed)"


def test_a_published_micro_credential_gets_a_new_draft_only_when_something_changed(aalto, aalto_admin, tmp_path):
    run(aalto, aalto_admin, DATA / "courses_handmade.jsonl", publish=True)
    assert current(aalto, "OSM-HM-1").state == VersionState.PUBLISHED

    again = run(aalto, aalto_admin, DATA / "courses_handmade.jsonl")
    assert again.unchanged == 2
    assert MicroCredentialVersion.objects.count() == 2

    lines = (DATA / "courses_handmade.jsonl").read_text(encoding="utf-8").split("\n")
    first = json.loads(lines[0])
    first["content_en"] = "You learn to apply the GDPR in your own organisation."
    changed = tmp_path / "changed.jsonl"
    changed.write_text("\n".join([json.dumps(first, ensure_ascii=False), *lines[1:]]), encoding="utf-8")

    report = run(aalto, aalto_admin, changed)

    assert (report.updated, report.unchanged) == (1, 1)
    versions = list(MicroCredentialVersion.objects.filter(micro_credential__code="OSM-HM-1").order_by("number"))
    assert [(v.number, v.state) for v in versions] == [(1, VersionState.PUBLISHED), (2, VersionState.DRAFT)]
    assert versions[1].description["en"] == "You learn to apply the GDPR in your own organisation."
    assert versions[0].description["en"] == "You learn to apply the GDPR."


def test_importing_again_keeps_translations_and_skills_added_in_osaamo(aalto, aalto_designer):
    run(aalto, aalto_designer)
    skill, _ = EscoSkill.objects.get_or_create(uri="http://data.europa.eu/esco/skill/osaamo-test-skill",
                                               defaults={"preferred_label": {"en": "test skill"}})
    version = current(aalto, "CHEM-E3205")
    outcomes = [{"text": {**o.text, "fi": f"tavoite {i}"}, "skills": [skill.uri]}
                for i, o in enumerate(version.outcomes.all())]
    version_update(version=version, by=aalto_designer,
                   data={"title": {**version.title, "fi": "Bioprosessien optimointi"}, "learning_outcomes": outcomes})

    report = run(aalto, aalto_designer)

    assert report.unchanged == len(sample_rows())
    version = current(aalto, "CHEM-E3205")
    assert version.title["fi"] == "Bioprosessien optimointi"
    assert all(o.text["fi"].startswith("tavoite") for o in version.outcomes.all())
    assert all(list(o.skills.all()) == [skill] for o in version.outcomes.all())


def test_an_outcome_changed_in_the_export_drops_the_translation_made_for_its_old_text(aalto, aalto_designer,
                                                                                       tmp_path):
    run(aalto, aalto_designer)
    skill, _ = EscoSkill.objects.get_or_create(uri="http://data.europa.eu/esco/skill/osaamo-test-skill",
                                               defaults={"preferred_label": {"en": "test skill"}})
    version = current(aalto, "CHEM-E3205")
    version_update(version=version, by=aalto_designer, data={"learning_outcomes": [
        {"text": {**o.text, "fi": f"tavoite {i}"}, "skills": [skill.uri]} for i, o in enumerate(version.outcomes.all())
    ]})
    rows = sample_rows()
    chem = next(row for row in rows if row["code"] == "CHEM-E3205")
    first = "build kinetic simulation models of the cell growth and product formation"
    assert first in chem["learning_outcomes_en"]
    for language in ("fi", "sv", "en"):  # Sisu repeats the English text in the other languages
        field = f"learning_outcomes_{language}"
        chem[field] = chem[field].replace(first, "design a bioreactor experiment")
    changed = tmp_path / "changed.jsonl"
    changed.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows), encoding="utf-8")

    report = run(aalto, aalto_designer, changed)

    assert report.updated == 1
    outcomes = list(current(aalto, "CHEM-E3205").outcomes.all())
    assert outcomes[0].text == {"en": "design a bioreactor experiment"} and not outcomes[0].skills.exists()
    assert all(o.text["fi"].startswith("tavoite") and list(o.skills.all()) == [skill] for o in outcomes[1:])


# --- bad input ------------------------------------------------------------------------------------

def test_a_bad_file_reports_each_bad_line_and_writes_nothing(aalto, aalto_designer):
    before = db_counts()

    report = run(aalto, aalto_designer, DATA / "courses_bad.jsonl")

    assert not report.ok and not report.written
    invalid = {row.line: " ".join(row.errors) for row in report.rows if row.status == RowStatus.INVALID}
    assert sorted(invalid) == [2, 3, 4, 5, 6, 9, 11]
    assert "not valid JSON" in invalid[2]
    assert "course code (code) is missing" in invalid[3]
    assert "course name" in invalid[4]
    assert "credits_min must be a number, not “five”" in invalid[5]
    assert "Unknown study level “licentiate-studies”" in invalid[6]
    assert "not a JSON object" in invalid[9]
    assert "already appeared on line 1" in invalid[11]
    assert db_counts() == before


def test_the_command_refuses_a_bad_file_with_line_numbers_and_a_non_zero_exit(aalto, aalto_designer):
    out = StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 7 rows are invalid") as error:
        call_command("import_courses", str(DATA / "courses_bad.jsonl"), "--provider", "aalto",
                     "--user", aalto_designer.email, stdout=out)
    assert error.value.returncode == 1
    assert "line 5  OSM-BAD-5  invalid, not imported" in out.getvalue()
    assert MicroCredential.objects.count() == 0


def test_skip_invalid_imports_the_valid_rows_and_reports_the_rest(aalto, aalto_designer):
    report = run(aalto, aalto_designer, DATA / "courses_bad.jsonl", skip_invalid=True)

    assert report.ok and report.written
    assert report.invalid == 7
    assert sorted(MicroCredential.objects.values_list("code", flat=True)) == ["OSM-BAD-1", "OSM-BAD-10", "OSM-BAD-7"]


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(aalto, aalto_admin):
    before = db_counts()

    report = run(aalto, aalto_admin, publish=True, dry_run=True)

    assert report.created == len(sample_rows()) and report.published > 0
    assert not report.written
    assert db_counts() == before


def test_a_study_level_without_a_mapping_is_invalid_until_it_is_mapped(aalto, aalto_designer):
    refused = run(aalto, aalto_designer, level_map=DEFAULT_LEVEL_MAP)
    other_levels = [row["code"] for row in sample_rows() if row["level"] == "other-studies"]
    assert sorted(row.code for row in refused.rows if row.status == RowStatus.INVALID) == sorted(other_levels)
    assert MicroCredential.objects.count() == 0

    mapped = run(aalto, aalto_designer, level_map={**DEFAULT_LEVEL_MAP, "other-studies": None})
    assert mapped.ok and current(aalto, other_levels[0]).eqf_level is None


def test_a_file_not_in_utf8_is_refused_with_the_lines_that_cannot_be_read(aalto, aalto_designer):
    report = run(aalto, aalto_designer, DATA / "courses_latin1.jsonl")

    invalid = [row for row in report.rows if row.status == RowStatus.INVALID]
    assert [row.line for row in invalid] == [2, 3]
    assert "not UTF-8 text (byte 0xe4" in invalid[0].errors[0]
    assert MicroCredential.objects.count() == 0


def test_a_utf16_file_is_refused_with_a_clear_message(aalto, aalto_designer):
    with pytest.raises(CommandError, match="UTF-16"):
        command(str(DATA / "courses_utf16.jsonl"), "--provider", "aalto", "--user", aalto_designer.email)
    assert MicroCredential.objects.count() == 0


def test_an_empty_file_is_refused_with_a_clear_message(aalto, aalto_designer):
    with pytest.raises(CommandError, match="The file is empty"):
        command(str(DATA / "courses_empty.jsonl"), "--provider", "aalto", "--user", aalto_designer.email)
    assert "only empty lines" in run(aalto, aalto_designer, lines=[b"\n", b"  \n"]).fatal


def test_a_missing_file_is_refused_with_a_clear_message(aalto, aalto_designer, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        command(str(tmp_path / "nothing.jsonl"), "--provider", "aalto", "--user", aalto_designer.email)


def test_rows_are_imported_while_the_file_is_read(aalto, aalto_designer):
    """A big export streams: each row is written before the next line is read."""
    sample = SAMPLE.read_bytes().split(b"\n")

    def lines() -> Iterator[bytes]:
        for number, line in enumerate(sample[:3], start=1):
            assert MicroCredential.objects.filter(provider=aalto).count() == number - 1
            yield line + b"\n"

    assert run(aalto, aalto_designer, lines=lines()).created == 3


def test_with_a_row_callback_rows_are_handed_over_instead_of_kept(aalto, aalto_designer):
    handed: list[Any] = []
    with (DATA / "courses_bad.jsonl").open("rb") as handle:
        report = courses_import(provider=aalto, by=aalto_designer, lines=handle, on_row=handed.append,
                                options=ImportOptions(skip_invalid=True))

    assert report.rows == []
    assert [row.line for row in handed] == [1, 2, 3, 4, 5, 6, 7, 9, 10, 11]
    assert (report.created, report.invalid) == (3, 7)


# --- who may import where -------------------------------------------------------------------------

def test_no_one_can_import_into_a_provider_they_are_not_staff_of(aalto, helsinki_admin):
    before = db_counts()
    with pytest.raises(PermissionDenied):
        run(aalto, helsinki_admin)
    with pytest.raises(CommandError, match="Only the provider's designers and administrators"):
        command(str(SAMPLE), "--provider", "aalto", "--user", helsinki_admin.email)
    assert db_counts() == before


def test_a_registrar_cannot_import(aalto, aalto_registrar):
    with pytest.raises(PermissionDenied):
        run(aalto, aalto_registrar)
    assert MicroCredential.objects.count() == 0


def test_courses_cannot_be_imported_into_an_employer(aalto_designer, employer):
    make_user(aalto_designer.email, organisation=employer, role="employer_admin")
    with pytest.raises(InvalidInput):
        run(employer, aalto_designer)


def test_unknown_user_or_provider_are_clear_errors(aalto, aalto_designer):
    with pytest.raises(CommandError, match="No active user"):
        command(str(SAMPLE), "--provider", "aalto", "--user", "nobody@example.com")
    with pytest.raises(CommandError, match="No organisation with the short name nowhere"):
        command(str(SAMPLE), "--provider", "nowhere", "--user", aalto_designer.email)


def test_an_import_leaves_an_audit_row(aalto, aalto_designer):
    run(aalto, aalto_designer, DATA / "courses_handmade.jsonl")
    entry = AuditEntry.objects.get(action="catalog.courses_imported")
    assert entry.organisation_id == aalto.pk and entry.actor_id == aalto_designer.pk
    assert entry.data["created"] == 2


def test_an_unknown_isced_code_is_refused_before_anything_is_read(aalto, aalto_designer):
    with pytest.raises(InvalidInput):
        run(aalto, aalto_designer, defaults={"isced_f": "ABCD"})
    assert MicroCredential.objects.count() == 0
    assert IscedField.objects.filter(code="0613").exists()  # ISCED-F 2013 arrives with the framework's data
    run(aalto, aalto_designer, DATA / "courses_handmade.jsonl", defaults={**DEFAULTS, "isced_f": "0613"})
    assert current(aalto, "OSM-HM-1").isced_field_id == "0613"


# --- splitting learning outcomes ------------------------------------------------------------------

@pytest.mark.parametrize(("text", "statements"), [
    ("After the course the student can:\n- analyse risks\n- draft a privacy notice",
     ["analyse risks", "draft a privacy notice"]),
    ("Opiskelija osaa 1. käyttää ohjelmistoja, 2. luokitella malleja ja 3. visualisoida tuloksia",
     ["käyttää ohjelmistoja", "luokitella malleja", "visualisoida tuloksia"]),
    ("1 Design games in groups2 Communicate with a project group3 Describe production methods",
     ["Design games in groups", "Communicate with a project group", "Describe production methods"]),
    ("You can write SQL, e.g. joins. You can design a schema.",
     ["You can write SQL, e.g. joins.", "You can design a schema."]),
    ("Kurssin jälkeen opiskelija osaa: \n-\u00a0ratkaista yhtälön-\u00a0kuvata systeemin",
     ["ratkaista yhtälön", "kuvata systeemin"]),
    ("The student will - apply the method - model machines - evaluate results",
     ["apply the method", "model machines", "evaluate results"]),
    ("-", []),
])
def test_outcome_text_is_split_into_statements(text, statements):
    assert split_outcomes(text) == statements
