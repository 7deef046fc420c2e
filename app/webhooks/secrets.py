"""A webhook's signing secret: made in the Standard Webhooks format, kept encrypted at rest.

The secret signs every delivery (HMAC-SHA256), so the service must be able to read it back: unlike an API key it
cannot be stored as a hash. It is encrypted with Fernet (AES-128-CBC with an HMAC-SHA256 tag, from ``cryptography``)
under a key derived by HKDF-SHA256 from ``KPR_WEBHOOK_SECRET_KEY`` when set, else from the JWT signing secret. A copy
of the database alone therefore gives nobody the secrets; changing the key in use makes the stored ones unreadable
(``SecretUnreadable``).
"""

import base64
import secrets
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.core.config import Settings

PREFIX = "whsec_"
SECRET_BYTES = 32
_INFO = b"kpr webhook secrets"


class SecretUnreadable(Exception):
    """The stored secret does not decrypt under the current key (the key was changed, or the value altered)."""


def new_secret() -> str:
    """``whsec_`` and the base64 of 32 random bytes, as Standard Webhooks libraries expect it."""
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _key_material(settings: Settings) -> str:
    return settings.webhook_secret_key or settings.signing_secret()


@lru_cache(maxsize=8)
def _fernet(key_material: str) -> Fernet:
    # HKDF with its own info string: the key that encrypts secrets is never the key that signs tokens or cursors.
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(key_material.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(settings: Settings, secret: str) -> str:
    return _fernet(_key_material(settings)).encrypt(secret.encode()).decode()


def decrypt(settings: Settings, stored: str) -> str:
    try:
        return _fernet(_key_material(settings)).decrypt(stored.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable() from exc
