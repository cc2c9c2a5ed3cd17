"""Bundled JSON-LD contexts and the only document loader the library uses.

The platform never fetches a context over the network: every context a credential may name is
shipped in ``contexts/`` (see ``contexts/SOURCES.md``). Any other URL is refused with
:class:`ContextNotBundledError`, which names the URL.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

__all__ = [
    "BUNDLED_CONTEXT_FILES",
    "ContextNotBundledError",
    "DocumentLoader",
    "default_loader",
]

# URL -> file name under contexts/.
BUNDLED_CONTEXT_FILES: dict[str, str] = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://www.w3.org/2018/credentials/v1": "credentials-v1.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "ob-v3p0-context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "ob-v3p0-context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": "ob-v3p0-context.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "ob-v3p0-extensions.json",
    "https://w3id.org/security/data-integrity/v1": "data-integrity-v1.jsonld",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
    "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
    "https://www.w3.org/ns/did/v1": "did-v1.jsonld",
    "https://www.w3.org/ns/credentials/status/v1": "vc-bitstring-status-list-v1.jsonld",
    "https://w3id.org/security/suites/ed25519-2020/v1": "ed25519-signature-2020-v1.jsonld",
    "https://w3id.org/security/v1": "security-v1.jsonld",
    "https://w3id.org/security/v2": "security-v2.jsonld",
}


class ContextNotBundledError(Exception):
    """A document named a JSON-LD context that is not bundled; nothing is fetched."""

    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(f"JSON-LD context {url!r} is not bundled with osaamo.vc and will not be fetched")


def _read_bundled(file_name: str) -> bytes:
    return resources.files("osaamo.vc").joinpath("contexts", file_name).read_bytes()


class DocumentLoader:
    """Serves bundled contexts (plus optional caller-supplied extras) and refuses every other URL.

    ``extra`` lets a caller (typically a test suite) add contexts such as the W3C examples
    context; the platform itself uses :func:`default_loader`.
    """

    def __init__(self, extra: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self._documents: dict[str, dict[str, Any]] = {}
        self._extra = {url: dict(doc) for url, doc in (extra or {}).items()}

    def urls(self) -> list[str]:
        return sorted({*BUNDLED_CONTEXT_FILES, *self._extra})

    def get(self, url: str) -> dict[str, Any]:
        """Parsed context document for ``url``; the same object on every call (never mutate it)."""
        doc = self._documents.get(url)
        if doc is not None:
            return doc
        if url in self._extra:
            doc = self._extra[url]
        else:
            file_name = BUNDLED_CONTEXT_FILES.get(url)
            if file_name is None:
                raise ContextNotBundledError(url)
            doc = json.loads(_read_bundled(file_name))
        self._documents[url] = doc
        return doc

    def raw(self, url: str) -> bytes:
        """The bundled file's exact bytes (for tests and for feeding other JSON-LD processors)."""
        if url in self._extra:
            return json.dumps(self._extra[url]).encode()
        file_name = BUNDLED_CONTEXT_FILES.get(url)
        if file_name is None:
            raise ContextNotBundledError(url)
        return _read_bundled(file_name)

    def __call__(self, url: str, options: Any = None) -> dict[str, Any]:
        """PyLD document-loader protocol."""
        return {"contextUrl": None, "documentUrl": url, "document": self.get(url)}


_DEFAULT = DocumentLoader()


def default_loader() -> DocumentLoader:
    return _DEFAULT
