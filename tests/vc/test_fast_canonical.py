"""The fast canonical path equals the libraries: pyoxigraph (RDFC-1.0), PyLD and jsonld.js.

What is shortcut and why it is exact (RDFC-1.0 §4.4.3):
- quads without a blank node are left as they are by canonicalization (steps 2-6 read only quads
  that mention a blank node, step 7 relabels blank nodes), so only the others go to pyoxigraph;
- with a single blank node there is one first-degree hash, and step 5 labels it ``c14n0``;
- when every blank node's first-degree hash is its own, step 4 labels them all in hash order
  (no N-degree hashing); a shared hash leaves the whole algorithm to pyoxigraph.
Every document here is checked against pyoxigraph canonicalizing *all* its quads.
"""

from __future__ import annotations

import copy
import json
import os
import random
from typing import Any

import base58
import pyoxigraph as ox
import pytest

import osaamo.vc as vc
from osaamo.vc.canonical import (
    _cache_for,
    _sorted_nquads,
    canonical_nquads_of,
    canonicalize,
    first_degree_canonical_lines,
    to_nquads_fallback,
)
from osaamo.vc.issuing import IssueError
from osaamo.vc.jsonld_fast import Expansion, to_quads
from osaamo.vc.keys import base58_decode, base58_encode
from osaamo.vc.loader import default_loader
from tests.vc.conftest import NOW
from tests.vc.corpus import corpus, line_separators, micro_credential

VC2 = "https://www.w3.org/ns/credentials/v2"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DI = "https://w3id.org/security/data-integrity/v2"
# every escape of canonical N-Quads, characters either side of U+FFFF, a supplementary character
# (sorted differently in UTF-16 and in code points), Finnish and Swedish letters
CHARS = [*map(chr, range(0x20)), "\x7f", '"', "\\", "\ue000", "\uffef", "\U0001f393", "\U00010000",
         "ä", "å", " ", "_:b1 .", "<x>", "@en", "^^", "a", "Z", "0"]  # fmt: skip


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(CHARS) for _ in range(rng.randrange(0, 6)))


def _maybe(rng: random.Random, p: float = 0.5) -> bool:
    return rng.random() < p


def _alignment(rng: random.Random) -> dict[str, Any]:
    node: dict[str, Any] = {"type": ["Alignment"], "targetName": _text(rng), "targetUrl": "https://example.org/t"}
    if _maybe(rng):
        node["targetCode"] = rng.choice(["1", "2", _text(rng)])
    return node


def _achievement(rng: random.Random) -> dict[str, Any]:
    node: dict[str, Any] = {"type": ["Achievement"], "name": _text(rng), "criteria": {"narrative": _text(rng)}}
    if _maybe(rng, 0.7):
        node["id"] = f"https://example.org/achievements/{rng.randrange(1000)}"
    if _maybe(rng):
        node["alignment"] = [_alignment(rng) for _ in range(rng.randrange(0, 4))]
    if _maybe(rng):
        node["creditsAvailable"] = rng.choice([5, 2.5, 0, -1, 1e21, 3.0])
    if _maybe(rng, 0.3):
        node["tag"] = [_text(rng) for _ in range(rng.randrange(0, 3))]
    if _maybe(rng, 0.2):
        node["description"] = {"@value": _text(rng), "@language": rng.choice(["fi", "sv", "en-GB"])}
    return node


