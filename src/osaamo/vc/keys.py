"""Ed25519 keys as Multikey (Controlled Identifiers 1.0 §2.2.2, VC-DI-EdDSA §2.1.1).

``publicKeyMultibase`` = 'z' + base58btc(0xed 0x01 + 32-byte public key): always starts ``z6Mk``.
``secretKeyMultibase`` = 'z' + base58btc(0x80 0x26 + 32-byte seed): starts ``z3u2`` — never publish.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "ED25519_PRIV_HEADER",
    "ED25519_PUB_HEADER",
    "MultibaseError",
    "Signer",
    "decode_multibase_base58btc",
    "decode_private_multikey",
    "decode_public_multikey",
    "encode_multibase_base58btc",
    "encode_private_multikey",
    "encode_public_multikey",
    "generate_key_pair",
    "private_key_from_bytes",
    "private_key_to_bytes",
    "public_key_bytes",
    "verify_ed25519",
]

# multicodec varints: ed25519-pub 0xed, ed25519-priv 0x1300
ED25519_PUB_HEADER = b"\xed\x01"
ED25519_PRIV_HEADER = b"\x80\x26"


class MultibaseError(ValueError):
    """A multibase / Multikey value is malformed or of the wrong key type."""


# Bitcoin base58 (the multibase 'z' alphabet). Converted ten digits at a time (58**10 < 2**63), so a
# 64-byte signature takes 9 big-integer divisions instead of 88; equal to the `base58` package's
# output (tested).
_B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58_ALPHABET)}
_B58_CHUNK = 58**10
_B58_PAIRS = [a + b for a in _B58_ALPHABET for b in _B58_ALPHABET]


def base58_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    parts: list[str] = []
    while number:
        number, chunk = divmod(number, _B58_CHUNK)
        digits = []
        for _ in range(5):
            chunk, pair = divmod(chunk, 3364)
            digits.append(_B58_PAIRS[pair])
        digits.reverse()
        parts.append("".join(digits))
    parts.reverse()
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(parts).lstrip("1")


def base58_decode(text: str) -> bytes:
    """Bytes of a base58btc string; ValueError for a character outside the alphabet."""
    stripped = text.lstrip("1")
    zeros = len(text) - len(stripped)
    index = _B58_INDEX
    number = 0
    start = len(stripped) % 10 or 10
    try:
        for chunk_start, chunk_end in ((0, start), *((i, i + 10) for i in range(start, len(stripped), 10))):
            chunk = 0
            for char in stripped[chunk_start:chunk_end]:
                chunk = chunk * 58 + index[char]
            number = number * (58 ** (chunk_end - chunk_start)) + chunk
    except KeyError as exc:
        raise ValueError(f"invalid base58 character {exc.args[0]!r}") from None
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def encode_multibase_base58btc(data: bytes) -> str:
    return "z" + base58_encode(data)


def decode_multibase_base58btc(value: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("z") or len(value) < 2:
        raise MultibaseError("expected a base58btc multibase value (prefix 'z')")
    try:
        return base58_decode(value[1:])
    except ValueError as exc:
        raise MultibaseError(f"invalid base58btc: {exc}") from exc


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def encode_public_multikey(key: Ed25519PublicKey | bytes) -> str:
    raw = key if isinstance(key, bytes) else public_key_bytes(key)
    if len(raw) != 32:
        raise MultibaseError("an Ed25519 public key has 32 bytes")
    return encode_multibase_base58btc(ED25519_PUB_HEADER + raw)


_PUBLIC_KEYS: dict[str, Ed25519PublicKey] = {}


def decode_public_multikey(value: str) -> Ed25519PublicKey:
    """Ed25519 public key from ``publicKeyMultibase``; any other header is refused (VC-DI-EdDSA §2.1.1).

    Decoded keys are kept (bounded) by their text: a verifier sees the same few issuer keys again
    and again, and key objects are immutable.
    """
    key = _PUBLIC_KEYS.get(value) if isinstance(value, str) else None
    if key is not None:
        return key
    data = decode_multibase_base58btc(value)
    if data[:2] != ED25519_PUB_HEADER or len(data) != 34:
        raise MultibaseError("not an Ed25519 public Multikey (header 0xed01, 32 bytes)")
    key = Ed25519PublicKey.from_public_bytes(data[2:])
    if len(_PUBLIC_KEYS) >= 1024:
        _PUBLIC_KEYS.clear()
    _PUBLIC_KEYS[value] = key
    return key


def private_key_to_bytes(key: Ed25519PrivateKey) -> bytes:
    """The 32-byte seed, for the caller to encrypt at rest."""
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())


def private_key_from_bytes(seed: bytes) -> Ed25519PrivateKey:
    if len(seed) != 32:
        raise MultibaseError("an Ed25519 private key seed has 32 bytes")
    return Ed25519PrivateKey.from_private_bytes(seed)


def encode_private_multikey(key: Ed25519PrivateKey) -> str:
    return encode_multibase_base58btc(ED25519_PRIV_HEADER + private_key_to_bytes(key))


def decode_private_multikey(value: str) -> Ed25519PrivateKey:
    data = decode_multibase_base58btc(value)
    if data[:2] != ED25519_PRIV_HEADER or len(data) != 34:
        raise MultibaseError("not an Ed25519 private Multikey (header 0x8026, 32 bytes)")
    return private_key_from_bytes(data[2:])


def generate_key_pair() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def verify_ed25519(public_key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        public_key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


@dataclass(frozen=True)
class Signer:
    """Signs with one key; ``verification_method`` is the key's id in the issuer's DID document."""

    verification_method: str
    private_key: Ed25519PrivateKey

    @property
    def public_key_multibase(self) -> str:
        return encode_public_multikey(self.private_key.public_key())

    @property
    def controller(self) -> str:
        return self.verification_method.split("#", 1)[0]

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)

    @classmethod
    def for_did_key(cls, private_key: Ed25519PrivateKey) -> Signer:
        multikey = encode_public_multikey(private_key.public_key())
        return cls(f"did:key:{multikey}#{multikey}", private_key)
