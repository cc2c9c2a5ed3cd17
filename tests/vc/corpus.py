"""Documents on which the fast JSON-LD path must equal PyLD and jsonld.js byte for byte."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
STRINGS = [
    "plain",
    "Jyväskylä – åäö ÅÄÖ",
    'quote " and backslash \\',
    "tab\tnewline\ncarriage\rreturn",
    "control \x01\x1f\x7f chars",
    "emoji 🎓 and CJK 学位",
    "  spaces  ",
    "",
]
NUMBERS: list[Any] = [0, 5, 5.0, 2.5, -3, 59, 0.1, 1e21, 123456789012, 1.5e-07, 3.14159]


def micro_credential() -> dict[str, Any]:
    return json.loads((HERE / "fixtures" / "micro_credential.json").read_text(encoding="utf-8"))


def variations(count: int, seed: int = 20250613) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    base = micro_credential()
    out = []
    for n in range(count):
        doc = copy.deepcopy(base)
        achievement = doc["credentialSubject"]["achievement"]
        rng.shuffle(achievement["alignment"])
        del achievement["alignment"][rng.randrange(len(achievement["alignment"])) :]
        achievement["name"] = rng.choice(STRINGS) + f" {n}"
        achievement["criteria"]["narrative"] = rng.choice(STRINGS)
        achievement["creditsAvailable"] = rng.choice(NUMBERS)
        doc["credentialSubject"]["creditsEarned"] = rng.choice(NUMBERS)
        doc["id"] = f"urn:uuid:00000000-0000-4000-8000-{n:012d}"
        if rng.random() < 0.5:
            doc["credentialSubject"]["id"] = f"did:key:z6Mk{n}"
        if rng.random() < 0.3:
            doc["name"] = [{"@value": rng.choice(STRINGS), "@language": rng.choice(["fi", "sv", "EN-gb"])}]
        if rng.random() < 0.3:
            doc["credentialStatus"] = doc["credentialStatus"][:1]
        if rng.random() < 0.3:
            achievement["tag"] = [rng.choice(STRINGS) for _ in range(rng.randrange(4))]
        if rng.random() < 0.3:
            doc["issuer"] = doc["issuer"]["id"]
        if rng.random() < 0.3:
            doc["validUntil"] = "2030-01-01T00:00:00Z"
        if rng.random() < 0.2:
            doc["credentialSubject"]["result"][0]["value"] = rng.choice(NUMBERS)
        if rng.random() < 0.2:
            doc["evidence"] = [
                {
                    "id": f"https://osaamo.example.fi/evidence/{n}",
                    "type": ["Evidence"],
                    "narrative": rng.choice(STRINGS),
                    "genre": "project",
                }
            ]
        if rng.random() < 0.2:
            doc["undefinedTerm"] = "dropped by JSON-LD"
        out.append(doc)
    return out


def vc11_credential() -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
            "https://w3id.org/security/suites/ed25519-2020/v1",
        ],
        "id": "http://example.edu/credentials/3732",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://example.edu/issuers/565049", "type": "Profile", "name": "Example University"},
        "issuanceDate": "2010-01-01T00:00:00Z",
        "expirationDate": "2030-01-01T00:00:00Z",
        "name": "Example University Degree",
        "credentialSubject": {
            "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
            "type": "AchievementSubject",
            "achievement": {
                "id": "https://example.com/achievements/21st-century-skills/teamwork",
                "type": "Achievement",
                "criteria": {"narrative": "Team members are nominated for this badge by their peers."},
                "description": "This badge recognizes the development of the capacity to collaborate.",
                "name": "Teamwork",
                "achievementType": "Competency",
                "creditsAvailable": 2.5,
            },
        },
    }


def older_ob_contexts() -> list[dict[str, Any]]:
    docs = []
    # 3.0.0 and 3.0.1 redefine terms the VC 2.0 context protects: they were used with VC 1.1
    for ctx in ("context.json", "context-3.0.1.json"):
        doc = vc11_credential()
        doc["@context"] = ["https://www.w3.org/2018/credentials/v1", f"https://purl.imsglobal.org/spec/ob/v3p0/{ctx}"]
        docs.append(doc)
    for ctx in ("context-3.0.2.json", "context-3.0.3.json"):
        doc = vc11_credential()
        doc["@context"] = ["https://www.w3.org/ns/credentials/v2", f"https://purl.imsglobal.org/spec/ob/v3p0/{ctx}"]
        doc["validFrom"] = doc.pop("issuanceDate")
        doc.pop("expirationDate")
        docs.append(doc)
    return docs


def did_documents() -> list[dict[str, Any]]:
    key = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    did = "did:web:osaamo.example.fi:issuers:jyu"
    return [
        {
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": did,
            "verificationMethod": [
                {"id": f"{did}#key-1", "type": "Multikey", "controller": did, "publicKeyMultibase": key}
            ],
            "assertionMethod": [f"{did}#key-1"],
        },
        {
            "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/ed25519-2020/v1"],
            "id": "did:example:123",
            "verificationMethod": [
                {
                    "id": "did:example:123#k",
                    "type": "Ed25519VerificationKey2020",
                    "controller": "did:example:123",
                    "publicKeyMultibase": key,
                }
            ],
            "authentication": ["did:example:123#k"],
        },
    ]


def status_list_credential() -> dict[str, Any]:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "https://example.com/credentials/status/3",
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": "did:example:12345",
        "validFrom": "2021-04-05T14:27:40Z",
        "credentialSubject": {
            "id": "https://example.com/status/3#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
        },
    }


def vectors() -> list[dict[str, Any]]:
    folder = HERE / "vectors" / "vc-di-eddsa"
    docs = []
    for name in ("eddsa-rdfc-2022-signedDataInt.json", "Ed25519Signature2020-signedEdSig.json"):
        doc = json.loads((folder / name).read_text(encoding="utf-8"))
        proof = doc.pop("proof")
        docs.append(doc)
        config = {k: v for k, v in proof.items() if k != "proofValue"}
        config["@context"] = doc["@context"]
        docs.append(config)
    return docs


def line_separators() -> dict[str, Any]:
    """U+2028, U+2029 and U+0085 stay raw in canonical N-Quads (only C0 controls and DEL are
    escaped), in literals of blank-node quads and of ground quads; none of them ends a line."""
    doc = micro_credential()
    doc["name"] = "line\u2028separator"
    doc["credentialSubject"]["identifier"][0]["salt"] = "next\x85line"
    doc["credentialSubject"]["achievement"]["criteria"]["narrative"] = "one\u2029two\u2028three\x85four"
    return doc


def corpus() -> list[dict[str, Any]]:
    return [
        micro_credential(),
        line_separators(),
        *vectors(),
        vc11_credential(),
        *older_ob_contexts(),
        *did_documents(),
        status_list_credential(),
        *variations(40),
    ]
