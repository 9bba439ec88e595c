"""Account secrets at rest: salted PBKDF2 hashes, compared in constant time.

The sandbox stores no secret in a form that a copy of its database would give away. Secrets the
sandbox minted itself (256 random bits, ``POST /_sandbox/accounts``) are stored as one SHA-256:
stretching guards guessable secrets and adds nothing to a random one, and it keeps minting an
account per test cheap.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SCHEME = "pbkdf2_sha256"
MINTED_SCHEME = "sha256"
# Enough to make a stolen file expensive to brute-force, cheap enough for a first request
# (each process verifies a key's secret once, then keeps a fast in-memory check).
ITERATIONS = 60_000


def hash_secret(secret: str, *, iterations: int = ITERATIONS) -> str:
    salt = secrets.token_hex(16)
    digest = _derive(secret, salt, iterations)
    return f"{SCHEME}${iterations}${salt}${digest}"


def mint_secret() -> tuple[str, str]:
    """A new random secret and its stored form."""
    secret = secrets.token_urlsafe(32)
    return secret, f"{MINTED_SCHEME}${_sha256(secret)}"


def verify_secret(secret: str, stored: str) -> bool:
    scheme, _, rest = stored.partition("$")
    if scheme == MINTED_SCHEME:
        return hmac.compare_digest(_sha256(secret), rest)
    iterations, _, rest = rest.partition("$")
    salt, _, digest = rest.partition("$")
    if scheme != SCHEME or not iterations.isdigit() or not salt or not digest:
        return False
    return hmac.compare_digest(_derive(secret, salt, int(iterations)), digest)


def _derive(secret: str, salt: str, iterations: int) -> str:
    raw = secret.encode("utf-8", "surrogatepass")
    return hashlib.pbkdf2_hmac("sha256", raw, salt.encode(), iterations).hex()


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()
