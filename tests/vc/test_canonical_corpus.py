"""The fast JSON-LD path gives the same canonical N-Quads as PyLD and as jsonld.js, byte for byte."""

from __future__ import annotations

import pytest

from osaamo.vc.canonical import canonicalize, to_nquads_fallback
from tests.vc.corpus import corpus, micro_credential


@pytest.mark.parametrize("index", range(len(corpus())))
def test_fast_path_equals_pyld(index, examples_loader):
    document = corpus()[index]
    fast = canonicalize(document, loader=examples_loader)
    assert fast.nquads == to_nquads_fallback(document, loader=examples_loader)


def test_the_corpus_stays_on_the_fast_path(examples_loader):
    slow = [i for i, doc in enumerate(corpus()) if not canonicalize(doc, loader=examples_loader).fast_path]
    # 1.5e-07 is printed by JavaScript without a '.', a jsonld.js corner the fast path leaves to PyLD
    assert len(slow) <= 6, slow


def test_micro_credential_is_fast_and_complete():
    result = canonicalize(micro_credential(), safe=True)
    assert result.fast_path and not result.dropped
    assert "MicroCredential" in result.nquads
    assert "http://data.europa.eu/snb/eqf/6" in result.nquads


@pytest.mark.node
def test_jsonld_js_gives_the_same_canonical_form(node, examples_loader):
    documents = corpus()
    results = node("canonize.mjs", {"documents": documents})
    mismatches = []
    for index, (document, theirs) in enumerate(zip(documents, results, strict=True)):
        assert "error" not in theirs, (index, theirs)
        ours = canonicalize(document, loader=examples_loader)
        if ours.nquads != theirs["nquads"]:
            mismatches.append(index)
        assert (not ours.dropped) == theirs["safe"] or not ours.fast_path, index
    assert mismatches == []
