"""`osaamo verify FILE…` and `osaamo credentials export`: offline, and an archive verifiable from its files alone."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

import osaamo.vc as vc
from osaamo.credentials import services
from tests.credentials.conftest import signed


def _run_verify(*paths: Path) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("verify", *[str(p) for p in paths], stdout=out)
    except SystemExit as stop:
        return int(stop.code or 0), out.getvalue()
    return 0, out.getvalue()


def test_verify_exits_0_only_when_every_file_is_valid(issued: Any, tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    good.write_text(issued.documents.get().signed_json, encoding="utf-8")
    status, output = _run_verify(good)
    assert status == 0
    assert "VALID" in output and "Signature: The signature is valid" in output and "1 of 1 files are valid." in output

    forged = signed(issued)
    forged["name"] = "Forged"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(forged), encoding="utf-8")
    junk = tmp_path / "junk.json"
    junk.write_text("not json at all", encoding="utf-8")
    status, output = _run_verify(good, bad, junk, tmp_path / "missing.json")
    assert status == 1
    assert "NOT VALID" in output and "NOT A CREDENTIAL" in output and "cannot read the file" in output
    assert "1 of 4 files are valid." in output


def test_verify_sees_revocation(issued: Any, helsinki_registrar: Any, tmp_path: Path) -> None:
    path = tmp_path / "credential.json"
    path.write_text(issued.documents.get().signed_json, encoding="utf-8")
    services.credential_revoke(credential=issued, by=helsinki_registrar, reason="wrong person")
    status, output = _run_verify(path)
    assert status == 1 and "REVOKED" in output


def test_the_export_archive_verifies_offline_from_its_files_only(issued: Any, helsinki: Any, helsinki_admin: Any,
                                                                 helsinki_registrar: Any, tmp_path: Path) -> None:
    signed(issued, "en")  # a second language version
    services.issuer_key_rotate(provider=helsinki, by=helsinki_admin)
    services.credential_suspend(credential=issued, by=helsinki_registrar, reason="appeal")
    out = StringIO()
    call_command("credentials", "export", "--out", str(tmp_path), "--provider", "helsinki", stdout=out)
    assert "Exported 1 credentials of 1 issuers and 2 status lists" in out.getvalue()

    # From here on only the files: no database, no network.
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    documents = {did: json.loads((tmp_path / entry["did_document"]).read_text())
                 for did, entry in manifest["issuers"].items()}
    lists = {url: json.loads((tmp_path / path).read_text()) for url, path in manifest["status_lists"].items()}
    resolver = vc.StaticResolver(documents)
    files = manifest["credentials"][0]["files"]
    assert sorted(files) == ["en", "fi"]
    for path in files.values():
        result = vc.verify(json.loads((tmp_path / path).read_text()), resolver=resolver,
                           status_checker=lists.__getitem__, now=timezone.now())
        assert result.check("proof").outcome == "passed"
        assert result.check("issuer_key").outcome == "passed"
        assert result.check("status").reason == "suspended"


def test_export_of_an_unknown_provider_is_refused(db: Any, tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No provider"):
        call_command("credentials", "export", "--out", str(tmp_path), "--provider", "nobody")
