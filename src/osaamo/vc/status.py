"""Bitstring Status List v1.0 (W3C Recommendation).

The bitstring is GZIP-compressed (RFC 1952) and multibase base64url-encoded without padding
(prefix 'u'); index 0 is the left-most bit, i.e. the most significant bit of byte 0
(Bitstring Status List §4.1 Bitstring Generation Algorithm). Lists have at least 131,072 entries
(§3.1, herd privacy).
"""

from __future__ import annotations

import base64
import binascii
import gzip
import zlib
from collections.abc import Mapping
from typing import Any

__all__ = [
    "MIN_LIST_LENGTH",
    "STATUS_PURPOSES",
    "StatusList",
    "StatusListError",
    "build_status_list_credential",
    "status_entry",
]

MIN_LIST_LENGTH = 131_072
MAX_LIST_LENGTH = 1 << 26  # 8 MiB of bits; larger lists are refused rather than inflated
STATUS_PURPOSES = ("revocation", "suspension", "refresh", "message")
VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"


class StatusListError(ValueError):
    def __init__(self, message: str, *, reason: str = "invalid_status_list") -> None:
        super().__init__(message)
        self.reason = reason


class StatusList:
    """A bitstring of ``length`` one-bit entries (statusSize 1)."""

    __slots__ = ("_bits", "length")

    def __init__(self, length: int = MIN_LIST_LENGTH, *, data: bytes | None = None) -> None:
        if length <= 0 or length % 8 != 0:
            raise StatusListError("list length must be a positive multiple of 8")
        self.length = length
        self._bits = bytearray(data) if data is not None else bytearray(length // 8)
        if len(self._bits) * 8 != length:
            raise StatusListError("data does not match the list length")

    def _locate(self, index: int) -> tuple[int, int]:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < self.length:
            raise StatusListError(
                f"status list index {index!r} out of range 0..{self.length - 1}", reason="index_out_of_range"
            )
        # §4.1: index 0 is the left-most bit (MSB of byte 0)
        return index // 8, 7 - (index % 8)

    def get(self, index: int) -> bool:
        byte, bit = self._locate(index)
        return bool(self._bits[byte] >> bit & 1)

    def set(self, index: int, value: bool = True) -> None:
        byte, bit = self._locate(index)
        if value:
            self._bits[byte] |= 1 << bit
        else:
            self._bits[byte] &= ~(1 << bit) & 0xFF

    def to_bytes(self) -> bytes:
        return bytes(self._bits)

    def encode(self) -> str:
        """``encodedList``: 'u' + base64url-no-pad(GZIP(bitstring)) (§4.1 step 3-4)."""
        compressed = gzip.compress(bytes(self._bits), compresslevel=9, mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")

    @classmethod
    def decode(cls, encoded: str, *, minimum_length: int = MIN_LIST_LENGTH) -> StatusList:
        """§4.2 Bitstring Expansion Algorithm, refusing lists shorter than ``minimum_length``."""
        if not isinstance(encoded, str) or not encoded.startswith("u"):
            raise StatusListError("encodedList must be multibase base64url (prefix 'u')", reason="invalid_encoding")
        body = encoded[1:]
        try:
            compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError) as exc:
            raise StatusListError(f"encodedList is not base64url: {exc}", reason="invalid_encoding") from exc
        try:
            inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
            data = inflater.decompress(compressed, MAX_LIST_LENGTH // 8 + 1)
            if len(data) > MAX_LIST_LENGTH // 8 or not inflater.eof:
                raise StatusListError("status list too large or truncated", reason="invalid_encoding")
        except zlib.error as exc:
            raise StatusListError(f"encodedList is not GZIP data: {exc}", reason="invalid_encoding") from exc
        if len(data) * 8 < minimum_length:
            raise StatusListError(
                f"status list has {len(data) * 8} entries, fewer than the minimum {minimum_length}",
                reason="list_too_short",
            )
        return cls(len(data) * 8, data=data)


def status_entry(list_credential_url: str, index: int, purpose: str, *, entry_id: str | None = None) -> dict[str, Any]:
    """A ``BitstringStatusListEntry`` (§2.1); the index is a base-10 string."""
    if purpose not in STATUS_PURPOSES:
        raise StatusListError(f"unknown statusPurpose {purpose!r}")
    entry: dict[str, Any] = {
        "id": entry_id or f"{list_credential_url}#{purpose}-{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_credential_url,
    }
    return entry


def build_status_list_credential(
    *,
    list_id: str,
    issuer: str | Mapping[str, Any],
    purpose: str,
    status_list: StatusList,
    valid_from: str,
    valid_until: str | None = None,
    ttl_ms: int | None = None,
) -> dict[str, Any]:
    """Unsigned ``BitstringStatusListCredential`` (§2.2); sign it with :func:`osaamo.vc.issue`."""
    if purpose not in STATUS_PURPOSES:
        raise StatusListError(f"unknown statusPurpose {purpose!r}")
    subject: dict[str, Any] = {
        "id": f"{list_id}#list",
        "type": "BitstringStatusList",
        "statusPurpose": purpose,
        "encodedList": status_list.encode(),
    }
    if ttl_ms is not None:
        subject["ttl"] = ttl_ms
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT],
        "id": list_id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer if isinstance(issuer, str) else dict(issuer),
        "validFrom": valid_from,
    }
    if valid_until is not None:
        credential["validUntil"] = valid_until
    credential["credentialSubject"] = subject
    return credential
