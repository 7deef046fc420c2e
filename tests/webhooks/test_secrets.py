"""Webhook signing secrets: the Standard Webhooks format, encrypted at rest under a key of their own."""

import base64

import pytest

from app.core.config import Settings
from app.webhooks.secrets import SecretUnreadable, decrypt, encrypt, new_secret


def test_a_new_secret_is_whsec_and_base64_of_random_bytes() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    raw = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    assert 24 <= len(raw) <= 64
    assert new_secret() != secret


def test_encrypt_decrypt_round_trip(settings: Settings) -> None:
    secret = new_secret()
    stored = encrypt(settings, secret)
    assert stored != secret
    assert secret not in stored
    assert secret.removeprefix("whsec_") not in stored
    assert decrypt(settings, stored) == secret
    # Fernet tokens carry a random IV: the same secret never encrypts the same way twice.
    assert encrypt(settings, secret) != stored


def test_the_key_comes_from_the_jwt_secret_or_its_own_setting() -> None:
    secret = new_secret()
    by_jwt = Settings(jwt_secret="one-" + "x" * 32)
    stored = encrypt(by_jwt, secret)
    with pytest.raises(SecretUnreadable):
        decrypt(Settings(jwt_secret="two-" + "x" * 32), stored)

    own = Settings(jwt_secret="one-" + "x" * 32, webhook_secret_key="webhook-key-" + "y" * 32)
    stored = encrypt(own, secret)
    # The JWT secret rotates alone: the stored secrets still read.
    rotated = own.model_copy(update={"jwt_secret": "rotated-" + "z" * 32})
    assert decrypt(rotated, stored) == secret
    with pytest.raises(SecretUnreadable):
        decrypt(by_jwt, stored)


def test_an_altered_value_does_not_decrypt(settings: Settings) -> None:
    stored = encrypt(settings, new_secret())
    altered = stored[:-6] + ("A" if stored[-6] != "A" else "B") + stored[-5:]
    with pytest.raises(SecretUnreadable):
        decrypt(settings, altered)
    with pytest.raises(SecretUnreadable):
        decrypt(settings, "not a token")
