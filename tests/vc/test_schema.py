"""The OB 3.0 AchievementCredential JSON Schema check: the official 1EdTech file, bundled."""

from __future__ import annotations

import copy
import hashlib
import json
from importlib import resources
from typing import Any

import pytest

import osaamo.vc as vc
from osaamo.vc.schema import ACHIEVEMENT_CREDENTIAL_SCHEMA_ID, json_pointer, schema_errors, schema_report
from tests.vc.conftest import HERE, NOW, Issuer

SPEC_EXAMPLES = HERE / "vectors" / "ob-v3p0"
SCHEMA_FILE = "ob_v3p0_achievementcredential_schema.json"
SCHEMA_SHA256 = "b7358e895f492e74055dc6bfc7ffc420d0e497f90c4579fb83d9519b86d393ea"


def _spec_example(name: str) -> dict[str, Any]:
    return json.loads((SPEC_EXAMPLES / name).read_text(encoding="utf-8"))


def _pointers(document: dict[str, Any]) -> list[str]:
    return [v.pointer for v in schema_report(document).violations]


def _schema_check(issuer: Issuer, document: dict[str, Any], **kwargs: Any) -> vc.Check:
    result = vc.verify(document, resolver=issuer.resolver(), status_checker=issuer.fetch, now=NOW, **kwargs)
    check = result.check("schema")
    assert check is not None
    return check


def test_the_bundled_file_is_the_pinned_official_schema():
    folder = resources.files("osaamo.vc").joinpath("schemas")
    data = folder.joinpath(SCHEMA_FILE).read_bytes()
    assert hashlib.sha256(data).hexdigest() == SCHEMA_SHA256
    schema = json.loads(data)
    assert schema["$id"] == ACHIEVEMENT_CREDENTIAL_SCHEMA_ID
    assert schema["$schema"].startswith("https://json-schema.org/draft/2019-09/")
    sources = folder.joinpath("SOURCES.md").read_text(encoding="utf-8")
    assert SCHEMA_FILE in sources and SCHEMA_SHA256 in sources
    # self-contained: no reference leaves the file, so nothing is ever fetched
    text = data.decode("utf-8")
    assert '"$ref" : "#/$defs/' in text and '"$ref" : "http' not in text


@pytest.mark.parametrize("name", ["basic-openbadgecredential.json", "complete-openbadgecredential.json"])
def test_the_specification_examples_are_valid(name):
    report = schema_report(_spec_example(name))
    assert report.valid, report.violations
    assert report.accommodations == []


def test_our_micro_credential_passes_signed_and_verified(issuer, micro_credential):
    signed = vc.issue(micro_credential, signer=issuer.signer, now=NOW)
    check = _schema_check(issuer, signed)
    assert (check.outcome, check.reason) == ("passed", "valid")
    assert check.data["schema"] == ACHIEVEMENT_CREDENTIAL_SCHEMA_ID
    # two status entries (revocation, suspension): read the VC 2.0 way, and said so
    assert "credentialStatus has 2 entries" in check.data["accommodations"][0]
    assert "errors" not in check.data


def test_proof_as_an_object_or_as_an_array(issuer, micro_credential):
    signed = vc.issue(micro_credential, signer=issuer.signer, now=NOW)
    as_array = {**signed, "proof": [signed["proof"]]}
    assert schema_report(signed).valid and schema_report(as_array).valid
    broken = {**signed, "proof": [{**signed["proof"], "created": "yesterday"}]}
    assert _pointers(broken) == ["/proof/0/created"]


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        (lambda d: d["credentialSubject"].pop("achievement"), "/credentialSubject"),
        (lambda d: d["credentialSubject"]["achievement"].pop("criteria"), "/credentialSubject/achievement"),
        (lambda d: d.pop("issuer"), ""),
        (lambda d: d.pop("validFrom"), ""),
        # a JSON-LD language value object is not a name the schema accepts (a plain string or a
        # language map like {"fi": …} is)
        (
            lambda d: d["credentialSubject"]["achievement"].update(name={"@value": "Nimi", "@language": "fi"}),
            "/credentialSubject/achievement/name",
        ),
        (lambda d: d.update(name=["Two", "names"]), "/name"),
        (
            lambda d: d["credentialSubject"]["achievement"].update(creditsAvailable="5"),
            "/credentialSubject/achievement/creditsAvailable",
        ),
        (
            lambda d: d["credentialSubject"]["identifier"][0].update(hashed="yes"),
            "/credentialSubject/identifier/0/hashed",
        ),
        (
            lambda d: d["credentialSubject"]["achievement"]["alignment"][2].pop("targetName"),
            "/credentialSubject/achievement/alignment/2",
        ),
        (lambda d: d["credentialSubject"]["result"][0].update(value=4), "/credentialSubject/result/0/value"),
        (lambda d: d.update(validFrom="2025-13-01T00:00:00Z"), "/validFrom"),
        (lambda d: d.update(validFrom="2025-06-13"), "/validFrom"),
        (lambda d: d.update(type=["VerifiableCredential"]), "/type"),
        (lambda d: d.update({"@context": ["https://www.w3.org/ns/credentials/v2"]}), "/@context"),
    ],
)
def test_broken_credentials_fail_with_the_pointer_of_the_error(micro_credential, change, pointer):
    document = copy.deepcopy(micro_credential)
    change(document)
    pointers = _pointers(document)
    assert pointers and pointers[0] == pointer, pointers