def random_document(rng: random.Random) -> dict[str, Any]:
    """A credential-shaped JSON-LD document with 0, 1 or many blank nodes."""
    doc: dict[str, Any] = {"@context": [VC2, OB3], "type": ["VerifiableCredential", "AchievementCredential"]}
    if _maybe(rng, 0.8):
        doc["id"] = f"urn:uuid:00000000-0000-4000-8000-{rng.randrange(10**12):012d}"
    doc["issuer"] = (
        {"id": "did:example:issuer", "type": ["Profile"], "name": _text(rng)} if _maybe(rng) else "did:example:issuer"
    )
    doc["validFrom"] = "2025-06-13T12:00:00Z"
    if _maybe(rng):
        doc["name"] = _text(rng)
    shape = rng.randrange(4)
    subject: dict[str, Any] = {"type": ["AchievementSubject"]}
    if shape == 0:  # nothing but IRIs: no blank node at all
        subject["id"] = "did:example:learner"
        subject["achievement"] = {"id": "https://example.org/a/1", "type": ["Achievement"], "name": _text(rng)}
        doc.setdefault("id", "urn:uuid:1")
    elif shape == 1:  # exactly one blank node, here or there
        subject["id"] = "did:example:learner"
        subject["achievement"] = {"id": "https://example.org/a/1", "type": ["Achievement"], "name": _text(rng),
                                  "criteria": {"narrative": _text(rng)}}  # fmt: skip
        doc.setdefault("id", "urn:uuid:1")
        if _maybe(rng):
            doc["issuer"] = "did:example:issuer"
    else:
        if _maybe(rng):
            subject["id"] = rng.choice(["did:example:learner", "_:learner"])
        subject["achievement"] = _achievement(rng)
        if _maybe(rng):
            subject["result"] = [{"type": ["Result"], "value": _text(rng)} for _ in range(rng.randrange(1, 3))]
        if _maybe(rng, 0.3):
            subject["identifier"] = [{"type": "IdentityObject", "hashed": rng.choice([True, False]),
                                      "identityHash": _text(rng), "identityType": "emailAddress"}]  # fmt: skip
    doc["credentialSubject"] = subject
    if _maybe(rng, 0.2):
        doc["@context"] = [VC2, OB3, DI]
        doc["proof"] = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
                        "created": "2025-06-13T12:00:00Z", "proofPurpose": "assertionMethod",
                        "verificationMethod": "did:example:issuer#k", "proofValue": "z" + _text(rng)}  # fmt: skip
    if _maybe(rng, 0.1):
        doc["undefinedTerm"] = _text(rng)  # dropped by JSON-LD
    if _maybe(rng, 0.2) and isinstance(doc["issuer"], dict):
        doc["issuer"]["name"] = doc.get("name", "same")  # duplicates collapse
    return doc


def random_documents(count: int = 160, seed: int = 20251129) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [random_document(rng) for _ in range(count)]


def _library(document: dict[str, Any], loader: vc.DocumentLoader) -> str:
    """pyoxigraph canonicalizing every quad of the fast walk (no shortcut)."""
    return _sorted_nquads(to_quads(document, _cache_for(loader)).quads)


def test_random_documents_cover_zero_one_and_many_blank_nodes():
    cache = _cache_for(default_loader())
    counts = [to_quads(doc, cache).blank_nodes for doc in random_documents()]
    assert counts.count(0) >= 10 and counts.count(1) >= 10 and sum(c > 1 for c in counts) >= 50


@pytest.mark.parametrize("index", range(160))
def test_random_documents_equal_pyoxigraph_and_pyld(index, examples_loader):
    document = random_documents()[index]
    ours = canonicalize(document, loader=examples_loader)
    assert ours.fast_path, ours.fallback_reason
    assert ours.nquads == _library(document, examples_loader)
    assert ours.nquads == to_nquads_fallback(document, loader=examples_loader)


@pytest.mark.parametrize("index", range(len(corpus())))
def test_corpus_shortcuts_equal_pyoxigraph(index, examples_loader):
    document = corpus()[index]
    if not canonicalize(document, loader=examples_loader).fast_path:
        pytest.skip("left to PyLD")
    expansion = to_quads(document, _cache_for(examples_loader))
    assert canonical_nquads_of(expansion) == _sorted_nquads(expansion.quads)


def test_the_proof_configuration_has_one_blank_node_and_needs_no_library():
    config = {"@context": [VC2, OB3], "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
              "created": "2025-06-13T12:00:00Z", "verificationMethod": "did:example:i#k",
              "proofPurpose": "assertionMethod"}  # fmt: skip
    expansion = to_quads(config, _cache_for(default_loader()))
    assert expansion.blank_nodes == 1 and not expansion.ground
    nquads = canonical_nquads_of(expansion)
    assert nquads == _sorted_nquads(expansion.quads)
    assert nquads.count("_:c14n0 ") == 5


