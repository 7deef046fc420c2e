"""Authentication: bearer JWTs (HS256 secret, RS256 public key, aud/iss) and API keys; each refusal is a 401."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from httpx import AsyncClient, Response

from app.core import security
from app.core.config import Settings
from app.core.schemas import MAX_ROLE_LENGTH, MAX_ROLES, SUBJECT_MAX
from tests.assertions import assert_problem
from tests.conftest import TEST_SECRET, AppClientFactory
from tests.factories import Tenant, auth

ME = "/api/v1/me"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _claims(tenant: Tenant, **overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "sub": tenant.admin.external_id,
        "org": str(tenant.org.id),
        "roles": ["admin"],
        "iat": now,
        "exp": now + timedelta(minutes=10),
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _hs256(claims: dict[str, Any], secret: str = TEST_SECRET) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


def assert_unauthenticated(response: Response) -> dict[str, Any]:
    body = assert_problem(response, 401, "UNAUTHENTICATED")
    assert response.headers["www-authenticate"].startswith("Bearer")
    return body


def _rsa_pair() -> tuple[Any, str]:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private_key, public_pem


async def test_valid_hs256_token_authenticates(client: AsyncClient, tenant: Tenant) -> None:
    response = await client.get(ME, headers=auth(_hs256(_claims(tenant))))
    assert response.status_code == 200
    assert response.json()["subject"] == tenant.admin.external_id


async def test_missing_token_is_401(client: AsyncClient, tenant: Tenant) -> None:
    assert_unauthenticated(await client.get("/api/v1/employees"))


async def test_non_bearer_authorization_is_401(client: AsyncClient, tenant: Tenant) -> None:
    assert_unauthenticated(await client.get(ME, headers={"Authorization": "Basic dXNlcjpwYXNz"}))


async def test_expired_token_is_401(client: AsyncClient, tenant: Tenant) -> None:
    past = datetime.now(UTC) - timedelta(hours=1)
    token = _hs256(_claims(tenant, iat=past - timedelta(hours=1), exp=past))
    body = assert_unauthenticated(await client.get(ME, headers=auth(token)))
    assert "expired" in body["detail"]


async def test_wrong_signature_is_401(client: AsyncClient, tenant: Tenant) -> None:
    token = _hs256(_claims(tenant), secret="another-secret-" + "y" * 32)
    assert_unauthenticated(await client.get(ME, headers=auth(token)))


async def test_tampered_payload_is_401(client: AsyncClient, tenant: Tenant, other_tenant: Tenant) -> None:
    header, _, signature = _hs256(_claims(tenant)).split(".")
    forged = _b64(
        json.dumps({**_claims(tenant), "org": str(other_tenant.org.id), "iat": 0, "exp": 4102444800}).encode()
    )
    assert_unauthenticated(await client.get(ME, headers=auth(f"{header}.{forged}.{signature}")))


async def test_alg_none_token_is_401(client: AsyncClient, tenant: Tenant) -> None:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    payload = _b64(json.dumps({**_claims(tenant), "iat": 0, "exp": 4102444800}).encode())
    body = assert_unauthenticated(await client.get(ME, headers=auth(f"{header}.{payload}.")))
    assert "none" in body["detail"]


@pytest.mark.parametrize("token", ["garbage", "a.b.c", "", "eyJhbGciOiJIUzI1NiJ9"])
async def test_malformed_token_is_401(client: AsyncClient, tenant: Tenant, token: str) -> None:
    assert_unauthenticated(await client.get(ME, headers={"Authorization": f"Bearer {token}"}))


@pytest.mark.parametrize("roles", [[], ["admin"], ["service"]])
async def test_token_without_org_for_non_system_role_is_401(
    client: AsyncClient, tenant: Tenant, roles: list[str]
) -> None:
    token = _hs256(_claims(tenant, roles=roles, org=None))
    body = assert_unauthenticated(await client.get(ME, headers=auth(token)))
    assert "org" in body["detail"]


async def test_org_claim_must_be_a_uuid(client: AsyncClient, tenant: Tenant) -> None:
    assert_unauthenticated(await client.get(ME, headers=auth(_hs256(_claims(tenant, org="acme")))))


@pytest.mark.parametrize("missing", ["sub", "exp"])
async def test_required_claims(client: AsyncClient, tenant: Tenant, missing: str) -> None:
    claims = _claims(tenant)
    del claims[missing]
    assert_unauthenticated(await client.get(ME, headers=auth(_hs256(claims))))


async def test_roles_must_be_a_list_of_strings(client: AsyncClient, tenant: Tenant) -> None:
    assert_unauthenticated(await client.get(ME, headers=auth(_hs256(_claims(tenant, roles=[1, 2])))))


@pytest.mark.parametrize(
    "overrides",
    [
        {"sub": ""},
        {"sub": "s" * (SUBJECT_MAX + 1)},
        {"roles": ["admin"] + [f"role{i}" for i in range(MAX_ROLES)]},
        {"roles": ["r" * (MAX_ROLE_LENGTH + 1)]},
    ],
    ids=["empty-sub", "long-sub", "too-many-roles", "long-role"],
)
async def test_subject_and_roles_stay_within_the_declared_limits(
    client: AsyncClient, tenant: Tenant, overrides: dict[str, Any]
) -> None:
    # GET /me and every recorded actor declare these limits; a token beyond them is refused, not half-stored.
    assert_unauthenticated(await client.get(ME, headers=auth(_hs256(_claims(tenant, **overrides)))))


async def test_subject_and_roles_at_the_limits_are_accepted(client: AsyncClient, tenant: Tenant) -> None:
    roles = ["system", *(f"{i:0{MAX_ROLE_LENGTH}d}" for i in range(MAX_ROLES - 1))]
    claims = _claims(tenant, sub="s" * SUBJECT_MAX, roles=roles)
    del claims["org"]
    response = await client.get(ME, headers=auth(_hs256(claims)))
    assert response.status_code == 200, response.text
    assert response.json()["subject"] == "s" * SUBJECT_MAX
    assert len(response.json()["roles"]) == MAX_ROLES


async def test_system_token_needs_no_org(client: AsyncClient, tenant: Tenant) -> None:
    response = await client.get(ME, headers=tenant.headers("system"))
    assert response.status_code == 200
    assert response.json() == {"subject": "ops", "organization_id": None, "roles": ["system"], "employee": None}


async def test_audience_in_token_is_ignored_when_none_is_configured(client: AsyncClient, tenant: Tenant) -> None:
    # Identity providers always set "aud"; it is only checked when KPR_JWT_AUDIENCE is configured.
    token = _hs256(_claims(tenant, aud="some-idp-client", iss="https://idp.example.com"))
    assert (await client.get(ME, headers=auth(token))).status_code == 200


async def test_unknown_api_key_is_401(client: AsyncClient, tenant: Tenant) -> None:
    for key in ["kpr_abcdef012345_" + "x" * 43, "not-a-key", "kpr_"]:
        assert_unauthenticated(await client.get(ME, headers={"X-API-Key": key}))


class TestRs256:
    @pytest.fixture
    def key_pair(self) -> tuple[Any, str]:
        return _rsa_pair()

    @pytest.fixture
    def rs_settings(self, database_url: str, key_pair: tuple[Any, str]) -> Settings:
        return Settings(database_url=database_url, jwt_secret=TEST_SECRET, jwt_public_key=key_pair[1])

    async def test_token_signed_with_the_private_key_is_accepted(
        self, client_for: AppClientFactory, rs_settings: Settings, key_pair: tuple[Any, str], tenant: Tenant
    ) -> None:
        token = jwt.encode(_claims(tenant), key_pair[0], algorithm="RS256")
        async with client_for(rs_settings) as rs_client:
            response = await rs_client.get(ME, headers=auth(token))
        assert response.status_code == 200
        assert response.json()["employee"]["id"] == str(tenant.admin.id)

    async def test_token_signed_by_another_key_is_401(
        self, client_for: AppClientFactory, rs_settings: Settings, tenant: Tenant
    ) -> None:
        stranger, _ = _rsa_pair()
        token = jwt.encode(_claims(tenant), stranger, algorithm="RS256")
        async with client_for(rs_settings) as rs_client:
            assert_unauthenticated(await rs_client.get(ME, headers=auth(token)))

    async def test_hs256_signed_with_the_public_key_is_401(
        self, client_for: AppClientFactory, rs_settings: Settings, key_pair: tuple[Any, str], tenant: Tenant
    ) -> None:
        # Algorithm confusion: the public key is public, so it must never verify an HMAC signature.
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        payload = _b64(json.dumps({**_claims(tenant), "iat": 0, "exp": 4102444800}).encode())
        signature = hmac.new(key_pair[1].encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
        async with client_for(rs_settings) as rs_client:
            assert_unauthenticated(await rs_client.get(ME, headers=auth(f"{header}.{payload}.{_b64(signature)}")))

    async def test_hs256_is_refused_when_only_a_public_key_is_configured(
        self,
        client_for: AppClientFactory,
        database_url: str,
        key_pair: tuple[Any, str],
        tenant: Tenant,
        tmp_path: Path,
    ) -> None:
        # With no secret the app still derives its cursor key from a dev secret; keep that file out of var/.
        only_public = Settings(
            database_url=database_url, jwt_secret=None, jwt_public_key=key_pair[1], data_dir=tmp_path
        )
        async with client_for(only_public) as rs_client:
            body = assert_unauthenticated(await rs_client.get(ME, headers=auth(_hs256(_claims(tenant)))))
        assert "HS256" in body["detail"]


class TestAudienceAndIssuer:
    AUDIENCE = "kpr-api"
    ISSUER = "https://idp.example.com/realms/acme"

    @pytest.fixture
    def strict_settings(self, database_url: str) -> Settings:
        return Settings(
            database_url=database_url, jwt_secret=TEST_SECRET, jwt_audience=self.AUDIENCE, jwt_issuer=self.ISSUER
        )

    async def test_matching_aud_and_iss_are_accepted(
        self, client_for: AppClientFactory, strict_settings: Settings, tenant: Tenant
    ) -> None:
        token = _hs256(_claims(tenant, aud=self.AUDIENCE, iss=self.ISSUER))
        async with client_for(strict_settings) as strict:
            assert (await strict.get(ME, headers=auth(token))).status_code == 200

    @pytest.mark.parametrize(
        "overrides",
        [
            {"aud": None, "iss": ISSUER},
            {"aud": "another-api", "iss": ISSUER},
            {"aud": AUDIENCE, "iss": None},
            {"aud": AUDIENCE, "iss": "https://evil.example.com"},
        ],
        ids=["no-aud", "wrong-aud", "no-iss", "wrong-iss"],
    )
    async def test_missing_or_wrong_aud_or_iss_is_401(
        self, client_for: AppClientFactory, strict_settings: Settings, tenant: Tenant, overrides: dict[str, Any]
    ) -> None:
        token = _hs256(_claims(tenant, **overrides))
        async with client_for(strict_settings) as strict:
            assert_unauthenticated(await strict.get(ME, headers=auth(token)))


async def test_a_verified_token_is_refused_once_it_expires(
    client: AsyncClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Verified tokens are remembered (a client sends the same one on every request), never past their expiry."""
    token = _hs256(_claims(tenant, exp=datetime.now(UTC) + timedelta(minutes=1)))
    assert (await client.get(ME, headers=auth(token))).status_code == 200
    assert (await client.get(ME, headers=auth(token))).status_code == 200  # remembered

    later = datetime.now(UTC) + timedelta(minutes=5)
    monkeypatch.setattr(security.time, "time", later.timestamp)
    monkeypatch.setattr(jwt.api_jwt, "datetime", _FrozenDatetime(later))
    body = assert_unauthenticated(await client.get(ME, headers=auth(token)))
    assert "expired" in body["detail"]


async def test_a_token_verified_under_one_secret_is_not_taken_under_another(
    client_for: AppClientFactory, tenant: Tenant, settings: Settings
) -> None:
    token = _hs256(_claims(tenant))
    async with client_for(settings) as same:
        assert (await same.get(ME, headers=auth(token))).status_code == 200
    other = settings.model_copy(update={"jwt_secret": "another-secret-" + "y" * 32})
    async with client_for(other) as rotated:
        assert_unauthenticated(await rotated.get(ME, headers=auth(token)))


class _FrozenDatetime:
    """PyJWT reads the clock through datetime.now(tz=…); this answers a fixed moment."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self, tz: Any = None) -> datetime:
        return self.moment

    def __getattr__(self, name: str) -> Any:
        return getattr(datetime, name)