def test_every_status_entry_is_checked(micro_credential):
    document = copy.deepcopy(micro_credential)
    del document["credentialStatus"][1]["type"]
    document["credentialStatus"][0]["id"] = 7
    assert _pointers(document) == ["/credentialStatus/1", "/credentialStatus/0/id"]  # shallowest first


def test_a_language_map_name_is_accepted_by_the_official_schema(micro_credential):
    document = copy.deepcopy(micro_credential)
    document["credentialSubject"]["achievement"]["name"] = {"fi": "Saavutettava verkkosuunnittelu", "en": "x"}
    assert schema_report(document).valid


def test_the_verify_check_fails_with_pointers_and_plain_detail(issuer, micro_credential):
    micro_credential["credentialSubject"]["achievement"]["name"] = {"@value": "Nimi", "@language": "fi"}
    del micro_credential["credentialSubject"]["achievement"]["description"]
    signed = vc.issue(micro_credential, signer=issuer.signer, now=NOW)
    result = vc.verify(signed, resolver=issuer.resolver(), status_checker=issuer.fetch, now=NOW)
    check = result.check("schema")
    assert check is not None
    assert (check.outcome, check.reason) == ("failed", "schema_invalid")
    assert [e["pointer"] for e in check.data["errors"]] == [
        "/credentialSubject/achievement",
        "/credentialSubject/achievement/name",
    ]
    assert "'description' is a required property" in check.detail
    assert not result.verified  # the signature is fine; the document is not an OB 3.0 credential
    assert result.check("proof").outcome == "passed"  # type: ignore[union-attr]


def test_schema_errors_are_pointer_and_message(micro_credential):
    del micro_credential["credentialSubject"]["achievement"]
    assert schema_errors(micro_credential) == ["/credentialSubject: 'achievement' is a required property"]


def test_vc_1_1_open_badges_get_a_warning_not_a_failure(issuer):
    document = {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
        ],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": "did:example:1",
        "issuanceDate": "2020-01-01T00:00:00Z",
        "credentialSubject": {"achievement": {"id": "https://example.org/a"}},
    }
    check = _schema_check(issuer, document)
    assert (check.outcome, check.reason) == ("warning", "schema_not_bundled")
    assert "VC 1.1" in check.detail


def test_other_credentials_are_not_checked_unless_asked(issuer, micro_credential):
    micro_credential["type"] = ["VerifiableCredential"]
    signed = vc.issue(micro_credential, signer=issuer.signer, now=NOW)
    assert _schema_check(issuer, signed).reason == "not_open_badges"
    forced = _schema_check(issuer, signed, schema_check=True)
    assert (forced.outcome, forced.data["errors"][0]["pointer"]) == ("failed", "/type")


@pytest.mark.parametrize(
    "document",
    [
        {"type": "AchievementCredential", "credentialSubject": []},
        {"type": ["AchievementCredential"], "credentialStatus": [None, 5, "x"], "proof": 3},
        {"type": ["AchievementCredential"], "credentialStatus": [], "@context": {"@vocab": 5}},
        {"type": ["AchievementCredential"], "name": {"fi": {"deep": [[[]]]}}, "validFrom": 2025},
    ],
)
def test_malformed_documents_get_a_failed_schema_check_never_an_exception(issuer, document):
    check = _schema_check(issuer, document)
    assert (check.outcome, check.reason) == ("failed", "schema_invalid")
    assert check.data["errors"]


def test_json_pointers_escape_slash_and_tilde():
    assert json_pointer(["a/b", "c~d", 0]) == "/a~1b/c~0d/0"
    assert json_pointer([]) == ""
