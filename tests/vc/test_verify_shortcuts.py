"""The shortcuts verify() takes give the same answers as the long way.

- ``Check.detail`` may be formatted lazily (on first read): the text equals eager formatting;
- the input check of a dict bounds its JSON size instead of encoding it: the bound is never below
  the real size, and the real size is measured whenever the bound is over the limit.
"""

from __future__ import annotations

import copy
import json
import random
from collections import OrderedDict
from typing import Any

import pytest

import osaamo.vc as vc
from osaamo.vc.verification import MAX_DOCUMENT_BYTES, _plain_json_size_bound
from tests.vc.conftest import NOW


def _json_size(document: Any) -> int:
    return len(json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


# -- lazy details ---------------------------------------------------------------------------------


def test_a_verified_credential_has_the_same_details_as_before(issuer, micro_credential):
    signed = vc.issue(micro_credential, signer=issuer.signer, now=NOW)
    result = vc.verify(signed, resolver=issuer.resolver(), status_checker=issuer.fetch, now=NOW)
    assert result.verified
    method = issuer.signer.verification_method
    details = {c.code: c.detail for c in result.checks}
    assert details["proof"] == f"eddsa-rdfc-2022 proof by {method} verified"
    assert details["issuer_key"] == f"key {method} is an assertion key of {issuer.did}"
    assert result.as_dict()["checks"][0]["detail"] == details["proof"]
    assert json.dumps(result.as_dict())  # plain data only


# -- the size bound of a dict ----------------------------------------------------------------------

TEXTS = ["", "a", "ä", "\x00", "\x1f\x7f", '"\\', "\U0001f393", "\u2028", "a" * 50, "€" * 7]
NUMBERS = [0, -1, 5, 2**31, -(2**63), 10**40, 1.5, -0.0, 1e300, 5e-324, float("inf"), True, False, None]


def _random_json(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth < 5 and roll < 0.2:
        return [_random_json(rng, depth + 1) for _ in range(rng.randrange(5))]
    if depth < 5 and roll < 0.4:
        return {rng.choice(TEXTS) + str(i): _random_json(rng, depth + 1) for i in range(rng.randrange(5))}
    if roll < 0.7:
        return "".join(rng.choice(TEXTS) for _ in range(rng.randrange(4)))
    return rng.choice(NUMBERS)


def test_the_bound_is_never_below_the_json_size():
    rng = random.Random(1)
    for _ in range(2000):
        document = {"k": _random_json(rng)}
        bound = _plain_json_size_bound(document)
        assert bound is not None and bound >= _json_size(document), document


def test_anything_but_plain_json_data_goes_to_the_encoder():
    assert _plain_json_size_bound({"a": (1, 2)}) is None
    assert _plain_json_size_bound({"a": [{1: "x"}]}) is None
    assert _plain_json_size_bound({"a": OrderedDict(b=1)}) is None
    assert _plain_json_size_bound({"a": {"b": {1, 2}}}) is None


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ({"a": "x" * (MAX_DOCUMENT_BYTES - 8)}, "missing_proof"),  # exactly the limit
        ({"a": "x" * (MAX_DOCUMENT_BYTES - 7)}, "too_large"),  # one byte over
        ({"a": "ä" * 400_000}, "missing_proof"),  # bound over the limit, real size 800,008 bytes
        ({"a": "ä" * 500_000}, "too_large"),  # 1,000,008 bytes in UTF-8
        ({"a": [None] * 250_000}, "too_large"),
        ({"a": [[[]]] * 100_000}, "missing_proof"),  # 500,007 bytes
        ({"a": (1, 2)}, "missing_proof"),  # what JSON can represent is read as before
        ({"a": {1, 2}}, "not_json"),
        ({"a": object()}, "not_json"),
    ],
)
def test_dict_input_is_measured_as_json(document, reason):
    result = vc.verify(document, now=NOW)
    assert reason in {c.reason for c in result.checks}
    if reason == "too_large":
        assert result.check("input").detail == f"document is {_json_size(document)} bytes; the limit is 1000000"


def test_a_deeply_nested_dict_is_read_without_recursion():
    document: dict[str, Any] = {}
    inner = document
    for _ in range(5000):
        inner["a"] = {}
        inner = inner["a"]
    result = vc.verify(document, now=NOW)
    assert result.check("input") is None  # plain JSON data of 30,000 bytes, however deep
    assert result.check("proof").reason == "missing_proof"


def test_the_input_is_not_changed(issuer, micro_credential):
    signed = vc.issue(micro_credential, signer=issuer.signer, now=NOW)
    before = copy.deepcopy(signed)
    assert vc.verify(signed, resolver=issuer.resolver(), now=NOW).verified
    assert signed == before
