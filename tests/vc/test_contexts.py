"""Bundled contexts are byte-for-byte the published files (SHA-256 pinned; see contexts/SOURCES.md)."""

from __future__ import annotations

import hashlib

import pytest

from osaamo.vc.loader import BUNDLED_CONTEXT_FILES, DocumentLoader

PINNED = {
    "credentials-v1.jsonld": "00d7dd6d3ad8b920e3e550dd3a3d9090bffcac84cdbf943da6924b3e0a5c8bb8",
    "credentials-v2.jsonld": "8a9f494a89ecc51db093e90e84713e07e84d6d9204364a9b3c7868b21751236f",
    "data-integrity-v1.jsonld": "b5d829bd09aa7c42abc6efa0c8ed7635313b5487f37ccfce3ecd149ca9418554",
    "data-integrity-v2.jsonld": "0f77743daf5b4e8fc067fc5ba5b21044283053aa717fc6b0219843bed3b00363",
    "did-v1.jsonld": "62c1054bf404d6dd3a4b26b64f830fd72095f6a26edc4469908c94351352ce5f",
    "ed25519-signature-2020-v1.jsonld": "b9e1ab971fd8bf2c7553e0c4a9438e0b9450afde1ea1ca5b2492368b9f549588",
    "multikey-v1.jsonld": "c5f3806f8286920573221938917988a18a4cc5a09e968d29649613c7a1c2b1f6",
    "ob-v3p0-context-3.0.1.json": "cfc147db5fd5e3575b06bd471fe04784e92de69296f64a351b8dff0ec3372e9c",
    "ob-v3p0-context-3.0.2.json": "bba433989e1e700ca60838a3c22378e7d8381aeb0c9590f9ddf84d1714f10296",
    "ob-v3p0-context-3.0.3.json": "01d87cc8b5357af557bfb09428f603c4691c49ef8a6089945a70bda1b96b1db2",
    "ob-v3p0-context.json": "b077fa134d909d92c1dcd1c153f2af1b244aeb415967fdc1467d7fc5dd48ac10",
    "ob-v3p0-extensions.json": "146f85aa16effd7ca1da8056eb443f53ce1eca8a34186cb062832c0a97d889c3",
    "security-v1.jsonld": "abaf97e107d1925503c433dcaf3ffd2831697cacc1ed2a293e1bc8030d5bcb47",
    "security-v2.jsonld": "611bd81151d5efe53ec9aed78f5a813e577287bc9451ee26d6879b1b8b46bc3b",
    "vc-bitstring-status-list-v1.jsonld": "fd08cbf28ddd829ab2f1978c48f43ab07a112c1c90245a0cfac7ba721c65170c",
}


@pytest.mark.parametrize("url", sorted(BUNDLED_CONTEXT_FILES))
def test_bundled_context_bytes_are_pinned(url):
    data = DocumentLoader().raw(url)
    assert hashlib.sha256(data).hexdigest() == PINNED[BUNDLED_CONTEXT_FILES[url]]


def test_every_bundled_file_is_served_and_listed_in_sources():
    from tests.vc.conftest import CONTEXT_DIR

    sources = (CONTEXT_DIR / "SOURCES.md").read_text(encoding="utf-8")
    for url, name in BUNDLED_CONTEXT_FILES.items():
        assert "@context" in DocumentLoader().get(url)
        assert url in sources and name in sources
    assert set(PINNED) == set(BUNDLED_CONTEXT_FILES.values())
