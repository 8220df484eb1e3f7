"""The one issuer of secret keys: API tokens (``sq_…``) and Open311 client
keys (``o311_…``).

A key is shown once and never stored: the row keeps its SM3 digest, to find
it by, and its first characters, to tell keys apart in lists. A key is 32
random bytes, so a plain hash is enough (there is no dictionary to attack);
SM3 keeps the platform on one family of algorithms.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from shequ.core.pii import sm3_hex

PREFIX_LENGTH = 8  # characters of the key kept in the clear (``key_prefix``)


@dataclass(frozen=True)
class IssuedKey:
    raw: str  # hand it to the holder once; never store or log it
    prefix: str
    digest: str


def key_digest(raw: str) -> str:
    return sm3_hex(raw.encode())


def key_of(raw: str) -> IssuedKey:
    """The prefix and digest of a key made elsewhere (the demo's well-known key)."""
    return IssuedKey(raw=raw, prefix=raw[:PREFIX_LENGTH], digest=key_digest(raw))


def key_issue(prefix: str) -> IssuedKey:
    """A new random key starting with ``prefix`` (which says what it opens)."""
    return key_of(prefix + secrets.token_urlsafe(32))
