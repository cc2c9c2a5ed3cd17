"""Exports: the learner's whole wallet as one zip, and the provider's archive that stays verifiable
offline (signed credentials, each issuer's DID document, each status list credential, a manifest)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.utils import timezone

from osaamo.accounts.models import Organisation
from osaamo.credentials import building, identity, selectors, services
from osaamo.credentials.models import IssuedCredential, StatusList
from osaamo.translation import LANGUAGE_CODES, translated


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def wallet_zip(user: Any) -> bytes:
    """Every credential of the learner, signed, in every language, with a manifest."""
    buffer = io.BytesIO()
    manifest: dict[str, Any] = {"exported_at": building.timestamp(timezone.now()), "credentials": []}
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for credential in selectors.learner_credentials(user=user):
            files = {}
            for language in LANGUAGE_CODES:
                document = services.credential_document(credential, language)
                name = f"credentials/{credential.uuid}.{language}.json"
                archive.writestr(name, document.signed_json)
                files[language] = name
            manifest["credentials"].append({
                "uuid": str(credential.uuid), "title": credential.title_i18n, "issuer": credential.issuer_name_i18n,
                "issued_at": credential.values.get("issued_at"), "state": credential.state, "files": files,
            })
        archive.writestr("manifest.json", _dump(manifest))
    return buffer.getvalue()


def archive_export(out: Path, *, providers: Iterable[Organisation]) -> dict[str, Any]:
    """Write the archive of `providers` under `out`; returns the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {"exported_at": building.timestamp(timezone.now()), "base_url": identity.base_url(),
                                "issuers": {}, "status_lists": {}, "credentials": []}
    for provider in providers:
        keys = selectors.provider_keys(provider)
        if not keys:
            continue
        did = identity.provider_did(provider)
        did_path = Path("issuers") / provider.slug / "did.json"
        (out / did_path).parent.mkdir(parents=True, exist_ok=True)
        (out / did_path).write_text(_dump(identity.build_did_document(provider.slug, keys)), encoding="utf-8")
        manifest["issuers"][did] = {"name": translated(provider.name, "en"), "did_document": str(did_path)}
        for status_list in StatusList.objects.filter(provider=provider).exclude(signed_json="").order_by("number"):
            url = identity.status_list_url(provider.slug, status_list.number)
            path = Path("status") / provider.slug / f"{status_list.number}.json"
            (out / path).parent.mkdir(parents=True, exist_ok=True)
            (out / path).write_text(status_list.signed_json, encoding="utf-8")
            manifest["status_lists"][url] = str(path)
        for credential in (IssuedCredential.objects.filter(provider=provider).prefetch_related("documents")
                           .order_by("issued_at", "id").iterator(chunk_size=500)):
            files = {}
            for document in credential.documents.all():
                path = Path("credentials") / provider.slug / f"{credential.uuid}.{document.language}.json"
                (out / path).parent.mkdir(parents=True, exist_ok=True)
                (out / path).write_text(document.signed_json, encoding="utf-8")
                files[document.language] = str(path)
            manifest["credentials"].append({"uuid": str(credential.uuid), "issuer": did, "state": credential.state,
                                            "recipient": credential.recipient_email, "files": files})
    (out / "manifest.json").write_text(_dump(manifest), encoding="utf-8")
    return manifest
