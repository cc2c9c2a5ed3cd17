"""The shipped reference data: ESCO and ISCED-F loaded by the migration, EQF levels, `osaamo load_esco`."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from osaamo.audit.models import AuditEntry
from osaamo.framework.eqf import eqf_choices, eqf_level, eqf_level_from_uri, eqf_levels
from osaamo.framework.isced import isced_entries
from osaamo.framework.models import EscoSkill, IscedField
from osaamo.framework.reference import ESCO_COLUMNS
from tests.factories import SKILL_DATA_PROTECTION, SKILL_GDPR

pytestmark = pytest.mark.django_db


def test_the_migration_loaded_every_esco_skill() -> None:
    assert EscoSkill.objects.count() == 13_939
    assert EscoSkill.objects.filter(uri__startswith="http://data.europa.eu/esco/skill/").count() == 13_939
    assert EscoSkill.objects.filter(skill_type="knowledge").count() == 3_207
    assert EscoSkill.objects.filter(skill_type="skill/competence").count() == 10_715


def test_esco_skills_keep_labels_descriptions_and_collections() -> None:
    skill = EscoSkill.objects.get(uri=SKILL_DATA_PROTECTION)
    assert skill.preferred_label == {"en": "data protection"}
    assert skill.description
    assert skill.uuid == SKILL_DATA_PROTECTION.rsplit("/", 1)[1]
    gdpr = EscoSkill.objects.get(uri=SKILL_GDPR)
    with translation.override("fi"):
        assert str(gdpr) == "GDPR"  # English is the fallback: no Finnish ESCO labels are shipped
    assert EscoSkill.objects.exclude(alt_labels="").count() > 10_000
    assert EscoSkill.objects.filter(collections__contains="digital").count() > 1_000
    assert not EscoSkill.objects.filter(alt_labels__contains=" | ").exists()


def test_the_search_copies_are_lower_case() -> None:
    skill = EscoSkill.objects.get(uri=SKILL_GDPR)
    assert skill.search_label == "gdpr"
    assert all(line == line.lower() for line in skill.search_alt_labels.splitlines())


def test_saving_a_skill_keeps_its_search_copies_in_step() -> None:
    skill = EscoSkill.objects.create(uri="http://data.europa.eu/esco/skill/test-1",
                                     preferred_label={"en": "Quantum Knitting"}, alt_labels="Loom Physics")
    assert (skill.search_label, skill.search_alt_labels) == ("quantum knitting", "\nloom physics\n")


def test_the_migration_loaded_all_220_isced_fields_with_parents_and_three_languages() -> None:
    assert IscedField.objects.count() == 220
    counts = {level: IscedField.objects.filter(level=level).count() for level in ("broad", "narrow", "detailed")}
    assert counts == {"broad": 12, "narrow": 58, "detailed": 150}
    for field in IscedField.objects.select_related("parent"):
        assert set(field.label) == {"fi", "sv", "en"}, field.code
        assert len(set(field.label.values())) == 3, field.code
        if field.level == "broad":
            assert field.parent is None
        else:
            assert field.parent is not None and field.code.startswith(field.parent.code)
            assert len(field.parent.code) == len(field.code) - 1


def test_isced_labels_are_capitalised_and_translated() -> None:
    law = IscedField.objects.get(code="0421")
    assert law.label == {"en": "Law", "fi": "Oikeustiede", "sv": "Juridik"}
    assert law.uri == "http://data.europa.eu/snb/isced-f/0421"
    ict = IscedField.objects.get(code="06")
    assert ict.label["en"] == "Information and communication technologies (ICTs)"
    with translation.override("sv"):
        assert str(IscedField.objects.get(code="0613")).startswith("0613 Utveckling")
    assert all(field.label["en"][0].isupper() for field in IscedField.objects.all())


def test_the_validator_knows_the_same_isced_codes_as_the_database() -> None:
    assert set(isced_entries()) == set(IscedField.objects.values_list("code", flat=True))


# --- EQF --------------------------------------------------------------------------------------------

def test_eight_eqf_levels_with_descriptors_in_three_languages() -> None:
    levels = eqf_levels()
    assert [level.level for level in levels] == [1, 2, 3, 4, 5, 6, 7, 8]
    for level in levels:
        for language in ("fi", "sv", "en"):
            descriptors = level.descriptors(language)
            assert all(descriptors.values()), (level.level, language)
        assert len({level.descriptors(language)["knowledge"] for language in ("fi", "sv", "en")}) == 3
        assert level.uri == f"http://data.europa.eu/snb/eqf/{level.level}"


def test_eqf_level_gives_the_official_english_and_translated_descriptors() -> None:
    six = eqf_level(6)
    assert six.descriptors("en")["knowledge"] == (
        "Advanced knowledge of a field of work or study, involving a critical understanding of theories and principles"
    )
    with translation.override("fi"):
        assert six.knowledge.startswith("Työ- tai opintoalan syvällinen tietämys")
        assert str(six.title) == "EQF-taso 6"
    with translation.override("sv"):
        assert six.skills.startswith("Avancerade färdigheter")
        assert str(six.title) == "EQF-nivå 6"
    with translation.override("en"):
        assert six.responsibility_and_autonomy.startswith("Manage complex technical or professional activities")


def test_eqf_lookups() -> None:
    with pytest.raises(KeyError):
        eqf_level(9)
    level = eqf_level_from_uri("http://data.europa.eu/snb/eqf/7")
    assert level is not None and level.level == 7
    assert eqf_level_from_uri("http://data.europa.eu/snb/eqf/x") is None
    with translation.override("en"):
        assert eqf_choices()[0] == (1, "EQF level 1")


# --- osaamo load_esco -------------------------------------------------------------------------------

def _write_csv(path: Path, rows: list[dict[str, str]], *, compress: bool = False) -> Path:
    columns = [*ESCO_COLUMNS, "label_source"]  # the shared merged file has extra columns; they are ignored
    opener: Any = gzip.open if compress else open
    with opener(path, "wt", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({name: row.get(name, "") for name in columns})
    return path


def test_load_esco_adds_updates_and_is_idempotent(tmp_path: Path, capsys: Any) -> None:
    new_uri = "http://data.europa.eu/esco/skill/00000000-0000-4000-8000-000000000001"
    rows = [
        {"conceptUri": SKILL_GDPR, "preferredLabel": "GDPR", "altLabels": "General Data Protection Regulation",
         "description": "Changed description.", "skillType": "knowledge", "collections": "digital"},
        {"conceptUri": new_uri, "preferredLabel": "operate a micro-credential platform",
         "altLabels": "run Osaamo | administer Osaamo", "skillType": "skill/competence"},
        {"conceptUri": "http://data.europa.eu/esco/occupation/abc", "preferredLabel": "not a skill"},
    ]
    path = _write_csv(tmp_path / "skills.csv", rows)

    call_command("load_esco", str(path))
    assert "1 added, 1 updated, 0 unchanged" in capsys.readouterr().out
    assert EscoSkill.objects.count() == 13_940
    assert EscoSkill.objects.get(uri=SKILL_GDPR).description == "Changed description."
    new = EscoSkill.objects.get(uri=new_uri)
    assert new.alt_labels == "run Osaamo\nadminister Osaamo"
    assert new.search_alt_labels == "\nrun osaamo\nadminister osaamo\n"
    assert AuditEntry.objects.filter(action="framework.esco_loaded").count() == 1

    call_command("load_esco", str(path))
    assert "0 added, 0 updated, 2 unchanged" in capsys.readouterr().out
    assert EscoSkill.objects.count() == 13_940


def test_load_esco_reads_gzip_files(tmp_path: Path, capsys: Any) -> None:
    skill = EscoSkill.objects.get(uri=SKILL_DATA_PROTECTION)
    row = {"conceptUri": skill.uri, "preferredLabel": "data protection", "altLabels": skill.alt_labels,
           "description": skill.description, "skillType": skill.skill_type, "collections": skill.collections}
    call_command("load_esco", str(_write_csv(tmp_path / "skills.csv.gz", [row], compress=True)))
    assert "0 added, 0 updated, 1 unchanged" in capsys.readouterr().out


def test_load_esco_refuses_a_file_that_is_not_an_esco_csv(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("name,email\nAino,aino@example.com\n", encoding="utf-8")
    with pytest.raises(CommandError, match="not an ESCO skills CSV file"):
        call_command("load_esco", str(path))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("load_esco", str(tmp_path / "missing.csv"))
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(b"not gzip at all")
    with pytest.raises(CommandError, match="not an ESCO skills CSV file"):
        call_command("load_esco", str(broken))
    assert EscoSkill.objects.count() == 13_939