def _first_degree(document: dict[str, Any], loader: vc.DocumentLoader) -> list[str] | None:
    return first_degree_canonical_lines(list(dict.fromkeys(to_quads(document, _cache_for(loader)).blank)))


def test_first_degree_hashes_label_the_credential_and_equal_pyoxigraph(examples_loader):
    document = micro_credential()
    document.pop("proof", None)
    lines = _first_degree(document, examples_loader)
    assert lines is not None, "every nested object of the credential differs: the hashes decide"
    assert len({line.split(" ")[0] for line in lines if line.startswith("_:")}) > 10
    expansion = to_quads(document, _cache_for(examples_loader))
    assert canonical_nquads_of(expansion) == _sorted_nquads(expansion.quads)


def test_random_documents_take_both_the_first_degree_path_and_the_library(examples_loader):
    many = [doc for doc in random_documents() if to_quads(doc, _cache_for(examples_loader)).blank_nodes > 1]
    decided = [doc for doc in many if _first_degree(doc, examples_loader) is not None]
    assert len(decided) >= 20 and len(many) - len(decided) >= 5  # both paths, each checked above


def test_shared_first_degree_hashes_are_left_to_the_library():
    twins = ['<http://x/s> <http://x/p> _:b1 .', '<http://x/s> <http://x/p> _:b2 .',
             '_:b1 <http://x/name> "same" .', '_:b2 <http://x/name> "same" .']
    assert first_degree_canonical_lines(twins) is None
    different = [*twins[:3], '_:b2 <http://x/name> "other" .']
    lines = first_degree_canonical_lines(different)
    assert lines is not None
    text = "".join(line + "\n" for line in different)
    assert _sorted_nquads(list(ox.parse(text, format=ox.RdfFormat.N_QUADS))) == "".join(
        sorted(line + "\n" for line in lines))


@pytest.mark.parametrize("line", [
    '_:b1 <http://x/p> "reads like _:b2" .',  # a literal with a label's text: not read as one
    '<http://x/s> <http://x/p> _:b1 <http://x/g> .',  # a blank object before a graph name
    '_:b1 <http://x/p> "\U0001f393" .',  # above U+FFFF: the library's order
])
def test_lines_it_does_not_read_are_left_to_the_library(line):
    assert first_degree_canonical_lines([line, '_:b3 <http://x/q> "x" .']) is None


def test_a_single_blank_node_is_c14n0_and_literals_are_left_alone():
    assert first_degree_canonical_lines(["<http://x/s> <http://x/p> _:b1 .", '_:b1 <http://x/p> _:b1 .']) == [
        "<http://x/s> <http://x/p> _:c14n0 .", "_:c14n0 <http://x/p> _:c14n0 ."]
    line = '_:b1 <http://x/p> "looks like _:b1 ." _:b1 .'
    assert first_degree_canonical_lines([line]) is None  # left to the library, which reads the literal
    expansion = Expansion()
    expansion.blank = [line]
    assert canonical_nquads_of(expansion) == '_:c14n0 <http://x/p> "looks like _:b1 ." _:c14n0 .\n'


@pytest.mark.node
def test_random_documents_equal_jsonld_js(node, examples_loader):
    documents = random_documents(60, seed=7)
    results = node("canonize.mjs", {"documents": documents})
    for index, (document, theirs) in enumerate(zip(documents, results, strict=True)):
        assert "error" not in theirs, (index, theirs)
        assert canonicalize(document, loader=examples_loader).nquads == theirs["nquads"], index


def test_base58_equals_the_base58_package():
    rng = random.Random(58)
    samples = [
        b"",
        b"\0",
        b"\0\0\1",
        bytes(32),
        b"\xff" * 64,
        *(rng.randbytes(rng.randrange(1, 80)) for _ in range(300)),
    ]
    samples += [b"\0" * rng.randrange(1, 4) + rng.randbytes(rng.randrange(0, 40)) for _ in range(100)]
    for data in samples:
        text = base58.b58encode(data).decode("ascii")
        assert base58_encode(data) == text
        assert base58_decode(text) == data


