"""Fixtures for osaamo.vc: the sample micro-credential, an issuer with a did:web key, Node runner."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import osaamo.vc as vc
from osaamo.vc.loader import BUNDLED_CONTEXT_FILES, DocumentLoader

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
CONTEXT_DIR = ROOT / "src" / "osaamo" / "vc" / "contexts"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
EXAMPLES_V2_FILE = HERE / "vectors" / "contexts" / "credentials-examples-v2.jsonld"
ISSUER_DID = "did:web:osaamo.example.fi:issuers:jyu"
NOW = datetime(2025, 6, 13, 12, 30, tzinfo=UTC)


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def micro_credential() -> dict[str, Any]:
    return load_json(HERE / "fixtures" / "micro_credential.json")


@pytest.fixture(scope="session")
def examples_loader() -> DocumentLoader:
    """Bundled contexts plus the W3C examples context the spec test vectors use (tests only)."""
    return DocumentLoader(extra={EXAMPLES_V2: load_json(EXAMPLES_V2_FILE)})


class Issuer:
    """A did:web issuer with two keys (key-1 current, key-0 retired but still listed)."""

    def __init__(self, did: str = ISSUER_DID, seed: bytes = b"\x07" * 32) -> None:
        self.did = did
        self.seed = seed
        self.key = vc.private_key_from_bytes(seed)
        self.old_key = vc.private_key_from_bytes(b"\x05" * 32)
        self.signer = vc.Signer(f"{did}#key-1", self.key)
        self.old_signer = vc.Signer(f"{did}#key-0", self.old_key)
        self.did_document = vc.build_did_web_document(
            did, [("key-0", self.old_key.public_key()), ("key-1", self.key.public_key())]
        )
        self.status_lists: dict[str, dict[str, Any]] = {}

    def resolver(self) -> vc.StaticResolver:
        return vc.StaticResolver({self.did: self.did_document})

    def publish_list(self, url: str, purpose: str, set_indexes: tuple[int, ...] = ()) -> dict[str, Any]:
        status_list = vc.StatusList()
        for index in set_indexes:
            status_list.set(index)
        unsigned = vc.build_status_list_credential(
            list_id=url,
            issuer=self.did,
            purpose=purpose,
            status_list=status_list,
            valid_from="2025-01-01T00:00:00Z",
        )
        self.status_lists[url] = vc.issue(unsigned, signer=self.signer, now=NOW)
        return self.status_lists[url]

    def fetch(self, url: str) -> dict[str, Any]:
        return self.status_lists[url]


@pytest.fixture
def issuer() -> Issuer:
    issuer = Issuer()
    issuer.publish_list("https://osaamo.example.fi/status/jyu/1", "revocation")
    issuer.publish_list("https://osaamo.example.fi/status/jyu/2", "suspension")
    return issuer


def node_contexts() -> dict[str, str]:
    contexts = {url: str(CONTEXT_DIR / name) for url, name in BUNDLED_CONTEXT_FILES.items()}
    contexts[EXAMPLES_V2] = str(EXAMPLES_V2_FILE)
    return contexts


@pytest.fixture(scope="session")
def node() -> Any:
    """Run a tests/interop/*.mjs script with a JSON payload; skip (with the reason) without Node."""
    node_bin = shutil.which("node")
    if node_bin is None:
        pytest.skip("Node.js is not installed (needed for the third-party interop tests)")
    if not (ROOT / "node_modules" / "@digitalbazaar" / "vc").is_dir():
        pytest.skip("node_modules missing: run `npm ci` at the repository root")

    def run(script: str, payload: dict[str, Any]) -> Any:
        payload = {"contexts": node_contexts(), **payload}
        completed = subprocess.run(
            [node_bin, str(ROOT / "tests" / "interop" / script)],
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            check=False,
        )
        if completed.returncode != 0:
            raise AssertionError(f"{script} failed: {completed.stderr[-2000:]}")
        return json.loads(completed.stdout)

    return run
