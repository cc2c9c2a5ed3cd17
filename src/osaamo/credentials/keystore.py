"""Issuer private keys encrypted at rest: AES-256-GCM under a key derived (HKDF-SHA256) from
settings.OSAAMO_KEY_ENCRYPTION_KEY. The key's provider and id are bound as associated data, so a
ciphertext copied to another key row does not decrypt. Nothing here logs or returns key material
except `decrypt_seed`, whose only caller builds a signer in memory.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

FORMAT_VERSION = b"\x01"
HKDF_INFO = b"osaamo issuer signing keys v1"


class KeyDecryptionError(Exception):
    """The stored key does not decrypt: the key-encryption key changed or the row was tampered with."""


def _kek() -> AESGCM:
    secret = str(getattr(settings, "OSAAMO_KEY_ENCRYPTION_KEY", "") or "")
    if not secret:
        raise KeyDecryptionError("OSAAMO_KEY_ENCRYPTION_KEY is not set")
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(secret.encode("utf-8"))
    return AESGCM(derived)


def _associated_data(provider_id: int, fragment: str) -> bytes:
    return f"osaamo-issuer-key:{provider_id}:{fragment}".encode()


def encrypt_seed(seed: bytes, *, provider_id: int, fragment: str) -> bytes:
    nonce = os.urandom(12)
    return FORMAT_VERSION + nonce + _kek().encrypt(nonce, seed, _associated_data(provider_id, fragment))


def decrypt_seed(blob: bytes, *, provider_id: int, fragment: str) -> bytes:
    blob = bytes(blob)
    if blob[:1] != FORMAT_VERSION or len(blob) < 1 + 12 + 16:
        raise KeyDecryptionError("unknown key storage format")
    nonce, ciphertext = blob[1:13], blob[13:]
    try:
        return _kek().decrypt(nonce, ciphertext, _associated_data(provider_id, fragment))
    except InvalidTag as exc:
        raise KeyDecryptionError("the issuer key does not decrypt with the configured key-encryption key") from exc