@pytest.mark.parametrize("value", ["z0OIl", "z6Mk!", "zé", "z 6Mk"])
def test_base58_refuses_characters_outside_the_alphabet(value):
    with pytest.raises(vc.MultibaseError):
        vc.decode_public_multikey(value)


def test_decoded_public_keys_are_reused_and_bad_ones_still_refused():
    key = vc.generate_key_pair().public_key()
    text = vc.encode_public_multikey(key)
    assert vc.decode_public_multikey(text) is vc.decode_public_multikey(text)
    assert vc.encode_public_multikey(vc.decode_public_multikey(text)) == text
    with pytest.raises(vc.MultibaseError):
        vc.decode_public_multikey("z" + base58_encode(b"\xed\x01" + os.urandom(31)))


def test_issue_returns_an_independent_deep_copy(issuer):
    credential = micro_credential()
    before = copy.deepcopy(credential)
    signed = vc.issue(credential, signer=issuer.signer, now=NOW)
    signed["credentialSubject"]["achievement"]["name"] = "changed"
    signed["credentialStatus"].append("x")
    assert credential == before


def test_issue_reads_what_json_can_represent_and_refuses_the_rest(issuer):
    credential = micro_credential()
    as_tuples = {**credential, "type": tuple(credential["type"])}
    signed = vc.issue(as_tuples, signer=issuer.signer, now=NOW)
    assert signed["type"] == credential["type"]
    assert signed["proof"]["proofValue"] == vc.issue(credential, signer=issuer.signer, now=NOW)["proof"]["proofValue"]
    with pytest.raises(IssueError) as caught:
        vc.issue({**credential, "name": {1, 2}}, signer=issuer.signer, now=NOW)
    assert caught.value.reason == "not_json"


def test_documents_are_parsed_the_same_from_json_text(examples_loader):
    for document in random_documents(20, seed=3):
        reparsed = json.loads(json.dumps(document))
        assert (
            canonicalize(reparsed, loader=examples_loader).nquads
            == canonicalize(document, loader=examples_loader).nquads
        )


NONCHARACTERS = {
    "@context": [VC2],
    "id": "urn:uuid:1",
    "type": ["VerifiableCredential"],
    "name": "a\ufffeb\uffff \\uFFFE",
    "issuer": "did:example:1",
    "credentialSubject": {"id": "did:example:2"},
}


def test_noncharacters_are_written_as_the_canonical_form_says():
    # RDF 1.2 N-Triples canonical form escapes C0 controls and DEL only; pyoxigraph also escapes
    # U+FFFE/U+FFFF, which is undone (and a literal backslash before "uFFFE" stays escaped)
    line = '<urn:uuid:1> <https://schema.org/name> "a\ufffeb\uffff \\\\uFFFE" .'
    assert line in vc.canonicalize_nquads(NONCHARACTERS).splitlines()
    assert line in to_nquads_fallback(NONCHARACTERS).splitlines()


@pytest.mark.node
def test_noncharacters_equal_jsonld_js(node):
    theirs = node("canonize.mjs", {"documents": [NONCHARACTERS]})[0]["nquads"]
    assert vc.canonicalize_nquads(NONCHARACTERS) == theirs


def test_unicode_line_separators_stay_inside_their_literal():
    # str.splitlines() would break a line at U+2028/U+2029/U+0085 and sort the halves apart
    document = line_separators()
    nquads = vc.canonicalize_nquads(document)
    lines = nquads.split("\n")
    assert lines.pop() == ""
    assert len(lines) == len(set(to_quads(document, _cache_for(default_loader())).quads))
    assert all(line.endswith(" .") and line[0] in "<_" for line in lines)
    assert '<https://schema.org/name> "line\u2028separator" .' in nquads
    assert '"one\u2029two\u2028three\x85four" .' in nquads
    assert '"next\x85line" .' in nquads
    assert nquads == to_nquads_fallback(document)
