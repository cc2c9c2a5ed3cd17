"""Multikey, did:key / did:web, Bitstring Status List."""

from __future__ import annotations

import base64
import gzip

import pytest

import osaamo.vc as vc


def test_multikey_round_trip_and_prefixes():
    key = vc.generate_key_pair()
    public = vc.encode_public_multikey(key.public_key())
    private = vc.encode_private_multikey(key)
    assert public.startswith("z6Mk") and private.startswith("z3u2")
    assert vc.decode_public_multikey(public).public_bytes_raw() == key.public_key().public_bytes_raw()
    assert vc.private_key_from_bytes(vc.private_key_to_bytes(key)).public_key().public_bytes_raw() == (
        key.public_key().public_bytes_raw()
    )


@pytest.mark.parametrize(
    "value",
    ["", "6Mk", "z", "z0OIl", "zDnaegE6RR3atJtHKwTRTWHsJ3kNHqFwv7n9YjTgmU7TyfU76", "uAAAA", 42],
)
def test_bad_multikeys_are_refused(value):
    with pytest.raises(vc.MultibaseError):
        vc.decode_public_multikey(value)  # type: ignore[arg-type]


def test_did_key_resolves_offline():
    multikey = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    document = vc.resolve_did_key(f"did:key:{multikey}#{multikey}")
    assert document["id"] == f"did:key:{multikey}"
    assert document["verificationMethod"][0]["publicKeyMultibase"] == multikey
    assert document["assertionMethod"] == [f"did:key:{multikey}#{multikey}"]


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:pok.example.fi", "https://pok.example.fi/.well-known/did.json"),
        ("did:web:pok.example.fi:issuers:jyu", "https://pok.example.fi/issuers/jyu/did.json"),
        ("did:web:localhost%3A8443", "https://localhost:8443/.well-known/did.json"),
        ("did:web:host%3A8000:issuers:slug", "https://host:8000/issuers/slug/did.json"),
    ],
)
def test_did_web_url_mapping(did, url):
    assert vc.did_web_to_url(did) == url
    assert vc.url_to_did_web(url) == did


def test_did_web_document_keeps_rotated_keys():
    did = "did:web:pok.example.fi:issuers:jyu"
    old, new = vc.generate_key_pair(), vc.generate_key_pair()
    document = vc.build_did_web_document(did, [("key-0", old.public_key()), ("key-1", new.public_key())])
    assert document["@context"] == ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
    assert [m["id"] for m in document["verificationMethod"]] == [f"{did}#key-0", f"{did}#key-1"]
    assert all(m["type"] == "Multikey" and m["controller"] == did for m in document["verificationMethod"])
    assert document["assertionMethod"] == [f"{did}#key-0", f"{did}#key-1"]


def test_status_list_bits_are_msb_first():
    status_list = vc.StatusList()
    status_list.set(0)
    status_list.set(9)
    data = status_list.to_bytes()
    assert data[0] == 0x80 and data[1] == 0x40
    assert status_list.get(0) and status_list.get(9) and not status_list.get(1)
    status_list.set(9, False)
    assert not status_list.get(9)


def test_status_list_encoding_round_trip_and_format():
    status_list = vc.StatusList()
    status_list.set(94567)
    encoded = status_list.encode()
    assert encoded.startswith("u") and "=" not in encoded
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert len(raw) * 8 == vc.MIN_LIST_LENGTH
    assert vc.StatusList.decode(encoded).get(94567)


def test_spec_example_encoded_list_is_an_empty_minimum_list():
    # Bitstring Status List v1.0, example BitstringStatusListCredential
    decoded = vc.StatusList.decode("uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA")
    assert decoded.length == 131_072
    assert not any(decoded.to_bytes())


def test_short_lists_and_bad_encodings_are_refused():
    short = vc.StatusList(1024).encode()
    with pytest.raises(vc.StatusListError) as caught:
        vc.StatusList.decode(short)
    assert caught.value.reason == "list_too_short"
    for bad in ("zabc", "u!!!", "u" + base64.urlsafe_b64encode(b"not gzip").decode()):
        with pytest.raises(vc.StatusListError):
            vc.StatusList.decode(bad)
    with pytest.raises(vc.StatusListError):
        vc.StatusList().get(131_072)


def test_status_list_credential_shape():
    credential = vc.build_status_list_credential(
        list_id="https://pok.example.fi/status/3",
        issuer="did:web:pok.example.fi",
        purpose="revocation",
        status_list=vc.StatusList(),
        valid_from="2025-01-01T00:00:00Z",
    )
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["credentialSubject"]["type"] == "BitstringStatusList"
    entry = vc.status_entry("https://pok.example.fi/status/3", 94567, "revocation")
    assert entry["statusListIndex"] == "94567" and entry["type"] == "BitstringStatusListEntry"
