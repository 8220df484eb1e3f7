"""Personal data: SM4 encryption, SM3 blind indexes, masking.

Ciphertext layout: version byte ‖ 12-byte nonce ‖ SM4-GCM ciphertext ‖ tag.
The version byte names the key generation, so keys can be rotated by
re-encrypting row by row (docs/operations.md). The blind index is
HMAC-SM3(index key, normalised value): equal values give equal indexes,
and without the key the index reveals nothing usable.

Both keys are derived from SHEQU_DATA_KEY with HKDF-SM3, each for its own
purpose, so the encryption key is never used for indexing and vice versa.
"""

from __future__ import annotations

import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_NONCE = 12
_TAG = 16


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


@lru_cache(maxsize=16)
def _keys(master_hex: str) -> tuple[bytes, bytes]:
    try:
        master = bytes.fromhex(master_hex)
    except ValueError as error:
        raise RuntimeError("SHEQU_DATA_KEY 必须是 64 位十六进制字符串。") from error
    if len(master) < 16:
        raise RuntimeError("SHEQU_DATA_KEY 太短：至少 32 位十六进制（推荐 64 位）。")

    def derive(info: bytes, length: int) -> bytes:
        return HKDF(algorithm=hashes.SM3(), length=length, salt=None, info=info).derive(master)

    return derive(b"shequ/pii/sm4/v1", 16), derive(b"shequ/pii/index/v1", 32)


def current_version() -> int:
    version = int(settings.SHEQU_DATA_KEY_VERSION)
    if not 1 <= version <= 255:
        raise RuntimeError("SHEQU_DATA_KEY_VERSION 必须在 1 到 255 之间。")
    return version


@lru_cache(maxsize=8)
def _retired(spec: str) -> dict[int, str]:
    keys: dict[int, str] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        version, _, master = item.partition(":")
        if not version.isdigit() or not master:
            raise RuntimeError(
                "SHEQU_DATA_KEYS_RETIRED 的格式应为“版本:十六进制密钥”，以逗号分隔。"
            )
        keys[int(version)] = master
    return keys


def _master_for(version: int) -> str:
    if version == current_version():
        return settings.SHEQU_DATA_KEY
    master = _retired(settings.SHEQU_DATA_KEYS_RETIRED).get(version)
    if master is None:
        raise ValueError(f"第 {version} 版密钥不可用：请在 SHEQU_DATA_KEYS_RETIRED 中提供它。")
    return master


def _enc_key(version: int | None = None) -> bytes:
    return _keys(_master_for(version or current_version()))[0]


def _index_key() -> bytes:
    return _keys(settings.SHEQU_DATA_KEY)[1]


def key_version_of(blob: bytes | memoryview | None) -> int:
    return bytes(blob[:1])[0] if blob else 0


def encrypt(plaintext: str) -> bytes:
    version = current_version()
    nonce = os.urandom(_NONCE)
    encryptor = Cipher(algorithms.SM4(_enc_key(version)), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plaintext.encode()) + encryptor.finalize()
    return bytes([version]) + nonce + body + encryptor.tag


def decrypt(blob: bytes | memoryview) -> str:
    blob = bytes(blob)
    if not blob:
        raise ValueError("empty ciphertext")
    nonce, body, tag = blob[1 : 1 + _NONCE], blob[1 + _NONCE : -_TAG], blob[-_TAG:]
    decryptor = Cipher(algorithms.SM4(_enc_key(blob[0])), modes.GCM(nonce, tag)).decryptor()
    return (decryptor.update(body) + decryptor.finalize()).decode()


def blind_index(value: str, *, purpose: str) -> str:
    """Keyed SM3 index of a normalised value; ``purpose`` separates domains
    (an ID number and a phone number never share an index value)."""
    normalised = value.strip().upper()
    mac = crypto_hmac.HMAC(_index_key(), hashes.SM3())
    mac.update(f"{purpose}:{normalised}".encode())
    return mac.finalize().hex()


def mask_id_number(value: str) -> str:
    """110101********1234: the address code (地址码) and the last four digits
    kept, the birth date and sequence hidden. Every page, export and API
    response shows an ID number this way (``mask_id_parts`` when only the
    clear columns are at hand)."""
    if len(value) < 10:
        return "*" * len(value)
    return mask_id_parts(value[:6], value[-4:], hidden=len(value) - 10)


def mask_id_parts(region_code: str, tail: str, *, hidden: int = 8) -> str:
    """``mask_id_number`` from the clear columns a row keeps (the 6-digit
    address code and the last four digits), so a list needs no decryption."""
    return f"{region_code}{'*' * hidden}{tail}"


def mask_phone(value: str) -> str:
    """138****5678."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """张*、欧阳**: for lists shown to people who need only to recognise."""
    if len(value) <= 1:
        return value
    return value[0] + "*" * (len(value) - 1)
